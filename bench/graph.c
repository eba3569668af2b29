/*
 * graph: a random pointer graph on the glibc heap, for bench/run.
 *	graph [-c] [-L] [-t threads] [-s seed] nblocks
 * Allocates nblocks blocks (1e7 is accepted) of 16 B to 512 KiB, mostly
 * small, or with -L all of 64 KiB to 512 KiB.  Each block's first words
 * point at other blocks.  A tenth of them are leaked as chains and rings
 * that point at each other and at live blocks; the rest hang from a root
 * array in bss, as a tree with random cross edges.  With -t the blocks
 * are allocated by that many threads (so in as many arenas), which stay
 * alive.  When ready it prints "PID LEAKED" (the exact number of blocks
 * it leaked) and waits for leak, umem, gcore or readpass.
 *
 * Built with clang -fsanitize=leak -DLSAN, or run under valgrind, it
 * checks itself: at once with -c, or on each SIGUSR1, it runs
 * LeakSanitizer's __lsan_do_recoverable_leak_check or memcheck's
 * VALGRIND_DO_LEAK_CHECK and prints "check SECONDS LEAKED", the time the
 * check took and the blocks it found leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <pthread.h>
#include <time.h>
#include <sys/mman.h>
#include <valgrind/memcheck.h>
#ifdef LSAN
#include <sanitizer/lsan_interface.h>
#endif

typedef unsigned long ulong;
typedef unsigned long long uvlong;

enum {
	Nroot = 1024,		/* root array entries; the tree hangs from them */
	Ntree = 2,		/* words of each block that hold tree children: a 16-byte block has 2 */
	Nword = 8,		/* at most this many leading words of a block are pointers */
	Maxgroup = 16,		/* longest leaked chain or ring */
	Maxthread = 64,
	Scrub = 256*1024,	/* stack bytes zeroed after building, so no dead frame holds a block */
	Fill = 0x5a,		/* what blocks hold beside their pointers: no address */
	Reportmax = 1<<20,	/* bytes of LeakSanitizer's report searched for its summary */
};

/*
 * Sizes: each band is chosen with its weight in a million, then a size
 * uniform over it.  The mean asked is about 170 bytes, 185 with the
 * chunk headers, so 1e7 blocks take about 1.86 GB: most are small, as
 * in real programs, and a thousand big ones go to mmap.
 */
typedef struct Band Band;
struct Band {
	long	permillion;
	long	lo;
	long	hi;
};

static Band smallbands[] = {
	{ 700000, 16, 128 },
	{ 250000, 128, 256 },
	{ 48600, 256, 1024 },
	{ 1300, 1024, 16*1024 },
	{ 100, 16*1024, 512*1024 },
};

static Band largebands[] = {
	{ 1000000, 64*1024, 512*1024 },
};

void	*roots[Nroot];		/* the only way to the live blocks */

static void	**blocks;	/* every block while building; mmap'd, so no block holds it */
static long	*sizes;
static long	nblock, nleak;
static Band	*bands;
static int	nband;
static volatile sig_atomic_t checkwanted;

/* xorshift64*: a seeded, repeatable stream */
static uvlong rngstate = 88172645463325252ULL;

static uvlong
rnd(void)
{
	rngstate ^= rngstate >> 12;
	rngstate ^= rngstate << 25;
	rngstate ^= rngstate >> 27;
	return rngstate * 2685821657736338717ULL;
}

static long
rndn(long n)
{
	return (long)(rnd() % (uvlong)n);
}

static long
pick(void)
{
	long r, i;

	r = rndn(1000000);
	for(i = 0; i < nband-1; i++){
		if(r < bands[i].permillion)
			break;
		r -= bands[i].permillion;
	}
	return bands[i].lo + rndn(bands[i].hi - bands[i].lo + 1);
}

