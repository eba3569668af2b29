/*
 * A frozen copy of the target to read at leisure, so that it is held
 * only for the moment it takes to make one.  While every thread is
 * stopped, one of them is made to call clone(2) as fork does, but
 * sharing the file table (no descriptor is held open by the copy) and
 * with no exit signal (the target gets no SIGCHLD).  The copy starts
 * stopped, traced by us, killed by the kernel if we die, and set to
 * exit at once should it ever run.  Its memory is the target's, copy
 * on write.  When we are done it is killed, and the target, its
 * parent, is made to reap it the same way: one thread, for a moment,
 * calls wait4(2).
 *
 * Everything here that cleanup needs makes system calls only, so the
 * signal handler can run it (snapcleanup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/user.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Syscallop = 0x050f,	/* the syscall instruction's bytes, little-endian */
	Cloneflags = CLONE_FILES|CLONE_FS|CLONE_SYSVSEM,	/* and exit signal 0 */
	Injectms = 5000,	/* a thread running one system call for us */
	Maxstops = 16,		/* stops on the way: the call's event, signals */
	Reaptries = 16,		/* stops for a signal before the one for the reaping call */
	Execretries = 10,	/* holds to reap the copy after an exec: one stops the next */
	Execwait = 2,		/* ms for an exec to finish before its code is looked for */
};

enum {
	Rdone,		/* reaped, or it cannot be */
	Ragain,		/* stopped for a signal: stop it again */
	Rmoved,		/* an exec moved the code: find the instruction again */
};

/*
 * LEAK_SNAPSHOT: how to read the target.  Unset, a snapshot when one
 * can be made, else the target held; fork: a snapshot or an error;
 * stop: held.
 */
int
hwsnapmode(void)
{
	char *s;

	s = getenv("LEAK_SNAPSHOT");
	if(s == NULL || *s == 0)
		return Sauto;
	if(strcmp(s, "fork") == 0)
		return Sfork;
	if(strcmp(s, "stop") == 0)
		return Sstop;
	werrstr("LEAK_SNAPSHOT=%s: want fork or stop", s);
	return -1;
}

/* Where the target has a syscall instruction: in libc's code, or the program's. */
static u64
findsyscall(Target *t)
{
	uchar buf[1<<16];
	Map *m;
	long n, j;
	u64 a;
	int i;

	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(!(m->prot & PROT_EXEC) || m->inode == 0)
			continue;
		for(a = m->start; a < m->end; a += n - 1){
			n = hwread(t, a, buf, a + sizeof buf <= m->end ? sizeof buf : m->end - a);
			for(j = 0; j+1 < n; j++)
				if(buf[j] == 0x0f && buf[j+1] == 0x05)
					return a + j;
			if(n <= 1)
				break;
		}
	}
	return 0;
}

/*
 * Whether the syscall instruction is still where we found it: an exec
 * moves everything.  Read through the thread tid: a leader that called
 * pthread_exit has no memory to read.
 */
static int
stillthere(int tid, u64 insn)
{
	struct iovec l, r;
	u16 op;

	l.iov_base = &op;
	l.iov_len = 2;
	r.iov_base = (void*)insn;
	r.iov_len = 2;
	return process_vm_readv(tid, &l, 1, &r, 1, 0) == 2 && op == Syscallop;
}

