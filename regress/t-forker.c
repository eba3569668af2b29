/*
 * forker: Nforker threads fork over and over, each with a block
 * malloc'd and freed around its fork; each child names itself
 * forkchild (so that a test can tell it from leak's copy), mallocs
 * and frees a few blocks and exits 0, and its parent reaps it.  Only
 * the main thread's known set is in the truth file: leak must report
 * exactly its leaked blocks however the forks fall.  On SIGUSR1 the
 * forkers stop; the target says how many children it had and is ok
 * if every fork and every child went right.
 */
#include "truth.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

enum {
	Nforker	= 2,	/* one per core of the test machine */
	Nchild	= 8,	/* blocks each child allocates */
};

void		*keep[8];
static long	forks;
static int	bad;
static int	stop;
static int	stopped;

static void
child(void)
{
	void *b[Nchild];
	int i;

	prctl(PR_SET_NAME, "forkchild");
	for(i = 0; i < Nchild; i++)
		if((b[i] = malloc(32 + 100*i)) == nil)
			_exit(1);
	for(i = 0; i < Nchild; i++)
		free(b[i]);
	_exit(0);
}

static void*
forker(void *a)
{
	void *p;
	int c, st;

	(void)a;
	while(!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)){
		p = malloc(200);
		if(p == nil)
			abort();
		memset(p, 0xa5, 200);
		c = fork();
		if(c == 0)
			child();
		free(p);
		if(c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			__atomic_store_n(&bad, 1, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&forks, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_SEQ_CST);
	for(;;)
		pause();
	return nil;
}

/* SIGUSR1, from truth: stop the forkers */
static int
check(void)
{
	char buf[64];
	int n;

	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for(n = 0; __atomic_load_n(&stopped, __ATOMIC_SEQ_CST) < Nforker; n++)
		if(n > 5000){
			truthsay("forker: forkers did not stop\n");
			return 0;
		}else
			usleep(1000);
	snprintf(buf, sizeof buf, "forked %ld children\n", __atomic_load_n(&forks, __ATOMIC_SEQ_CST));
	truthsay(buf);
	if(bad)
		truthsay("forker: a fork failed, or a child did not exit 0\n");
	return !bad && forks > 0;
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

/* the forkers block SIGUSR1: check runs in the main thread */
static noinline void
start(void)
{
	sigset_t s, old;
	pthread_t t;
	int i;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	for(i = 0; i < Nforker; i++)
		if(pthread_create(&t, nil, forker, nil) != 0)
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
