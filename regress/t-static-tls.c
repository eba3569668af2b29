/*
 * held blocks referenced only from a static __thread variable:
 * the main thread's copy lives in the TLS block the loader set
 * up, the other thread's at the top of its stack mapping.
 */
#include "truth.h"
#include <pthread.h>
#include <stdlib.h>

static __thread void *volatile tkeep;

pthread_t	thread;

static void*
worker(void *a)
{
	(void)a;
	tkeep = heldalloc(128);
	leakalloc(128);
	truthpark();
}

static noinline void
setup(void)
{
	tkeep = heldalloc(256);
	leakalloc(256);
	if(pthread_create(&thread, nil, worker, nil) != 0)
		abort();
}

int
main(void)
{
	setup();
	truthawait(1);
	truthready();
}
