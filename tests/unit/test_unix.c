// SPDX-License-Identifier: GPL-2.0-or-later
/* unix: target parsing, the unix_diag parser on replies captured from a
 * real kernel (6.18, x86_64) and on malformed copies of them, the
 * device encoding, and live sockets of our own: a listener on a path
 * (on the root filesystem and on tmpfs), the stale file it leaves, a
 * regular file, a symlink, abstract names; as root, an overlayfs whose
 * layers lie on two filesystems.  Needs no privilege but for that last.
 *
 * Every message is parsed from a heap copy of exactly its length, so
 * AddressSanitizer catches any read past it.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "unix.h"
#include "unit.h"

/* Dumped with UDIAG_SHOW_NAME | VFS | UID by a throwaway program run as
 * uid 65534; the path is on an ext4 root, 254:0. */
/* stream LISTEN /tmp/wb-cap.sock: socket inode 0x722cc7, file inode
 * 10952874 */
static const unsigned char listen_path[] = {
	0x54, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x16, 0x32, 0x00, 0x00, 0x01, 0x01, 0x0a, 0x00, 0xc7, 0x2c, 0x72, 0x00,
	0x79, 0xa8, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00,
	0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x77, 0x62, 0x2d, 0x63, 0x61, 0x70, 0x2e,
	0x73, 0x6f, 0x63, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00,
	0xaa, 0x20, 0xa7, 0x00, 0x00, 0x00, 0xe0, 0x0f, 0x05, 0x00, 0x06, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x07, 0x00, 0xfe, 0xff, 0x00, 0x00,
};

/* dgram, abstract "wb-cap", bound and unconnected (CLOSE) */
static const unsigned char dgram_abstract[] = {
	0x3c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x16, 0x32, 0x00, 0x00, 0x01, 0x02, 0x07, 0x00, 0xc8, 0x2c, 0x72, 0x00,
	0x7a, 0xa8, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
	0x00, 0x77, 0x62, 0x2d, 0x63, 0x61, 0x70, 0x00, 0x05, 0x00, 0x06, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x07, 0x00, 0xfe, 0xff, 0x00, 0x00,
};

/* stream, abstract "wb\0cap" (a NUL inside), bound, unconnected */
static const unsigned char stream_abstract_nul[] = {
	0x3c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x16, 0x32, 0x00, 0x00, 0x01, 0x01, 0x07, 0x00, 0xc9, 0x2c, 0x72, 0x00,
	0x7b, 0xa8, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
	0x00, 0x77, 0x62, 0x00, 0x63, 0x61, 0x70, 0x00, 0x05, 0x00, 0x06, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x07, 0x00, 0xfe, 0xff, 0x00, 0x00,
};

/* seqpacket, one end of a socketpair: no name, no file (ESTABLISHED) */
static const unsigned char seqpacket_pair[] = {
	0x30, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x16, 0x32, 0x00, 0x00, 0x01, 0x05, 0x01, 0x00, 0xca, 0x2c, 0x72, 0x00,
	0x78, 0xa8, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x06, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x07, 0x00, 0xfe, 0xff, 0x00, 0x00,
};

/* Parse `len` bytes of `raw` from a heap copy of exactly that size, with
 * nlmsg_len said to be `nl_len`. */
static int parse_copy(const unsigned char *raw, size_t len, uint32_t nl_len,
		      struct wb_sock *s)
{
	struct nlmsghdr *nlh = malloc(len);
	int rc;

	memcpy(nlh, raw, len);
	nlh->nlmsg_len = nl_len;
	memset(s, 0, sizeof(*s));
	rc = unix_parse_msg(nlh, s);
	free(nlh);
	return rc;
}

static int parse_raw(const unsigned char *raw, size_t len, struct wb_sock *s)
{
	return parse_copy(raw, len, len, s);
}

