// SPDX-License-Identifier: GPL-2.0-or-later
/* whybind: why can't my server bind this port?
 *
 * main() reads top to bottom: parse the command line, resolve the
 * addresses, diagnose each bind, report, exit 0/1/2/3 (SPEC).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "address.h"
#include "cli.h"
#include "closestream.h"
#include "diagnose.h"
#include "escape.h"
#include "exec.h"
#include "fix.h"
#include "message.h"
#include "netns.h"
#include "nldump.h"
#include "repeat.h"
#include "report.h"
#include "request.h"
#include "wait.h"
#ifdef WITH_WATCH
#include "watch.h"
#endif

enum exit_status { EXIT_FREE = 0, EXIT_BLOCKED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

/* One line on stderr, the offending argument escaped and shortened. */
static int fail(enum exit_status status, const char *arg, const char *msg)
{
	char *safe = arg ? wb_escape(arg, strnlen(arg, 64), WB_ESC_TERM) : NULL;

	if (safe)
		fprintf(stderr, "whybind: '%s%s': %s\n", safe,
			strlen(arg) > 64 ? "..." : "", msg);
	else
		fprintf(stderr, "whybind: %s\n", msg);
	free(safe);
	return status;
}

/* Why no diagnosis could be made (exit 3): mostly, why the kernel's
 * socket tables could not be read; no answer rather than half of one. */
static const char *failure_text(int rc)
{
	static char msg[160];

	switch (-rc) {
	case EPERM:
	case EACCES:
		return "cannot ask the kernel about sockets: permission denied";
	case WB_EDUMP_INTR:
		snprintf(msg, sizeof(msg), "the socket table changed during "
			 "each of %d dumps; no partial answer given: try again",
			 WB_DUMP_TRIES);
		return msg;
	case WB_EDUMP_TIMEOUT:
		snprintf(msg, sizeof(msg), "the kernel did not answer the "
			 "socket dump within %d s", WB_DUMP_TIMEOUT_S);
		return msg;
	case WB_EDUMP_NOPROTO:
		return "this kernel has no sock_diag handler for the protocol "
		       "(modules inet_diag, tcp_diag, udp_diag, unix_diag)";
	}
	snprintf(msg, sizeof(msg), "cannot diagnose: %s", strerror(-rc));
	return msg;
}

/* The argument's forms or -m's error message (address.h), merged into
 * the request's options: the target request.c reads, the protocol, and
 * the options the message's server sets. */
static int take_address(struct wb_cli *o, struct wb_address *a, const char **err)
{
	struct wb_request_opts *r = &o->req;
	struct wb_address_opts ao = { .protocol = r->protocol,
				      .proto_given = o->proto_given, .family = r->family };
	int protocol = address_read(r->target, o->message, &ao, a, err);

	if (protocol < 0)
		return -EINVAL;
	r->target = a->target;
	r->protocol = protocol;
	r->reuseaddr = r->reuseaddr || a->reuseaddr;
	r->reuseport = r->reuseport || a->reuseport;
	if (r->v6only == WB_UNKNOWN)
		r->v6only = a->v6only;
	return 0;
}

/* --exec: the command's exit status, or ours when it could not run. */
static int run_exec(struct wb_cli *o)
{
	struct wb_exec_opts eo = { .json = o->json, .quiet = o->quiet,
				   .color = o->color, .dopts = o->dopts };
	const char *err = NULL;
	int rc;

	if (o->req.target || o->message || o->fix || o->wait_s >= 0)
		rc = fail(EXIT_USAGE, NULL, "--exec takes no [ADDRESS:]PORT, --message, --fix or --wait: the server's bind is the one diagnosed");
	else if (o->proto_given || o->req.family || o->req.reuseaddr || o->req.reuseport ||
		 o->req.v6only != WB_UNKNOWN || o->req.interface || o->req.user)
		rc = fail(EXIT_USAGE, NULL, "--exec reads the bind from the server itself: -t, -u, -4, -6, -r, -R, --v6only, -i and -U do not apply");
	else if ((rc = exec_run(o->exec_argv, &eo, &err)) < 0)
		rc = fail(rc == -ENOENT ? 127 : rc == -EACCES ? 126 : EXIT_FAILED,
			  o->exec_argv[0], err);
	exec_repeat_flush();
	free(o->exec_argv);
	return rc;
}

