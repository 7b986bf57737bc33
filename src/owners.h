/* owners: which processes hold a socket, and what state they are in. */
#ifndef WB_OWNERS_H
#define WB_OWNERS_H

#include "whybind.h"

/* Fill owners/n_owners/owners_visible of each socket with a nonzero
 * inode: by a BPF task_file iterator where it may be used (root, BTF),
 * else by one walk of /proc/PID/fd.  Processes that vanish mid-walk are
 * skipped.  owners_visible is false for a socket whose holders could not
 * be found while some /proc/PID/fd was unreadable.  Returns 0 or -errno. */
int owners_find(struct wb_sock *socks, size_t n);

/* Read SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY and the bound device
 * (SO_BINDTOIFINDEX, where the dump gave none) of a live socket from
 * its first holder (pidfd_open + pidfd_getfd, getsockopt, close).  Leaves
 * the fields WB_UNKNOWN where that is not permitted. */
void owners_read_sockopts(struct wb_sock *s);

/* Start listing the host's socket descriptors with the BPF iterator in
 * a thread (as root, where allowed), for the next owners_find(): call it
 * before dumping the port's sockets, so that the two walks overlap. */
void owners_prefetch(void);

/* "bpf" or "proc": how the last owners_find() found the holders; NULL
 * before any. */
const char *owners_method(void);

/* Pure parsers of /proc text, for the walk and for tests. */
int owners_parse_stat(const char *buf, size_t len, struct wb_owner *o);
char *owners_join_cmdline(const char *buf, size_t len);
void owners_tty_name(int tty_nr, char *out, size_t cap);


#endif
