/* whybind: why can't my server bind this port?
 *
 * main() reads top to bottom: parse the command line, resolve the
 * addresses, diagnose each bind, report, exit 0/1/2/3 (SPEC).
 */
#include "config.h"
#include <argp.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>
#include <net/if.h>
#include <sys/socket.h>

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
#include "request.h"
#include "verdict.h"
#include "wait.h"

enum exit_status { EXIT_FREE = 0, EXIT_BLOCKED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

enum { OPT_V6ONLY = 0x100, OPT_COLOR, OPT_NO_PROBE, OPT_FIX };

#define DEFAULT_WAIT_S 60

struct options {
	int protocol;
	int family;			/* for a bare PORT or a host name */
	bool reuseaddr, reuseport;
	int v6only;			/* enum wb_tri: WB_UNKNOWN = the sysctl */
	bool json, quiet;
	struct wb_diag_opts dopts;	/* --no-probe, --verbose */
	bool fix;
	long wait_s;			/* -1: do not wait */
	const char *netns;
	const char *interface;		/* -i, a device name */
	const char *user;		/* -U, a name or a uid */
	bool proto_given;		/* -t or -u (AF_UNIX: stream or dgram) */
	int color;			/* enum wb_tri: WB_UNKNOWN = auto */
	const char *target;
	const char *bad_arg;		/* the argument a usage error is about */
	const char *error;		/* usage error, reported once by main */
	char **exec_argv;		/* --exec COMMAND [ARG...], NULL-terminated */
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
	o->v6only = i % 2;
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
	case 't': o->protocol = IPPROTO_TCP; o->proto_given = true; break;
	case 'u': o->protocol = IPPROTO_UDP; o->proto_given = true; break;
	case 'i': o->interface = arg; break;
	case 'U': o->user = arg; break;
	case '4': o->family = AF_INET; break;
	case '6': o->family = AF_INET6; break;
	case 'r': o->reuseaddr = true; break;
	case 'R': o->reuseport = true; break;
	case 'j': o->json = true; break;
	case 'q': o->quiet = true; break;
	case 'v': o->dopts.verbose = true; break;
	case 'n': o->netns = arg; break;
	case OPT_NO_PROBE: o->dopts.no_probe = true; break;
	case OPT_FIX: o->fix = true; break;
	case 'w': return parse_wait(o, arg);
	case 'x': return parse_exec(o, arg, state);
	case OPT_V6ONLY: return parse_v6only(o, arg);
	case OPT_COLOR: return parse_color(o, arg);
	case ARGP_KEY_ARG:
		if (o->target)
			return usage_error(o, arg, "only one [ADDRESS:]PORT, PATH or @NAME, please");
		o->target = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		if (o->exec_argv)
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

/* --fix: the only safe fix for an inet port is destroying TIME_WAIT
 * sockets, and only when nothing else is in the way. */
static bool only_time_wait(const struct wb_diagnosis *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (s->blocks == WB_NO)
			continue;
		if (s->protocol != IPPROTO_TCP || s->state != WB_TCP_TIME_WAIT)
			return false;
		n++;
	}
	return n > 0;
}

/* After a fix: probe again, unless it failed; keep what was done. */
static int fix_done(struct wb_diagnosis *d, const struct options *o,
		    const char *error)
{
	bool removed = d->fix_removed;
	unsigned destroyed = d->fix_destroyed;

	if (!error) {
		int rc;

		diagnosis_reset(d);
		rc = diagnose(d, &o->dopts);
		if (rc < 0)
			return rc;
	}
	d->fix_attempted = true;
	d->fix_removed = removed;
	d->fix_destroyed = destroyed;
	d->fix_error = error;
	return 0;
}

/* A fix is applied whole: Ctrl+C, a hangup or a kill that comes
 * meanwhile takes effect once the last socket is destroyed or the file
 * removed (signals_hold), never half-way through. */
static int apply_fix_unix(struct wb_diagnosis *d, const struct options *o)
{
	const char *error = NULL;
	sigset_t held;
	int rc;

	if (strcmp(d->verdict.cause, "unix-stale")) {
		d->fix_attempted = true;
		d->fix_error = "nothing safe to fix: only a stale socket file is removed; a file a live socket holds, or that is not a socket, is never touched";
		return 0;
	}
	signals_hold(&held);
	rc = fix_remove_stale_socket(&d->req.target, &d->file);
	signals_release(&held);
	if (rc == -ESTALE)
		error = "the file changed since it was judged stale: not removed";
	else if (rc == -EBUSY)
		error = "a live socket is bound to the file now: not removed";
	else if (rc == -EACCES || rc == -EPERM)
		error = "no permission to remove the file: run as its owner or root";
	else if (rc < 0)
		error = "the stale socket file could not be removed";
	d->fix_removed = !error;
	return fix_done(d, o, error);
}

static int apply_fix(struct wb_diagnosis *d, const struct options *o)
{
	unsigned destroyed = 0;
	const char *error = NULL;
	sigset_t held;

	if (d->req.addr.family == AF_UNIX)
		return apply_fix_unix(d, o);

	if (!only_time_wait(d)) {
		d->fix_attempted = true;
		d->fix_error = "nothing safe to fix: only TIME_WAIT sockets are destroyed; a live socket's process is never signalled";
		return 0;
	}
	signals_hold(&held);
	for (size_t i = 0; i < d->socks.n && !error; i++) {
		int rc;

		if (d->socks.v[i].blocks == WB_NO)
			continue;
		rc = fix_destroy_time_wait(&d->socks.v[i]);
		if (rc == 0 || rc == -ENOENT)
			destroyed += rc == 0;
		else if (rc == -EPERM || rc == -EACCES)
			error = "destroying sockets needs CAP_NET_ADMIN: run as root, or use the ss -K command below";
		else if (rc == -EOPNOTSUPP)
			error = "this kernel cannot destroy sockets (CONFIG_INET_DIAG_DESTROY is off)";
		else
			error = "SOCK_DESTROY failed";
	}
	signals_release(&held);
	d->fix_destroyed = destroyed;
	return fix_done(d, o, error);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* --wait: sleep on what can free the port, re-diagnose on each event. */
static int wait_until_free(struct wb_diagnosis *d, const struct options *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool tty = !o->quiet && !o->json && isatty(STDERR_FILENO);
	int64_t start = wait_now_ms();
	struct wb_waiter w;
	int rc = 0;

	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	wait_init(&w, (unsigned)o->wait_s, tty ? stderr : NULL);
	while (d->ok != WB_YES && !interrupted && wait_now_ms() < w.deadline_ms) {
		if (wait_event(&w, d) == -EINTR || interrupted)
			break;
		diagnosis_reset(d);
		rc = diagnose(d, &o->dopts);
		if (rc < 0)
			break;
	}
	wait_done(&w);
	d->waited = true;
	d->waited_ms = wait_now_ms() - start;
	d->wait_timed_out = d->ok != WB_YES && !interrupted;
	return rc;
}

/* -U: a user name, or a uid (with or without a passwd entry). */
static int parse_user(const char *arg, struct wb_request *r, const char **err)
{
	struct passwd *pw = getpwnam(arg);
	unsigned long uid;
	char *end;

	if (!pw) {
		errno = 0;
		uid = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || errno || uid >= (uid_t)-1) {
			*err = "no such user";
			return -EINVAL;
		}
		pw = getpwuid((uid_t)uid);
	}
	r->uid = pw ? pw->pw_uid : (uid_t)uid;
	r->gid = pw ? pw->pw_gid : (gid_t)uid;
	snprintf(r->user, sizeof(r->user), "%s", pw ? pw->pw_name : arg);
	r->user_given = true;
	if (geteuid() != 0 && (r->uid != geteuid() || r->gid != getegid())) {
		*err = "probing as another user needs root";
		return -EPERM;
	}
	return 0;
}

/* What every request shares: the options, the user, the device. */
static int base_request(const struct options *o, struct wb_request *r,
			const char **bad, const char **err)
{
	memset(r, 0, sizeof(*r));
	r->protocol = o->protocol;
	r->reuseaddr = o->reuseaddr;
	r->reuseport = o->reuseport;
	r->uid = geteuid();
	r->gid = getegid();
	if (o->user) {
		*bad = o->user;
		if (parse_user(o->user, r, err) < 0)
			return -EINVAL;
	}
	if (o->interface) {
		*bad = o->interface;
		if (strlen(o->interface) >= IF_NAMESIZE ||
		    !(r->ifindex = (int)if_nametoindex(o->interface))) {
			*err = o->netns ? "no such network device in that namespace"
					: "no such network device";
			return -EINVAL;
		}
	}
	return 0;
}

/* PATH or @NAME: one AF_UNIX request; the inet-only options are errors. */
static int unix_request(const struct options *o, struct wb_request *r,
			const char **bad, const char **err)
{
	static const char only_inet[] = " applies to TCP and UDP ports, not to an AF_UNIX socket";
	static char msg[96];
	const char *opt = o->family == AF_INET ? "-4" : o->family == AF_INET6 ? "-6"
			: o->reuseaddr ? "--reuseaddr" : o->reuseport ? "--reuseport"
			: o->v6only != WB_UNKNOWN ? "--v6only"
			: o->interface ? "--interface" : NULL;

	*bad = o->target;
	if (opt) {
		snprintf(msg, sizeof(msg), "%s%s", opt, only_inet);
		*err = msg;
		return -EINVAL;
	}
	if (unix_target_parse(o->target, &r->target, err) < 0)
		return -EINVAL;
	r->protocol = 0;
	r->addr.family = AF_UNIX;
	r->unix_type = o->protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	return 0;
}

static int build_requests(const struct options *o, struct wb_diagnosis **out,
			  const char **bad, const char **err)
{
	struct wb_request base;
	struct wb_target t;
	struct wb_addr *addrs = NULL;
	uint16_t port;
	int n;

	if (base_request(o, &base, bad, err) < 0)
		return -EINVAL;
	if (unix_target_looks(o->target)) {
		if (unix_request(o, &base, bad, err) < 0)
			return -EINVAL;
		*out = xcalloc(1, sizeof(**out));
		(*out)[0].req = base;
		return 1;
	}
	*bad = o->target;
	if (request_split(o->target, &t, err) < 0)
		return -EINVAL;
	n = request_port(t.port, o->protocol, &port, err);
	if (n == 0)
		n = request_addrs(t.host, t.host ? o->family : o->family ? o->family
				  : AF_INET, &addrs, err);
	target_free(&t);
	if (n < 0)
		return n;
	*out = xcalloc(n, sizeof(**out));
	for (int i = 0; i < n; i++) {
		struct wb_request *r = &(*out)[i].req;

		*r = base;
		r->addr = addrs[i];
		r->port = port;
		r->v6only_given = o->v6only != WB_UNKNOWN;
		r->v6only = r->v6only_given ? o->v6only : probe_default_v6only();
	}
	free(addrs);
	return n;
}

/* --exec: the command's exit status, or ours when it could not run. */
static int run_exec(struct options *o)
{
	struct wb_exec_opts eo = { .json = o->json, .quiet = o->quiet,
				   .color = o->color, .dopts = o->dopts };
	const char *err = NULL;
	int rc;

	if (o->target || o->fix || o->wait_s >= 0)
		rc = fail(EXIT_USAGE, NULL, "--exec takes no [ADDRESS:]PORT, --fix or --wait: the server's bind is the one diagnosed");
	else if (o->proto_given || o->family || o->reuseaddr || o->reuseport ||
		 o->v6only != WB_UNKNOWN || o->interface || o->user)
		rc = fail(EXIT_USAGE, NULL, "--exec reads the bind from the server itself: -t, -u, -4, -6, -r, -R, --v6only, -i and -U do not apply");
	else if ((rc = exec_run(o->exec_argv, &eo, &err)) < 0)
		rc = fail(rc == -ENOENT ? 127 : rc == -EACCES ? 126 : EXIT_FAILED,
			  o->exec_argv[0], err);
	free(o->exec_argv);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { .protocol = IPPROTO_TCP, .v6only = WB_UNKNOWN,
			     .color = WB_UNKNOWN, .wait_s = -1 };
	struct argp argp = { option_table, parse_opt, "[ADDRESS:]PORT\nPATH\n@NAME", doc,
			     NULL, NULL, NULL };
	struct wb_report_opts ro = { 0 };
	struct wb_diagnosis *d = NULL;
	const char *bad = NULL, *err = NULL;
	int n, status = EXIT_FREE;

	if (argp_parse(&argp, argc, argv, wants_help(argc, argv) ? 0 : ARGP_NO_ERRS,
		       NULL, &o) || o.error)
		return fail(EXIT_USAGE, o.bad_arg, o.error ? o.error : "bad usage (see --help)");
	if (o.netns && (n = netns_enter(o.netns)) < 0)
		return fail(EXIT_FAILED, o.netns, n == -ENOENT
			? "no such network namespace"
			: n == -EPERM ? "no privilege to enter that network namespace"
			: strerror(-n));
	if (o.exec_argv)
		return run_exec(&o);
	n = build_requests(&o, &d, &bad, &err);
	if (n < 0)
		return fail(EXIT_USAGE, bad, err ? err : strerror(-n));
	for (int i = 0; i < n; i++) {
		int rc = diagnose(&d[i], &o.dopts);

		if (rc == 0 && o.fix && d[i].ok != WB_YES)
			rc = apply_fix(&d[i], &o);
		if (rc == 0 && o.wait_s >= 0 && d[i].ok != WB_YES)
			rc = wait_until_free(&d[i], &o);

		if (rc < 0) {
			status = fail(EXIT_FAILED, NULL, failure_text(rc));
			goto out;
		}
		if (d[i].ok != WB_YES)
			status = EXIT_BLOCKED;
	}
	ro.color = report_want_color(o.color, STDOUT_FILENO);
	ro.verbose = o.dopts.verbose;
	ro.host = n > 1 ? o.target : NULL;
	ro.netns = o.netns;
	ro.ifname = o.interface;
	if (o.quiet)
		;
	else if (o.json)
		report_json(stdout, d, n, &ro);
	else
		for (int i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			report_text(stdout, &d[i], &ro);
		}
out:
	for (int i = 0; i < n; i++)
		diagnosis_reset(&d[i]);
	free(d);
	return status;
}
