/*
 * manythreads: Nthread threads, each of which leaks a block, holds
 * one (from its own slot of keep) and frees one, then waits, alive:
 * leak must stop, read and let go of them all and report exactly
 * the leaked blocks.
 */
#include "truth.h"
#include <pthread.h>
#include <stdlib.h>

enum {
	Nthread	= 2000,	/* issue 12's bar */
	Stack	= 128*1024,	/* truthpark zeroes 64 KB of dead stack: room for that and the thread's work */
};

void		*keep[Nthread];

static noinline void
work(int t)
{
	void *f;
	ulong n;

	n = 24 + 8*(t%64);
	f = malloc(n);
	leakalloc(n + 16);
	keep[t] = heldalloc(n);
	truthfree(f, n, "tcache");
	free(f);
}

static void*
worker(void *a)
{
	work((int)(long)a);
	truthpark();
}

static noinline void
setup(void)
{
	pthread_attr_t attr;
	pthread_t t;
	long i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, Stack);
	for(i = 0; i < Nthread; i++)
		if(pthread_create(&t, &attr, worker, (void*)i) != 0)
			abort();
	leakalloc(40);
}

int
main(void)
{
	setup();
	truthawait(Nthread);
	truthready();
}