static void test_target(void)
{
	struct wb_unix_target t;
	const char *err;
	char longer[WB_UNIX_NAME_MAX + 3];

	CHECK(unix_target_parse("/run/app.sock", &t, &err) == 0);
	CHECK(!t.abstract && t.len == 13 && err == NULL);
	CHECK_STR(t.name, "/run/app.sock");
	CHECK(unix_target_parse("./app.sock", &t, &err) == 0 && !t.abstract);
	CHECK(unix_target_parse("run/app.sock", &t, &err) == 0 && !t.abstract);
	CHECK(unix_target_parse("@wb-app", &t, &err) == 0);
	CHECK(t.abstract && t.len == 6);
	CHECK_STR(t.name, "wb-app");
	/* '@' first wins; "./@x/y" is the path. */
	CHECK(unix_target_parse("@a/b", &t, &err) == 0 && t.abstract);
	CHECK_STR(t.name, "a/b");

	/* Escapes in abstract names, as ss prints them; never a NUL. */
	CHECK(unix_target_parse("@a\\x41\\\\b\\x4", &t, &err) == 0);
	CHECK(t.len == 7 && memcmp(t.name, "aA\\b\\x4", 8) == 0);
	CHECK(unix_target_parse("@a\\x00b", &t, &err) == -EINVAL);
	CHECK_STR(err, "an abstract socket name with a NUL byte cannot be asked for");
	CHECK(unix_target_parse("/run/a\\x41", &t, &err) == 0);
	CHECK_STR(t.name, "/run/a\\x41");
	CHECK(unix_target_parse("@", &t, &err) == -EINVAL);
	CHECK_STR(err, "empty abstract socket name");
	CHECK(unix_target_parse("app.sock", &t, &err) == -EINVAL && err);
	CHECK(unix_target_parse("", &t, &err) == -EINVAL && err);

	/* 107 bytes fit sun_path with the NUL, 108 do not. */
	memset(longer, 'a', sizeof(longer));
	longer[0] = '/';
	longer[WB_UNIX_NAME_MAX] = '\0';
	CHECK(unix_target_parse(longer, &t, &err) == 0 && t.len == 107);
	longer[WB_UNIX_NAME_MAX] = 'a';
	longer[WB_UNIX_NAME_MAX + 1] = '\0';
	CHECK(unix_target_parse(longer, &t, &err) == -EINVAL);
	CHECK_STR(err, "socket path longer than 107 bytes (sun_path)");
	longer[0] = '@';		/* 107 name bytes after the '@' */
	CHECK(unix_target_parse(longer, &t, &err) == 0 && t.len == 107);
	longer[WB_UNIX_NAME_MAX + 1] = 'a';
	longer[WB_UNIX_NAME_MAX + 2] = '\0';
	CHECK(unix_target_parse(longer, &t, &err) == -EINVAL);
	CHECK_STR(err, "abstract socket name longer than 107 bytes (sun_path)");

	CHECK(unix_target_looks("/x") && unix_target_looks("./x"));
	CHECK(unix_target_looks("@x"));
	CHECK(!unix_target_looks("8080") && !unix_target_looks("[::1]:80"));
	CHECK(!unix_target_looks("127.0.0.1:http"));
}

static void test_names(void)
{
	CHECK_STR(unix_type_name(SOCK_STREAM), "stream");
	CHECK_STR(unix_type_name(SOCK_DGRAM), "dgram");
	CHECK_STR(unix_type_name(SOCK_SEQPACKET), "seqpacket");
	CHECK_STR(unix_type_name(0), "unknown");
}

static void test_dev(void)
{
	/* A line longer than the reader's buffer, whose continuation looks
	 * like the start of mount 42's line: it must not be taken for it. */
	static char info[8192];
	uint32_t dev = 0;
	size_t n;
	FILE *fp;

	CHECK(unix_diag_dev(254, 0) == 0x0fe00000);
	CHECK(unix_diag_dev(0, 27) == 27);
	CHECK(unix_diag_dev(8, 300) == (8U << 20 | 300));

	n = (size_t)snprintf(info, sizeof(info),
			     "21 1 8:1 / / rw - ext4 /dev/sda1 rw,");
	memset(info + n, 'x', 4095 - n);
	n = 4095;
	n += (size_t)snprintf(info + n, sizeof(info) - n,
			      "42 21 9:9 / /bad rw\n"
			      "42 21 254:0 / /run rw - ext4 /dev/vda rw\n"
			      "43 21 0:40 / /m rw - overlay overlay rw\n");
	fp = fmemopen(info, n, "r");
	CHECK(fp && unix_mountinfo_dev(fp, 42, &dev) == 0 && dev == 0x0fe00000);
	rewind(fp);
	CHECK(unix_mountinfo_dev(fp, 43, &dev) == 0 && dev == 40);
	rewind(fp);
	CHECK(unix_mountinfo_dev(fp, 44, &dev) == -ENOENT);
	fclose(fp);
}

