/* SPDX-License-Identifier: GPL-2.0-or-later */
/* owners_bpf: socket inode -> (pid, fd), by a BPF task_file iterator. */
#ifndef WB_OWNERS_BPF_H
#define WB_OWNERS_BPF_H

#include <stdatomic.h>
#include "whybind.h"

/* What the program needs from the kernel's BTF: the iterator's id and
 * byte offsets of the fields it reads (-1: not found). */
struct wb_btf_facts {
	uint32_t iter_func_id;		/* FUNC bpf_iter_task_file */
	long f_inode;			/* struct file */
	long i_mode, i_ino;		/* struct inode */
	long tgid;			/* struct task_struct */
};

struct wb_bpf_hit {
	pid_t pid;			/* thread group id */
	int fd;
	uint64_t ino;
};

/* Pure: find the facts in a raw BTF blob (/sys/kernel/btf/vmlinux).
 * Validates every length; 0, -EINVAL (malformed), -ENOENT (missing). */
int owners_bpf_parse_btf(const void *data, size_t len, struct wb_btf_facts *out);

/* Every (pid, fd) whose descriptor is a socket with one of `inodes` (or
 * any socket, with inodes NULL), from every task of the host (threads
 * may repeat their process's hits).
 * *hits is allocated (the caller frees it).  Returns 0, or -errno when
 * the iterator cannot be used (no CAP_BPF/CAP_PERFMON, no BTF, an old
 * kernel, a nested pid namespace: -EXDEV), and then nothing is found.
 * `cancel` (or NULL), once true, stops the walk soon: -ECANCELED. */
int owners_bpf_find(const uint64_t *inodes, size_t n, struct wb_bpf_hit **hits,
		    size_t *n_hits, const atomic_bool *cancel);

#endif
