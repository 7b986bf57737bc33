// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers shared by every stage: allocation, socket lists, signals. */
#include "config.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "whybind.h"

static void out_of_memory(void)
{
	fputs("whybind: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

struct wb_sock *socklist_add(struct wb_socklist *l)
{
	struct wb_sock *s;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->v6only = WB_UNKNOWN;
	s->reuseaddr = WB_UNKNOWN;
	s->reuseport = WB_UNKNOWN;
	s->blocks = WB_UNKNOWN;
	return s;
}

static void sock_free(struct wb_sock *s)
{
	for (size_t j = 0; j < s->n_owners; j++)
		free(s->owners[j].cmdline);
	free(s->owners);
	free(s->path);
}

void socklist_truncate(struct wb_socklist *l, size_t n)
{
	while (l->n > n)
		sock_free(&l->v[--l->n]);
}

void socklist_free(struct wb_socklist *l)
{
	socklist_truncate(l, 0);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void signals_hold(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

void signals_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

size_t wb_read_at(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return 0;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

int64_t wb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
