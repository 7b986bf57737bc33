// SPDX-License-Identifier: GPL-2.0-or-later
/* cli: the command line, read with argp into struct wb_cli.  Nothing
 * is resolved or checked against the system here: request_build() does
 * that. */
#include "config.h"
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"

enum { OPT_V6ONLY = 0x100, OPT_COLOR, OPT_NO_PROBE, OPT_FIX, OPT_WATCH, OPT_JOURNAL };

#ifdef WITH_WATCH
#define WATCH_USAGE "\n--watch [[ADDRESS:]PORT | PATH ...]"
#else
#define WATCH_USAGE ""
#endif

#define DEFAULT_WAIT_S 60


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
	{ "message", 'm', "TEXT", 0,
	  "the server's error message: diagnose the bind that failed in it, as that server binds (its socket options); - reads the last matching line of stdin; help lists the forms known", 1 },
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

static int usage_error(struct wb_cli *o, const char *arg, const char *msg)
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

static int parse_v6only(struct wb_cli *o, const char *arg)
{
	static const char *const words[] = { "no", "yes", "0", "1", "off", "on" };
	int i = arg ? parse_word(arg, words, 6) : 1;

	if (i < 0)
		return usage_error(o, arg, "--v6only takes yes or no");
	o->req.v6only = i % 2;
	return 0;
}

static int parse_color(struct wb_cli *o, const char *arg)
{
	static const char *const words[] = { "never", "always", "auto" };
	int i = arg ? parse_word(arg, words, 3) : 1;

	if (i < 0)
		return usage_error(o, arg, "--color takes auto, always or never");
	o->color = i == 2 ? WB_UNKNOWN : i;
	return 0;
}

static int parse_wait(struct wb_cli *o, const char *arg)
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
static int parse_exec(struct wb_cli *o, char *arg, struct argp_state *state)
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
	struct wb_cli *o = state->input;

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
	case 'm': o->message = arg; break;
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
			o->watch_args = xrealloc(o->watch_args,
						 (o->n_watch_args + 1) * sizeof(arg));
			o->watch_args[o->n_watch_args++] = arg;
			break;
		}
		if (o->req.target)
			return usage_error(o, arg, "only one [ADDRESS:]PORT, PATH or @NAME, please");
		o->req.target = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		if (o->exec_argv || o->message || o->watch)
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

int cli_parse(int argc, char **argv, struct wb_cli *o)
{
	struct argp argp = { option_table, parse_opt,
			     "[ADDRESS:]PORT\nPATH\n@NAME\n--message=TEXT" WATCH_USAGE, doc,
			     NULL, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->req.protocol = IPPROTO_TCP;
	o->req.v6only = WB_UNKNOWN;
	o->color = WB_UNKNOWN;
	o->wait_s = -1;
	if (argp_parse(&argp, argc, argv, wants_help(argc, argv) ? 0 : ARGP_NO_ERRS,
		       NULL, o) || o->error) {
		if (!o->error)
			o->error = "bad usage (see --help)";
		return -EINVAL;
	}
	return 0;
}