static void test_parse(void)
{
	struct wb_sock s;

	CHECK(parse_raw(listen_path, sizeof(listen_path), &s) == 0);
	CHECK(s.family == AF_UNIX && s.protocol == 0);
	CHECK(s.type == SOCK_STREAM && s.state == 10);
	CHECK(s.inode == 0x722cc7 && s.uid == 65534);
	CHECK(!s.abstract && s.path_len == 16);
	CHECK_STR(s.path, "/tmp/wb-cap.sock");
	CHECK(s.vfs_ino == 10952874);
	CHECK(s.vfs_dev == 0x0fe00000);	/* 254:0; stat(2) says 0xfe00 */
	free(s.path);

	CHECK(parse_raw(dgram_abstract, sizeof(dgram_abstract), &s) == 0);
	CHECK(s.type == SOCK_DGRAM && s.state == 7 && s.abstract);
	CHECK(s.path_len == 6 && memcmp(s.path, "wb-cap", 7) == 0);
	CHECK(s.vfs_ino == 0 && s.vfs_dev == 0);
	free(s.path);

	CHECK(parse_raw(stream_abstract_nul, sizeof(stream_abstract_nul),
			&s) == 0);
	CHECK(s.abstract && s.path_len == 6);
	CHECK(s.path && memcmp(s.path, "wb\0cap", 7) == 0);
	free(s.path);

	CHECK(parse_raw(seqpacket_pair, sizeof(seqpacket_pair), &s) == 0);
	CHECK(s.type == SOCK_SEQPACKET && s.state == 1);
	CHECK(s.path == NULL && s.path_len == 0 && !s.abstract);
}

/* Every length from the bare header to the whole: only those that end
 * where an attribute ends (or the fixed part does) are whole messages. */
static void test_truncated(void)
{
	/* header 16 + unix_diag_msg 16, NAME 24, VFS 12, SHUTDOWN 8, UID 8 */
	static const size_t ends[] = { 32, 56, 68, 76, 84 };
	const size_t n_ends = sizeof(ends) / sizeof(ends[0]);
	struct wb_sock s;
	size_t i = 0;

	for (size_t len = NLMSG_HDRLEN; len <= sizeof(listen_path); len++) {
		bool whole = i < n_ends && len == ends[i];
		int rc = parse_raw(listen_path, len, &s);

		CHECK(whole ? rc == 0 : rc == -EBADMSG);
		if (whole)
			i++;
		if (rc == 0)
			free(s.path);
	}
	/* A length past the buffer is the receive loop's to catch (libmnl
	 * checks it against what was read): not tried here. */
}

static void lie(size_t at, unsigned char val, int want)
{
	unsigned char m[sizeof(listen_path)];
	struct wb_sock s;
	int rc;

	memcpy(m, listen_path, sizeof(m));
	m[at] = val;
	rc = parse_raw(m, sizeof(m), &s);
	CHECK(rc == want);
	if (rc == 0)
		free(s.path);
}

static void test_lying(void)
{
	unsigned char m[sizeof(dgram_abstract)];
	struct wb_sock s;

	lie(32, 0xff, -EBADMSG);	/* NAME runs past the message */
	lie(32, 0x03, -EBADMSG);	/* shorter than its own header */
	lie(32, 0x04, -EBADMSG);	/* an empty name */
	lie(56, 0x08, -EBADMSG);	/* VFS of 4 bytes, not 8 */
	lie(56, 0x10, -EBADMSG);	/* VFS of 12 bytes, into SHUTDOWN */
	lie(76, 0x06, -EBADMSG);	/* UID of 2 bytes */
	lie(16, AF_INET, -EBADMSG);	/* not AF_UNIX */
	lie(4, 0x10, -EBADMSG);		/* not SOCK_DIAG_BY_FAMILY */
	lie(72, 0x00, 0);		/* a value, not a length: fine */

	/* An attribute type we do not know is skipped. */
	memcpy(m, dgram_abstract, sizeof(m));
	m[46] = 0x63;
	CHECK(parse_raw(m, sizeof(m), &s) == 0);
	free(s.path);
	/* nlmsg_len short of the fixed part, however long the buffer; and
	 * unaligned (libmnl would walk on to the aligned end). */
	CHECK(parse_copy(listen_path, sizeof(listen_path), 24, &s) == -EBADMSG);
	CHECK(parse_copy(listen_path, sizeof(listen_path), 0x53, &s) ==
	      -EBADMSG);
}

