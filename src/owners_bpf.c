// SPDX-License-Identifier: GPL-2.0-or-later
/* owners_bpf: which processes hold these socket inodes, asked of the
 * kernel with a BPF task_file iterator: the kernel walks every task's
 * descriptor table and reports only the hits, where a /proc/PID/fd walk
 * pays a path lookup and a readlink for every descriptor of the host.
 *
 * No libbpf, no compiler for BPF: the program is a few instructions
 * written here, and the offsets it needs (file.f_inode, inode.i_mode,
 * inode.i_ino, task_struct.tgid) and the iterator's id come from the
 * running kernel's own BTF, read once from /sys/kernel/btf/vmlinux.  The
 * program only reads; it is attached to nothing but the iterator, and
 * every descriptor is closed before returning.  Any failure (no
 * privilege, no BTF, an old kernel, the verifier) makes the caller fall
 * back to the /proc walk.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "owners_bpf.h"

#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
#define BTF_MAX		(64u << 20)	/* a kernel's BTF is ~5 MiB */

/* The context of an iter/task_file program, struct bpf_iter__task_file:
 * every pointer in its own 8 bytes (__bpf_md_ptr), a stable layout. */
#define CTX_META	0
#define CTX_TASK	8
#define CTX_FD		16
#define CTX_FILE	24

/* One hit, as the program writes it with bpf_seq_write. */
struct hit {
	uint32_t tgid;
	uint32_t fd;
	uint64_t ino;
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* ---- BTF: a single pass over the type section ---- */

/* Bytes after a struct btf_type of this kind (include/uapi/linux/btf.h). */
static size_t btf_extra(uint32_t info)
{
	uint32_t vlen = BTF_INFO_VLEN(info);

	switch (BTF_INFO_KIND(info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case 19:			/* BTF_KIND_ENUM64: name, lo32, hi32 */
		return vlen * 12;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case 18: /* TYPE_TAG */
		return 0;
	default:
		return (size_t)-1;	/* a kind we cannot step over */
	}
}

static const char *btf_name(const char *strs, uint32_t str_len, uint32_t off)
{
	/* The section ends with a NUL (checked by the caller): any offset
	 * inside it starts a terminated string. */
	return off < str_len ? strs + off : "";
}

/* The byte offset of member `name` of a struct, or -1. */
static long member_offset(const struct btf_type *t, const char *strs,
			  uint32_t str_len, const char *name)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);

	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		uint32_t bits = kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;

		if (!strcmp(btf_name(strs, str_len, m[i].name_off), name))
			return bits % 8 ? -1 : (long)(bits / 8);
	}
	return -1;
}

static bool facts_known(const struct wb_btf_facts *f)
{
	return f->iter_func_id && f->f_inode >= 0 && f->i_mode >= 0 &&
	       f->i_ino >= 0 && f->tgid >= 0;
}

int owners_bpf_parse_btf(const void *data, size_t len, struct wb_btf_facts *out)
{
	const struct btf_header *h = data;
	const char *types, *strs, *p, *end;
	uint32_t id = 1;

	memset(out, 0, sizeof(*out));
	out->f_inode = out->i_mode = out->i_ino = out->tgid = -1;
	if (len < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > len || h->type_off > len - h->hdr_len ||
	    h->type_len > len - h->hdr_len - h->type_off ||
	    h->str_off > len - h->hdr_len || h->str_len > len - h->hdr_len - h->str_off ||
	    h->str_len == 0 || (h->hdr_len + h->type_off) % 4 || (uintptr_t)data % 4)
		return -EINVAL;		/* the kernel's types are 4-aligned */
	types = (const char *)data + h->hdr_len + h->type_off;
	strs = (const char *)data + h->hdr_len + h->str_off;
	if (strs[h->str_len - 1] != '\0')
		return -EINVAL;
	end = types + h->type_len;
	/* Until all five are known: the iterator's function comes late. */
	for (p = types; p < end && !facts_known(out); id++) {
		const struct btf_type *t = (const struct btf_type *)p;
		size_t extra;
		const char *name;

		if ((size_t)(end - p) < sizeof(*t))
			return -EINVAL;
		extra = btf_extra(t->info);
		if (extra == (size_t)-1 || extra > (size_t)(end - p) - sizeof(*t))
			return -EINVAL;
		p += sizeof(*t) + extra;
		name = btf_name(strs, h->str_len, t->name_off);
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_FUNC:
			if (!out->iter_func_id && !strcmp(name, "bpf_iter_task_file"))
				out->iter_func_id = id;
			break;
		case BTF_KIND_STRUCT:
			if (out->f_inode < 0 && !strcmp(name, "file"))
				out->f_inode = member_offset(t, strs, h->str_len, "f_inode");
			else if (out->i_ino < 0 && !strcmp(name, "inode")) {
				out->i_ino = member_offset(t, strs, h->str_len, "i_ino");
				out->i_mode = member_offset(t, strs, h->str_len, "i_mode");
			} else if (out->tgid < 0 && !strcmp(name, "task_struct"))
				out->tgid = member_offset(t, strs, h->str_len, "tgid");
			break;
		}
	}
	return facts_known(out) ? 0 : -ENOENT;
}

