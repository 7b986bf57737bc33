/* whybind: why can't my server bind this port?
 *
 * main() reads top to bottom: parse the command line, resolve the
 * addresses, diagnose each bind, report, exit 0/1/2/3 (SPEC).
 */
#include <argp.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "config.h"
#include "closestream.h"
#include "conflict.h"
#include "diag.h"
#include "diagnose.h"
#include "escape.h"
#include "exec.h"
#include "fix.h"
#include "netns.h"
#include "nldump.h"
#include "origin.h"
#include "owners.h"
#include "probe.h"
#include "report.h"
#include "unix.h"
#include "repeat.h"
#include "request.h"
#include "verdict.h"
#include "wait.h"
#ifdef WITH_WATCH
#include "watch.h"
#define WATCH_USAGE "\n--watch [[ADDRESS:]PORT | PATH ...]"
#else
#define WATCH_USAGE ""
#endif

enum exit_status { EXIT_FREE = 0, EXIT_BLOCKED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

enum { OPT_V6ONLY = 0x100, OPT_COLOR, OPT_NO_PROBE, OPT_FIX, OPT_WATCH, OPT_JOURNAL };

#define DEFAULT_WAIT_S 60

struct options {
	struct wb_request_opts req;	/* the bind, as the command line says it */
	bool json, quiet;
	struct wb_diag_opts dopts;	/* --no-probe, --verbose */
	bool fix;
	long wait_s;			/* -1: do not wait */
	bool proto_given;		/* -t or -u (AF_UNIX: stream or dgram) */
	int color;			/* enum wb_tri: WB_UNKNOWN = auto */
	const char *bad_arg;		/* the argument a usage error is about */
	const char *error;		/* usage error, reported once by main */
	char **exec_argv;		/* --exec COMMAND [ARG...], NULL-terminated */
	bool watch;			/* --watch: the arguments are filters */
	bool journal;			/* --journal */
	char **watch_args;
	int n_watch_args;
};

const char *argp_program_version = PACKAGE_STRING "\n"
	"License GPL-2.0-or-later: GNU GPL version 2 or later.\n"
	"This is free software: you are free to change and redistribute it.";
const char *argp_program_bug_address = PACKAGE_BUGREPORT;

static const char doc[] =
	"Tell why a server cannot bind [ADDRESS:]PORT (or an AF_UNIX socket PATH or "
	"@NAME), and how to fix it.\v"
	"whybind tries the bind the server wants (and undoes it at once: it never "
	"listens), asks the kernel which sockets hold the port, names their "
	"processes, and says whether SO_REUSEADDR or SO_REUSEPORT would help.\n\n"
	"Exit status: 0 the bind would succeed, 1 it fails (diagnosed), "
	"2 bad usage, 3 the diagnosis could not be made.";

static const struct argp_option option_table[] = {
	{ NULL, 0, NULL, 0, "The bind to diagnose:", 1 },
	{ "tcp", 't', NULL, 0, "a TCP bind (the default); for PATH or @NAME, a stream socket", 1 },
	{ "udp", 'u', NULL, 0, "a UDP bind; for PATH or @NAME, a datagram socket", 1 },
	{ NULL, '4', NULL, 0, "IPv4: a bare PORT means 0.0.0.0:PORT (the default)", 1 },
	{ NULL, '6', NULL, 0, "IPv6: a bare PORT means [::]:PORT", 1 },
	{ "reuseaddr", 'r', NULL, 0, "the server sets SO_REUSEADDR", 1 },
	{ "reuseport", 'R', NULL, 0, "the server sets SO_REUSEPORT", 1 },
	{ "v6only", OPT_V6ONLY, "yes|no", OPTION_ARG_OPTIONAL,
	  "IPV6_V6ONLY of the server's IPv6 socket (default: the sysctl net.ipv6.bindv6only)", 1 },
	{ "interface", 'i', "DEV", 0,
	  "the server binds to that device (SO_BINDTODEVICE)", 1 },
	{ "user", 'U', "USER", 0,
	  "probe as that user, a name or a uid (the uid matters for ports below 1024 and SO_REUSEPORT; needs root)", 1 },
	{ "netns", 'n', "NAME|PATH|PID", 0,
	  "diagnose inside that network namespace (an ip-netns name, a path such as /proc/PID/ns/net, or a PID)", 1 },
	{ "exec", 'x', "COMMAND", 0,
	  "run COMMAND [ARG...] (every argument after it is the command's) and diagnose each of its bind() calls that fails, on stderr; exit with its status", 1 },
#ifdef WITH_WATCH
	{ "watch", OPT_WATCH, NULL, 0,
	  "until Ctrl+C, catch every bind() on the host that fails (BPF) and diagnose it at once; the arguments, if any, are the only [ADDRESS:]PORT, PATH or @NAME watched", 1 },
#endif
	{ NULL, 0, NULL, 0, "Actions:", 2 },
	{ "no-probe", OPT_NO_PROBE, NULL, 0,
	  "read-only: never call bind(); predict from the kernel's rules", 2 },
	{ "wait", 'w', "SECONDS", OPTION_ARG_OPTIONAL,
	  "wait until the bind would succeed (default 60 s); exit 1 at the timeout", 2 },
	{ "fix", OPT_FIX, NULL, 0,
	  "destroy the conflicting TIME_WAIT sockets (CAP_NET_ADMIN) or remove a stale socket file, then probe again; never signals a process", 2 },
	{ NULL, 0, NULL, 0, "Output:", 3 },
	{ "json", 'j', NULL, 0, "machine-readable JSON on stdout", 3 },
	{ "quiet", 'q', NULL, 0, "print nothing; the exit status says it (errors still go to stderr)", 3 },
	{ "verbose", 'v', NULL, 0, "also list the sockets on the port that are not in the way, and why", 3 },
	{ "color", OPT_COLOR, "WHEN", OPTION_ARG_OPTIONAL,
	  "auto (the default: only on a terminal, never with NO_COLOR), always, never", 3 },
#ifdef WITH_WATCH
	{ "journal", OPT_JOURNAL, NULL, 0,
	  "--watch: also write each failure to the journal (the default when stdout is the journal)", 3 },
#endif
	{ NULL, 0, NULL, 0, "Help:", -1 },
	{ 0 }
};

static int usage_error(struct options *o, const char *arg, const char *msg)
{
	o->bad_arg = arg;
	o->error = msg;
	return EINVAL;
}

static int parse_word(const char *arg, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(arg, words[i]) == 0)
			return i;
	return -1;
}

