/*
 * a held block referenced only from a signal alternate stack.
 * The alternate stack is itself a malloc'd block whose address
 * only the kernel keeps; the target waits inside the handler,
 * running on it, so the alternate stack is in use (held) and
 * the thread's stack pointer is the only way into it.
 */
#include "truth.h"
#include <signal.h>
#include <stdlib.h>

enum { Altsize = 100*1024 };	/* under the mmap threshold; > Scrub */

static void
onusr2(int sig)
{
	void *volatile p;

	(void)sig;
	leakalloc(123);
	p = heldalloc(123);
	leakalloc(124);	/* so arena top does not point into p */
	(void)p;
	truthready();
}

static noinline void
setup(void)
{
	struct sigaction sa;
	stack_t ss;

	ss.ss_sp = malloc(Altsize);
	if(ss.ss_sp == nil)
		abort();
	truthlive(ss.ss_sp, Altsize);
	ss.ss_size = Altsize;
	ss.ss_flags = 0;
	if(sigaltstack(&ss, nil) < 0)
		abort();
	sa.sa_handler = onusr2;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, nil);
	leakalloc(50);
}

int
main(void)
{
	setup();
	truthscrub();
	raise(SIGUSR2);
	abort();
}
