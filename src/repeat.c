// SPDX-License-Identifier: GPL-2.0-or-later
/* repeat: condense identical failures (repeat.h). */
#include "config.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "diagnose.h"
#include "escape.h"
#include "jsonwrt.h"
#include "repeat.h"
#include "strbuf.h"

void repeats_init(struct wb_repeats *r, int64_t window_ms, wb_repeat_fn *done,
		  void (*free_data)(void *), void *arg)
{
	r->n = 0;
	r->window_ms = window_ms;
	r->done = done;
	r->free_data = free_data;
	r->arg = arg;
}

static void forget(struct wb_repeats *r, size_t i)
{
	struct wb_repeat *e = &r->v[i];

	if (e->count && r->done)
		r->done(e, r->arg);
	free(e->sig);
	if (r->free_data)
		r->free_data(e->data);
	r->v[i] = r->v[--r->n];
}

unsigned long repeats_seen(struct wb_repeats *r, const char *sig, int64_t now_ms,
			   void *data, unsigned long n)
{
	size_t oldest = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct wb_repeat *e = &r->v[i];

		if (strcmp(e->sig, sig) != 0)
			continue;
		if (now_ms - e->last_ms <= r->window_ms) {
			e->last_ms = now_ms;
			if (r->free_data)
				r->free_data(data);
			return e->count += n;
		}
		forget(r, i);	/* its run was over: this one starts anew */
		break;
	}
	if (r->n == WB_REPEAT_MAX) {
		for (size_t i = 1; i < r->n; i++)
			if (r->v[i].last_ms < r->v[oldest].last_ms)
				oldest = i;
		forget(r, oldest);
	}
	r->v[r->n++] = (struct wb_repeat){ .sig = xstrdup(sig), .first_ms = now_ms,
					   .last_ms = now_ms, .data = data,
					   .count = n ? n - 1 : 0 };
	return 0;
}

void repeats_expire(struct wb_repeats *r, int64_t now_ms, bool all)
{
	for (size_t i = r->n; i-- > 0;)
		if (all || now_ms - r->v[i].last_ms > r->window_ms)
			forget(r, i);
}

int64_t repeats_next_ms(const struct wb_repeats *r, int64_t now_ms)
{
	int64_t next = -1;

	for (size_t i = 0; i < r->n; i++) {
		int64_t left = r->v[i].last_ms + r->window_ms + 1 - now_ms;

		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

static void sig_addr(struct wb_strbuf *b, int family, const void *a, uint16_t port)
{
	char t[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET || family == AF_INET6)
		inet_ntop(family, a, t, sizeof(t));
	strbuf_printf(b, "%s/%u", t, port);
}

char *repeat_signature(pid_t pid, int err, const struct wb_diagnosis *d)
{
	const struct wb_request *q = &d->req;
	struct wb_strbuf b = { 0 };

	strbuf_printf(&b, "%d|%d|%d|%d|", (int)pid, err, q->protocol, q->addr.family);
	if (q->addr.family == AF_UNIX)
		strbuf_printf(&b, "%d:%.*s|%d", q->target.abstract,
			      (int)q->target.len, q->target.name, q->unix_type);
	else
		sig_addr(&b, q->addr.family, &q->addr.u, q->port);
	strbuf_printf(&b, "|%d%d%d|%d|%u|%d|", q->reuseaddr, q->reuseport, q->v6only,
		      q->ifindex, (unsigned)q->uid, d->verdict.kind);
	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (!sock_in_the_way(s))
			continue;
		strbuf_printf(&b, "%d:%" PRIu64, s->state, s->inode);
		for (size_t j = 0; j < s->n_owners; j++)
			strbuf_printf(&b, ",%d", (int)s->owners[j].pid);
		strbuf_printf(&b, ";");
	}
	return strbuf_steal(&b);
}

/* --exec's runs: its reports go to stderr, one line each. */
struct exec_run {
	pid_t pid;
	char *comm, *where;
	int fd, err;
};

static struct wb_repeats exec_repeats;
static bool exec_started, exec_json;
static FILE *exec_out;

static void exec_run_free(void *p)
{
	struct exec_run *x = p;

	if (!x)
		return;
	free(x->comm);
	free(x->where);
	free(x);
}

static void exec_run_done(const struct wb_repeat *r, void *arg)
{
	const struct exec_run *x = r->data;
	const char *name = strerrorname_np(x->err);
	double s = (double)(r->last_ms - r->first_ms) / 1000;

	(void)arg;
	if (exec_json) {
		struct jsonwrt w;

		jsonwrt_init(&w, exec_out, false);
		jsonwrt_object_open(&w, NULL);
		jsonwrt_int(&w, "version", 1);
		jsonwrt_bool(&w, "repeated", true);
		jsonwrt_object_open(&w, "exec");
		jsonwrt_int(&w, "pid", x->pid);
		jsonwrt_string(&w, "comm", x->comm);
		jsonwrt_int(&w, "fd", x->fd);
		jsonwrt_string(&w, "address", x->where);
		jsonwrt_string(&w, "errno", name ? name : "?");
		jsonwrt_int(&w, "repeats", (int64_t)r->count);
		jsonwrt_int(&w, "repeats_ms", r->last_ms - r->first_ms);
		jsonwrt_object_close(&w);
		jsonwrt_object_close(&w);
		jsonwrt_end(&w);
		return;
	}
	{
		char *comm = wb_escape_str(x->comm, WB_ESC_TERM);

		fprintf(exec_out, "whybind: pid %d (%s): bind(%d, %s) failed %lu more "
			"time%s in %.1f s, same holders: see the report above\n",
			x->pid, comm, x->fd, x->where, r->count,
			r->count == 1 ? "" : "s", s);
		free(comm);
	}
}

bool exec_repeat_check(FILE *f, bool json, pid_t pid, const char *comm,
		       int fd, const char *where, int err, const struct wb_diagnosis *d)
{
	struct exec_run *x = xcalloc(1, sizeof(*x));
	int64_t now = wb_now_ms();
	char *sig = repeat_signature(pid, err, d);
	unsigned long n;

	if (!exec_started) {
		repeats_init(&exec_repeats, WB_REPEAT_WINDOW_MS, exec_run_done,
			     exec_run_free, NULL);
		exec_started = true;
	}
	exec_out = f;
	exec_json = json;
	repeats_expire(&exec_repeats, now, false);
	x->pid = pid;
	x->comm = xstrdup(comm);
	x->where = xstrdup(where);
	x->fd = fd;
	x->err = err;
	n = repeats_seen(&exec_repeats, sig, now, x, 1);
	free(sig);
	if (n)
		fflush(f);
	return n > 0;
}

void exec_repeat_flush(void)
{
	if (!exec_started)
		return;
	repeats_expire(&exec_repeats, wb_now_ms(), true);
	fflush(exec_out);
}
