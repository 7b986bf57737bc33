// SPDX-License-Identifier: GPL-2.0-or-later
/* report_text: the human output: the bind tried, a table of the sockets in
 * the way, the verdict and the fixes as commands. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>

#include "escape.h"
#include "manager.h"
#include "report.h"
#include "request.h"
#include "unix.h"

#define BOLD	"\033[1m"
#define RED	"\033[31m"
#define GREEN	"\033[32m"
#define YELLOW	"\033[33m"
#define RESET	"\033[0m"

struct row {
	char state[16];
	char local[WB_ADDRSTRLEN + IF_NAMESIZE + 8];
	char remote[WB_ADDRSTRLEN + 8];
	char left[16];
};

static const char *paint(const struct wb_report_opts *o, const char *code)
{
	return o->color ? code : "";
}

static void endpoint(char *buf, size_t cap, const struct wb_addr *a,
		     uint16_t port, bool wildcard_port)
{
	char addr[WB_ADDRSTRLEN];

	addr_str(a, addr, sizeof(addr));
	if (wildcard_port && port == 0)
		snprintf(buf, cap, a->family == AF_INET6 ? "[%s]:*" : "%s:*", addr);
	else
		snprintf(buf, cap, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 addr, port);
}

static void fill_row(struct row *r, const struct wb_sock *s)
{
	snprintf(r->state, sizeof(r->state), "%s", sock_state_name(s));
	endpoint(r->local, sizeof(r->local), &s->local, s->lport, false);
	if (s->ifindex) {
		char dev[IF_NAMESIZE] = "?", *at = strrchr(r->local, ':'), *safe;
		char port[8];

		/* ss's form: 0.0.0.0%lo:8080 */
		if_indextoname(s->ifindex, dev);
		safe = wb_escape_str(dev, WB_ESC_TERM);
		if (at) {
			snprintf(port, sizeof(port), "%s", at);
			snprintf(at, sizeof(r->local) - (size_t)(at - r->local),
				 "%%%.*s%s", IF_NAMESIZE, safe, port);
		}
		free(safe);
	}
	endpoint(r->remote, sizeof(r->remote), &s->remote, s->rport, true);
	r->left[0] = '\0';
	if (sock_is_time_wait(s))
		snprintf(r->left, sizeof(r->left), "%u.%us",
			 s->expires_ms / 1000, s->expires_ms % 1000 / 100);
}

static void print_owner(FILE *f, const struct wb_sock *s, size_t i)
{
	const struct wb_owner *o = &s->owners[i];
	char *comm = wb_escape_str(o->comm, WB_ESC_TERM);
	const char *what = o->state == 'T' ? ", stopped"
			 : o->state == 't' ? ", traced" : "";
	char name[64], *user;

	/* a prefork tree's master and workers often differ (root, www-data) */
	if (o->uid == (uid_t)-1)
		snprintf(name, sizeof(name), "?");
	else
		manager_user_name(o->uid, name, sizeof(name));
	user = wb_escape_str(name, WB_ESC_TERM);
	fprintf(f, "%s (pid %d%s%s%s, user %s)", comm, o->pid, what,
		o->tty[0] ? ", " : "", o->tty, user);
	free(user);
	free(comm);
}

static void print_holder(FILE *f, const struct wb_sock *s, size_t i)
{
	if (s->n_owners)
		print_owner(f, s, i);
	else if (sock_is_time_wait(s))
		fputs("-", f);
	else if (!s->owners_visible)
		fprintf(f, "uid %u (not visible)", s->uid);
	else
		fputs("?", f);
}