#ifdef WITH_WATCH
/* --watch: 0 at Ctrl+C; exit 3 when BPF cannot be used. */
static int run_watch(struct wb_cli *o)
{
	struct wb_watch_opts wo = { .json = o->json, .quiet = o->quiet, .color = o->color,
				    .dopts = o->dopts, .journal = o->journal,
				    .protocol = o->proto_given ? o->req.protocol : 0 };
	const char *err = NULL;
	int rc = 0;

	if (o->exec_argv || o->message || o->fix || o->wait_s >= 0 || o->req.netns)
		rc = fail(EXIT_USAGE, NULL, "--watch takes no --exec, --message, --fix, --wait or --netns: it watches every namespace");
	else if (o->req.family || o->req.reuseaddr || o->req.reuseport ||
		 o->req.v6only != WB_UNKNOWN || o->req.interface || o->req.user)
		rc = fail(EXIT_USAGE, NULL, "--watch reads each bind from the kernel: -4, -6, -r, -R, --v6only, -i and -U do not apply");
	for (int i = 0; rc == 0 && i < o->n_watch_args; i++)
		if (watch_filter_add(&wo, o->watch_args[i], &err) < 0)
			rc = fail(EXIT_USAGE, o->watch_args[i], err);
	if (rc == 0 && watch_run(&wo, &err) < 0)
		rc = fail(EXIT_FAILED, NULL, err);
	free(wo.filters);
	free(o->watch_args);
	return rc;
}
#endif

/* Stage 1: the binds the command line asks for, each the start of a
 * diagnosis.  The count, or exit 2's status with the message said. */
static int build_diagnoses(struct wb_cli *o, struct wb_diagnosis **out)
{
	struct wb_request *reqs = NULL;
	struct wb_address addr;
	const char *bad = NULL, *err = NULL;
	int n;

	if (take_address(o, &addr, &err) < 0)
		return -fail(EXIT_USAGE, o->message ? NULL : o->req.target, err);
	n = request_build(&o->req, &reqs, &bad, &err);
	if (n < 0)
		return -fail(EXIT_USAGE, bad, err ? err : strerror(-n));
	*out = xcalloc(n, sizeof(**out));
	for (int i = 0; i < n; i++) {
		(*out)[i].req = reqs[i];
		(*out)[i].req.source = addr.source;
		(*out)[i].req.runtime = addr.runtime;
		(*out)[i].req.runtime_name = addr.runtime_name;
	}
	free(reqs);
	return n;
}

/* Stages 2 to 6 of each bind.  Exit 1 if any fails, 0 if none, 3 (with
 * the message said) if a diagnosis could not be made. */
static int diagnose_all(const struct wb_cli *o, struct wb_diagnosis *d, int n)
{
	int status = EXIT_FREE;

	for (int i = 0; i < n; i++) {
		int rc = diagnose(&d[i], &o->dopts);

		if (rc == 0 && o->fix && d[i].probe.ok != WB_YES)
			rc = fix_apply(&d[i], &o->dopts);
		if (rc == 0 && o->wait_s >= 0 && d[i].probe.ok != WB_YES)
			rc = wait_until_free(&d[i], &o->dopts, (unsigned)o->wait_s,
					     !o->quiet && !o->json && isatty(STDERR_FILENO));
		if (rc < 0)
			return fail(EXIT_FAILED, NULL, failure_text(rc));
		if (d[i].probe.ok != WB_YES)
			status = EXIT_BLOCKED;
	}
	return status;
}

/* The report on stdout; a write that failed is exit 3. */
static int report_all(const struct wb_cli *o, const struct wb_diagnosis *d,
		      int n, int status)
{
	struct wb_report_opts ro = {
		.color = report_want_color(o->color, STDOUT_FILENO),
		.verbose = o->dopts.verbose,
		.host = n > 1 ? o->req.target : NULL,
		.netns = o->req.netns,
		.ifname = o->req.interface,
	};
	int rc = 0;

	stdout_no_sigpipe();
	if (o->quiet)
		;
	else if (o->json)
		rc = report_json(stdout, d, n, &ro);
	else
		for (int i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			report_text(stdout, &d[i], &ro);
		}
	if ((rc = close_stdout(rc)) < 0)
		return fail(EXIT_FAILED, NULL, close_stdout_text(rc));
	return status;
}

int main(int argc, char **argv)
{
	struct wb_diagnosis *d = NULL;
	struct wb_cli o;
	int n, rc, status;

	if (cli_parse(argc, argv, &o) < 0)
		return fail(EXIT_USAGE, o.bad_arg, o.error);
	if (o.req.netns && !o.watch && (rc = netns_enter(o.req.netns)) < 0)
		return fail(EXIT_FAILED, o.req.netns, rc == -ENOENT
			? "no such network namespace"
			: rc == -EPERM ? "no privilege to enter that network namespace"
			: strerror(-rc));
#ifdef WITH_WATCH
	if (o.watch)
		return run_watch(&o);
#endif
	if (o.exec_argv)
		return run_exec(&o);
	if (o.message && strcmp(o.message, "help") == 0) {
		message_help(stdout);
		return EXIT_FREE;
	}
	n = build_diagnoses(&o, &d);
	if (n < 0)
		return -n;
	status = diagnose_all(&o, d, n);
	if (status != EXIT_FAILED)
		status = report_all(&o, d, n, status);
	for (int i = 0; i < n; i++)
		diagnosis_reset(&d[i]);
	free(d);
	return status;
}