static int parse_v6only(struct options *o, const char *arg)
{
	static const char *const words[] = { "no", "yes", "0", "1", "off", "on" };
	int i = arg ? parse_word(arg, words, 6) : 1;

	if (i < 0)
		return usage_error(o, arg, "--v6only takes yes or no");
	o->req.v6only = i % 2;
	return 0;
}

static int parse_color(struct options *o, const char *arg)
{
	static const char *const words[] = { "never", "always", "auto" };
	int i = arg ? parse_word(arg, words, 3) : 1;

	if (i < 0)
		return usage_error(o, arg, "--color takes auto, always or never");
	o->color = i == 2 ? WB_UNKNOWN : i;
	return 0;
}

static int parse_wait(struct options *o, const char *arg)
{
	char *end;

	o->wait_s = DEFAULT_WAIT_S;
	if (!arg)
		return 0;
	errno = 0;
	o->wait_s = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || o->wait_s > 86400)
		return usage_error(o, arg, "--wait takes a number of seconds (0 to 86400)");
	return 0;
}

/* --exec COMMAND [ARG...]: every word after COMMAND is the command's,
 * options too, so parsing stops here.  The words are copied: getopt may
 * still permute argv's slots. */
static int parse_exec(struct options *o, char *arg, struct argp_state *state)
{
	int n = state->argc - state->next;

	if (strcmp(arg, "--") == 0) {
		if (n-- == 0)
			return usage_error(o, NULL, "--exec needs a COMMAND");
		arg = state->argv[state->next++];
	}
	o->exec_argv = xcalloc(n + 2, sizeof(*o->exec_argv));
	o->exec_argv[0] = arg;
	memcpy(o->exec_argv + 1, state->argv + state->next, n * sizeof(char *));
	state->next = state->argc;
	return 0;
}