static int read_vmlinux_btf(struct wb_btf_facts *facts)
{
	int fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int rc;

	if (fd < 0)
		return -errno;
	/* sysfs gives the size; read it in one go. */
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || (uint64_t)st.st_size > BTF_MAX) {
		close(fd);
		return -EINVAL;
	}
	/* Since v6.16 it can be mapped; before, read a page at a time. */
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf != MAP_FAILED) {
		close(fd);
		rc = owners_bpf_parse_btf(buf, (size_t)st.st_size, facts);
		munmap(buf, (size_t)st.st_size);
		return rc;
	}
	buf = xmalloc((size_t)st.st_size);
	while (len < (size_t)st.st_size &&
	       (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	rc = owners_bpf_parse_btf(buf, len, facts);
	free(buf);
	return rc;
}

/* ---- the program ---- */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX(size, d, s, o)	INSN(BPF_LDX | BPF_MEM | (size), d, s, o, 0)
#define STX(size, d, s, o)	INSN(BPF_STX | BPF_MEM | (size), d, s, o, 0)
#define MOV_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define AND_IMM(d, i)		INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define JEQ_IMM(d, i, o)	INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o)	INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* r6 ctx, r7 task, r8 file then inode, r9 inode number.  Jumps are
 * relative to the next instruction, to OUT ("r0 = 0"): index 29 with the
 * map lookup, 22 without (map_fd < 0: every socket is reported). */
static size_t build_program(struct bpf_insn *p, const struct wb_btf_facts *f,
			    int map_fd)
{
	const int OUT = map_fd >= 0 ? 29 : 22;
	size_t n = 0;

#define J(at) ((short)(OUT - (at) - 1))
	p[n++] = MOV_REG(6, 1);
	p[n++] = LDX(BPF_DW, 7, 6, CTX_TASK);
	p[n++] = JEQ_IMM(7, 0, J(2));
	p[n++] = LDX(BPF_DW, 8, 6, CTX_FILE);
	p[n++] = JEQ_IMM(8, 0, J(4));
	p[n++] = LDX(BPF_DW, 8, 8, (short)f->f_inode);
	p[n++] = JEQ_IMM(8, 0, J(6));
	p[n++] = LDX(BPF_H, 1, 8, (short)f->i_mode);
	p[n++] = AND_IMM(1, S_IFMT);
	p[n++] = JNE_IMM(1, S_IFSOCK, J(9));
	p[n++] = LDX(BPF_DW, 9, 8, (short)f->i_ino);
	if (map_fd >= 0) {				/* else: every socket */
		p[n++] = STX(BPF_DW, 10, 9, -8);	/* the map key */
		p[n++] = MOV_REG(2, 10);
		p[n++] = ADD_IMM(2, -8);
		p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd);
		p[n++] = INSN(0, 0, 0, 0, 0);
		p[n++] = CALL(BPF_FUNC_map_lookup_elem);
		p[n++] = JEQ_IMM(0, 0, J(17));
	}
	p[n++] = LDX(BPF_W, 1, 7, (short)f->tgid);	/* struct hit at r10-24 */
	p[n++] = STX(BPF_W, 10, 1, -24);
	p[n++] = LDX(BPF_W, 1, 6, CTX_FD);
	p[n++] = STX(BPF_W, 10, 1, -20);
	p[n++] = STX(BPF_DW, 10, 9, -16);
	p[n++] = LDX(BPF_DW, 1, 6, CTX_META);
	p[n++] = LDX(BPF_DW, 1, 1, 0);			/* meta->seq */
	p[n++] = MOV_REG(2, 10);
	p[n++] = ADD_IMM(2, -24);
	p[n++] = MOV_IMM(3, sizeof(struct hit));
	p[n++] = CALL(BPF_FUNC_seq_write);
	p[n++] = MOV_IMM(0, 0);				/* OUT */
	p[n++] = EXIT();
#undef J
	return n;
}

