/*
 * rtcount: counts the queued real-time signals sent to it, for the
 * signal tests (regress/signals, regress/sigdrive.c).  Each SIGRTMIN
 * carries a sequence number (sigqueue); real-time signals queue, so
 * fewer received than sent means leak lost one, and a number seen
 * twice means one came twice.
 *
 *	t-rtcount [-m] [-t threads] [-l nodes] [-s megabytes]
 *
 * Its threads (default 16) wait in pause, so leak has several to
 * stop and let go.  With -m one more holds the main arena's lock for
 * good, stuck in malloc_stats writing to a full pipe: leak finds the
 * heap locked on every walk and lets every thread run a moment before
 * each retry (LEAK_RETRIES of them), still tracing them, so that it
 * intercepts a signal on most runs, one it must hand back however it
 * ends.  (Without, it intercepts one only when a signal comes just as
 * it takes a thread: on about one run in a hundred.)  -l builds a
 * held list of that many nodes, making leak's hold long.  -s gives it
 * a heap of that many megabytes, checked as it runs: Nsummer more
 * threads each own a share of it, and over and over fill their blocks
 * with a pattern drawn from the pass's number, summing as they write,
 * then sum them again; a sum that differs means something wrote the
 * memory (or a CoW copy was the wrong way round).  A thread left
 * stopped makes no more passes.
 * It prints ready, then for each line read on standard input
 *	got N dup D bad B
 * (bad: not a sigqueue'd SIGRTMIN, or its number out of range),
 * with -s followed by
 *	 passes P wrong W
 * (P: the fewest passes any summing thread has made; W: passes whose
 * sums differed), and exits 0 at end of file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	Maxthread	= 256,
	Nseq	= 1<<20,	/* numbers seen: over half an hour at one per 2 ms */
	Stack	= 64*1024,	/* small: leak copies all of each thread's stack mapping */
	Nsummer	= 2,	/* one per core of the test machine: more only slow leak down */
	Blocksz	= 64*1024,	/* under malloc's mmap threshold: arena chunks, each summer's in its own arena */
	Restus	= 30000,	/* a summer's sleep after a pass, about a pass's length: leaves leak a core */
};

typedef unsigned long ulong;
typedef struct Summer Summer;
struct Summer
{
	ulong	**blk;
	long	nblk;
	long	passes;
	long	wrong;
};

typedef struct Node Node;
struct Node
{
	Node	*next;
	long	v;
};

static unsigned long	seen[Nseq/64];
static long	got, twice, bad;
static Node	*head;
static Summer	summer[Nsummer];
static int	nsummer;

static void
onrt(int sig, siginfo_t *si, void *uc)
{
	unsigned long seq, bit;

	(void)sig;
	(void)uc;
	seq = (unsigned)si->si_value.sival_int;
	if(si->si_code != SI_QUEUE || seq >= Nseq){
		__atomic_add_fetch(&bad, 1, __ATOMIC_SEQ_CST);
		return;
	}
	bit = 1UL << seq%64;
	if(__atomic_fetch_or(&seen[seq/64], bit, __ATOMIC_SEQ_CST) & bit)
		__atomic_add_fetch(&twice, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&got, 1, __ATOMIC_SEQ_CST);
}

static void*
waiter(void *a)
{
	(void)a;
	for(;;)
		pause();
	return NULL;
}

/* a pass's word: top bit set, so never a pointer leak must follow */
static ulong
pattern(long pass, long b, long i)
{
	ulong x;

	x = (ulong)pass*0x9e3779b97f4a7c15UL ^ (ulong)b<<24 ^ i;
	x *= 0xbf58476d1ce4e5b9UL;
	return (x ^ x>>31) | 1UL<<63;
}

static void*
summing(void *a)
{
	Summer *s;
	ulong sum, again, *w;
	long pass, b, i;

	s = a;
	for(pass = 1; ; pass++){
		sum = again = 0;
		for(b = 0; b < s->nblk; b++){
			w = s->blk[b];
			for(i = 0; i < Blocksz/8; i++){
				w[i] = pattern(pass, b, i);
				sum += w[i] * (ulong)(i|1);
			}
		}
		for(b = 0; b < s->nblk; b++){
			w = s->blk[b];
			for(i = 0; i < Blocksz/8; i++)
				again += w[i] * (ulong)(i|1);
		}
		if(again != sum)
			__atomic_add_fetch(&s->wrong, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->passes, pass, __ATOMIC_SEQ_CST);
		usleep(Restus);
	}
	return NULL;
}

