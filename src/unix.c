// SPDX-License-Identifier: GPL-2.0-or-later
/* unix: AF_UNIX targets, the file at a socket path, and the live sockets
 * bound to it, from NETLINK_SOCK_DIAG's unix_diag via libmnl.
 *
 * unix_diag cannot filter in the kernel: no bytecode, and its only exact
 * lookup is by socket inode and cookie, which are what we are looking
 * for.  So the dump walks every unix socket of the namespace (thousands
 * on a busy host) and a cheap userspace test, inode first, keeps ours.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <libmnl/libmnl.h>

#include "escape.h"
#include "nldump.h"
#include "unix.h"

#define SUN_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)

/* A reply message, validated, before anything is copied out of it. */
struct unix_view {
	const struct unix_diag_msg *msg;
	const char *name;		/* UNIX_DIAG_NAME payload, or NULL */
	size_t name_len;
	const struct unix_diag_vfs *vfs;	/* UNIX_DIAG_VFS, or NULL */
	const struct nlattr *uid;	/* UNIX_DIAG_UID, or NULL */
};

struct dump_ctx {
	const struct wb_unix_target *t;
	const struct wb_unix_file *f;
	struct wb_socklist *out;
	size_t first;
};

bool unix_target_looks(const char *arg)
{
	return arg[0] == '@' || strchr(arg, '/') != NULL;
}

/* An abstract name as ss and /proc/net/unix print it may hold bytes a
 * shell cannot pass: "\xNN" is one byte, "\\" a backslash.  A NUL
 * cannot be asked for (sun_path would be cut there by every tool). */
static int unescape_abstract(const char *in, char *out, size_t *len,
			     const char **err)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		unsigned int byte = (unsigned char)*p;

		if (*p == '\\' && p[1] == '\\') {
			p++;
		} else if (*p == '\\' && p[1] == 'x' &&
			   isxdigit((unsigned char)p[2]) &&
			   isxdigit((unsigned char)p[3])) {
			sscanf(p + 2, "%2x", &byte);
			p += 3;
		}
		if (byte == 0) {
			*err = "an abstract socket name with a NUL byte cannot be asked for";
			return -EINVAL;
		}
		if (n == WB_UNIX_NAME_MAX) {
			*err = "abstract socket name longer than 107 bytes (sun_path)";
			return -EINVAL;
		}
		out[n++] = (char)byte;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

int unix_target_parse(const char *arg, struct wb_unix_target *t,
		      const char **err)
{
	bool abstract = arg[0] == '@';
	size_t len = strlen(arg);

	memset(t, 0, sizeof(*t));
	*err = NULL;
	if (abstract) {
		if (unescape_abstract(arg + 1, t->name, &t->len, err) < 0)
			return -EINVAL;
		if (t->len == 0)
			*err = "empty abstract socket name";
	} else if (!strchr(arg, '/')) {
		*err = "not a socket path (it needs a '/': ./NAME) or @NAME";
	} else if (len > WB_UNIX_NAME_MAX) {
		*err = "socket path longer than 107 bytes (sun_path)";
	} else {
		memcpy(t->name, arg, len + 1);
		t->len = len;
	}
	if (*err)
		return -EINVAL;
	t->abstract = abstract;
	return 0;
}

/* The kernel's dev_t is major << 20 | minor (MINORBITS in kdev_t.h). */
uint32_t unix_diag_dev(unsigned int major, unsigned int minor)
{
	return (uint32_t)((major & 0xfff) << 20 | (minor & 0xfffff));
}

/* "ID PARENT MAJ:MIN ..." */
static bool id_dev(const char *line, unsigned long long *id,
		   unsigned int *maj, unsigned int *min)
{
	return sscanf(line, "%llu %*u %u:%u", id, maj, min) == 3;
}

int unix_mountinfo_dev(FILE *fp, uint64_t mnt_id, uint32_t *dev)
{
	unsigned long long id;
	unsigned int maj, min;
	char line[4096];
	bool whole = true;

	while (fgets(line, sizeof(line), fp)) {
		/* Only a line's start holds the fields we read. */
		bool start = whole;

		whole = strchr(line, '\n') != NULL;
		if (start && id_dev(line, &id, &maj, &min) && id == mnt_id) {
			*dev = unix_diag_dev(maj, min);
			return 0;
		}
	}
	return -ENOENT;
}