static int listener_at(const char *path, int type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 1) < 0)) {
		perror(path);
		exit(1);
	}
	return fd;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static size_t dump_path(const char *path, struct wb_socklist *l)
{
	struct wb_unix_target t;
	struct wb_unix_file f;
	const char *err;

	socklist_free(l);
	CHECK(unix_target_parse(path, &t, &err) == 0);
	CHECK(unix_inspect_path(path, &f) == 0);
	CHECK(unix_dump_bound(&t, &f, l) == 0);
	return l->n;
}

/* A listener on a file in `base`: found by inode; once closed, the file
 * stays, still a socket, and nothing holds it. */
static void live_path(const char *base)
{
	struct wb_socklist l = { 0 };
	struct wb_unix_file f;
	char dir[64], path[128];
	int fd;

	snprintf(dir, sizeof(dir), "%s/wbunit.XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: no temporary directory, skipped\n", base);
		return;
	}
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	fd = listener_at(path, SOCK_STREAM);

	CHECK(unix_inspect_path(path, &f) == 0);
	CHECK(f.exists && f.is_socket && f.error == 0);
	CHECK_STR(f.type_name, "socket");
	CHECK(f.uid == geteuid() && f.diag_dev_known);
	CHECK(f.parent_exists && f.parent_writable);
	CHECK_STR(f.parent, dir);
	CHECK(dump_path(path, &l) == 1);
	CHECK(l.n == 1 && l.v[0].inode == inode_of(fd));
	CHECK(l.n == 1 && l.v[0].state == 10 && l.v[0].type == SOCK_STREAM);
	CHECK(l.n == 1 && l.v[0].vfs_ino == (uint32_t)f.ino &&
	      l.v[0].vfs_dev == f.diag_dev && l.v[0].uid == geteuid());
	CHECK(l.n == 1 && !l.v[0].abstract);
	CHECK_STR(l.n == 1 ? l.v[0].path : NULL, path);

	close(fd);
	CHECK(unix_inspect_path(path, &f) == 0 && f.exists && f.is_socket);
	CHECK(dump_path(path, &l) == 0);	/* stale */
	socklist_free(&l);
	unlink(path);
	rmdir(dir);
}

/* Things at the path that no socket can hold, and no path at all. */
static void live_not_socket(const char *dir)
{
	struct wb_socklist l = { 0 };
	struct wb_unix_file f;
	char path[128], link[128], sub[128];
	int fd;

	snprintf(path, sizeof(path), "%s/plain", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(unix_inspect_path(path, &f) == 0 && f.exists && !f.is_socket);
	CHECK_STR(f.type_name, "regular file");
	CHECK(dump_path(path, &l) == 0);

	/* A symlink to a live socket is still a symlink: bind() fails on
	 * it with EADDRINUSE, and no socket is bound to the link. */
	snprintf(sub, sizeof(sub), "%s/s.sock", dir);
	fd = listener_at(sub, SOCK_STREAM);
	CHECK(symlink(sub, link) == 0);
	CHECK(unix_inspect_path(link, &f) == 0 && f.exists && !f.is_socket);
	CHECK_STR(f.type_name, "symbolic link");
	CHECK(dump_path(link, &l) == 0);
	close(fd);
	unlink(sub);
	unlink(link);

	CHECK(unix_inspect_path(dir, &f) == 0);
	CHECK_STR(f.type_name, "directory");
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	CHECK(unix_inspect_path(sub, &f) == 0 && !f.exists);
	CHECK(f.parent_exists && f.type_name == NULL);
	snprintf(sub, sizeof(sub), "%s/none/s.sock", dir);
	CHECK(unix_inspect_path(sub, &f) == 0 && !f.exists);
	CHECK(!f.parent_exists && f.parent_error == ENOENT);
	snprintf(sub, sizeof(sub), "%s/plain/s.sock", dir);
	CHECK(unix_inspect_path(sub, &f) == 0 && !f.exists);
	CHECK(!f.parent_exists && f.parent_error == ENOTDIR);
	unlink(path);
	socklist_free(&l);
}

static int abstract_at(const char *name, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(a.sun_path + 1, name, len);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a,
			   offsetof(struct sockaddr_un, sun_path) + 1 + len)) {
		perror(name);
		exit(1);
	}
	return fd;
}

