// SPDX-License-Identifier: GPL-2.0-or-later
/* iter/task_file: report (tgid, fd) of every descriptor whose file is a
 * socket with a wanted inode number.  Minimal CO-RE types, no vmlinux.h. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));
struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
} __attribute__((preserve_access_index));
struct file {
	struct inode *f_inode;
} __attribute__((preserve_access_index));
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));
struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} wanted SEC(".maps");

SEC("iter/task_file")
int find_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *f = ctx->file;
	struct inode *ino;
	__u64 key;

	if (!t || !f)
		return 0;
	if (t->pid != t->tgid)		/* threads share the leader's table */
		return 0;
	ino = f->f_inode;
	if (!ino || (ino->i_mode & 0170000) != 0140000)	/* S_IFSOCK */
		return 0;
	key = ino->i_ino;
	if (!bpf_map_lookup_elem(&wanted, &key))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %u %llu\n", t->tgid, ctx->fd, key);
	return 0;
}
