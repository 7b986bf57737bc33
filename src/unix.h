/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unix: AF_UNIX targets, the file at a socket path, and which live
 * sockets are bound to it (NETLINK_SOCK_DIAG's unix_diag, via libmnl). */
#ifndef WB_UNIX_H
#define WB_UNIX_H

#include <limits.h>
#include <stdio.h>
#include <linux/netlink.h>
#include "whybind.h"

/* What is at a socket path, and where bind() would create it. */
struct wb_unix_file {
	bool exists;			/* something is there, a link too */
	int error;			/* errno if we could not tell, or 0 */
	bool is_socket;
	const char *type_name;		/* "socket", "regular file"... */
	mode_t mode;
	dev_t dev;			/* as stat(2) gives it */
	ino_t ino;
	uid_t uid;
	/* Its superblock's device as unix_diag encodes it: not always
	 * dev (see unix.c).  Unknown: sockets match by inode alone. */
	uint32_t diag_dev;
	bool diag_dev_known;

	char parent[PATH_MAX];		/* where bind() makes the file */
	bool parent_exists;		/* ...and is a directory */
	int parent_error;		/* errno of stat(parent), ENOTDIR */
	bool parent_writable;		/* access(parent, W_OK | X_OK) */
};

/* Does this argument name an AF_UNIX socket: a '/' in it, or a '@'
 * first? */
bool unix_target_looks(const char *arg);

/* Parse PATH (anything with a '/', "./name" for one in the current
 * directory) or @NAME (abstract: the bytes after '@', taken literally:
 * no escapes, so an abstract name with a NUL in it cannot be asked for).
 * Returns 0, or -EINVAL with *err a static one-line reason. */
int unix_target_parse(const char *arg, struct wb_unix_target *t,
		      const char **err);

/* What is at `path`, never following a symlink at the path itself (a
 * symlink there makes bind() fail too: it is reported as one), and
 * whether its directory exists and is writable.  Only looks (statx,
 * stat, access, /proc/self/mountinfo).  Returns 0 (nothing there is
 * f->exists false), or -errno when it cannot tell, e.g. -EACCES on a
 * directory it may not search; f->error says which and the parent
 * fields are filled all the same. */
int unix_inspect_path(const char *path, struct wb_unix_file *f);

/* Append to `out` every live AF_UNIX socket of this network namespace
 * bound to the target: to the file `f` (by device and inode) for a path,
 * or to exactly that abstract name.  A path that is no socket file
 * matches nothing without asking.  Returns 0, or what wb_dump_run()
 * fails with (an interrupted dump is retried, then -WB_EDUMP_INTR; never
 * a partial list).
 *
 * Only this network namespace's sockets are seen: a socket bound to the
 * same file from another network namespace (a container sharing a
 * directory) is not. */
int unix_dump_bound(const struct wb_unix_target *t,
		    const struct wb_unix_file *f, struct wb_socklist *out);

/* Pure: one unix_diag reply message into `out` (family, type, state,
 * inode, cookie, name, vfs_dev/vfs_ino, and uid: (uint32_t)-1 before
 * kernel v5.3, which does not tell).  out->path is allocated (NULL for
 * an unbound socket) and is the caller's to free.  Validates lengths and
 * every attribute; returns 0 or -EBADMSG. */
int unix_parse_msg(const struct nlmsghdr *nlh, struct wb_sock *out);

/* Pure: a device number as the kernel's unix_diag reports it. */
uint32_t unix_diag_dev(unsigned int major, unsigned int minor);

/* The device (MAJ:MIN, unix_diag's encoding) of the mount `mnt_id` in a
 * /proc/PID/mountinfo stream.  Returns 0 or -ENOENT. */
int unix_mountinfo_dev(FILE *fp, uint64_t mnt_id, uint32_t *dev);

/* "stream", "dgram", "seqpacket", or "unknown". */
const char *unix_type_name(int type);

/* "/run/app.sock" or "@name" from a path's or a name's raw bytes,
 * escaped for the terminal (allocated). */
char *unix_display_name(const char *name, size_t len, bool abstract);

#endif