static int make_map(const uint64_t *inodes, size_t n)
{
	union bpf_attr a;
	uint32_t one = 1;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = sizeof(uint64_t);
	a.value_size = sizeof(one);
	a.max_entries = (uint32_t)n;
	fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = (uint64_t)(uintptr_t)&inodes[i];
		a.value = (uint64_t)(uintptr_t)&one;
		a.flags = BPF_ANY;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	return fd;
}

static int load_program(const struct wb_btf_facts *f, int map_fd)
{
	struct bpf_insn prog[40];
	size_t n = build_program(prog, f, map_fd);
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.attach_btf_id = f->iter_func_id;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	/* bpf_seq_write is for GPL programs; whybind is GPL-2.0-or-later. */
	a.license = (uint64_t)(uintptr_t)"GPL";
	memcpy(a.prog_name, "whybind_owners", sizeof("whybind_owners"));
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	return fd < 0 ? -errno : fd;
}

static int open_iterator(int prog_fd, int *link_fd)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.attach_type = BPF_TRACE_ITER;
	*link_fd = (int)sys_bpf(BPF_LINK_CREATE, &a);
	if (*link_fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.iter_create.link_fd = (uint32_t)*link_fd;
	fd = (int)sys_bpf(BPF_ITER_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

/* Pids from the program are the kernel's (the initial pid namespace):
 * right for us only if we see that namespace's pids. */
static bool in_initial_pidns(void)
{
	char buf[4096], *ns;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	ns = strstr(buf, "\nNSpid:");
	if (!ns)
		return true;		/* a kernel before NSpid: no nesting */
	ns += 7;
	ns += strspn(ns, " \t");
	ns += strspn(ns, "0123456789");
	return *ns == '\n';		/* one pid: no outer namespace */
}

/* A read of the iterator returns once its buffer is full or the walk
 * ends (the kernel does not stop it for a signal): a small buffer lets a
 * cancelled walk, or an exiting process, stop soon. */
static int read_hits(int it, struct wb_bpf_hit **out, size_t *n_out,
		     const atomic_bool *cancel)
{
	struct hit buf[64];
	size_t n = 0, cap = 0;
	ssize_t len;

	*out = NULL;
	/* EAGAIN: a million descriptors passed without a hit; go on. */
	while ((len = read(it, buf, sizeof(buf))) > 0 || (len < 0 && errno == EAGAIN)) {
		if (len < 0)
			continue;
		if (cancel && atomic_load(cancel))
			return -ECANCELED;
		size_t k = (size_t)len / sizeof(buf[0]);

		if ((size_t)len % sizeof(buf[0]))
			return -EBADMSG;
		if (n + k > cap) {
			cap = (n + k) * 2;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		for (size_t i = 0; i < k; i++)
			(*out)[n++] = (struct wb_bpf_hit){ (pid_t)buf[i].tgid,
							   (int)buf[i].fd, buf[i].ino };
	}
	if (len < 0)
		return -errno;
	*n_out = n;
	return 0;
}

int owners_bpf_find(const uint64_t *inodes, size_t n, struct wb_bpf_hit **hits,
		    size_t *n_hits, const atomic_bool *cancel)
{
	struct wb_btf_facts facts;
	int map = -1, prog = -1, link = -1, it = -1, rc;

	*hits = NULL;
	*n_hits = 0;
	if (inodes && n == 0)
		return 0;
	if (!in_initial_pidns())
		return -EXDEV;
	rc = read_vmlinux_btf(&facts);
	if (rc == 0 && inodes)
		rc = map = make_map(inodes, n);
	if (rc >= 0)
		rc = prog = load_program(&facts, map);
	if (rc >= 0)
		rc = it = open_iterator(prog, &link);
	if (rc >= 0)
		rc = read_hits(it, hits, n_hits, cancel);
	int fds[] = { it, link, prog, map };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rc < 0) {
		free(*hits);
		*hits = NULL;
		*n_hits = 0;
	}
	return rc < 0 ? rc : 0;
}
