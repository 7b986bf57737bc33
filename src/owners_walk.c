// SPDX-License-Identifier: GPL-2.0-or-later
/* owners_walk: the holders by one walk of every /proc/PID/fd of the host,
 * shared by a few threads. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "owners_int.h"
#include "proc.h"

/* readlinkat of /proc/PID/fd/N costs 2-4 us in the kernel, for every fd
 * of the host: the walk is shared by a few threads, never many on a
 * production host. */
#define WALKERS_MAX 4

/* Strict decimal: "123" -> 123; anything else (".", "self") -> -1. */
static long parse_num(const char *s)
{
	long v = *s ? 0 : -1;

	for (; *s && v >= 0; s++) {
		if (*s < '0' || *s > '9' || v > INT_MAX / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static bool denied(int err)
{
	return err == EACCES || err == EPERM;
}

/* Match one process's descriptors against the wanted inodes. */
static void scan_fds(struct owner_scan *sc, struct scan_proc *p, DIR *dir)
{
	struct dirent *e;
	char link[64];
	uint64_t ino;
	ssize_t n;

	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(dir), e->d_name, link, sizeof(link));
		if (n < 0 && denied(errno)) {
			/* The ptrace check is per process: all would fail. */
			sc->unreadable = true;
			return;
		}
		if (n <= 0 || (size_t)n >= sizeof(link))
			continue;	/* closed meanwhile, or a long path */
		ino = owners_socket_inode(link, (size_t)n);
		if (ino)
			owners_match(sc, p, ino, (int)parse_num(e->d_name));
	}
}

static void scan_process(struct owner_scan *sc, pid_t pid)
{
	struct scan_proc p = { .pid = pid };
	int fddir = -1;
	DIR *dir = NULL;

	/* Through /proc/PID, so the details come from the same process
	 * even if its pid is reused while we read. */
	p.dirfd = proc_open(sc->procfd, pid);
	if (p.dirfd < 0)
		errno = -p.dirfd;
	else
		fddir = openat(p.dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fddir >= 0 ? fdopendir(fddir) : NULL;
	if (!dir) {
		/* ENOENT, ESRCH: it exited.  Anything else (EACCES: another
		 * user's process, or hidepid=1) hides its fds from us. */
		if (errno != ENOENT && errno != ESRCH)
			sc->unreadable = true;
		if (fddir >= 0)
			close(fddir);
	} else {
		scan_fds(sc, &p, dir);
		closedir(dir);
	}
	owners_proc_done(&p);
}

static void *walker(void *arg)
{
	struct owner_scan *sc = arg;
	struct dirent *e;
	long pid;

	for (;;) {
		pid = -1;
		pthread_mutex_lock(&sc->lock);
		while (pid <= 0 && (e = readdir(sc->proc)))
			pid = parse_num(e->d_name);
		pthread_mutex_unlock(&sc->lock);
		if (pid <= 0)
			return NULL;
		scan_process(sc, (pid_t)pid);
	}
}

/* The calling thread walks too; a thread that cannot start leaves its
 * share to the others. */
void owners_walk_proc(struct owner_scan *sc)
{
	bool started[WALKERS_MAX - 1] = { false };
	pthread_t th[WALKERS_MAX - 1];
	sigset_t old;
	cpu_set_t cpus;
	size_t n = 1;

	/* The CPUs we may run on (taskset, cpuset), not the host's. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		n = (size_t)CPU_COUNT(&cpus);
	n = n < 1 ? 1 : n > WALKERS_MAX ? WALKERS_MAX : n;

	/* Signals stay with the main thread, however main.c set them up. */
	signals_hold(&old);
	for (size_t i = 0; i + 1 < n; i++)
		started[i] = pthread_create(&th[i], NULL, walker, sc) == 0;
	signals_release(&old);
	walker(sc);
	for (size_t i = 0; i + 1 < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}
