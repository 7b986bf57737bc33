// SPDX-License-Identifier: GPL-2.0-or-later
/* exec: run the server under whybind and catch its failing bind().
 *
 * The child installs a seccomp filter that hands bind() alone to a
 * tracer (SECCOMP_RET_TRACE); every other system call runs untouched.
 * whybind PTRACE_SEIZEs the child before it execs, so the server and
 * whatever it forks or clones are traced from their first instruction.
 * At a bind's seccomp stop the call is stepped to its exit; when it
 * failed, the server is held there (its socket still unbound) while the
 * bind it asked for is diagnosed, then it goes on with its error.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "exec.h"
#include "exec_report.h"

#if defined(__x86_64__)
#define WB_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define WB_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define WB_AUDIT_ARCH	AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define WB_AUDIT_ARCH	AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WB_AUDIT_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define WB_AUDIT_ARCH	AUDIT_ARCH_S390X
#else
#error "--exec: add this architecture's AUDIT_ARCH_* value"
#endif

#define TRACE_OPTIONS (PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | \
	PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
	PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)

/* A bind() between its seccomp stop and its exit. */
struct pending {
	pid_t tid;
	int fd;
	uint64_t addr;			/* the sockaddr, in the tracee */
	uint64_t addrlen;
};

struct tracer {
	const struct wb_exec_opts *o;
	pid_t main;
	int main_status;
	bool main_exited;
	struct pending *pend;
	size_t n_pend, cap_pend;
};

static volatile sig_atomic_t command_pid;
static volatile sig_atomic_t mirrored_stop;

/* ---- the child: filter, wait to be traced, exec ------------------- */

/* Trace bind() of this architecture; allow everything else.  Another
 * ABI (a 32-bit program on a 64-bit kernel, x32) is not traced. */
static int install_filter(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, WB_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bind, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return 0;
	/* Without CAP_SYS_ADMIN a filter needs no_new_privs; with it, a
	 * setuid program keeps working (our tracer is root: the kernel
	 * grants the exec its privileges). */
	if (errno != EACCES)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -errno : 0;
}

/* Tell the parent how the filter went, wait for its go (it has seized
 * us by then), exec.  A failed exec sends its errno. */
static void child(char *const argv[], int report_fd, int go_fd)
{
	int rc = install_filter();
	char go;

	if (write(report_fd, &rc, sizeof(rc)) != sizeof(rc) || rc < 0)
		_exit(127);
	if (read(go_fd, &go, 1) != 1)
		_exit(127);
	close(go_fd);
	execvp(argv[0], argv);
	rc = errno;
	if (write(report_fd, &rc, sizeof(rc)) != sizeof(rc))
		rc = ENOENT;
	_exit(rc == ENOENT ? 127 : 126);
}

/* ---- signals: the command gets them as it would without us ------- */

/* A terminal's signals (Ctrl+C, Ctrl+\, a hangup, a resize) go to the
 * whole foreground process group, the command included: passing them on
 * would deliver them twice.  One sent to whybind alone is passed on. */
static void pass_on(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si->si_code == SI_KERNEL || command_pid <= 0)
		return;
	if (sig == SIGCONT) {
		if (mirrored_stop)
			kill(command_pid, SIGCONT);
		return;
	}
	kill(command_pid, sig);
}

static void catch_signals(void)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
		SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT,
	};
	struct sigaction sa = { .sa_sigaction = pass_on,
				.sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A closed stderr must not kill us: EXITKILL would take the server. */
	signal(SIGPIPE, SIG_IGN);
}

/* Ctrl+Z stopped the command: stop too, so that the shell sees its job
 * stopped; `fg` continues us both (SIGCONT to the process group). */
static void mirror_stop(void)
{
	mirrored_stop = 1;
	raise(SIGSTOP);
	mirrored_stop = 0;
}

/* ---- start ---------------------------------------------------------- */

static int start(char *const argv[], pid_t *pid, int *report_r, const char **err)
{
	int report[2], go[2], rc = 0;
	ssize_t n;

	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		rc = -errno;
		goto close_report;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		rc = -errno;
		goto close_go;
	}
	if (*pid == 0) {
		close(report[0]);
		close(go[1]);
		child(argv, report[1], go[0]);
	}
	close(report[1]);
	close(go[0]);
	report[1] = go[0] = -1;
	if (ptrace(PTRACE_SEIZE, *pid, 0, TRACE_OPTIONS) < 0) {
		rc = -errno;
		*err = rc == -EPERM ? "cannot trace the command (ptrace: permission denied; is whybind itself traced?)"
				    : "cannot trace the command (ptrace)";
		goto kill_child;
	}
	n = read(report[0], &rc, sizeof(rc));
	if (n != sizeof(rc) || rc < 0) {
		rc = n != sizeof(rc) ? -ECHILD : rc;
		*err = rc == -EINVAL ? "cannot trap bind(): this kernel has no seccomp filters"
				     : "cannot trap bind() with a seccomp filter";
		goto kill_child;
	}
	if (write(go[1], "g", 1) != 1) {
		rc = -errno;
		*err = "cannot start the command";
		goto kill_child;
	}
	close(go[1]);
	*report_r = report[0];
	return 0;

kill_child:
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, __WALL) < 0 && errno == EINTR)
		;
