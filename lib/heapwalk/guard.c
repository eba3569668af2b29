/*
 * Whatever happens to leak, the target goes on as it was.
 * Every signal that would end leak detaches first, handing back
 * any signal we intercepted; one that would stop leak (^Z) lets
 * the target go before leak stops.  The handler only makes system
 * calls: it must work after a crash.
 *
 * Between a ptrace call and the table entry that records its
 * effect (a stop reaped, a thread resumed) the table is wrong, so
 * there (guardenter, guardleave) signals wait: the blockable ones
 * blocked, and a fault sent by kill deferred by the handler itself;
 * only a real fault is handled at once.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Nsig = 65,		/* signals 1..64 on Linux */
	Reapms = 1000,		/* a thread that will not stop is left to the kernel */
	Watchns = 10000000,	/* guardwatch's period */
	Watchcookie = 0x6c65616b,	/* its timer's signals, told from kill's */
};
#define Watchsig SIGRTMAX

static Target *volatile held;
static volatile int maintid;	/* the thread whose work the handler undoes */
static volatile int snapchild, snaptid;	/* snap.c's copy, to kill and reap */
static volatile u64 snapinsn;
static struct sigaction ours;
static struct sigaction old[Nsig];
static char caught[Nsig];
static sigset_t waiting;	/* what a critical section blocks */
static sigset_t before;		/* the mask outside it */
static volatile sig_atomic_t depth, deferred;
static char altstack[65536];

/* Signals that end a process by default; the stops are handled apart. */
static int
fatal(int sig)
{
	switch(sig){
	case SIGKILL: case SIGSTOP: case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return 0;
	}
	return sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

static int
jobstop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* A signal the kernel raises for a faulting instruction: it cannot wait. */
static int
faultsig(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL
		|| sig == SIGTRAP || sig == SIGSYS;
}

/* A fault the kernel raised, not one sent by kill. */
static int
realfault(int sig, siginfo_t *si)
{
	return si->si_code > 0 && faultsig(sig);
}

/* A stop reaped of a tracee not in the table: let go, with the signal it stopped for; the copy stays. */
static void
untabled(int pid, int st)
{
	if(WIFSTOPPED(st) && pid != snapchild)
		ptrace(PTRACE_DETACH, pid, 0, st>>16 == 0 ? WSTOPSIG(st) : 0);
}

/*
 * Reap the stops of the threads interrupted, from any thread we trace:
 * one that exited must be reaped before an exec elsewhere can go on.
 * Polling: a thread stuck in the kernel must not hang leak.
 */
static void
reapall(Target *t)
{
	struct timespec ts = {0, 100000};
	Thread *th;
	int i, n, r, st;

	for(i = 0; i < Reapms*10; i++){
		while((r = waitpid(-1, &st, __WALL|WNOHANG)) > 0){
			th = hwthread(t, r);
			if(th == NULL){
				untabled(r, st);
				continue;
			}
			/*
			 * Any thread: one seized just before the signal that
			 * ended us is still gone in the table, and a signal it
			 * stopped for, reaped here, would be lost on detach.
			 */
			hwrecord(t, th, r, st);
		}
		for(n = 0; n < t->nthr && t->thr[n].state != Trunning; n++)
			;
		if(n == t->nthr)
			return;
		nanosleep(&ts, NULL);
	}
}

static void
detachall(void)
{
	Target *t;
	Thread *th;
	int i;

	t = held;
	if(t == NULL)
		return;
	held = NULL;
	/* running, or an interrupt not yet reaped */
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == Trunning)
			ptrace(PTRACE_INTERRUPT, t->thr[i].tid, 0, 0);
	reapall(t);
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(th->state == Tgone || th->state == Trunning)
			continue;
		ptrace(PTRACE_DETACH, th->tid, 0, th->sig);
		th->state = Tgone;
	}
}

