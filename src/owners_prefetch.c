// SPDX-License-Identifier: GPL-2.0-or-later
/* owners_prefetch: the holders by the kernel's own walk of every
 * descriptor table (a BPF task_file iterator, owners_bpf.c), listed in a
 * thread of its own while the caller dumps the port's sockets: the
 * kernel's two walks overlap.  Then /proc only for the processes named. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owners_bpf.h"
#include "owners_int.h"
#include "proc.h"

/* When the dump shows nothing any process can hold (TIME_WAIT only), the
 * walk is abandoned, not waited for: its thread frees its own results. */
enum { PF_RUNNING, PF_DONE, PF_ABANDONED };

struct owners_prefetch {
	pthread_t thread;
	atomic_int state;
	atomic_bool cancel;
	int rc;
	struct wb_bpf_hit *hits;
	size_t n;
};

static void prefetch_free(struct owners_prefetch *pf)
{
	free(pf->hits);
	free(pf);
}

static void *prefetch_main(void *arg)
{
	struct owners_prefetch *pf = arg;

	pf->rc = owners_bpf_find(NULL, 0, &pf->hits, &pf->n, &pf->cancel);
	if (atomic_exchange(&pf->state, PF_DONE) == PF_ABANDONED)
		prefetch_free(pf);
	return NULL;
}

struct owners_prefetch *owners_prefetch_start(void)
{
	struct owners_prefetch *pf = xcalloc(1, sizeof(*pf));
	sigset_t old;

	atomic_init(&pf->state, PF_RUNNING);
	atomic_init(&pf->cancel, false);
	/* Signals stay with the main thread, however main.c set them up. */
	signals_hold(&old);
	if (pthread_create(&pf->thread, NULL, prefetch_main, pf) != 0) {
		free(pf);
		pf = NULL;
	}
	signals_release(&old);
	return pf;
}

void owners_prefetch_abandon(struct owners_prefetch *pf)
{
	if (!pf)
		return;
	atomic_store(&pf->cancel, true);
	pthread_detach(pf->thread);
	if (atomic_exchange(&pf->state, PF_ABANDONED) == PF_DONE)
		prefetch_free(pf);
}

/* The prefetched hits (-EAGAIN: none were prefetched). */
static int prefetched(struct owners_prefetch *pf, struct wb_bpf_hit **hits,
		      size_t *n)
{
	int rc;

	if (!pf)
		return -EAGAIN;
	pthread_join(pf->thread, NULL);
	rc = pf->rc;
	*hits = pf->hits;
	*n = pf->n;
	free(pf);
	return rc;
}

/* Keep the hits on wanted sockets.  Did every wanted socket get one?
 * (One made after the prefetch passed its process would be missing.) */
static bool keep_wanted(const struct owner_scan *sc, struct wb_bpf_hit *hits,
			size_t *n)
{
	bool *got = xcalloc(sc->nw ? sc->nw : 1, sizeof(*got));
	size_t kept = 0;
	bool all = true;

	for (size_t i = 0; i < *n; i++) {
		long k = owners_wanted_index(sc, hits[i].ino);

		if (k < 0)
			continue;
		hits[kept++] = hits[i];
		for (size_t j = (size_t)k; j < sc->nw && sc->w[j].inode == hits[i].ino; j++)
			got[j] = true;
	}
	*n = kept;
	for (size_t k = 0; k < sc->nw; k++)
		all = all && got[k];
	free(got);
	return all;
}

/* The wanted inodes alone, asked of the iterator now. */
static int find_now(const struct owner_scan *sc, struct wb_bpf_hit **hits,
		    size_t *n)
{
	uint64_t *inodes = xcalloc(sc->nw, sizeof(*inodes));
	int rc;

	for (size_t k = 0; k < sc->nw; k++)
		inodes[k] = sc->w[k].inode;
	rc = owners_bpf_find(inodes, sc->nw, hits, n, NULL);
	free(inodes);
	return rc;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct wb_bpf_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* Is descriptor fd of the process still that socket?  The iterator's
 * answer is a moment old: the process may have closed it, or exited and
 * left its pid to another. */
static bool still_holds(int piddir, int fd, uint64_t ino)
{
	char name[32], link[64];
	ssize_t n;

	snprintf(name, sizeof(name), "fd/%d", fd);
	n = readlinkat(piddir, name, link, sizeof(link));
	return n > 0 && (size_t)n < sizeof(link) &&
	       owners_socket_inode(link, (size_t)n) == ino;
}

/* The hits of one process, from hits[i]: the index past them. */
static size_t match_process(struct owner_scan *sc, const struct wb_bpf_hit *hits,
			    size_t n, size_t i)
{
	struct scan_proc p = { .pid = hits[i].pid };

	p.dirfd = proc_open(sc->procfd, p.pid);
	/* Threads repeat their process's hits: one pass per pid. */
	for (; i < n && hits[i].pid == p.pid; i++)
		if (p.dirfd >= 0 && (i == 0 || hits[i - 1].pid != p.pid ||
				     hits[i - 1].fd != hits[i].fd) &&
		    still_holds(p.dirfd, hits[i].fd, hits[i].ino))
			owners_match(sc, &p, hits[i].ino, hits[i].fd);
	owners_proc_done(&p);
	return i;
}

int owners_find_bpf(struct owner_scan *sc, struct owners_prefetch *pf)
{
	struct wb_bpf_hit *hits;
	size_t n_hits, i = 0;
	int rc = prefetched(pf, &hits, &n_hits);

	if (rc == 0 && !keep_wanted(sc, hits, &n_hits)) {
		free(hits);
		rc = -EAGAIN;
	}
	if (rc < 0)
		rc = find_now(sc, &hits, &n_hits);
	if (rc < 0)
		return rc;
	if (n_hits)		/* hits may be NULL then */
		qsort(hits, n_hits, sizeof(*hits), cmp_hit);
	while (i < n_hits)
		i = match_process(sc, hits, n_hits, i);
	free(hits);
	return 0;
}
