/*
 * churn: threads that come and go as fast as they can.  Nspawn
 * spawners each create a detached thread, which mallocs and frees
 * Nblocks blocks and ends, then the next, over and over.  Only the
 * main thread's known set is in the truth file: leak must report
 * exactly its leaked blocks whichever threads it finds, being born
 * or ending.  On SIGUSR1 the spawners stop; the target says how many
 * threads it made and is ok if pthread_create failed only for want
 * of resources (EAGAIN), as it may while leak holds the spawners.
 */
#include "truth.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	Nspawn	= 4,	/* two per core: one is always creating while another's child runs */
	Nblocks	= 16,	/* blocks each short thread allocates: enough to fill a tcache bin or two */
	Stack	= 64*1024,	/* small: the threads do next to nothing */
};

void		*keep[8];
static long	made;
static int	failed;	/* an error other than EAGAIN */
static int	stop;
static int	stopped;

static void*
shortlived(void *a)
{
	void *b[Nblocks];
	int i;

	(void)a;
	for(i = 0; i < Nblocks; i++){
		b[i] = malloc(16 + 24*i);
		if(b[i] == nil)
			abort();
		memset(b[i], 0xa0|i, 16 + 24*i);
	}
	for(i = 0; i < Nblocks; i++)
		free(b[i]);
	return nil;
}

static void*
spawner(void *a)
{
	pthread_attr_t attr;
	pthread_t t;
	int e;

	(void)a;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, Stack);
	while(!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)){
		e = pthread_create(&t, &attr, shortlived, nil);
		if(e == 0)
			__atomic_add_fetch(&made, 1, __ATOMIC_SEQ_CST);
		else if(e != EAGAIN)
			__atomic_store_n(&failed, e, __ATOMIC_SEQ_CST);
		else
			usleep(1000);
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_SEQ_CST);
	for(;;)
		pause();
	return nil;
}

/* SIGUSR1, from truth: stop the spawners */
static int
check(void)
{
	char buf[64];
	int n;

	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for(n = 0; __atomic_load_n(&stopped, __ATOMIC_SEQ_CST) < Nspawn; n++)
		if(n > 5000){
			truthsay("churn: spawners did not stop\n");
			return 0;
		}else
			usleep(1000);
	snprintf(buf, sizeof buf, "made %ld threads\n", __atomic_load_n(&made, __ATOMIC_SEQ_CST));
	truthsay(buf);
	if(failed){
		snprintf(buf, sizeof buf, "churn: pthread_create: %s\n", strerror(failed));
		truthsay(buf);
		return 0;
	}
	return made > 0;
}

static noinline void
known(void)
{
	static ulong size[] = { 16, 40, 100, 500, 1200, 5000, 70000, 300*1024 };
	int i;

	for(i = 0; i < 8; i++){
		leakalloc(size[i]);
		keep[i] = heldalloc(size[i]);
	}
}

/* the spawners (and so their threads) block SIGUSR1: check runs in the main thread */
static noinline void
start(void)
{
	sigset_t s, old;
	pthread_t t;
	int i;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	for(i = 0; i < Nspawn; i++)
		if(pthread_create(&t, nil, spawner, nil) != 0)
			abort();
	pthread_sigmask(SIG_SETMASK, &old, nil);
}

int
main(void)
{
	known();
	start();
	truthcheck(check);
	truthready();
}
