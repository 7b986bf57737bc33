// SPDX-License-Identifier: GPL-2.0-or-later
/* wait: --wait sleeps on what can free the port, never busy-polls:
 * the holders' pidfds (process exit), the kernel's socket-destroy
 * broadcasts, and the TIME_WAIT timers the dump reported. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/inet_diag.h>

#include "escape.h"
#include "diagnose.h"
#include "pidfd.h"
#include "probe.h"
#include "wait.h"

#define MAX_PIDFDS 64
/* Without destroy events (no privilege; AF_UNIX has none), a socket
 * closed by a live process gives no event: re-check this often, so a
 * freed port or path is seen within 100 ms. */
#define RECHECK_MS 100
/* With them, re-check now and then all the same. */
#define SAFETY_MS 1000
/* A TIME_WAIT past its time: the kernel's timer wheel fires a 60 s timer
 * up to seconds late, and its end broadcasts nothing; re-check this often
 * until it is gone, so the port is seen free within 100 ms. */
#define OVERDUE_MS 50

static int subscribe_destroy(void)
{
	static const int groups[] = {
		SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
		SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY,
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])) < 0)
			goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

void wait_init(struct wb_waiter *w, unsigned timeout_s, FILE *countdown)
{
	memset(w, 0, sizeof(*w));
	w->destroy_fd = subscribe_destroy();
	w->deadline_ms = wb_now_ms() + (int64_t)timeout_s * 1000;
	w->countdown = countdown;
}

void wait_done(struct wb_waiter *w)
{
	if (w->countdown) {
		fputs("\r\033[K", w->countdown);
		fflush(w->countdown);
	}
	if (w->destroy_fd >= 0)
		close(w->destroy_fd);
	w->destroy_fd = -1;
}

/* Read every pending destroy broadcast; true if one is about a socket
 * that is not one of our own probes (each re-check makes and closes
 * some: taking them for news would be a busy loop).  A lost broadcast
 * (ENOBUFS) may have been news. */
static bool ours(const struct wb_waiter *w, uint64_t cookie)
{
	for (unsigned int i = 0; i < sizeof(w->own) / sizeof(w->own[0]); i++)
		if (w->own[i] == cookie)
			return true;
	return false;
}

static bool news(const struct wb_waiter *w)
{
	int fd = w->destroy_fd;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool any = false;
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) != 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int rem = (int)len;

		if (len < 0) {
			any = any || errno == ENOBUFS;
			if (errno != ENOBUFS)
				break;
			continue;
		}
		for (; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			const struct inet_diag_msg *m = NLMSG_DATA(nlh);
			uint64_t cookie;

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			cookie = (uint64_t)m->id.idiag_cookie[1] << 32 |
				 m->id.idiag_cookie[0];
			any = any || !cookie || !ours(w, cookie);
		}
	}
	return any;
}

/* The pidfds of every holder of a conflicting socket, at most MAX_PIDFDS. */
static int open_pidfds(const struct wb_diagnosis *d, struct pollfd *p, int n)
{
	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		for (size_t j = 0; sock_in_the_way(s) && j < s->n_owners; j++) {
			int fd = wb_pidfd_open(s->owners[j].pid);

			if (fd >= 0 && n < MAX_PIDFDS + 1)
				p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			else if (fd >= 0)
				close(fd);
		}
	}
	return n;
}

/* When the last TIME_WAIT in the way should end.  inet_diag shows a
 * timer that is due but has not fired as 0 ms left. */
static int64_t time_wait_expiry(const struct wb_diagnosis *d, int64_t now)
{
	int64_t left = socks_time_wait_left_ms(&d->scan.socks);

	if (left < 0)
		return INT64_MAX;
	return left ? now + left + 10 : now + OVERDUE_MS;
}

static void draw(FILE *f, const struct wb_diagnosis *d, int64_t left_ms)
{
	const struct wb_unix_target *t = &d->req.target;
	char *name;

	if (d->req.addr.family == AF_UNIX) {
		name = unix_display_name(t->name, t->len, t->abstract);
		fprintf(f, "\r\033[Kwhybind: waiting for %s (%s): %lld s left",
			name, d->verdict.cause,
			(long long)(left_ms + 999) / 1000);
		free(name);
	} else {
		fprintf(f, "\r\033[Kwhybind: waiting for port %u (%s): %lld s left",
			d->req.port, d->verdict.cause, (long long)(left_ms + 999) / 1000);
	}
	fflush(f);
}

int wait_event(struct wb_waiter *w, const struct wb_diagnosis *d)
{
	struct pollfd p[MAX_PIDFDS + 1];
	int64_t now = wb_now_ms(), until;
	/* The destroy broadcasts are for inet sockets only. */
	int recheck = w->destroy_fd >= 0 && d->req.addr.family != AF_UNIX
		    ? SAFETY_MS : RECHECK_MS;
	int n = 0, rc;

	for (unsigned int i = 0; i < d->probe.n_cookies; i++)
		w->own[w->n_own++ % (sizeof(w->own) / sizeof(w->own[0]))] =
			d->probe.cookies[i];
	if (w->destroy_fd >= 0)
		p[n++] = (struct pollfd){ .fd = w->destroy_fd, .events = POLLIN };
	n = open_pidfds(d, p, n);
	until = time_wait_expiry(d, now);
	if (until > w->deadline_ms)
		until = w->deadline_ms;
	if (until > now + recheck)
		until = now + recheck;
	if (w->countdown) {
		draw(w->countdown, d, w->deadline_ms - now);
		if (until > now + 1000 - (w->deadline_ms - now) % 1000)
			until = now + 1000 - (w->deadline_ms - now) % 1000;
	}
	/* What arrived while we re-checked: only our probes, or news? */
	if (w->destroy_fd >= 0 && news(w))
		until = now;
	for (;;) {
		rc = poll(p, n, until > now ? (int)(until - now) : 0);
		if (rc < 0) {
			rc = errno == EINTR ? -EINTR : 0;
			break;
		}
		/* Woken by our own probes' broadcasts alone: sleep on. */
		if (rc == 1 && w->destroy_fd >= 0 && p[0].revents &&
		    !news(w) && (now = wb_now_ms()) < until)
			continue;
		rc = 0;
		break;
	}
	for (int i = w->destroy_fd >= 0; i < n; i++)
		close(p[i].fd);
	return rc;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* --wait: sleep on what can free the port, re-diagnose on each event. */
int wait_until_free(struct wb_diagnosis *d, const struct wb_diag_opts *o,
		    unsigned timeout_s, bool countdown)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t start = wb_now_ms();
	struct wb_waiter w;
	int rc = 0;

	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	wait_init(&w, timeout_s, countdown ? stderr : NULL);
	while (d->probe.ok != WB_YES && !interrupted && wb_now_ms() < w.deadline_ms) {
		if (wait_event(&w, d) == -EINTR || interrupted)
			break;
		diagnosis_reset(d);
		rc = diagnose(d, o);
		if (rc < 0)
			break;
	}
	wait_done(&w);
	d->action.waited = true;
	d->action.waited_ms = wb_now_ms() - start;
	d->action.wait_timed_out = d->probe.ok != WB_YES && !interrupted;
	return rc;
}
