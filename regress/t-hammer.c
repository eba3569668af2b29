/*
 * hammer: four threads malloc, free and realloc hard, forever,
 * with random sizes 16..4096, every live block referenced from
 * their slot arrays.  Only the main thread's known set, made
 * before they start, is in the truth file: leak must report
 * exactly its leaked blocks however the threads are caught.
 * On SIGUSR1 the threads are stopped and every block checked.
 * With HAMMER_REST=us in the environment (regress/faults) each thread
 * sleeps that long after every Burst steps: still busy, thousands
 * of steps a second, but seldom inside malloc, where leak waits
 * for none to be.
 */
#include "truth.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	Nthread	= 4,
	Nslot	= 512,
	Minsize	= 16,
	Maxsize	= 4096,
	Burst	= 64,	/* steps between rests: a few tens of microseconds of malloc */
};

typedef struct Worker Worker;
struct Worker
{
	void	*slot[Nslot];
	ulong	rnd;
	int	bad;
};

Worker		worker[Nthread];
pthread_t	thread[Nthread];
void		*keep[8];
static int	stop;
static int	stopped;
static long	restus;

static ulong
rnd(Worker *w)
{
	w->rnd ^= w->rnd << 13;
	w->rnd ^= w->rnd >> 7;
	w->rnd ^= w->rnd << 17;
	return w->rnd;
}

/* word 0 is the size, the rest a tag byte: no pointers */
static void
fill(void *p, ulong n, int i)
{
	*(ulong*)p = n;
	memset((char*)p+8, 0xa0 | (i & 0x1f), n-8);
}

static int
intact(void *p, int i, int full)
{
	unsigned char *b;
	ulong n, j;

	n = *(ulong*)p;
	if(n < Minsize || n > Maxsize)
		return 0;
	b = p;
	if(!full)
		return b[8] == (0xa0 | (i & 0x1f)) && b[n-1] == b[8];
	for(j = 8; j < n; j++)
		if(b[j] != (0xa0 | (i & 0x1f)))
			return 0;
	return 1;
}

static void
step(Worker *w)
{
	void *p;
	ulong n;
	int i;

	i = rnd(w) % Nslot;
	n = Minsize + rnd(w) % (Maxsize-Minsize+1);
	p = w->slot[i];
	if(p != nil && !intact(p, i, 0))
		w->bad = 1;
	if(p == nil)
		p = malloc(n);
	else if(rnd(w) & 1){
		free(p);
		w->slot[i] = nil;
		return;
	}else
		p = realloc(p, n);
	if(p == nil)
		abort();
	w->slot[i] = p;
	fill(p, n, i);
}

static void*
churn(void *a)
{
	Worker *w;
	long n;

	w = a;
	for(n = 1; !__atomic_load_n(&stop, __ATOMIC_SEQ_CST); n++){
		step(w);
		if(restus > 0 && n%Burst == 0)
			usleep(restus);
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_SEQ_CST);
	for(;;)
		pause();
	return nil;
}

/* SIGUSR1, from truth: stop the workers, check all they hold */
static int
check(void)
{
	int t, i, n;

	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for(n = 0; __atomic_load_n(&stopped, __ATOMIC_SEQ_CST) < Nthread; n++)
		if(n > 5000){
			truthsay("hammer: workers did not stop\n");
			return 0;
		}else
			usleep(1000);
	for(t = 0; t < Nthread; t++)
		for(i = 0; i < Nslot; i++)
			if(worker[t].bad || (worker[t].slot[i] != nil
			&& !intact(worker[t].slot[i], i, 1))){
				truthsay("hammer: block changed\n");
				return 0;
			}
	return 1;
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

/* the workers block SIGUSR1, so check runs in the main thread */
static noinline void
start(void)
{
	sigset_t s, old;
	long t;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	for(t = 0; t < Nthread; t++){
		worker[t].rnd = time(nil) ^ (t+1)*0x9e3779b97f4a7c15UL;
		if(pthread_create(&thread[t], nil, churn, &worker[t]) != 0)
			abort();
	}
	pthread_sigmask(SIG_SETMASK, &old, nil);
}

int
main(void)
{
	if(getenv("HAMMER_REST") != nil)
		restus = atol(getenv("HAMMER_REST"));
	known();
	start();
	truthcheck(check);
	truthready();
}
