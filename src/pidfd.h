/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidfd: the two pidfd system calls whybind makes, whatever the C
 * library offers (glibc has wrappers since 2.36 only). */
#ifndef WB_PIDFD_H
#define WB_PIDFD_H

#include <sys/types.h>

/* A pidfd of process pid: a descriptor, or -errno. */
int wb_pidfd_open(pid_t pid);

/* A copy of descriptor fd of the process behind pidfd: a descriptor of
 * ours, or -errno (-EPERM: no ptrace access to it). */
int wb_pidfd_getfd(int pidfd, int fd);

/* Both: a copy of process pid's descriptor fd, or -errno. */
int wb_pidfd_dup(pid_t pid, int fd);

#endif
