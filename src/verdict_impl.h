/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict_impl: what the verdict's files share; not for other stages.
 *
 * verdict.c         the entry point, the cause names, SPEC's ranking
 * verdict_holder.c  who holds a socket, and how its manager stops it
 * verdict_manager.c the fixes through a manager (manager.h)
 * verdict_inuse.c   an inet port in use (or free beside a UDP socket)
 * verdict_errno.c   EACCES, EADDRNOTAVAIL and the other errnos
 * verdict_unix.c    AF_UNIX paths and names
 *
 * Every part reads the diagnosis as const and writes only the verdict. */
#ifndef WB_VERDICT_IMPL_H
#define WB_VERDICT_IMPL_H

#include "pidlist.h"
#include "strbuf.h"
#include "diagnose.h"
#include "verdict.h"

void verdict_set_cause(struct wb_verdict *v, enum wb_cause c);
/* Takes text and command (freed when the list is full). */
void verdict_add_fix(struct wb_verdict *v, const char *action, char *text,
		     char *command);

/* The port-in-use cause of one socket in the way. */
enum wb_cause verdict_sock_cause(const struct wb_sock *s);
/* The first socket in the way of the winning cause (the one to name),
 * and that cause; NULL and WB_CAUSE_OTHER when none is in the way. */
const struct wb_sock *verdict_main_sock(const struct wb_diagnosis *d,
					enum wb_cause *cause);

/* "nginx (pid 812)", "nginx (pids 812, 813)", or who we could not see. */
char *holder_text(const struct wb_sock *s);
/* Resume (or end) the stopped holder of s; pids: the command's list. */
void fixes_stopped(struct wb_verdict *v, const struct wb_sock *s,
		   const char *pids);
/* Stop the holder through its manager: systemd, a container runtime. */
void fixes_manager(struct wb_verdict *v, const struct wb_sock *s,
		   uid_t caller);

/* The manager of s (manager.h), NULL for none. */
bool verdict_kill_allowed(const struct wb_manager *m);
const struct wb_manager *verdict_manager(const struct wb_diagnosis *d,
					 const struct wb_sock *s);
/* holder_text, or "nginx master 812 and 2 workers: nginx (pids ...)". */
char *holder_tree_text(const struct wb_sock *s, const struct wb_manager *m);
/* ", for the systemd socket unit web.socket", or "". */
char *manager_text(const struct wb_manager *m);
/* Stop the holders of s: through their manager first, then (takes
 * stop_text) `kill pids` where no manager would undo it; pids NULL:
 * none may be signalled. */
void fixes_holder(const struct wb_diagnosis *d, struct wb_verdict *v,
		  const struct wb_sock *s, const char *pids, char *stop_text);

void verdict_port_free(const struct wb_diagnosis *d, struct wb_verdict *v);
void verdict_in_use(const struct wb_diagnosis *d, struct wb_verdict *v);
void verdict_other_error(const struct wb_diagnosis *d, struct wb_verdict *v);
void verdict_unix(const struct wb_diagnosis *d, struct wb_verdict *v, int err);

#endif
