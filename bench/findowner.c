// SPDX-License-Identifier: GPL-2.0-or-later
/* findowner: ways to find the processes holding socket inodes, timed by
 * bench/run next to whybind (a prototype for measurement, not whybind code).
 *   findowner proc  INODE...   getdents64 + readlinkat on every /proc/PID/fd
 *                              (the walk whybind and ss -p do)
 *   findowner statx INODE...   the same walk with fstatat (following the
 *                              link: st_ino, S_ISSOCK) instead of readlinkat
 *   findowner proc2 INODE...   the readlinkat walk split over 2 threads
 *   findowner bpf OBJ INODE... a BPF task_file iterator (owners.bpf.c) that
 *                              reports only the matching descriptors; needs
 *                              CAP_BPF/CAP_SYS_ADMIN and kernel BTF.  With
 *                              T=1 in the environment it prints its load and
 *                              iteration times to stderr.
 * Prints "pid fd inode" per holder. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>
#ifdef WITH_BPF
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

static unsigned long long want[64];	/* a few inodes: a linear scan */
static int nwant;
static int use_stat;

static int wanted(unsigned long long ino)
{
	for (int i = 0; i < nwant; i++)
		if (want[i] == ino)
			return 1;
	return 0;
}

struct ldirent { unsigned long long d_ino; long long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };

static void scan(int procfd, const char *pid)
{
	char buf[32768], name[64], link[64];
	int fd;

	snprintf(name, sizeof name, "%s/fd", pid);
	fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct ldirent *e = (void *)(buf + off);
			off += e->d_reclen;
			if (e->d_name[0] == '.')
				continue;
			unsigned long long ino = 0;
			if (use_stat) {
				struct stat st;
				if (fstatat(fd, e->d_name, &st, 0) < 0 || !S_ISSOCK(st.st_mode))
					continue;
				ino = st.st_ino;
			} else {
				ssize_t l = readlinkat(fd, e->d_name, link, sizeof link - 1);
				if (l < 9 || memcmp(link, "socket:[", 8))
					continue;
				link[l] = 0;
				ino = strtoull(link + 8, NULL, 10);
			}
			if (wanted(ino))
				printf("%s %s %llu\n", pid, e->d_name, ino);
		}
	}
	close(fd);
}

static char **pids;
static int npids;
static int procfd;

static void *worker(void *arg)
{
	long k = (long)arg;
	for (int i = (int)k; i < npids; i += 2)
		scan(procfd, pids[i]);
	return NULL;
}

static void walk(int threads)
{
	char buf[65536];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	procfd = fd;
	pids = malloc(sizeof(char *) * 4194304);	/* pid_max's ceiling */
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct ldirent *e = (void *)(buf + off);
			off += e->d_reclen;
			if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
				pids[npids++] = strdup(e->d_name);
		}
	}
	if (threads == 1) {
		for (int i = 0; i < npids; i++)
			scan(fd, pids[i]);
	} else {
		pthread_t t;
		pthread_create(&t, NULL, worker, (void *)1L);
		worker((void *)0L);
		pthread_join(t, NULL);
	}
}

int main(int argc, char **argv)
{
	int a = 2;
	if (argc < 3)
		return 2;
#ifdef WITH_BPF
	if (!strcmp(argv[1], "bpf")) {
		double t0 = now();
		struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
		if (!obj || bpf_object__load(obj)) { perror("bpf load"); return 3; }
		int map = bpf_object__find_map_fd_by_name(obj, "wanted");
		for (a = 3; a < argc; a++) {
			unsigned long long k = strtoull(argv[a], NULL, 10);
			unsigned v = 1;
			bpf_map_update_elem(map, &k, &v, BPF_ANY);
		}
		struct bpf_program *p = bpf_object__find_program_by_name(obj, "find_owners");
		struct bpf_link *l = bpf_program__attach_iter(p, NULL);
		if (!l) { perror("attach_iter"); return 3; }
		double t1 = now();
		int it = bpf_iter_create(bpf_link__fd(l));
		char buf[4096];
		ssize_t n;
		while ((n = read(it, buf, sizeof buf)) > 0)
			fwrite(buf, 1, n, stdout);
		if (getenv("T")) fprintf(stderr, "load+attach %.2f ms, iterate %.2f ms\n", t1 - t0, now() - t1);
		return 0;
	}
#endif
	for (; a < argc && nwant < 64; a++)
		want[nwant++] = strtoull(argv[a], NULL, 10);
	if (!strcmp(argv[1], "proc")) walk(1);
	else if (!strcmp(argv[1], "statx")) { use_stat = 1; walk(1); }
	else if (!strcmp(argv[1], "proc2")) walk(2);
	else return 2;
	return 0;
}
