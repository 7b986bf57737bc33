// SPDX-License-Identifier: GPL-2.0-or-later
/* pidfd: pidfd_open(2) and pidfd_getfd(2) by their system call numbers. */
#include "config.h"
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "pidfd.h"

/* Linux 5.3 and 5.6; the same number on every architecture. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int wb_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

int wb_pidfd_getfd(int pidfd, int fd)
{
	long copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	return copy < 0 ? -errno : (int)copy;
}

int wb_pidfd_dup(pid_t pid, int fd)
{
	int pidfd = wb_pidfd_open(pid), copy;

	if (pidfd < 0)
		return pidfd;
	copy = wb_pidfd_getfd(pidfd, fd);
	close(pidfd);
	return copy;
}
