/*
 * Whatever happens to leak, the target goes on as it was.
 * Every fatal signal and exit path detaches first,
 * handing back any signal we intercepted.
 * The handler only makes system calls: it must work after a crash.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "heapwalk.h"
#include "fns.h"

static Target *volatile held;
static int guarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
	SIGXCPU, SIGXFSZ, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS,
};
static struct sigaction old[nelem(guarded)];
static char altstack[65536];

static void
detachall(void)
{
	Target *t;
	Thread *th;
	int i, st;

	t = held;
	if(t == NULL)
		return;
	held = NULL;
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(th->state == Tgone)
			continue;
		if(th->state == -1){
			/* running, or an interrupt not yet reaped */
			ptrace(PTRACE_INTERRUPT, th->tid, 0, 0);
			if(waitpid(th->tid, &st, __WALL) < 0 || !WIFSTOPPED(st))
				continue;
			if(st>>16 == 0)
				th->sig = WSTOPSIG(st);
		}
		ptrace(PTRACE_DETACH, th->tid, 0, th->sig);
		th->state = Tgone;
	}
}

static void
restore(void)
{
	unsigned i;

	for(i = 0; i < nelem(guarded); i++)
		sigaction(guarded[i], &old[i], NULL);
}

static void
onsignal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	detachall();
	restore();
	/*
	 * A real fault returns and faults again under the old action;
	 * the rest, a fault signal sent by kill among them, are raised again.
	 */
	if(si->si_code <= 0 || (sig != SIGSEGV && sig != SIGBUS && sig != SIGFPE && sig != SIGILL))
		raise(sig);
}

static void
onexit(void)
{
	detachall();
}

void
guardinstall(Target *t)
{
	static int once;
	struct sigaction sa;
	stack_t ss;
	unsigned i;

	if(!once){
		once = 1;
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
	for(i = 0; i < nelem(guarded); i++){
		sigaction(guarded[i], NULL, &old[i]);
		/* an ignored signal cannot stop us: it stays ignored */
		if(old[i].sa_handler != SIG_IGN || (old[i].sa_flags & SA_SIGINFO))
			sigaction(guarded[i], &sa, NULL);
	}
	held = t;
}

/* Grow the thread table with signals blocked, so the handler never sees it half-moved. */
Thread*
guardadd(Target *t, int tid)
{
	sigset_t all, prev;
	Thread *th;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &prev);
	t->thr = erealloc(t->thr, (t->nthr+1)*sizeof t->thr[0]);
	th = &t->thr[t->nthr];
	memset(th, 0, sizeof *th);
	th->tid = tid;
	th->state = Tgone;
	t->nthr++;
	sigprocmask(SIG_SETMASK, &prev, NULL);
	return th;
}

void
guarddetach(Target *t)
{
	if(held != t)
		return;
	detachall();
	restore();
}