/* The error is "-x" or "--exec" last on the line, without its COMMAND. */
static bool exec_missing(const struct argp_state *state)
{
	const char *a = state->argv[state->next - 1];

	return state->next == state->argc &&
	       (strcmp(a, "--exec") == 0 || strcmp(a, "-x") == 0 ||
		(a[0] == '-' && a[1] != '-' && a[strlen(a) - 1] == 'x'));
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct options *o = state->input;

	switch (key) {
	case 't': o->req.protocol = IPPROTO_TCP; o->proto_given = true; break;
	case 'u': o->req.protocol = IPPROTO_UDP; o->proto_given = true; break;
	case 'i': o->req.interface = arg; break;
	case 'U': o->req.user = arg; break;
	case '4': o->req.family = AF_INET; break;
	case '6': o->req.family = AF_INET6; break;
	case 'r': o->req.reuseaddr = true; break;
	case 'R': o->req.reuseport = true; break;
	case 'j': o->json = true; break;
	case 'q': o->quiet = true; break;
	case 'v': o->dopts.verbose = true; break;
	case 'n': o->req.netns = arg; break;
	case OPT_NO_PROBE: o->dopts.no_probe = true; break;
	case OPT_FIX: o->fix = true; break;
	case OPT_WATCH: o->watch = true; break;
	case OPT_JOURNAL: o->journal = true; break;
	case 'w': return parse_wait(o, arg);
	case 'x': return parse_exec(o, arg, state);
	case OPT_V6ONLY: return parse_v6only(o, arg);
	case OPT_COLOR: return parse_color(o, arg);
	case ARGP_KEY_ARG:
		if (o->watch) {
			o->watch_args = xrealloc(o->watch_args, (o->n_watch_args + 1) * sizeof(arg));
			o->watch_args[o->n_watch_args++] = arg;
			break;
		}
		if (o->req.target)
			return usage_error(o, arg, "only one [ADDRESS:]PORT, PATH or @NAME, please");
		o->req.target = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		if (o->exec_argv || o->watch)
			break;
		return usage_error(o, NULL, "missing [ADDRESS:]PORT, PATH or @NAME (see --help)");
	case ARGP_KEY_ERROR:
		if (!o->error)
			usage_error(o, state->argv[state->next - 1],
				    exec_missing(state) ? "--exec needs a COMMAND"
				    : "unknown option (see --help)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* argp prints its help only without ARGP_NO_ERRS, and ARGP_NO_ERRS is
 * what keeps its two-line, unescaped errors off the terminal: so it is
 * dropped only when help or the version is asked for. */
static bool wants_help(int argc, char **argv)
{
	static const char *const words[] = {
		"--help", "-?", "--usage", "--version", "-V",
	};

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (parse_word(argv[i], words, 5) >= 0)
			return true;
	return false;
}

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

/* --exec: the command's exit status, or ours when it could not run. */
static int run_exec(struct options *o)
{
	struct wb_exec_opts eo = { .json = o->json, .quiet = o->quiet,
				   .color = o->color, .dopts = o->dopts };
	const char *err = NULL;
	int rc;

	if (o->req.target || o->fix || o->wait_s >= 0)
		rc = fail(EXIT_USAGE, NULL, "--exec takes no [ADDRESS:]PORT, --fix or --wait: the server's bind is the one diagnosed");
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
static int run_watch(struct options *o)
{
	struct wb_watch_opts wo = { .json = o->json, .quiet = o->quiet, .color = o->color,
				    .dopts = o->dopts, .journal = o->journal,
				    .protocol = o->proto_given ? o->req.protocol : 0 };
	const char *err = NULL;
	int rc = 0;

	if (o->exec_argv || o->fix || o->wait_s >= 0 || o->req.netns)
		rc = fail(EXIT_USAGE, NULL, "--watch takes no --exec, --fix, --wait or --netns: it watches every namespace");
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

int main(int argc, char **argv)
{
	struct options o = { .req = { .protocol = IPPROTO_TCP, .v6only = WB_UNKNOWN },
			     .color = WB_UNKNOWN, .wait_s = -1 };
	struct argp argp = { option_table, parse_opt, "[ADDRESS:]PORT\nPATH\n@NAME" WATCH_USAGE, doc,
			     NULL, NULL, NULL };
	struct wb_report_opts ro = { 0 };
	struct wb_diagnosis *d = NULL;
	struct wb_request *reqs = NULL;
	const char *bad = NULL, *err = NULL;
	int n, status = EXIT_FREE;
	int wrc = 0;			/* the report's writes */

	if (argp_parse(&argp, argc, argv, wants_help(argc, argv) ? 0 : ARGP_NO_ERRS,
		       NULL, &o) || o.error)
		return fail(EXIT_USAGE, o.bad_arg, o.error ? o.error : "bad usage (see --help)");
	if (o.req.netns && !o.watch && (n = netns_enter(o.req.netns)) < 0)
		return fail(EXIT_FAILED, o.req.netns, n == -ENOENT
			? "no such network namespace"
			: n == -EPERM ? "no privilege to enter that network namespace"
			: strerror(-n));
#ifdef WITH_WATCH
	if (o.watch)
		return run_watch(&o);
#endif
	if (o.exec_argv)
		return run_exec(&o);
	n = request_build(&o.req, &reqs, &bad, &err);
	if (n < 0)
		return fail(EXIT_USAGE, bad, err ? err : strerror(-n));
	d = xcalloc(n, sizeof(*d));
	for (int i = 0; i < n; i++)
		d[i].req = reqs[i];
	free(reqs);
	for (int i = 0; i < n; i++) {
		int rc = diagnose(&d[i], &o.dopts);

		if (rc == 0 && o.fix && d[i].ok != WB_YES)
			rc = fix_apply(&d[i], &o.dopts);
		if (rc == 0 && o.wait_s >= 0 && d[i].ok != WB_YES)
			rc = wait_until_free(&d[i], &o.dopts, (unsigned)o.wait_s,
					     !o.quiet && !o.json && isatty(STDERR_FILENO));

		if (rc < 0) {
			status = fail(EXIT_FAILED, NULL, failure_text(rc));
			goto out;
		}
		if (d[i].ok != WB_YES)
			status = EXIT_BLOCKED;
	}
	ro.color = report_want_color(o.color, STDOUT_FILENO);
	ro.verbose = o.dopts.verbose;
	ro.host = n > 1 ? o.req.target : NULL;
	ro.netns = o.req.netns;
	ro.ifname = o.req.interface;
	stdout_no_sigpipe();
	if (o.quiet)
		;
	else if (o.json)
		wrc = report_json(stdout, d, n, &ro);
	else
		for (int i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			report_text(stdout, &d[i], &ro);
		}
	if ((wrc = close_stdout(wrc)) < 0)
		status = fail(EXIT_FAILED, NULL, close_stdout_text(wrc));
out:
	for (int i = 0; i < n; i++)
		diagnosis_reset(&d[i]);
	free(d);
	return status;
}