static void
restore(void)
{
	struct timespec zero = {0, 0};
	sigset_t w, prev;
	int sig;

	/* the watch's timer off, and a signal of it still pending taken, before its default returns */
	guardwatch(0);
	sigemptyset(&w);
	sigaddset(&w, Watchsig);
	sigprocmask(SIG_BLOCK, &w, &prev);
	while(sigtimedwait(&w, NULL, &zero) == Watchsig)
		;
	for(sig = 1; sig < Nsig; sig++)
		if(caught[sig]){
			sigaction(sig, &old[sig], NULL);
			caught[sig] = 0;
		}
	sigprocmask(SIG_SETMASK, &prev, NULL);
}

static void
say(char *s)
{
	if(write(2, s, strlen(s)) < 0)
		return;
}

/*
 * Stopped by job control: the target was let go, now we stop; when
 * continued, its threads are no longer ours, so we can only give up.
 */
static void
stopped(int sig, Target *t)
{
	char num[16], *p;
	sigset_t s;
	int n;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	p = num + sizeof num;
	*--p = 0;
	for(n = t->pids[0]; p > num+1 && (n > 0 || *p == 0); n /= 10)
		*--p = '0' + n%10;
	say(program_invocation_short_name);
	say(": stopped while holding process ");
	say(p);
	say(", so it let the process go first; run it again\n");
	_exit(1);
}

/*
 * While we wait in PTRACE_SEIZE, a timer reaps the threads of ours that
 * an exec elsewhere has ended: until they are reaped the exec cannot
 * finish, nor the SEIZE, which waits for it.  Only deaths are reaped;
 * stops are left for the waits that expect them.
 */
static void
reapdead(void)
{
	siginfo_t si;
	Thread *th;
	int st;

	for(;;){
		memset(&si, 0, sizeof si);
		if(waitid(P_ALL, 0, &si, WEXITED|WNOHANG|__WALL) < 0 || si.si_pid == 0)
			return;
		th = held != NULL ? hwthread(held, si.si_pid) : NULL;
		if(si.si_code == CLD_TRAPPED || si.si_code == CLD_STOPPED){
			/*
			 * A tracee's stop, which waitid reports whatever its
			 * flags say: recorded, or a signal it stopped for would
			 * be lost.  Not ours to hold: let go, with its signal.
			 */
			st = si.si_status << 8 | 0x7f;
			if(th != NULL)
				hwrecord(held, th, si.si_pid, st);
			else
				untabled(si.si_pid, st);
			continue;
		}
		if(th != NULL)
			th->state = Tgone;
	}
}

void
guardwatch(int on)
{
	static timer_t timer;
	static int made;
	struct sigevent ev;
	struct itimerspec its;

	if(!made){
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = Watchsig;
		ev.sigev_value.sival_int = Watchcookie;
		if(timer_create(CLOCK_MONOTONIC, &ev, &timer) < 0)
			return;
		made = 1;
	}
	memset(&its, 0, sizeof its);
	if(on){
		its.it_value.tv_nsec = Watchns;
		its.it_interval.tv_nsec = Watchns;
	}
	timer_settime(timer, 0, &its, NULL);
}

static int
watching(int sig, siginfo_t *si)
{
	return sig == Watchsig && si->si_code == SI_TIMER && si->si_value.sival_int == Watchcookie;
}

/* The snapshot, killed and reaped. */
static void
cleanup(void)
{
	int child;

	child = snapchild;
	snapchild = 0;
	snapcleanup(snaptid, child, snapinsn);
}

/* Stopped by job control holding only a snapshot: stop, and go on when continued. */
static void
pause1(int sig)
{
	sigset_t s;

	signal(sig, SIG_DFL);
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sigaction(sig, &ours, NULL);
}

