// SPDX-License-Identifier: GPL-2.0-or-later
/* netns: setns(2) into the namespace where the server really runs. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* setns() into the namespace at fd, then close fd. */
static int join(int fd)
{
	int rc = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;

	close(fd);
	return rc;
}

int netns_enter(const char *spec)
{
	char path[PATH_MAX];
	int fd;

	if (all_digits(spec))
		snprintf(path, sizeof(path), "/proc/%s/ns/net", spec);
	else if (strchr(spec, '/'))
		snprintf(path, sizeof(path), "%s", spec);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", spec);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : join(fd);
}

static bool same_file(int a, int b)
{
	struct stat x, y;

	return fstat(a, &x) == 0 && fstat(b, &y) == 0 &&
	       x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

int netns_enter_pid(pid_t pid, int *back)
{
	char path[64];
	int its, mine, rc;

	*back = -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	its = open(path, O_RDONLY | O_CLOEXEC);
	if (its < 0)
		return -errno;
	mine = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (mine >= 0 && same_file(its, mine)) {
		close(its);
		close(mine);
		return 0;
	}
	if (mine < 0) {
		rc = -errno;
		close(its);
		return rc;
	}
	rc = join(its);
	if (rc < 0)
		close(mine);
	else
		*back = mine;
	return rc;
}

int netns_restore(int *back)
{
	int rc = *back < 0 ? 0 : join(*back);

	*back = -1;
	return rc;
}