static int
waittid(int tid, int *st)
{
	struct timespec ts = {0, 100000};
	int i, r;

	for(i = 0; i < Injectms*10; i++){
		r = waitpid(tid, st, __WALL|WNOHANG);
		if(r != 0)
			return r;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * Step tid over one instruction, to its single-step trap; a clone's
 * child on the way in *child.  Signals wait, blocked by inject, all
 * but SIGTRAP: the kernel's trap, were SIGTRAP blocked, would reset
 * the target's handler for it.  A SIGTRAP someone sent meanwhile
 * (si_code not the kernel's) is kept in *sent, to be handed back.
 */
static int
step(int tid, int *child, siginfo_t *sent)
{
	unsigned long msg;
	siginfo_t si;
	int st, i;

	for(i = 0; i < Maxstops; i++){
		if(ptrace(PTRACE_SINGLESTEP, tid, 0, 0) < 0 || waittid(tid, &st) <= 0 || !WIFSTOPPED(st))
			return -1;
		if(st>>16 == PTRACE_EVENT_CLONE || st>>16 == PTRACE_EVENT_FORK){
			if(ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) == 0 && child != NULL)
				*child = msg;
			continue;
		}
		if(st>>16 != 0 || WSTOPSIG(st) != SIGTRAP)
			continue;
		if(ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
			return -1;
		if(si.si_code > 0)
			return 0;
		if(sent->si_signo == 0)
			*sent = si;	/* a second one, while the first is held, merges with it as if pending */
	}
	return -1;
}

/*
 * Run one system call in thread tid, which we hold stopped, at the
 * syscall instruction at insn, then put its registers and signal mask
 * back: its interrupted call, if any, restarts when it runs, and a
 * signal that came meanwhile waits, whole, to be delivered then.  The
 * result in *ret; a clone's child in *child; in *sig, the signal to
 * resume it with: 0, or a SIGTRAP that was sent while it stepped,
 * whose siginfo is put back in its stop.  -1: the thread did not
 * come back.
 */
static int
inject(int tid, u64 insn, long nr, u64 a0, u64 a1, u64 a2, long *ret, int *child, int *sig)
{
	struct user_regs_struct save, r;
	siginfo_t sent;
	u64 mask, all;
	int e;

	if(ptrace(PTRACE_GETREGS, tid, 0, &save) < 0 || ptrace(PTRACE_GETSIGMASK, tid, sizeof mask, &mask) < 0)
		return -1;
	all = ~0ULL & ~(1ULL << (SIGTRAP-1));
	if(ptrace(PTRACE_SETSIGMASK, tid, sizeof all, &all) < 0)
		return -1;
	r = save;
	r.rax = nr;
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = 0;
	r.r8 = 0;
	r.r9 = 0;
	r.rip = insn;
	r.orig_rax = -1;	/* no restart of what it was in */
	memset(&sent, 0, sizeof sent);
	e = ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 || step(tid, child, &sent) < 0 || ptrace(PTRACE_GETREGS, tid, 0, &r) < 0;
	if(!e)
		*ret = r.rip == insn + 2 ? (long)r.rax : -EINTR;
	*sig = 0;
	if(!e && sent.si_signo == SIGTRAP && ptrace(PTRACE_SETSIGINFO, tid, 0, &sent) == 0)
		*sig = SIGTRAP;
	if(ptrace(PTRACE_SETREGS, tid, 0, &save) < 0 || ptrace(PTRACE_SETSIGMASK, tid, sizeof mask, &mask) < 0)
		return -1;
	return e ? -1 : 0;
}

/*
 * inject, in a thread we hold, with its entry in the table kept true:
 * it is left in its single-step trap, which is not handed back, but a
 * SIGTRAP sent meanwhile is.  In a critical section.
 */
static int
callheld(Thread *th, u64 insn, long nr, u64 a0, u64 a1, u64 a2, long *ret, int *child)
{
	int sig;

	if(inject(th->tid, insn, nr, a0, a1, a2, ret, child, &sig) < 0)
		return -1;
	th->state = Tint;
	th->sig = sig;
	return 0;
}

/* The copy, should it ever run: its first instruction ends it. */
static void
defuse(int child, u64 insn)
{
	struct user_regs_struct r;

	ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_EXITKILL);
	if(ptrace(PTRACE_GETREGS, child, 0, &r) < 0)
		return;
	r.rip = insn;
	r.rax = SYS_exit;
	r.rdi = 0;
	r.orig_rax = -1;
	ptrace(PTRACE_SETREGS, child, 0, &r);
}

/* A thread in an interrupt stop, the leader first: the one to call for us. */
static Thread*
caller(Target *t)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == Tint && t->thr[i].tid == t->pids[0])
			return &t->thr[i];
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == Tint)
			return &t->thr[i];
	return NULL;
}

/* Why a process must be read while it is held instead; NULL when it need not be. */
static char*
unfit(Target *t)
{
	if(t->stopped)
		return "it is stopped";
	if(hwstatus(t->tid, t->tid, "Seccomp:") > 0)
		return "it has a seccomp filter, which a call made for it could break";
	if(t->nodup)
		return "some of its memory is not copied by fork (MADV_DONTFORK or MADV_WIPEONFORK)";
	return NULL;
}