static size_t dump_abstract(const char *arg, struct wb_socklist *l)
{
	struct wb_unix_target t;
	const char *err;

	socklist_free(l);
	CHECK(unix_target_parse(arg, &t, &err) == 0 && t.abstract);
	CHECK(unix_dump_bound(&t, NULL, l) == 0);
	return l->n;
}

static void live_abstract(void)
{
	struct wb_socklist l = { 0 };
	char name[64], arg[80];
	int fd;

	snprintf(name, sizeof(name), "wbunit-%d", (int)getpid());
	fd = abstract_at(name, strlen(name));
	snprintf(arg, sizeof(arg), "@%s", name);
	CHECK(dump_abstract(arg, &l) == 1);
	CHECK(l.n == 1 && l.v[0].inode == inode_of(fd));
	CHECK(l.n == 1 && l.v[0].abstract && l.v[0].type == SOCK_DGRAM);
	CHECK(l.n == 1 && l.v[0].path_len == strlen(name) &&
	      memcmp(l.v[0].path, name, strlen(name)) == 0);
	/* Names are compared whole, not as prefixes either way. */
	snprintf(arg, sizeof(arg), "@%sx", name);
	CHECK(dump_abstract(arg, &l) == 0);
	snprintf(arg, sizeof(arg), "@%.*s", (int)strlen(name) - 1, name);
	CHECK(dump_abstract(arg, &l) == 0);
	close(fd);
	snprintf(arg, sizeof(arg), "@%s", name);
	CHECK(dump_abstract(arg, &l) == 0);
	socklist_free(&l);
}

static void overlay_dev(const char *merged)
{
	struct wb_socklist l = { 0 };
	struct wb_unix_file f;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/o.sock", merged);
	fd = listener_at(path, SOCK_STREAM);
	CHECK(unix_inspect_path(path, &f) == 0 && f.diag_dev_known);
	if (unix_diag_dev(major(f.dev), minor(f.dev)) != f.diag_dev)
		fprintf(stderr, "overlayfs: stat(2) gives %u:%u, the "
			"superblock is 0x%x: told apart\n",
			major(f.dev), minor(f.dev), f.diag_dev);
	CHECK(dump_path(path, &l) == 1);
	CHECK(l.n == 1 && l.v[0].inode == inode_of(fd));
	close(fd);
	unlink(path);
	socklist_free(&l);
}

/* As root: an overlayfs with its lower layer on tmpfs and its upper on
 * the temporary directory's filesystem gives stat(2) a device of its own
 * for the socket file, not the superblock's that unix_diag reports.  In
 * a mount namespace of our own, so nothing outlives the test. */
static void live_overlay(const char *dir)
{
	char lower[96], upper[96], work[96], merged[96], opts[400];

	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "overlayfs case skipped: needs root\n");
		return;
	}
	snprintf(lower, sizeof(lower), "%s/lower", dir);
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, upper, work);
	mkdir(lower, 0700);
	mkdir(upper, 0700);
	mkdir(work, 0700);
	mkdir(merged, 0700);
	if (mount("tmpfs", lower, "tmpfs", 0, NULL) < 0 ||
	    mount("overlay", merged, "overlay", 0, opts) < 0) {
		fprintf(stderr, "overlayfs case skipped: %s\n",
			strerror(errno));
	} else {
		live_path(merged);
		overlay_dev(merged);
	}
	umount2(merged, MNT_DETACH);
	umount2(lower, MNT_DETACH);
	rmdir(lower);
	rmdir(merged);
	snprintf(opts, sizeof(opts), "%s/work", work);
	rmdir(opts);
	rmdir(work);
	rmdir(upper);
}

int main(void)
{
	char dir[] = "/tmp/wbunit.XXXXXX";

	test_target();
	test_names();
	test_dev();
	test_parse();
	test_truncated();
	test_lying();

	live_path("/tmp");
	live_path("/dev/shm");		/* tmpfs, where /tmp is not */
	live_abstract();
	if (mkdtemp(dir)) {
		live_not_socket(dir);
		live_overlay(dir);
		rmdir(dir);
	}
	return unit_done();
}
