/*
 * a held block whose only reference is a local variable on the
 * stack of another thread, which waits with it there.
 */
#include "truth.h"
#include <pthread.h>
#include <stdlib.h>

pthread_t	thread;

static void*
worker(void *a)
{
	void *volatile p;

	(void)a;
	leakalloc(300);
	p = heldalloc(300);
	leakalloc(300);
	(void)p;
	truthpark();
}

static noinline void
setup(void)
{
	leakalloc(64);
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
