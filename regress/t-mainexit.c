/*
 * the main thread calls pthread_exit after starting a worker, which
 * does the truth's work and waits.  The thread group leader is then a
 * zombie (its /proc/PID/mem is gone) while the process lives on.
 * Main leaks and holds a block of its own first, from a global, and
 * scrubs its stack before it goes.  SIGUSR1, sent to the process,
 * reaches the worker, the only thread left to take it.
 */
#include "truth.h"
#include <pthread.h>
#include <stdlib.h>

enum { Nsize = 4 };

void		*keep[Nsize+1];
pthread_t	thread;

static noinline void
work(void)
{
	int i;

	for(i = 0; i < Nsize; i++){
		leakalloc(24 + 100*i);
		keep[i] = heldalloc(40 + 100*i);
	}
	leakalloc(300*1024);	/* mmapped */
}

static void*
worker(void *a)
{
	(void)a;
	work();
	truthready();
}

static noinline void
setup(void)
{
	leakalloc(48);
	keep[Nsize] = heldalloc(56);
}

int
main(void)
{
	setup();
	truthscrub();
	if(pthread_create(&thread, nil, worker, nil) != 0)
		abort();
	pthread_exit(nil);
}
