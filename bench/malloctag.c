/*
 * malloctag: a malloc-heavy workload, to time libmalloctag.so
 * against plain glibc (bench/malloctag.sh runs it both ways).
 *	malloctag NTHREADS OPS [touch]
 * Each thread makes OPS operations on its own 4096 slots, at random:
 * an empty slot gets a block of 8..1024 bytes (mostly small), a full
 * one is freed or, one time in eight, realloc'd; one block in 32 is
 * kept to the end instead.  The program fills each block it gets, as
 * programs do; with touch it writes only its first and last bytes,
 * which leaves the allocator alone in the time, and the trailer's
 * store to the block's end without a program write to share its cost.
 * Prints the workload's time (wall, then CPU of all threads: less
 * disturbed by whatever else the machine runs), the blocks live at
 * the end and the bytes glibc holds for them (mallinfo2), less what
 * it held before.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

enum { Nslot = 4096, Maxthr = 64, Keep = 32 };

typedef struct Thr Thr;
struct Thr {
	pthread_t	pid;
	unsigned long	seed;
	long	ops;
	char	*slot[Nslot];
	char	**kept;		/* mmapped, not malloc'd: not counted */
	long	nkept;
	long	live;
};

static unsigned long
rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 8..64 seven times in ten, 65..256 a quarter, 257..1024 the rest */
static size_t
size(unsigned long r)
{
	int k;

	k = r % 100;
	r >>= 8;
	if(k < 70)
		return 8 + r % 57;
	if(k < 95)
		return 65 + r % 192;
	return 257 + r % 768;
}

static int touchonly;

static void
touch(char *p, size_t n, unsigned long r)
{
	if(touchonly){
		p[0] = r;
		p[n-1] = r;
	}else
		memset(p, r, n);
}

static void*
work(void *a)
{
	Thr *t;
	unsigned long r;
	long i;
	size_t n;
	char **s, *p;

	t = a;
	for(i = 0; i < t->ops; i++){
		r = rnd(&t->seed);
		s = &t->slot[r % Nslot];
		r >>= 12;
		if(*s == NULL){
			n = size(r);
			if((p = malloc(n)) == NULL)
				abort();
			touch(p, n, r);
			if(r>>20 & (Keep-1))
				*s = p;
			else
				t->kept[t->nkept++] = p;
		}else if((r & 7) == 0){
			n = size(r>>3);
			if((p = realloc(*s, n)) == NULL)
				abort();
			touch(p, n, r);
			*s = p;
		}else{
			free(*s);
			*s = NULL;
		}
	}
	t->live = t->nkept;
	for(i = 0; i < Nslot; i++)
		t->live += t->slot[i] != NULL;
	return NULL;
}

static size_t
inuse(void)
{
	struct mallinfo2 m;

	m = mallinfo2();
	return m.uordblks + m.hblkhd;
}

static double
secs(struct timespec *a, struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec)/1e9;
}

int
main(int argc, char **argv)
{
	static Thr thr[Maxthr];
	struct timespec t0, t1, c0, c1;
	int i, nthr;
	long ops, live;
	size_t before, after;

	nthr = argc > 1 ? atoi(argv[1]) : 1;
	ops = argc > 2 ? atol(argv[2]) : 10000000;
	touchonly = argc > 3 && strcmp(argv[3], "touch") == 0;
	if(nthr < 1 || nthr > Maxthr || ops < 1){
		fprintf(stderr, "usage: malloctag [NTHREADS [OPS [touch]]]\n");
		return 2;
	}
	for(i = 0; i < nthr; i++){
		thr[i].seed = 0x9e3779b97f4a7c15UL * (i+1);
		thr[i].ops = ops;
		thr[i].kept = mmap(NULL, ops*sizeof(char*), PROT_READ|PROT_WRITE,
			MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0);
		if(thr[i].kept == MAP_FAILED){
			perror("mmap");
			return 1;
		}
	}
	before = inuse();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	if(nthr == 1)
		work(&thr[0]);
	else{
		for(i = 0; i < nthr; i++)
			if(pthread_create(&thr[i].pid, NULL, work, &thr[i]) != 0){
				perror("pthread_create");
				return 1;
			}
		for(i = 0; i < nthr; i++)
			pthread_join(thr[i].pid, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	after = inuse();
	live = 0;
	for(i = 0; i < nthr; i++)
		live += thr[i].live;
	printf("time %.4f cpu %.4f live %ld bytes %zu\n",
		secs(&t0, &t1), secs(&c0, &c1), live, after - before);
	return 0;
}
