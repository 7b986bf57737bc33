// SPDX-License-Identifier: GPL-2.0-or-later
/* owners_bpf: the BTF scan on a hand-made blob with known offsets, on
 * every truncation and corruption of it, on the running kernel's BTF;
 * and, as root, the iterator itself against a socket we hold. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/btf.h>

#include "owners_bpf.h"
#include "unit.h"

/* A tiny BTF: an int, FUNC bpf_iter_task_file, and the three structs
 * with the members the program reads, at offsets of our choosing. */
struct blob {
	unsigned char buf[1024];
	size_t len;
	char strs[256];
	uint32_t str_len;
	unsigned char types[512];
	uint32_t type_len;
};

static uint32_t add_str(struct blob *b, const char *s)
{
	uint32_t off = b->str_len;

	strcpy(b->strs + off, s);
	b->str_len += (uint32_t)strlen(s) + 1;
	return off;
}

static void add_bytes(struct blob *b, const void *p, size_t n)
{
	memcpy(b->types + b->type_len, p, n);
	b->type_len += (uint32_t)n;
}

static void add_type(struct blob *b, const char *name, int kind, int vlen,
		     bool kflag, uint32_t size)
{
	struct btf_type t = {
		.name_off = name ? add_str(b, name) : 0,
		.info = (uint32_t)kind << 24 | (uint32_t)vlen | (uint32_t)kflag << 31,
		.size = size,
	};

	add_bytes(b, &t, sizeof(t));
}

static void add_member(struct blob *b, const char *name, uint32_t bits)
{
	struct btf_member m = { add_str(b, name), 1, bits };

	add_bytes(b, &m, sizeof(m));
}

static void build(struct blob *b)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = 1,
				.hdr_len = sizeof(h) };
	uint32_t int_info = 64;		/* BTF_INT_BITS: 64 */

	memset(b, 0, sizeof(*b));
	b->str_len = 1;			/* offset 0: the empty name */
	add_type(b, "long", BTF_KIND_INT, 0, false, 8);		/* id 1 */
	add_bytes(b, &int_info, sizeof(int_info));
	add_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, false, 1);	/* id 2 */
	add_type(b, "other_func", BTF_KIND_FUNC, 0, false, 2);	/* id 3 */
	add_type(b, "bpf_iter_task_file", BTF_KIND_FUNC, 0, false, 2); /* id 4 */
	add_type(b, "file", BTF_KIND_STRUCT, 2, false, 256);	/* id 5 */
	add_member(b, "f_mode", 0);
	add_member(b, "f_inode", 32 * 8);
	/* kflag: bit offsets carry a bitfield size in their top byte. */
	add_type(b, "inode", BTF_KIND_STRUCT, 3, true, 512);	/* id 6 */
	add_member(b, "i_mode", 0);
	add_member(b, "i_flags", 4u << 24 | 32);
	add_member(b, "i_ino", 64 * 8);
	add_type(b, "task_struct", BTF_KIND_STRUCT, 2, false, 4096); /* id 7 */
	add_member(b, "pid", 1000 * 8);
	add_member(b, "tgid", 1004 * 8);
	h.type_off = 0;
	h.type_len = b->type_len;
	h.str_off = b->type_len;
	h.str_len = b->str_len;
	memcpy(b->buf, &h, sizeof(h));
	memcpy(b->buf + sizeof(h), b->types, b->type_len);
	memcpy(b->buf + sizeof(h) + b->type_len, b->strs, b->str_len);
	b->len = sizeof(h) + b->type_len + b->str_len;
}

static void test_blob(void)
{
	struct wb_btf_facts f;
	struct blob b;

	build(&b);
	CHECK(owners_bpf_parse_btf(b.buf, b.len, &f) == 0);
	CHECK(f.iter_func_id == 4);
	CHECK(f.f_inode == 32 && f.i_mode == 0 && f.i_ino == 64 && f.tgid == 1004);

	/* Every truncation: an error, never a read past the end (ASan). */
	for (size_t n = 0; n < b.len; n++) {
		unsigned char *copy = malloc(n ? n : 1);

		memcpy(copy, b.buf, n);
		CHECK(owners_bpf_parse_btf(copy, n, &f) < 0);
		free(copy);
	}
	/* Lying lengths and a bad magic. */
	for (size_t at = 0; at < sizeof(struct btf_header); at++) {
		struct blob c = b;

		c.buf[at] ^= 0x80;
		if (owners_bpf_parse_btf(c.buf, c.len, &f) == 0)
			CHECK(f.iter_func_id && f.tgid >= 0);
	}
	/* Any single byte changed in the types: no crash, no wrong success. */
	for (size_t at = sizeof(struct btf_header); at < b.len; at++) {
		struct blob c = b;

		c.buf[at] = 0xff;
		if (owners_bpf_parse_btf(c.buf, c.len, &f) == 0)
			CHECK(f.f_inode >= 0 && f.i_ino >= 0);
	}
	/* A kind we cannot step over stops the scan. */
	{
		struct blob c = b;
		struct btf_type *t = (struct btf_type *)(c.buf + sizeof(struct btf_header));

		t->info = 31u << 24;
		CHECK(owners_bpf_parse_btf(c.buf, c.len, &f) == -EINVAL);
	}
	/* Strings not ending with a NUL. */
	{
		struct blob c = b;

		c.buf[c.len - 1] = 'x';
		CHECK(owners_bpf_parse_btf(c.buf, c.len, &f) == -EINVAL);
	}
}

/* The running kernel's BTF has what the program needs. */
static void test_vmlinux(void)
{
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	struct wb_btf_facts f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	if (fd < 0) {
		printf("# no /sys/kernel/btf/vmlinux here: kernel BTF not checked\n");
		return;
	}
	do {
		if (len == cap)
			buf = realloc(buf, cap = cap ? cap * 2 : 1 << 20);
		n = read(fd, buf + len, cap - len);
		len += n > 0 ? (size_t)n : 0;
	} while (n > 0);
	close(fd);
	CHECK(owners_bpf_parse_btf(buf, len, &f) == 0);
	CHECK(f.iter_func_id > 0 && f.f_inode > 0 && f.i_ino > 0 && f.tgid > 0);
	printf("# vmlinux BTF: %zu bytes, bpf_iter_task_file id %u, file.f_inode %ld, inode.i_mode %ld, inode.i_ino %ld, task_struct.tgid %ld\n",
	       len, f.iter_func_id, f.f_inode, f.i_mode, f.i_ino, f.tgid);
	free(buf);
}

/* As root: the iterator finds our own socket, and only it. */
static void test_iterator(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct wb_bpf_hit *hits;
	struct stat st;
	size_t n;
	uint64_t ino;
	int rc;

	fstat(s, &st);
	ino = st.st_ino;
	rc = owners_bpf_find(&ino, 1, &hits, &n, NULL);
	if (geteuid() != 0) {
		printf("# not root: the iterator itself not run (rc %d)\n", rc);
		CHECK(rc < 0 && hits == NULL && n == 0);
	} else {
		CHECK(rc == 0);
		CHECK(n == 1 && hits && hits[0].pid == getpid() && hits[0].fd == s &&
		      hits[0].ino == ino);
		free(hits);
	}
	CHECK(owners_bpf_find(&ino, 0, &hits, &n, NULL) == 0 && n == 0 && !hits);
	close(other);
	close(s);
}

int main(void)
{
	test_blob();
	test_vmlinux();
	test_iterator();
	return unit_done();
}