/* megabytes of heap, in Blocksz blocks shared among Nsummer threads */
static void
sums(long mb, pthread_attr_t *attr)
{
	pthread_t tid;
	long i, j;
	Summer *s;

	nsummer = Nsummer;
	for(i = 0; i < nsummer; i++){
		s = &summer[i];
		s->nblk = mb*(1024*1024/Blocksz) / nsummer;
		s->blk = malloc(s->nblk * sizeof s->blk[0]);
		if(s->blk == NULL)
			abort();
		for(j = 0; j < s->nblk; j++)
			if((s->blk[j] = malloc(Blocksz)) == NULL)
				abort();
		if(pthread_create(&tid, attr, summing, s) != 0)
			abort();
	}
	/* every summer under way */
	for(i = 0; i < nsummer; i++)
		while(__atomic_load_n(&summer[i].passes, __ATOMIC_SEQ_CST) == 0)
			usleep(1000);
}

static int	lockertid;

static void*
locker(void *a)
{
	(void)a;
	__atomic_store_n(&lockertid, gettid(), __ATOMIC_SEQ_CST);
	malloc_stats();
	return NULL;
}

/* is thread tid blocked in write?  Without malloc: the heap may be locked */
static int
inwrite(int tid)
{
	char path[64], buf[32];
	int fd, n;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY);
	if(fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf-1);
	close(fd);
	if(n <= 0)
		return 0;
	buf[n] = 0;
	return strncmp(buf, "1 ", 2) == 0;
}

/* standard error a full pipe, no reader: malloc_stats writes to it with the lock held */
static void
lockheap(pthread_attr_t *attr)
{
	static char buf[4096];
	pthread_t tid;
	int p[2], fl;

	if(pipe(p) < 0)
		abort();
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl|O_NONBLOCK);
	while(write(p[1], buf, sizeof buf) > 0)
		;
	fcntl(p[1], F_SETFL, fl);
	dup2(p[1], 2);
	if(pthread_create(&tid, attr, locker, NULL) != 0)
		abort();
	while(__atomic_load_n(&lockertid, __ATOMIC_SEQ_CST) == 0 || !inwrite(lockertid))
		usleep(1000);
}

static void
build(long n)
{
	Node *p;

	while(n-- > 0){
		p = malloc(sizeof *p);
		if(p == NULL)
			abort();
		p->next = head;
		p->v = n;
		head = p;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: t-rtcount [-m] [-t threads] [-l nodes] [-s megabytes]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static char inbuf[4096], outbuf[4096];
	struct sigaction sa;
	pthread_attr_t attr;
	pthread_t tid;
	char line[64];
	long i, nthr, mb, fewest, wrong;
	int c, mflag;

	nthr = 16;
	mflag = 0;
	mb = 0;
	while((c = getopt(argc, argv, "mt:l:s:")) != -1)
		switch(c){
		case 'm': mflag = 1; break;
		case 't': nthr = atol(optarg); break;
		case 'l': build(atol(optarg)); break;
		case 's': mb = atol(optarg); break;
		default: usage();
		}
	if(nthr < 1 || nthr > Maxthread || mb < 0)
		usage();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onrt;
	sa.sa_flags = SA_SIGINFO|SA_RESTART;
	sigaction(SIGRTMIN, &sa, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, Stack);
	/* the main thread is one of them */
	for(i = 1; i < nthr; i++)
		if(pthread_create(&tid, &attr, waiter, NULL) != 0){
			perror("t-rtcount: pthread_create");
			return 1;
		}
	/* stdio's buffers are not malloc'd: the heap may be locked */
	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
	setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
	if(mb > 0)
		sums(mb, &attr);
	if(mflag)
		lockheap(&attr);
	printf("ready\n");
	while(fgets(line, sizeof line, stdin) != NULL){
		printf("got %ld dup %ld bad %ld", __atomic_load_n(&got, __ATOMIC_SEQ_CST),
			__atomic_load_n(&twice, __ATOMIC_SEQ_CST), __atomic_load_n(&bad, __ATOMIC_SEQ_CST));
		if(nsummer > 0){
			fewest = -1;
			wrong = 0;
			for(i = 0; i < nsummer; i++){
				if(fewest < 0 || summer[i].passes < fewest)
					fewest = __atomic_load_n(&summer[i].passes, __ATOMIC_SEQ_CST);
				wrong += __atomic_load_n(&summer[i].wrong, __ATOMIC_SEQ_CST);
			}
			printf(" passes %ld wrong %ld", fewest, wrong);
		}
		printf("\n");
	}
	return 0;
}
