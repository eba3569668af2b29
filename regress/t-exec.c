/*
 * a target that execs itself every few ms, from its main thread and
 * from a second thread in turn (which then takes the leader's pid),
 * so that leak often finds it between two images.  Every image has
 * heap blocks, some leaked.  It runs until killed; argv[1] counts
 * the images.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	Nblock	= 16,	/* blocks each thread allocates */
	Lifems	= 3,	/* how long an image lives */
};

static char	*self;
static long	gen;
void		*keep[Nblock];

static void
nap(int ms)
{
	struct timespec ts = {0, ms*1000000L};

	nanosleep(&ts, NULL);
}

static void
blocks(void)
{
	int i;

	for(i = 0; i < Nblock; i++){
		keep[i] = malloc(24 + 8*i);
		memset(malloc(40 + 8*i), 0x5a, 40);	/* leaked */
	}
}

/* the next image; the even ones exec from main, the odd ones from the thread */
static void
again(void)
{
	char next[32], *argv[3];

	snprintf(next, sizeof next, "%ld", gen+1);
	argv[0] = self;
	argv[1] = next;
	argv[2] = NULL;
	execv("/proc/self/exe", argv);
	abort();
}

static void*
worker(void *a)
{
	(void)a;
	blocks();
	nap(Lifems);
	if(gen%2)
		again();
	for(;;)
		pause();
	return NULL;	/* not reached */
}

int
main(int argc, char **argv)
{
	pthread_t t;

	self = argv[0];
	gen = argc > 1 ? atol(argv[1]) : 0;
	blocks();
	if(pthread_create(&t, NULL, worker, NULL) != 0)
		abort();
	nap(Lifems);
	if(gen%2 == 0)
		again();
	for(;;)
		pause();
}