/* One table of the sockets whose `blocks` matches `in_way`. */
static void print_table(FILE *f, const struct wb_diagnosis *d, bool in_way,
			const struct wb_report_opts *o)
{
	size_t n = 0, ws = 5, wl = 5, wr = 6;
	struct row *rows = xcalloc(d->scan.socks.n, sizeof(*rows));

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		struct row *r = &rows[i];

		if (sock_in_the_way(&d->scan.socks.v[i]) != in_way)
			continue;
		fill_row(r, &d->scan.socks.v[i]);
		ws = strlen(r->state) > ws ? strlen(r->state) : ws;
		wl = strlen(r->local) > wl ? strlen(r->local) : wl;
		wr = strlen(r->remote) > wr ? strlen(r->remote) : wr;
		n++;
	}
	if (n)
		fprintf(f, "%s%-*s  %-*s  %-*s  %-6s  %s%s\n", paint(o, BOLD),
			(int)ws, "STATE", (int)wl, "LOCAL", (int)wr, "REMOTE",
			"LEFT", in_way ? "OWNER" : "WHY NOT IN THE WAY", paint(o, RESET));
	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];
		const struct row *r = &rows[i];

		if (sock_in_the_way(s) != in_way)
			continue;
		fprintf(f, "%-*s  %-*s  %-*s  %-6s  ", (int)ws, r->state,
			(int)wl, r->local, (int)wr, r->remote, r->left);
		if (!in_way) {
			fprintf(f, "%s\n", s->why ? s->why : "");
			continue;
		}
		print_holder(f, s, 0);
		fputc('\n', f);
		for (size_t j = 1; j < s->n_owners; j++) {
			fprintf(f, "%*s", (int)(ws + wl + wr + 6 + 8), "");
			print_holder(f, s, j);
			fputc('\n', f);
		}
	}
	free(rows);
}

/* AF_UNIX sockets: a table of their own (no ports, no addresses). */
static void print_unix_table(FILE *f, const struct wb_diagnosis *d, bool in_way,
			     const struct wb_report_opts *o)
{
	bool header = false;

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];
		char *name;

		if (sock_in_the_way(s) != in_way)
			continue;
		if (!header)
			fprintf(f, "%s%-11s  %-9s  %-10s  %s%s\n", paint(o, BOLD), "STATE",
				"TYPE", "INODE", in_way ? "OWNER" : "WHY NOT IN THE WAY",
				paint(o, RESET));
		header = true;
		fprintf(f, "%-11s  %-9s  %-10llu  ", sock_state_name(s),
			unix_type_name(s->type), (unsigned long long)s->inode);
		if (!in_way) {
			name = s->path ? unix_display_name(s->path, s->path_len, s->abstract) : NULL;
			fprintf(f, "%s%s%s\n", s->why ? s->why : "", name ? ": " : "",
				name ? name : "");
			free(name);
			continue;
		}
		print_holder(f, s, 0);
		fputc('\n', f);
		for (size_t j = 1; j < s->n_owners; j++) {
			fprintf(f, "%*s", 11 + 9 + 10 + 6, "");
			print_holder(f, s, j);
			fputc('\n', f);
		}
	}
}

static void print_first_line(FILE *f, const struct wb_diagnosis *d,
			     const struct wb_report_opts *o)
{
	char where[WB_ADDRSTRLEN + 8];
	const char *proto = d->req.protocol == IPPROTO_UDP ? "udp" : "tcp";
	char *user = d->req.user_given ? wb_escape_str(d->req.user, WB_ESC_TERM) : NULL;
	char *dev = d->req.ifindex ? wb_escape_str(o->ifname, WB_ESC_TERM) : NULL;

	if (d->req.addr.family == AF_UNIX) {
		char *name = unix_display_name(d->req.target.name, d->req.target.len,
				       d->req.target.abstract);

		fprintf(f, "%sbind unix %s %s%s%s%s: ", paint(o, BOLD),
			unix_type_name(d->req.unix_type), name,
			user ? " as " : "", user ? user : "", paint(o, RESET));
		free(name);
	} else {
		endpoint(where, sizeof(where), &d->req.addr, d->req.port, false);
		if (d->req.runtime_name)	/* --message: "as Go binds: ..." */
			fprintf(f, "%sas %s binds:%s", paint(o, BOLD),
				d->req.runtime_name, paint(o, RESET));
		fprintf(f, "%s%s %s/%s%s%s%s%s%s%s%s%s: ", paint(o, BOLD),
			d->req.runtime_name ? "" : "bind", where, proto,
			d->req.reuseaddr ? " SO_REUSEADDR" : "",
			d->req.reuseport ? " SO_REUSEPORT" : "",
			d->req.addr.family == AF_INET6 ?
				(d->req.v6only ? " v6only" : " dual-stack") : "",
			dev ? " dev " : "", dev ? dev : "",
			user ? " as " : "", user ? user : "", paint(o, RESET));
	}
	free(user);
	free(dev);

	if (d->probe.ok == WB_YES)
		fprintf(f, "%s%s%s\n", paint(o, GREEN),
			d->probe.probed ? "succeeds" : "would succeed (not probed)",
			paint(o, RESET));
	else if (d->probe.err)
		fprintf(f, "%s%s%s\n", paint(o, RED), strerror(d->probe.err), paint(o, RESET));
	else
		fprintf(f, "%s%s%s\n", paint(o, YELLOW), d->probe.ok == WB_NO ?
			"would fail (not probed)" : "cannot be decided without a probe",
			paint(o, RESET));
}

