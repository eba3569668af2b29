/*
 * exit: a target that exits while leak looks at it.
 *
 *	TEXIT_US=maxus t-exit
 *
 * Its known set is in the truth file, beside a held list of Nnode
 * nodes that makes leak's walk last a while.  A thread waits for
 * SIGUSR2 (blocked everywhere else); once it comes, it sleeps a
 * random time under maxus microseconds (default 0) and calls exit(0),
 * whatever leak is doing.  Without SIGUSR2 it is a plain truth target.
 */
#include "truth.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum {
	Nnode	= 100000,	/* nodes held: leak's walk takes tens of ms, long enough to be caught in */
};

typedef struct Node Node;
struct Node
{
	Node	*next;
	ulong	v;
};

void		*keep[8];
Node		*head;
static long	maxus;

static void*
exiter(void *a)
{
	struct timespec ts;
	sigset_t s;
	ulong r;
	int sig;

	(void)a;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigwait(&s, &sig);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = (ts.tv_nsec ^ getpid()*0x9e3779b97f4a7c15UL) % (maxus+1);
	ts.tv_sec = r / 1000000;
	ts.tv_nsec = r % 1000000 * 1000;
	nanosleep(&ts, nil);
	exit(0);
	return nil;
}

static noinline void
known(void)
{
	static ulong size[] = { 16, 40, 100, 500, 1200, 5000, 70000, 300*1024 };
	Node *p;
	int i;

	for(i = 0; i < 8; i++){
		leakalloc(size[i]);
		keep[i] = heldalloc(size[i]);
	}
	for(i = 0; i < Nnode; i++){
		p = malloc(sizeof *p);
		if(p == nil)
			abort();
		p->next = head;
		p->v = i;
		head = p;
	}
}

/* SIGUSR2 blocked in every thread: only exiter takes it */
static noinline void
start(void)
{
	sigset_t s;
	pthread_t t;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, nil);
	if(pthread_create(&t, nil, exiter, nil) != 0)
		abort();
}

int
main(void)
{
	if(getenv("TEXIT_US") != nil)
		maxus = atol(getenv("TEXIT_US"));
	known();
	start();
	truthready();
}