static int
openchild(Target *t, int child)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/mem", child);
	t->snapfd = open(path, O_RDONLY);
	if(t->snapfd < 0){
		werrstr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * While t is stopped: make the copy, and read from it from now on.
 * 0, or -1 with errstr saying why the target must be read while held.
 */
int
hwsnapshot(Target *t)
{
	Thread *th;
	char *why;
	long ret;
	int st, child;

	if(t->core != NULL){
		werrstr("a core file is read as it is");
		return -1;
	}
	if((why = unfit(t)) != NULL){
		werrstr("%s", why);
		return -1;
	}
	if(t->insn == 0 && (t->insn = findsyscall(t)) == 0){
		werrstr("no syscall instruction found in its code");
		return -1;
	}
	if((th = caller(t)) == NULL){
		werrstr("no thread can make the call");
		return -1;
	}
	ptrace(PTRACE_SETOPTIONS, th->tid, 0, PTRACE_O_TRACEEXEC|PTRACE_O_TRACECLONE);
	child = 0;
	ret = -1;
	guardenter();
	if(callheld(th, t->insn, SYS_clone, Cloneflags, 0, 0, &ret, &child) < 0){
		guardleave();
		werrstr("thread %d did not come back from clone", th->tid);
		return -1;
	}
	if(child > 0){
		t->snap = child;
		guardsnap(t);
	}
	guardleave();
	ptrace(PTRACE_SETOPTIONS, th->tid, 0, PTRACE_O_TRACEEXEC);
	if(child <= 0 || ret != child){
		werrstr("clone failed: %s", ret < 0 && ret > -4096 ? strerror(-ret) : "no child");
		return -1;
	}
	if(waitpid(child, &st, __WALL) != child || !WIFSTOPPED(st)){
		hwdropsnapshot(t);
		werrstr("the copy did not stop");
		return -1;
	}
	defuse(child, t->insn);
	if(openchild(t, child) < 0){
		hwdropsnapshot(t);
		return -1;
	}
	hwdropwins(t);
	t->rpid = child;
	/*
	 * Through /proc/PID/mem: process_vm_readv pins the pages it reads,
	 * and pinning a page shared copy-on-write copies it, into memory
	 * the target's cgroup pays for.
	 */
	t->novm = 1;
	return 0;
}

/*
 * Make the target reap the copy: one of its threads, stopped alone for
 * a moment, calls wait4.  Rdone when it did or cannot; Ragain when the
 * stop was a signal's, handed back at once, as the call would have to
 * hold it back while it ran; Rmoved when the code is no longer where
 * the instruction was, or the thread ended or did not come back: an
 * exec.
 */
static int
reap1(int tid, int child, u64 insn)
{
	long ret;
	int st, sig, r;

	guardwatch(1);
	st = ptrace(PTRACE_SEIZE, tid, 0, 0);
	guardwatch(0);
	if(st < 0)
		return Rmoved;	/* refused: on its way out in an exec, say */
	if(ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 || waittid(tid, &st) <= 0 || !WIFSTOPPED(st)){
		ptrace(PTRACE_DETACH, tid, 0, 0);
		return Rmoved;	/* it ended: another thread's exec, say */
	}
	if((st>>16) == 0){
		ptrace(PTRACE_DETACH, tid, 0, WSTOPSIG(st));
		return Ragain;
	}
	/*
	 * Our interrupt's stop, or a group stop (SIGSTOP came while the
	 * copy was read): detached, the kernel puts it back in that.
	 */
	sig = 0;
	r = Rdone;
	if(!stillthere(tid, insn))
		r = Rmoved;
	else if((st>>16) == PTRACE_EVENT_STOP
	&& inject(tid, insn, SYS_wait4, child, 0, __WALL, &ret, NULL, &sig) < 0)
		r = Rmoved;	/* the thread ended in its call: another's exec, say */
	ptrace(PTRACE_DETACH, tid, 0, sig);
	return r;
}

/*
 * In a critical section: a signal that ended us while the thread
 * stepped would leave it to its single-step trap, which kills.
 */
static int
reap(int tid, int child, u64 insn)
{
	int i, r;

	r = Ragain;
	for(i = 0; i < Reaptries && r == Ragain; i++){
		guardenter();
		r = reap1(tid, child, insn);
		guardleave();
	}
	return r;
}

/*
 * Kill the copy and have the target reap it.  System calls only:
 * the signal handler cleans up with it.  The target's thread tid does
 * the reaping; the target's threads must not be held by us.  Rmoved
 * when an exec moved the code, else Rdone.
 */
int
snapcleanup(int tid, int child, u64 insn)
{
	int st;

	if(child <= 0)
		return Rdone;
	kill(child, SIGKILL);
	if(waittid(child, &st) <= 0)
		return Rdone;
	return reap(tid, child, insn);
}

/*
 * After an exec the copy is the new program's child, and the syscall
 * instruction is elsewhere.  Every thread is stopped, so that no
 * exec can move it again, one is found in the new program's code,
 * and a thread of it reaps the copy.
 */
static int
reapheld(Target *t, int child)
{
	Thread *th;
	long ret;
	int r;

	r = Rmoved;
	if(hwstopnow(t) == 0 && (t->insn = findsyscall(t)) != 0 && (th = caller(t)) != NULL){
		guardenter();
		if(callheld(th, t->insn, SYS_wait4, child, 0, __WALL, &ret, NULL) == 0)
			r = Rdone;
		guardleave();
	}
	hwrelease(t);
	guardsnap(t);
	return r;
}

/* Done with the copy; the target's threads are let go first. */
void
hwdropsnapshot(Target *t)
{
	struct timespec ts = {0, Execwait*1000000L};
	int child, r, i;

	if(t->snap == 0)
		return;
	hwrelease(t);
	child = t->snap;
	if(t->snapfd >= 0)
		close(t->snapfd);
	t->snapfd = -1;
	t->rpid = t->tid;
	t->novm = 0;
	hwdropwins(t);
	/*
	 * A critical section: a signal that ended us once the copy was
	 * reaped by us, but not yet by the target, would find it gone
	 * and leave the target its zombie.
	 */
	guardenter();
	r = snapcleanup(t->tid, child, t->insn);
	for(i = 0; i < Execretries && r == Rmoved && t->lost != Lexit; i++){	/* an exit reaps it */
		if(i > 0)
			nanosleep(&ts, NULL);	/* an exec half done has no code to find yet */
		r = reapheld(t, child);
	}
	t->snap = 0;
	guardsnap(t);
	guardleave();
}