static const char *tri_word(int v)
{
	return v == WB_YES ? "yes" : v == WB_NO ? "no" : "unknown";
}

static void print_verdict(FILE *f, const struct wb_diagnosis *d,
			  const struct wb_report_opts *o)
{
	const struct wb_verdict *v = &d->verdict;

	fprintf(f, "\n%sCause: %s%s: %s.\n", paint(o, BOLD), v->cause,
		paint(o, RESET), v->summary);
	/* The options only matter for "in use"; unix sockets have none. */
	if (d->req.addr.family != AF_UNIX && bind_in_use(d))
		fprintf(f, "SO_REUSEADDR would fix it: %s%s%s\n", tri_word(v->reuseaddr_fixes),
			v->reuseaddr_why ? ": " : "", v->reuseaddr_why ? v->reuseaddr_why : "");
	if (v->reuseport_fixes != WB_UNKNOWN)
		fprintf(f, "SO_REUSEPORT would fix it: %s%s%s\n",
			tri_word(v->reuseport_fixes), v->reuseport_why ? ": " : "",
			v->reuseport_why ? v->reuseport_why : "");
	if (!v->n_fixes)
		return;
	fprintf(f, "\n%sFixes:%s\n", paint(o, BOLD), paint(o, RESET));
	for (size_t i = 0; i < v->n_fixes; i++) {
		fprintf(f, "  %zu. %s\n", i + 1, v->fixes[i].text);
		if (v->fixes[i].command)
			fprintf(f, "       %s%s%s\n", paint(o, BOLD),
				v->fixes[i].command, paint(o, RESET));
	}
}

void report_text(FILE *f, const struct wb_diagnosis *d,
		 const struct wb_report_opts *o)
{
	void (*table)(FILE *, const struct wb_diagnosis *, bool,
		      const struct wb_report_opts *);
	bool any_other = false;

	if (d->action.fix_attempted && d->action.fix_error)
		fprintf(f, "--fix: %s\n", d->action.fix_error);
	else if (d->action.fix_attempted && d->action.fix_removed)
		fputs("--fix: removed the stale socket file\n", f);
	else if (d->action.fix_attempted)
		fprintf(f, "--fix: destroyed %u TIME_WAIT socket%s\n", d->action.fix_destroyed,
			d->action.fix_destroyed == 1 ? "" : "s");
	if (d->action.waited)
		fprintf(f, "--wait: %s after %.1f s\n", d->probe.ok == WB_YES ? "free" :
			d->action.wait_timed_out ? "timed out" : "interrupted", d->action.waited_ms / 1000.0);
	print_first_line(f, d, o);
	if (d->probe.ok == WB_YES && d->verdict.takes_udp)
		fprintf(f, "%sBeware:%s %s.\n", paint(o, BOLD), paint(o, RESET),
			d->verdict.summary);
	if (d->probe.ok == WB_YES && !o->verbose)
		return;
	table = d->req.addr.family == AF_UNIX ? print_unix_table : print_table;
	table(f, d, true, o);
	for (size_t i = 0; i < d->scan.socks.n; i++)
		any_other = any_other || !sock_in_the_way(&d->scan.socks.v[i]);
	if (o->verbose && any_other) {
		fputs(d->req.addr.family == AF_UNIX ? "\nAlso bound to it, not in the way:\n"
			: "\nOn the port, not in the way:\n", f);
		table(f, d, false, o);
	}
	if (d->probe.ok != WB_YES)
		print_verdict(f, d, o);
}

bool report_want_color(int color, int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (color != WB_UNKNOWN)
		return color == WB_YES;
	return isatty(fd) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}
