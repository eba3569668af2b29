/*
 * blocks in thread arenas: each thread leaks, holds and frees
 * blocks from its own arena, then waits, alive.
 */
#include "truth.h"
#include <pthread.h>
#include <stdlib.h>

enum { Nthread = 4, Nkeep = 3 };

void		*keep[Nthread][Nkeep];
pthread_t	thread[Nthread];

static noinline void
work(int t)
{
	void *f[2];
	ulong n;

	n = 24 + 40*t;
	f[0] = malloc(n);
	f[1] = malloc(n);
	leakalloc(n);
	leakalloc(3000+t);
	leakalloc(200*1024);	/* mmapped, though a thread's */
	keep[t][0] = heldalloc(n);
	keep[t][1] = heldalloc(5000);
	keep[t][2] = heldalloc(300*1024);
	truthfree(f[0], n, "tcache");
	free(f[0]);
	truthfree(f[1], n, "tcache");
	free(f[1]);
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
	long t;

	for(t = 0; t < Nthread; t++)
		if(pthread_create(&thread[t], nil, worker, (void*)t) != 0)
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