/* unix_diag reports a socket file's device as its superblock's s_dev
 * (sk_diag_dump_vfs() in net/unix/diag.c), raw, where stat(2) gives what
 * the filesystem's getattr says, in new_encode_dev() form.  Encoding
 * alone differs on an ext4 root (254:0 is 0xfe00 to stat, 0xfe00000 to
 * unix_diag); beyond it, an overlayfs whose layers lie on different
 * filesystems, and btrfs subvolumes, report a device of their own to
 * stat.  /proc/self/mountinfo's MAJ:MIN is s_dev itself: take it from
 * the file's mount. */
static void find_diag_dev(uint64_t mnt_id, struct wb_unix_file *f)
{
	FILE *fp = fopen("/proc/self/mountinfo", "re");

	if (!fp)
		return;
	f->diag_dev_known = unix_mountinfo_dev(fp, mnt_id, &f->diag_dev) == 0;
	fclose(fp);
}

static const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFSOCK:	return "socket";
	case S_IFREG:	return "regular file";
	case S_IFDIR:	return "directory";
	case S_IFLNK:	return "symbolic link";
	case S_IFIFO:	return "named pipe";
	case S_IFCHR:	return "character device";
	case S_IFBLK:	return "block device";
	default:	return "file of unknown type";
	}
}

/* The directory bind() creates the name in: everything before the last
 * '/', trailing slashes aside. */
static void parent_of(const char *path, char *out, size_t cap)
{
	size_t len = strlen(path);
	const char *slash;

	while (len > 1 && path[len - 1] == '/')
		len--;
	slash = memrchr(path, '/', len);
	if (!slash)
		snprintf(out, cap, ".");
	else if (slash == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static void inspect_parent(const char *path, struct wb_unix_file *f)
{
	struct stat st;

	parent_of(path, f->parent, sizeof(f->parent));
	if (stat(f->parent, &st) < 0) {
		f->parent_error = errno;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		f->parent_error = ENOTDIR;
		return;
	}
	f->parent_exists = true;
	f->parent_writable = access(f->parent, W_OK | X_OK) == 0;
}

int unix_inspect_path(const char *path, struct wb_unix_file *f)
{
	struct statx st;

	memset(f, 0, sizeof(*f));
	inspect_parent(path, f);
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_TYPE | STATX_INO | STATX_UID | STATX_MNT_ID, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		f->error = errno;
		return -f->error;
	}
	f->exists = true;
	f->mode = st.stx_mode;
	f->is_socket = S_ISSOCK(st.stx_mode);
	f->type_name = file_type_name(st.stx_mode);
	f->dev = makedev(st.stx_dev_major, st.stx_dev_minor);
	f->ino = st.stx_ino;
	f->uid = st.stx_uid;
	/* STATX_MNT_ID came in v5.8; without it the inode alone decides. */
	if (st.stx_mask & STATX_MNT_ID)
		find_diag_dev(st.stx_mnt_id, f);
	return 0;
}

const char *unix_type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:	return "stream";
	case SOCK_DGRAM:	return "dgram";
	case SOCK_SEQPACKET:	return "seqpacket";
	default:		return "unknown";
	}
}

/* Is the payload between min and max bytes long?  (libmnl's
 * mnl_attr_validate2() wants one exact length.) */
static bool attr_len_ok(const struct nlattr *attr, size_t min, size_t max)
{
	size_t len = mnl_attr_get_payload_len(attr);

	return mnl_attr_validate(attr, MNL_TYPE_BINARY) == 0 &&
	       len >= min && len <= max;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct unix_view *v = data;

	switch (mnl_attr_get_type(attr)) {
	case UNIX_DIAG_NAME:
		if (!attr_len_ok(attr, 1, SUN_PATH_LEN))
			return MNL_CB_ERROR;
		v->name = mnl_attr_get_payload(attr);
		v->name_len = mnl_attr_get_payload_len(attr);
		break;
	case UNIX_DIAG_VFS:
		if (!attr_len_ok(attr, sizeof(*v->vfs), sizeof(*v->vfs)))
			return MNL_CB_ERROR;
		v->vfs = mnl_attr_get_payload(attr);
		break;
	case UNIX_DIAG_UID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		v->uid = attr;
		break;
	}
	/* Others (SHUTDOWN, and what newer kernels add) are not ours. */
	return MNL_CB_OK;
}