close_go:
	if (go[0] >= 0)
		close(go[0]);
	close(go[1]);
close_report:
	close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	if (!*err)
		*err = "cannot start the command";
	return rc;
}

/* ---- binds in flight ----------------------------------------------- */

static struct pending *pending_find(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->n_pend; i++)
		if (t->pend[i].tid == tid)
			return &t->pend[i];
	return NULL;
}

static struct pending *pending_add(struct tracer *t, pid_t tid)
{
	struct pending *p = pending_find(t, tid);

	if (p)
		return p;
	if (t->n_pend == t->cap_pend) {
		t->cap_pend = t->cap_pend ? 2 * t->cap_pend : 8;
		t->pend = xrealloc(t->pend, t->cap_pend * sizeof(*t->pend));
	}
	p = &t->pend[t->n_pend++];
	p->tid = tid;
	return p;
}

static void pending_drop(struct tracer *t, pid_t tid)
{
	struct pending *p = pending_find(t, tid);

	if (p)
		*p = t->pend[--t->n_pend];
}

/* Let the thread run: to the end of its bind if one is in flight, else
 * freely (sig: the signal to deliver, or 0). */
static void resume(struct tracer *t, pid_t tid, int sig)
{
	long req = pending_find(t, tid) ? PTRACE_SYSCALL : PTRACE_CONT;

	/* ESRCH: it died meanwhile (SIGKILL); its exit is reported. */
	ptrace(req, tid, 0, sig);
}

static bool syscall_info(pid_t tid, struct __ptrace_syscall_info *si)
{
	memset(si, 0, sizeof(*si));
	return ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(*si), si) > 0;
}

static void bind_entered(struct tracer *t, pid_t tid)
{
	struct __ptrace_syscall_info si;
	struct pending *p;

	if (!syscall_info(tid, &si) || si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return;
	p = pending_add(t, tid);
	p->fd = (int)si.seccomp.args[0];
	p->addr = si.seccomp.args[1];
	p->addrlen = si.seccomp.args[2];
}

/* A syscall stop of a thread in bind(): at its exit, judge the result. */
static void bind_stopped(struct tracer *t, pid_t tid)
{
	struct __ptrace_syscall_info si;
	struct pending *p = pending_find(t, tid);
	struct wb_exec_bind b = { 0 };

	if (!p || !syscall_info(tid, &si) || si.op != PTRACE_SYSCALL_INFO_EXIT)
		return;		/* not the exit yet: stay in PTRACE_SYSCALL */
	if (si.exit.is_error) {
		struct iovec local, remote;
		ssize_t n = 0;

		b.tid = tid;
		b.fd = p->fd;
		b.err = (int)-si.exit.rval;
		b.addrlen = p->addrlen > sizeof(b.addr) ? sizeof(b.addr) : p->addrlen;
		local = (struct iovec){ &b.addr, b.addrlen };
		remote = (struct iovec){ (void *)(uintptr_t)p->addr, b.addrlen };
		if (b.addrlen)
			n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		b.addr_read = n == (ssize_t)b.addrlen && b.addrlen >= sizeof(sa_family_t);
		exec_report_bind(&b, t->o);
	}
	pending_drop(t, tid);
}

/* ---- the loop --------------------------------------------------------- */

static bool stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_stop(struct tracer *t, pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;

	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		bind_entered(t, tid);
		resume(t, tid, 0);
		return;
	case PTRACE_EVENT_STOP:
		if (!stop_signal(sig)) {	/* a new tracee, or a group-stop ended */
			resume(t, tid, 0);
			return;
		}
		/* Group-stop: stay stopped, but let SIGCONT wake it. */
		ptrace(PTRACE_LISTEN, tid, 0, 0);
		if (tid == t->main && sig != SIGSTOP)
			mirror_stop();
		return;
	case 0:
		break;
	default:			/* fork, vfork, clone, exec */
		resume(t, tid, 0);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		bind_stopped(t, tid);
		resume(t, tid, 0);
		return;
	}
	resume(t, tid, sig);		/* a signal for the server */
}

static int trace(struct tracer *t)
{
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0)
			return errno == ECHILD ? 0 : -errno;
		if (WIFSTOPPED(status)) {
			on_stop(t, tid, status);
			continue;
		}
		pending_drop(t, tid);
		if (tid == t->main) {
			t->main_status = status;
			t->main_exited = true;
			command_pid = 0;
		}
	}
}

static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int exec_run(char *const argv[], const struct wb_exec_opts *o, const char **err)
{
	struct tracer t = { .o = o };
	int report_r = -1, rc, exec_errno = 0;

	*err = NULL;
	rc = start(argv, &t.main, &report_r, err);
	if (rc < 0)
		return rc;
	command_pid = t.main;
	catch_signals();
	rc = trace(&t);
	/* Nothing to read but EOF when the exec succeeded (O_CLOEXEC). */
	if (read(report_r, &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	close(report_r);
	free(t.pend);
	if (exec_errno) {
		*err = exec_errno == ENOENT ? "command not found" : strerror(exec_errno);
		return -exec_errno;
	}
	if (rc < 0 || !t.main_exited) {
		*err = "lost track of the command (waitpid)";
		return rc < 0 ? rc : -ECHILD;
	}
	return exit_status(t.main_status);
}