static void
onsignal(int sig, siginfo_t *si, void *uc)
{
	Target *t;

	(void)uc;
	/* in a helper (guardhelper): what is not its own fault is the main thread's */
	if(maintid != 0 && gettid() != maintid && !realfault(sig, si)){
		tgkill(getpid(), maintid, sig);
		return;
	}
	if(watching(sig, si)){
		reapdead();
		return;
	}
	if(sig == Watchsig && old[sig].sa_handler == SIG_IGN && !(old[sig].sa_flags & SA_SIGINFO))
		return;	/* ignored before we came */
	if(depth > 0 && !realfault(sig, si)){
		deferred = sig;	/* a fault sent by kill: after the critical section */
		return;
	}
	t = held;
	if(jobstop(sig) && t == NULL){
		pause1(sig);
		return;
	}
	detachall();
	cleanup();
	restore();
	if(jobstop(sig) && t != NULL)
		stopped(sig, t);
	/*
	 * A real fault returns and faults again under the old action;
	 * the rest, a fault signal sent by kill among them, are raised
	 * again, the sent fault under its default action: a sanitizer's
	 * handler, reporting a fault there was not, can deadlock on a
	 * lock the code we interrupted holds.
	 */
	if(faultsig(sig) && !realfault(sig, si))
		signal(sig, SIG_DFL);
	if(!realfault(sig, si))
		raise(sig);
}

static void
onexit(void)
{
	detachall();
	cleanup();
}

void
guardinstall(Target *t)
{
	static int once;
	struct sigaction sa;
	stack_t ss;
	int sig;

	if(!once){
		once = 1;
		maintid = gettid();
		atexit(onexit);
		ss.ss_sp = altstack;
		ss.ss_size = sizeof altstack;
		ss.ss_flags = 0;
		sigaltstack(&ss, NULL);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onsignal;
	sa.sa_flags = SA_ONSTACK|SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	ours = sa;
	sigemptyset(&waiting);
	for(sig = 1; sig < Nsig; sig++){
		if(!fatal(sig) && !jobstop(sig))
			continue;
		/* the watch's must come through: one sent by kill waits in the handler */
		if(!faultsig(sig) && sig != Watchsig)
			sigaddset(&waiting, sig);
		if(caught[sig] || sigaction(sig, NULL, &old[sig]) < 0)
			continue;	/* ours already; 32 and 33 are glibc's own */
		/* an ignored signal cannot end us: it stays ignored, but the watch's is needed */
		if(old[sig].sa_handler == SIG_IGN && !(old[sig].sa_flags & SA_SIGINFO) && sig != Watchsig)
			continue;
		if(sigaction(sig, &sa, NULL) == 0)
			caught[sig] = 1;
	}
	held = t;
}

/*
 * In a helper thread of ours (marking): every signal is the main
 * thread's, whose critical sections a handler here would not respect,
 * but the faults it raises itself.  One sent meanwhile is passed on.
 */
void
guardhelper(void)
{
	sigset_t s;
	int sig;

	sigfillset(&s);
	for(sig = 1; sig < Nsig; sig++)
		if(faultsig(sig))
			sigdelset(&s, sig);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
}

/* A critical section: the thread table and the kernel disagree until guardleave. */
void
guardenter(void)
{
	sigset_t prev;

	if(depth == 0){
		sigprocmask(SIG_BLOCK, &waiting, &prev);
		before = prev;
	}
	depth++;
}

void
guardleave(void)
{
	int sig;

	if(--depth > 0)
		return;
	sigprocmask(SIG_SETMASK, &before, NULL);
	sig = deferred;
	if(sig != 0){
		deferred = 0;
		raise(sig);
	}
}

/* Grow the thread table in a critical section, so the handler never sees it half-moved. */
Thread*
guardadd(Target *t, int tid)
{
	Thread *th;

	guardenter();
	t->thr = erealloc(t->thr, (t->nthr+1)*sizeof t->thr[0]);
	th = &t->thr[t->nthr];
	memset(th, 0, sizeof *th);
	th->tid = tid;
	th->state = Tgone;
	t->nthr++;
	guardleave();
	return th;
}

/* Let t's threads go; the handlers stay while a snapshot does. */
void
guarddetach(Target *t)
{
	if(held != t)
		return;
	guardenter();
	detachall();
	reapdead();
	if(snapchild == 0)
		restore();
	guardleave();
}

/* t's snapshot made or dropped: the handler must clean up after it, or need not. */
void
guardsnap(Target *t)
{
	guardenter();
	snaptid = t->tid;
	snapinsn = t->insn;
	snapchild = t->snap;
	if(snapchild == 0 && held == NULL)
		restore();
	guardleave();
}