static int parse_view(const struct nlmsghdr *nlh, struct unix_view *v)
{
	memset(v, 0, sizeof(*v));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*v->msg) ||
	    nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -EBADMSG;
	v->msg = mnl_nlmsg_get_payload(nlh);
	if (v->msg->udiag_family != AF_UNIX)
		return -EBADMSG;
	return wb_attr_parse(nlh, sizeof(*v->msg), attr_cb, v);
}

/* Cheap, allocation-free: inode first, it differs for nearly all. */
static bool view_matches(const struct unix_view *v,
			 const struct wb_unix_target *t,
			 const struct wb_unix_file *f)
{
	if (t->abstract)
		return v->name && v->name_len == t->len + 1 &&
		       v->name[0] == '\0' &&
		       memcmp(v->name + 1, t->name, t->len) == 0;
	/* udiag_vfs_ino is 32 bits: a 64-bit inode number is compared by its
	 * low half, so a rare false match says "live", never "stale". */
	if (!v->vfs || v->vfs->udiag_vfs_ino != (uint32_t)f->ino)
		return false;
	/* The device unknown, the inode alone decides: the safe side. */
	return !f->diag_dev_known || v->vfs->udiag_vfs_dev == f->diag_dev;
}

static void fill_name(const struct unix_view *v, struct wb_sock *s)
{
	const char *end;

	s->path = NULL;
	s->path_len = 0;
	s->abstract = false;
	if (!v->name)
		return;
	if (v->name[0] == '\0') {
		/* Abstract: every byte counts, NULs included. */
		s->abstract = true;
		s->path_len = v->name_len - 1;
		s->path = xmalloc(s->path_len + 1);
		memcpy(s->path, v->name + 1, s->path_len);
	} else {
		/* A path comes with its NUL (unix_mkname_bsd()), as bound:
		 * relative to the binder's directory, perhaps. */
		end = memchr(v->name, '\0', v->name_len);
		s->path_len = end ? (size_t)(end - v->name) : v->name_len;
		s->path = xmalloc(s->path_len + 1);
		memcpy(s->path, v->name, s->path_len);
	}
	s->path[s->path_len] = '\0';
}

static void fill_sock(const struct unix_view *v, struct wb_sock *s)
{
	s->family = AF_UNIX;
	s->protocol = 0;
	s->type = v->msg->udiag_type;
	s->state = v->msg->udiag_state;
	s->inode = v->msg->udiag_ino;
	s->cookie[0] = v->msg->udiag_cookie[0];
	s->cookie[1] = v->msg->udiag_cookie[1];
	/* UDIAG_SHOW_UID came in v5.3; without it the uid is unknown. */
	s->uid = v->uid ? mnl_attr_get_u32(v->uid) : (uint32_t)-1;
	s->vfs_ino = v->vfs ? v->vfs->udiag_vfs_ino : 0;
	s->vfs_dev = v->vfs ? v->vfs->udiag_vfs_dev : 0;
	fill_name(v, s);
}

int unix_parse_msg(const struct nlmsghdr *nlh, struct wb_sock *out)
{
	struct unix_view v;

	if (parse_view(nlh, &v) < 0)
		return -EBADMSG;
	fill_sock(&v, out);
	return 0;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct unix_view v;

	if (parse_view(nlh, &v) < 0)
		return -EBADMSG;
	if (view_matches(&v, c->t, c->f))
		fill_sock(&v, socklist_add(c->out));
	return 0;
}

static void reset(void *data)
{
	struct dump_ctx *c = data;

	socklist_truncate(c->out, c->first);	/* never half a list */
}

static struct nlmsghdr *put_request(char *buf, void *data)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct unix_diag_req *req;

	(void)data;
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_UNIX;
	req->udiag_states = 0xffffffff;
	req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_UID;
	return nlh;
}

int unix_dump_bound(const struct wb_unix_target *t,
		    const struct wb_unix_file *f, struct wb_socklist *out)
{
	struct dump_ctx c = { .t = t, .f = f, .out = out, .first = out->n };
	struct wb_dump d = { put_request, on_msg, reset, &c, false };

	/* Only a socket file can have a socket bound to it. */
	if (!t->abstract && (!f || !f->exists || !f->is_socket))
		return 0;
	return wb_dump_run(&d);
}

char *unix_display_name(const char *name, size_t len, bool abstract)
{
	char *e = wb_escape(name, len, WB_ESC_TERM);
	char *out = xmalloc(strlen(e) + 2);

	strcpy(out, abstract ? "@" : "");
	strcat(out, e);
	free(e);
	return out;
}