static void*
bigarray(long bytes)
{
	void *p;

	p = mmap(NULL, bytes, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if(p == MAP_FAILED){
		perror("graph: mmap");
		exit(1);
	}
	return p;
}

/* Threads allocate a share each, then wait forever so their arenas and stacks stay. */
typedef struct Share Share;
struct Share {
	long	from;
	long	to;
};

static pthread_mutex_t donelock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t donecond = PTHREAD_COND_INITIALIZER;
static int ndone;

static void __attribute__((noinline))
scrub(void)
{
	char buf[Scrub];

	memset(buf, 0, sizeof buf);
	__asm__ volatile("" : : "r"(buf) : "memory");	/* the zeros must be written */
}

static void
alloc(long from, long to)
{
	long i;

	for(i = from; i < to; i++){
		blocks[i] = malloc(sizes[i]);
		if(blocks[i] == NULL){
			perror("graph: malloc");
			exit(1);
		}
		memset(blocks[i], Fill, sizes[i]);
	}
}

static void*
allocator(void *a)
{
	Share *s;

	s = a;
	alloc(s->from, s->to);
	scrub();
	pthread_mutex_lock(&donelock);
	ndone++;
	pthread_cond_broadcast(&donecond);
	pthread_mutex_unlock(&donelock);
	for(;;)
		pause();
	return NULL;
}

static void
allocall(int nthread)
{
	static Share share[Maxthread];
	pthread_t tid;
	int i;

	if(nthread <= 1){
		alloc(0, nblock);
		return;
	}
	for(i = 0; i < nthread; i++){
		share[i].from = nblock * i / nthread;
		share[i].to = nblock * (i+1) / nthread;
		if(pthread_create(&tid, NULL, allocator, &share[i]) != 0){
			fprintf(stderr, "graph: cannot make thread %d\n", i);
			exit(1);
		}
	}
	pthread_mutex_lock(&donelock);
	while(ndone < nthread)
		pthread_cond_wait(&donecond, &donelock);
	pthread_mutex_unlock(&donelock);
}

static long
nwords(long i)
{
	long n;

	n = sizes[i] / sizeof(void*);
	return n < Nword ? n : Nword;
}

/*
 * The live blocks, blocks[nleak..nblock) in shuffled order: the first
 * Nroot are the roots; block j holds the tree children j*Ntree+Nroot+k,
 * each later than j, so every one is reached; the rest of its pointer
 * words point at random live blocks.
 */
static void
wirelive(void)
{
	void ***live;
	long nlive, j, k, c, w, i;

	live = (void***)(blocks + nleak);
	nlive = nblock - nleak;
	for(j = 0; j < nlive; j++){
		i = nleak + j;
		if(j < Nroot)
			roots[j] = live[j];
		for(k = 0; k < Ntree; k++){
			c = j*Ntree + Nroot + k;
			live[j][k] = c < nlive ? live[c] : NULL;
		}
		for(w = Ntree; w < nwords(i); w++)
			live[j][w] = live[rndn(nlive)];
	}
}

/*
 * The leaked blocks, blocks[0..nleak): groups of 1 to Maxgroup, rings
 * and chains in turn, each linked through its first word; the other
 * words point into the group or at live blocks, never the other way.
 */
static void
wireleaked(void)
{
	void ***b;
	long g, n, i, w, nlive;
	int ring;

	b = (void***)blocks;
	nlive = nblock - nleak;
	ring = 0;
	for(g = 0; g < nleak; g += n){
		n = 1 + rndn(Maxgroup);
		if(n > nleak - g)
			n = nleak - g;
		for(i = 0; i < n; i++){
			if(i+1 < n)
				b[g+i][0] = b[g+i+1];
			else
				b[g+i][0] = ring ? b[g] : NULL;
			for(w = 1; w < nwords(g+i); w++)
				if(rnd() & 1)
					b[g+i][w] = b[g + rndn(n)];
				else if(nlive > 0)
					b[g+i][w] = blocks[nleak + rndn(nlive)];
		}
		ring = !ring;
	}
}

static void __attribute__((noinline))
build(int nthread)
{
	long i, j;
	void *p;
	long s;

	blocks = bigarray(nblock * sizeof blocks[0]);
	sizes = bigarray(nblock * sizeof sizes[0]);
	for(i = 0; i < nblock; i++)
		sizes[i] = pick();
	allocall(nthread);
	/* shuffle, so that leaked and live blocks are mixed in the heap */
	for(i = nblock-1; i > 0; i--){
		j = rndn(i+1);
		p = blocks[i], blocks[i] = blocks[j], blocks[j] = p;
		s = sizes[i], sizes[i] = sizes[j], sizes[j] = s;
	}
	wirelive();
	wireleaked();
	munmap(blocks, nblock * sizeof blocks[0]);
	munmap(sizes, nblock * sizeof sizes[0]);
	blocks = NULL;
	sizes = NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec/1e9;
}

#ifdef LSAN
/*
 * LeakSanitizer reports on stderr; its summary ends "in M allocation(s)."
 * The report goes to a file in place of stderr, and only the summary
 * is passed on.
 */
static long
check(void)
{
	static char rep[Reportmax+1];
	FILE *f;
	int fd2;
	long n, m;
	char *s;

	fflush(stderr);
	if((f = tmpfile()) == NULL || (fd2 = dup(2)) < 0){
		perror("graph: report file");
		exit(1);
	}
	dup2(fileno(f), 2);
	__lsan_do_recoverable_leak_check();
	dup2(fd2, 2);
	close(fd2);
	n = pread(fileno(f), rep, Reportmax, 0);
	fclose(f);
	if(n < 0)
		n = 0;
	rep[n] = 0;
	if((s = strstr(rep, "SUMMARY: LeakSanitizer:")) == NULL)
		return 0;	/* no summary: nothing leaked */
	fprintf(stderr, "%.*s\n", (int)strcspn(s, "\n"), s);
	if((s = strstr(s, " in ")) == NULL || sscanf(s, " in %ld allocation", &m) != 1){
		fprintf(stderr, "graph: cannot read LeakSanitizer's summary\n");
		return -1;
	}
	return m;
}
#else
/* memcheck counts indirectly lost blocks (the rest of a chain or ring) among the leaked */
static long
check(void)
{
	ulong leaked, dubious, reachable, suppressed;

	if(!RUNNING_ON_VALGRIND){
		fprintf(stderr, "graph: no leak checker: build with -DLSAN -fsanitize=leak, or run under valgrind\n");
		return -1;
	}
	VALGRIND_DO_LEAK_CHECK;
	leaked = dubious = reachable = suppressed = 0;
	VALGRIND_COUNT_LEAK_BLOCKS(leaked, dubious, reachable, suppressed);
	if(dubious > 0)
		fprintf(stderr, "graph: memcheck: %lu blocks possibly lost, not counted\n", dubious);
	return leaked;
}
#endif

static void
timedcheck(void)
{
	double t;
	long n;

	t = now();
	n = check();
	t = now() - t;
	printf("check %.3f %ld\n", t, n);
	fflush(stdout);
}

static void
wantcheck(int sig)
{
	(void)sig;
	checkwanted = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: graph [-c] [-L] [-t threads] [-s seed] nblocks\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int c, cflag, nthread;
	double n;
	sigset_t usr1, old;

	cflag = 0;
	nthread = 1;
	bands = smallbands;
	nband = sizeof smallbands / sizeof smallbands[0];
	while((c = getopt(argc, argv, "cLt:s:")) != -1)
		switch(c){
		case 'c':
			cflag = 1;
			break;
		case 'L':
			bands = largebands;
			nband = sizeof largebands / sizeof largebands[0];
			break;
		case 't':
			nthread = atoi(optarg);
			if(nthread < 1 || nthread > Maxthread)
				usage();
			break;
		case 's':
			rngstate = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			usage();
		}
	if(optind != argc-1)
		usage();
	n = strtod(argv[optind], NULL);
	if(n < 1 || n > 1e9)
		usage();
	nblock = (long)n;
	nleak = nblock / 10;
	signal(SIGUSR1, wantcheck);
	build(nthread);
	scrub();
	printf("%d %ld\n", getpid(), nleak);
	fflush(stdout);
	if(cflag)
		timedcheck();
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	for(;;){
		while(!checkwanted)
			sigsuspend(&old);
		checkwanted = 0;
		timedcheck();
	}
}
