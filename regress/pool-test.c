/*
 * pool-test: lib/pool's semantics, checked from inside.  Built three
 * ways from this file (regress/regress.mk), run by regress/pool-check:
 *
 *	pool-test	plain, run with LD_PRELOAD=build/libpool.so: malloc
 *			and its relatives are the pool's, and so is mainmem
 *	pool-test-a	-DPONLY, linked with build/libpool.a: malloc stays
 *			glibc's, the pool is reached by pmalloc(mainmem, ...)
 *	pool-test-asan	-DPONLY with lib/pool's sources compiled in under
 *			-fsanitize=address,undefined (ASan has malloc)
 *
 *	pool-test [-t] [test ...]
 *
 * Runs the tests named (default: every test but the flag-* ones, which
 * pool-check runs with POOL_FLAGS set), printing ok NAME or FAIL NAME:
 * reason for each, then "N passed, N failed"; exits 1 if any failed.
 * -t lists the tests.  After every test the whole of mainmem is checked
 * (poolcheck panics, and so ends the run, if it is not sound).
 *
 * A tag is right when it is a return address inside the function that
 * made the call (in, regress/mtcheck.c, by dladdr: the program is linked
 * -rdynamic, the allocating helpers global and not inlined).  Layouts
 * are checked in pools of the test's own, whose arenas it gives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "pool.h"
#include "mtcheck.h"

#ifndef PONLY
/* preloaded, not linked: main says so when the library is missing */
#pragma weak mainmem
#pragma weak poolalloc
#pragma weak poolallocalign
#pragma weak poolfree
#pragma weak poolmsize
#pragma weak poolrealloc
#pragma weak poolcheck
#pragma weak poolblockcheck
#pragma weak poolmmap
#pragma weak poolmmapmerge
#pragma weak pmalloc
#pragma weak pmallocz
#pragma weak pcalloc
#pragma weak prealloc
#pragma weak pmallocalign
#pragma weak pfree
#pragma weak pmsize
#pragma weak malloctopoolblock
#pragma weak setmalloctag
#pragma weak setrealloctag
#pragma weak getmalloctag
#pragma weak getrealloctag
#endif

#define noinline __attribute__((noinline))
#define USED(x)	((void)(x))

typedef unsigned char uchar;
typedef uint64_t u64;

enum {
	Nthr = 8,
	Nops = 200000,
	Nslot = 512,
};

static volatile size_t huge = SIZE_MAX;	/* hidden from the compiler's size checks */
void *volatile sink;

/*
 * The tests
 */
static char *tname;
static char treason[512];
static int npass, nfail;

static void
fail(char *fmt, ...)
{
	va_list a;

	if(treason[0] != 0)
		return;
	va_start(a, fmt);
	vsnprintf(treason, sizeof treason, fmt, a);
	va_end(a);
}

#define want(c, ...)	do{ if(!(c)) fail(__VA_ARGS__); }while(0)

static void
begin(char *name)
{
	tname = name;
	treason[0] = 0;
}

static void
end(void)
{
	if(treason[0] == 0){
		printf("ok %s\n", tname);
		npass++;
	}else{
		printf("FAIL %s: %s\n", tname, treason);
		nfail++;
	}
}

/*
 * The allocator under test, as the program sees it: malloc's names
 * when the pool has them, pmalloc's on mainmem when not (and always,
 * for the p* tests).  The functions are called through these pointers;
 * tag checks call the allocator directly instead (below).
 */
typedef struct Api Api;
struct Api {
	char	*name;
	void	*(*alloc)(size_t);
	void	(*free)(void*);
	void	*(*realloc)(void*, size_t);
	void	*(*calloc)(size_t, size_t);
	void	*(*align)(size_t, size_t);
	size_t	(*usable)(void*);
};

static void *palloc(size_t n) { return pmalloc(mainmem, n); }
static void pfreem(void *v) { pfree(mainmem, v); }
static void *preallocm(void *v, size_t n) { return prealloc(mainmem, v, n); }
static void *pcallocm(size_t m, size_t n) { return pcalloc(mainmem, m, n); }
static void *palign(size_t a, size_t n) { return pmallocalign(mainmem, n, a, 0, 0); }
static size_t pusable(void *v) { return pmsize(mainmem, v); }

static Api papi = { "pmalloc", palloc, pfreem, preallocm, pcallocm, palign, pusable };
#ifndef PONLY
static Api mapi = { "malloc", malloc, free, realloc, calloc, memalign, malloc_usable_size };
static Api *apis[] = { &mapi, &papi };
#else
static Api *apis[] = { &papi };
#endif
enum { Napi = sizeof apis / sizeof apis[0] };

/* a malloc block's header, found as a reader of the formats finds it */
static Bhdr*
hdrof(void *v)
{
	return (Bhdr*)((uchar*)malloctopoolblock(v) - sizeof(Bhdr));
}

static Btail*
tailof(Bhdr *b)
{
	return (Btail*)((uchar*)b + b->size - sizeof(Btail));
}

static u64
datasize(Bhdr *b)
{
	Btail *t;

	t = tailof(b);
	return t->datasize[0] << 8 | t->datasize[1];
}

static void
fill(void *v, size_t n, int seed)
{
	size_t i;

	for(i = 0; i < n; i++)
		((uchar*)v)[i] = seed + i*7;
}

static int
filled(void *v, size_t n, int seed)
{
	size_t i;

	for(i = 0; i < n; i++)
		if(((uchar*)v)[i] != (uchar)(seed + i*7))
			return 0;
	return 1;
}

/*
 * Pools of the test's own.  Arenas come from an area mapped once and
 * carved from the top down, as the kernel places mappings, so that
 * consecutive arenas are adjacent and merge.
 */
static pthread_mutex_t ownlock = PTHREAD_MUTEX_INITIALIZER;
static uchar *area, *areanext;
enum { Areasize = 64<<20 };

static void ownlk(Pool *p) { pthread_mutex_lock(p->private); }
static void ownunlk(Pool *p) { pthread_mutex_unlock(p->private); }

static void
ownprint(Pool *p, char *fmt, ...)
{
	va_list a;

	(void)p;
	va_start(a, fmt);
	vfprintf(stderr, fmt, a);
	va_end(a);
}

static void
ownpanic(Pool *p, char *fmt, ...)
{
	va_list a;

	(void)p;
	va_start(a, fmt);
	fprintf(stderr, "own pool panic: ");
	vfprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
	va_end(a);
	abort();
}

static void*
areaalloc(uint64_t n)
{
	if(areanext - area < (long)n)
		return NULL;
	areanext -= n;
	return areanext;
}

static void
ownpool(Pool *p, char *name, u64 minarena, u64 maxsize, int fromarea)
{
	*p = (Pool){0};
	p->name = name;
	p->maxsize = maxsize;
	p->minarena = minarena;
	p->quantum = 16;
	p->alloc = poolmmap;
	p->merge = poolmmapmerge;
	if(fromarea){
		if(area == NULL){
			area = mmap(NULL, Areasize, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
			if(area == MAP_FAILED){
				perror("mmap");
				exit(1);
			}
		}
		areanext = area + Areasize;
		p->alloc = areaalloc;
	}
	p->lock = ownlk;
	p->unlock = ownunlk;
	p->print = ownprint;
	p->panic = ownpanic;
	p->private = &ownlock;
}

/*
 * A child's fate: fn run in a child with its standard error in buf,
 * what it wrote there and how it ended.
 */
typedef struct Fate Fate;
struct Fate {
	int	status;
	char	err[8192];
};

static void
inchild(Fate *f, void (*fn)(void*), void *arg)
{
	int fd[2], n, m;
	pid_t pid;

	memset(f, 0, sizeof *f);
	fflush(stdout);
	if(pipe(fd) < 0 || (pid = fork()) < 0){
		fail("pipe or fork: %s", strerror(errno));
		return;
	}
	if(pid == 0){
		dup2(fd[1], 2);
		close(fd[0]);
		alarm(20);
		fn(arg);
		_exit(0);
	}
	close(fd[1]);
	n = 0;
	while(n < (int)sizeof f->err - 1 && (m = read(fd[0], f->err + n, sizeof f->err - 1 - n)) > 0)
		n += m;
	f->err[n] = 0;
	close(fd[0]);
	waitpid(pid, &f->status, 0);
}

static int
aborted(Fate *f)
{
	return WIFSIGNALED(f->status) && WTERMSIG(f->status) == SIGABRT;
}

/* the first line of the child's error output, for a reason */
static char*
firstline(Fate *f)
{
	static char line[200];

	snprintf(line, sizeof line, "%.*s", (int)strcspn(f->err, "\n"), f->err);
	return line;
}

/*
 * Every allocation whose tag is checked is made here, where the tag
 * must point: a return address in alloctagged (in, by dladdr).  Which
 * call it is, malloc's or realloc's, is told by the tags' values.  The
 * store to sink keeps each call a call, not a jump that would leave
 * the caller's return address.
 */
enum { Pmalloc, Prealloc, Palign, Pcalloc, Malloc, Realloc, Memalign, Calloc, Strdup };

void* noinline
alloctagged(int op, void *v, size_t n, size_t m)
{
	switch(op){
	case Pmalloc:
		v = pmalloc(mainmem, n);
		break;
	case Prealloc:
		v = prealloc(mainmem, v, n);
		break;
	case Palign:
		v = pmallocalign(mainmem, n, m, 0, 0);
		break;
	case Pcalloc:
		v = pcalloc(mainmem, n, m);
		break;
#ifndef PONLY
	case Malloc:
		v = malloc(n);
		break;
	case Realloc:
		v = realloc(v, n);
		break;
	case Memalign:
		v = memalign(m, n);
		break;
	case Calloc:
		v = calloc(n, m);
		break;
	case Strdup:
		v = strdup(v);
		break;
#endif
	}
	sink = v;
	return v;
}

static void
tagwant(uintptr_t pc, char *what)
{
	want(in(pc, "alloctagged"), "%s: tag %s, want a return address in alloctagged", what, where(pc));
}

/* v's tags after realloc from w: the malloc tag kept, the realloc tag another call's */
static void
retagwant(void *v, uintptr_t mpc, char *what)
{
	want(getmalloctag(v) == mpc, "%s: malloc tag %s, was %s", what, where(getmalloctag(v)), where(mpc));
	tagwant(getrealloctag(v), what);
	want(getrealloctag(v) != mpc, "%s: realloc tag the malloc tag", what);
}

/*
 * basic: malloc and free of many sizes, malloc(0), free(nil)
 */
static void
t_basic(void)
{
	static size_t sizes[] = { 0, 1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 100, 127, 128,
		255, 256, 1000, 4095, 4096, 4097, 65535, 65536, 100000, 1<<20, 3<<20 };
	enum { N = sizeof sizes / sizeof sizes[0] };
	void *v[N];
	Api *a;
	int i, k;

	for(k = 0; k < Napi; k++){
		a = apis[k];
		for(i = 0; i < N; i++){
			v[i] = a->alloc(sizes[i]);
			want(v[i] != NULL, "%s(%zu) failed", a->name, sizes[i]);
			if(v[i] == NULL)
				return;
			want((uintptr_t)v[i] % 16 == 0, "%s(%zu) = %p, not 16-aligned", a->name, sizes[i], v[i]);
			want(hdrof(v[i])->magic == ALLOC_MAGIC, "%s(%zu): magic %#lx", a->name, sizes[i], hdrof(v[i])->magic);
			fill(v[i], sizes[i], i);
		}
		for(i = 0; i < N; i++)
			want(filled(v[i], sizes[i], i), "%s(%zu): content changed", a->name, sizes[i]);
		for(i = 0; i < N; i += 2)
			a->free(v[i]);
		poolcheck(mainmem);
		for(i = 1; i < N; i += 2){
			want(filled(v[i], sizes[i], i), "%s(%zu): content changed by frees", a->name, sizes[i]);
			a->free(v[i]);
		}
		a->free(NULL);
		v[0] = a->alloc(0);
		want(v[0] != NULL, "%s(0) = nil", a->name);
		want(v[0] == NULL || a->usable(v[0]) < 64, "%s(0): usable %zu", a->name, a->usable(v[0]));
		a->free(v[0]);
	}
#ifndef PONLY
	/* the program's malloc is the pool's */
	v[0] = malloc(10);
	want(hdrof(v[0])->magic == ALLOC_MAGIC, "malloc's block is no pool block");
	want(mainmem->curalloc > 0 && mainmem->arenalist != NULL, "mainmem is empty");
	free(v[0]);
#endif
}

/*
 * realloc: of nil, to 0, shrinking in place, growing in place and by
 * moving, the content kept each time; in an own pool, where the
 * neighbours are known, and through mainmem.
 */
static void
t_realloc(void)
{
	Pool pp;
	uchar *v, *w, *x, *nv;
	Api *a;
	int k;

	for(k = 0; k < Napi; k++){
		a = apis[k];
		v = a->realloc(NULL, 100);
		want(v != NULL && hdrof(v)->magic == ALLOC_MAGIC, "%s realloc(nil, 100) = %p", a->name, v);
		fill(v, 100, 1);
		nv = a->realloc(v, 50);
		want(nv == v, "%s shrink moved the block: %p to %p", a->name, v, nv);
		v = nv;
		want(v != NULL && filled(v, 50, 1), "%s shrink: content lost", a->name);
		v = a->realloc(v, 5000);
		want(v != NULL && filled(v, 50, 1), "%s grow: content lost", a->name);
		fill(v, 5000, 2);
		v = a->realloc(v, 1<<20);
		want(v != NULL && filled(v, 5000, 2), "%s grow to 1 MiB: content lost", a->name);
		errno = 0;
		nv = a->realloc(v, huge - 8);
		want(nv == NULL && errno == ENOMEM, "%s realloc(v, SIZE_MAX-8) = %p, errno %d", a->name, nv, errno);
		want(filled(v, 5000, 2), "%s: failed realloc lost the content", a->name);
		nv = a->realloc(v, 0);
		want(nv == NULL, "%s realloc(v, 0) = %p, want nil", a->name, nv);
		poolcheck(mainmem);
	}

#ifndef PONLY
	v = reallocarray(NULL, 10, 10);
	want(v != NULL && hdrof(v)->magic == ALLOC_MAGIC, "reallocarray(nil, 10, 10) = %p", v);
	errno = 0;
	nv = reallocarray(v, huge/2 + 1, 2);
	want(nv == NULL && errno == ENOMEM, "reallocarray(v, SIZE_MAX/2+1, 2) = %p, errno %d", nv, errno);
	free(nv == NULL ? v : nv);
#endif

	ownpool(&pp, "realloc", 1<<16, 1<<30, 0);
	v = pmalloc(&pp, 1000);
	fill(v, 1000, 3);
	nv = prealloc(&pp, v, 100);
	want(nv == v, "shrink moved the block: %p to %p", v, nv);
	want(filled(nv, 100, 3), "shrink: content lost");
	want(datasize(hdrof(nv)) == hdrof(nv)->size - 116, "shrink: datasize %lu in a block of %lu",
		datasize(hdrof(nv)), hdrof(nv)->size);
	/* the rest after the shrunk block went back: the next block is the free rest */
	w = pmalloc(&pp, 100);
	want((uchar*)hdrof(w) == (uchar*)hdrof(v) + hdrof(v)->size, "the block after a shrunk one is not next to it");
	pfree(&pp, w);
	nv = prealloc(&pp, v, 3000);
	want(nv == v, "grow with a free block after: moved from %p to %p", v, nv);
	want(filled(nv, 100, 3), "grow in place: content lost");
	fill(v, 3000, 4);
	w = pmalloc(&pp, 100);
	want((uchar*)hdrof(w) == (uchar*)hdrof(v) + hdrof(v)->size, "a block not next to the one before it");
	x = pmalloc(&pp, 100);
	/* v: the arena before, w after: it must move */
	nv = prealloc(&pp, v, 6000);
	want(nv != v, "grow with an allocated block after stayed at %p", v);
	want(filled(nv, 3000, 4), "grow by moving: content lost");
	/* w, with v's old block free before it, grows backwards into it */
	fill(w, 100, 5);
	v = prealloc(&pp, w, 1000);
	want(v < w && filled(v, 100, 5), "grow into the free block before: %p from %p", v, w);
	pfree(&pp, nv);
	pfree(&pp, v);
	pfree(&pp, x);
	poolcheck(&pp);
	want(pp.curalloc == 0 && pp.curfree == pp.cursize - sizeof(Arena) - sizeof(Bhdr),
		"after all frees: %lu allocated, %lu free of %lu", pp.curalloc, pp.curfree, pp.cursize);
}

/* the alignments, and the offsets and spans of pmallocalign */
static void
t_align(void)
{
	size_t al, n, span;
	uchar *v;
	long off;
	Api *a;
	int k, e;

	for(k = 0; k < Napi; k++){
		a = apis[k];
		for(al = 16; al <= 65536; al <<= 1){
			for(n = 1; n < 200000; n = n*5 + 3){
				v = a->align(al, n);
				want(v != NULL && (uintptr_t)v % al == 0, "%s align %zu, %zu bytes: %p", a->name, al, n, v);
				if(v == NULL)
					return;
				fill(v, n, al);
				want(a->usable(v) >= n, "%s align %zu: usable %zu < %zu", a->name, al, a->usable(v), n);
				want(filled(v, n, al), "%s align %zu: content changed", a->name, al);
				a->free(v);
			}
		}
		poolcheck(mainmem);
	}
	for(al = 16; al <= 65536; al <<= 1)
		for(off = -40; off <= 40; off += 8){
			v = pmallocalign(mainmem, 100, al, off, 0);
			want(v != NULL && ((uintptr_t)v - off) % al == 0, "pmallocalign align %zu offset %ld: %p", al, off, v);
			fill(v, 100, off);
			want(filled(v, 100, off), "pmallocalign: content changed");
			pfree(mainmem, v);
		}
	for(span = 4096; span <= 65536; span <<= 1){
		v = pmallocalign(mainmem, span/2, 16, 0, span);
		want(v != NULL && (uintptr_t)v/span == ((uintptr_t)v + span/2 - 1)/span,
			"pmallocalign %zu in span %zu: %p crosses", span/2, span, v);
		pfree(mainmem, v);
	}
	/* the pool's own aligned pointers: free finds their block past the ALIGN_MAGIC words */
	v = poolallocalign(mainmem, 100, 4096, 0, 0);
	want(v != NULL && (uintptr_t)v % 4096 == 0, "poolallocalign 4096: %p", v);
	want(poolmsize(mainmem, v) >= 100, "poolallocalign: msize %lu", poolmsize(mainmem, v));
	fill(v, 100, 6);
	v = poolrealloc(mainmem, v, 20000);
	want(v != NULL && filled(v, 100, 6), "poolrealloc of poolallocalign's: content lost");
	poolfree(mainmem, v);
#ifndef PONLY
	for(al = 8; al <= 65536; al <<= 1){
		e = posix_memalign((void**)&v, al, 1000);
		want(e == 0 && (uintptr_t)v % al == 0 && malloc_usable_size(v) >= 1000, "posix_memalign %zu: %d %p", al, e, v);
		fill(v, 1000, 7);
		free(v);
		v = aligned_alloc(al, 3000);
		want(v != NULL && (uintptr_t)v % al == 0 && malloc_usable_size(v) >= 3000, "aligned_alloc %zu: %p", al, v);
		fill(v, 3000, 8);
		free(v);
	}
	for(al = 0; al < 40; al += 12){
		e = posix_memalign((void**)&v, al == 0 ? 3 : al, 100);
		want(e == EINVAL, "posix_memalign(%zu) = %d, want EINVAL", al == 0 ? 3 : al, e);
	}
	errno = 0;
	v = aligned_alloc(24, 100);
	want(v == NULL && errno == EINVAL, "aligned_alloc(24) = %p, errno %d", v, errno);
	v = valloc(10);
	want(v != NULL && (uintptr_t)v % 4096 == 0, "valloc: %p", v);
	free(v);
	v = pvalloc(10);
	want(v != NULL && (uintptr_t)v % 4096 == 0 && malloc_usable_size(v) >= 4096, "pvalloc: %p", v);
	free(v);
	/* a realloc'd aligned block keeps its bytes */
	v = memalign(256, 300);
	fill(v, 300, 9);
	v = realloc(v, 10000);
	want(v != NULL && filled(v, 300, 9), "realloc of memalign'd: content lost");
	v = realloc(v, 20);
	want(v != NULL && filled(v, 20, 9), "shrink of memalign'd: content lost");
	free(v);
#else
	USED(e);
#endif
}

/* calloc zeroes reused memory; overflow is ENOMEM */
static void
t_calloc(void)
{
	uchar *v;
	Api *a;
	int k;
	size_t i;

	for(k = 0; k < Napi; k++){
		a = apis[k];
		v = a->alloc(3000);
		memset(v, 0xAB, 3000);
		a->free(v);
		v = a->calloc(30, 100);
		want(v != NULL, "%s calloc failed", a->name);
		for(i = 0; i < 3000; i++)
			if(v[i] != 0)
				break;
		want(i == 3000, "%s calloc: byte %zu is %#x", a->name, i, v[i]);
		a->free(v);
		errno = 0;
		v = a->calloc(SIZE_MAX/2 + 1, 2);
		want(v == NULL && errno == ENOMEM, "%s calloc(SIZE_MAX/2+1, 2) = %p, errno %d", a->name, v, errno);
		errno = 0;
		v = a->alloc(huge);
		want(v == NULL && errno == ENOMEM, "%s(SIZE_MAX) = %p, errno %d", a->name, v, errno);
		errno = 0;
		v = a->alloc(huge/4);
		want(v == NULL && errno == ENOMEM, "%s(SIZE_MAX/4) = %p, errno %d", a->name, v, errno);
	}
	v = pmallocz(mainmem, 500, 1);
	for(i = 0; i < 500 && v[i] == 0; i++)
		;
	want(i == 500, "pmallocz: byte %zu not zero", i);
	pfree(mainmem, v);
}

/* malloc_usable_size: at least the request, and all of it usable */
static void
t_usable(void)
{
	size_t n, u;
	uchar *v;
	Api *a;
	int k;

	for(k = 0; k < Napi; k++){
		a = apis[k];
		for(n = 0; n < 70000; n = n*3 + 1){
			v = a->alloc(n);
			u = a->usable(v);
			want(u >= n && u < n + n/4 + 128, "%s(%zu): usable %zu", a->name, n, u);
			memset(v, 0x55, u);
			poolblockcheck(mainmem, malloctopoolblock(v));
			a->free(v);
		}
		want(a->usable(NULL) == 0, "%s usable(nil) != 0", a->name);
	}
}

/*
 * The formats of pool.h: malloc's tags at b+16 and b+24 and the
 * caller's bytes at b+32, the datasize, the data magic, ALIGN_MAGIC
 * words before an aligned pointer, the tags themselves.
 */
static void
t_tags(void)
{
	static uchar dm[] = POOL_DATAMAGIC;
	uchar *v, *w, *q;
	uintptr_t mpc, rpc;
	u64 *d;
	Bhdr *b;
	size_t n;
	int i;

	for(n = 1; n < 300; n += 37){
		v = alloctagged(Pmalloc, NULL, n, 0);
		b = (Bhdr*)(v - Pooltagged);
		want(b->magic == ALLOC_MAGIC && hdrof(v) == b, "pmalloc(%zu): no ALLOC_MAGIC at the pointer less %d",
			n, Pooltagged);
		want(b->size - datasize(b) == n + 16, "pmalloc(%zu): dsize %lu", n, b->size - datasize(b));
		for(q = v + n, i = 0; i < Ndatamagic && q < (uchar*)tailof(b); q++, i++)
			want(*q == dm[(uintptr_t)q % 4], "pmalloc(%zu): data magic %#x at +%d", n, *q, i);
		d = (u64*)((uchar*)b + sizeof(Bhdr));
		want(d[0] == getmalloctag(v) && d[1] == 0, "tags at b+16: %#lx %#lx", d[0], d[1]);
		tagwant(getmalloctag(v), "pmalloc");
		want(getrealloctag(v) == 0, "fresh block's realloc tag %#lx", getrealloctag(v));
		mpc = getmalloctag(v);
		w = alloctagged(Prealloc, v, n + 1000, 0);
		retagwant(w, mpc, "prealloc");
		pfree(mainmem, w);
	}
	v = alloctagged(Palign, NULL, 100, 4096);
	b = hdrof(v);
	d = (u64*)((uchar*)b + sizeof(Bhdr));
	tagwant(d[0], "the tag at b+16 of an aligned block");
	for(i = 2; (uchar*)&d[i] < v; i++)
		want(d[i] == ALIGN_MAGIC, "aligned block: word b+%d is %#lx, not ALIGN_MAGIC", 16 + 8*i, d[i]);
	want(b->size - datasize(b) == (u64)(v - (uchar*)d) + 100, "aligned: dsize %lu", b->size - datasize(b));
	setmalloctag(v, 0x1234);
	setrealloctag(v, 0x5678);
	want(d[0] == 0x1234 && d[1] == 0x5678 && getmalloctag(v) == 0x1234 && getrealloctag(v) == 0x5678,
		"setmalloctag/setrealloctag on an aligned block: %#lx %#lx", d[0], d[1]);
	pfree(mainmem, v);
	v = alloctagged(Pcalloc, NULL, 10, 10);
	tagwant(getmalloctag(v), "pcalloc");
	want(getmalloctag(v) != mpc, "pcalloc's tag is pmalloc's call");
	pfree(mainmem, v);
	want(getmalloctag(NULL) == 0 && getrealloctag(NULL) == 0, "tags of nil");
#ifndef PONLY
	v = alloctagged(Malloc, NULL, 50, 0);
	tagwant(getmalloctag(v), "malloc");
	mpc = getmalloctag(v);
	w = alloctagged(Realloc, v, 5000, 0);
	retagwant(w, mpc, "realloc");
	rpc = getrealloctag(w);
	free(w);
	/* realloc(nil) is malloc'd and realloc'd there, as in Plan 9 */
	v = alloctagged(Realloc, NULL, 50, 0);
	want(getmalloctag(v) == rpc && getrealloctag(v) == rpc, "realloc(nil): tags %s %s, want %s",
		where(getmalloctag(v)), where(getrealloctag(v)), where(rpc));
	free(v);
	v = alloctagged(Memalign, NULL, 100, 1024);
	tagwant(getmalloctag(v), "memalign");
	free(v);
	v = alloctagged(Calloc, NULL, 10, 10);
	tagwant(getmalloctag(v), "calloc");
	want(getmalloctag(v) != mpc, "calloc's tag is malloc's call");
	free(v);
	/* strdup's block names strdup's caller, past libc */
	v = alloctagged(Strdup, "a string", 0, 0);
	tagwant(getmalloctag(v), "strdup");
	free(v);
#else
	USED(rpc);
#endif
}

/* the arena's format and merges of free blocks, in an own pool */
static void
t_format(void)
{
	Pool pp;
	Arena *a;
	Bhdr *b, *tl;
	uchar *v[3];
	u64 size;
	int i;

	ownpool(&pp, "format", 1<<16, 1<<30, 1);
	for(i = 0; i < 3; i++)
		v[i] = pmalloc(&pp, 100);
	a = pp.arenalist;
	want(a != NULL && a->h.magic == ARENA_MAGIC && a->h.size == sizeof(Arena) && a->down == NULL && a->aup == NULL,
		"arena %p: magic %#lx size %lu", a, a ? a->h.magic : 0, a ? a->h.size : 0);
	want(a->asize == 1<<16 && pp.cursize == 1<<16, "arena of %lu, pool %lu", a->asize, pp.cursize);
	tl = (Bhdr*)((uchar*)a + a->asize - sizeof(Bhdr));
	want(tl->magic == ARENATAIL_MAGIC && tl->size == 0, "arena tail %#lx %lu", tl->magic, tl->size);
	want((uchar*)hdrof(v[0]) == (uchar*)a + sizeof(Arena), "first block at a+%ld", (long)((uchar*)hdrof(v[0]) - (uchar*)a));
	for(i = 0; i < 2; i++)
		want((uchar*)hdrof(v[i+1]) == (uchar*)hdrof(v[i]) + hdrof(v[i])->size, "block %d not after %d", i+1, i);
	b = hdrof(v[1]);
	pfree(&pp, v[0]);
	pfree(&pp, v[2]);
	want(hdrof(v[0])->magic == FREE_MAGIC, "freed block's magic %#lx", hdrof(v[0])->magic);
	pfree(&pp, v[1]);
	b = hdrof(v[1]);
	want(b->magic == NOT_MAGIC, "merged-away header: magic %#lx", b->magic);
	want(tailof(hdrof(v[0]))->magic0 == TAIL_MAGIC0, "merged block's tail");
	b = (Bhdr*)((uchar*)a + sizeof(Arena));
	want(b->magic == FREE_MAGIC && b->size == a->asize - sizeof(Arena) - sizeof(Bhdr),
		"after the frees: the first block %#lx of %lu, not the whole arena", b->magic, b->size);
	poolcheck(&pp);

	/* arenas adjacent in memory become one; a block may then span both */
	v[0] = pmalloc(&pp, 40000);
	v[1] = pmalloc(&pp, 40000);
	want(pp.cursize == 2<<16 && pp.arenalist != NULL && ((Arena*)pp.arenalist)->down == NULL,
		"two adjacent arenas: cursize %lu, not merged", pp.cursize);
	v[2] = pmalloc(&pp, 1<<17);
	a = pp.arenalist;
	want(v[2] != NULL && a->down == NULL && a->asize == pp.cursize, "merged arena %lu of %lu", a->asize, pp.cursize);
	pfree(&pp, v[0]);
	pfree(&pp, v[1]);
	size = pp.cursize;
	v[0] = pmalloc(&pp, 100000);
	want(v[0] != NULL && pp.cursize == size, "a block across merged arenas took a new arena");
	pfree(&pp, v[0]);
	pfree(&pp, v[2]);
	poolcheck(&pp);
	want(pp.curalloc == 0 && pp.curfree == pp.cursize - sizeof(Arena) - sizeof(Bhdr),
		"merged arenas, all free: %lu free of %lu", pp.curfree, pp.cursize);

	/* a block bigger than minarena gets an arena its size; maxsize is kept */
	ownpool(&pp, "big", 1<<16, 1<<22, 0);
	v[0] = pmalloc(&pp, 1<<20);
	want(v[0] != NULL && pp.cursize >= 1<<20 && pp.cursize < (1<<20) + 8192, "1 MiB block: arenas of %lu", pp.cursize);
	errno = 0;
	v[1] = pmalloc(&pp, 4<<20);
	want(v[1] == NULL && errno == ENOMEM, "past maxsize: %p errno %d", v[1], errno);
	pfree(&pp, v[0]);
	poolcheck(&pp);
}

/* POOL_NOREUSE's and POOL_ANTAGONISM's effects, in an own pool */
static void
t_ownflags(void)
{
	Pool pp;
	uchar *v, *w;
	uint32_t *u;
	int i, n;

	ownpool(&pp, "noreuse", 1<<16, 1<<30, 0);
	pp.flags = POOL_NOREUSE;
	v = pmalloc(&pp, 100);
	pfree(&pp, v);
	want(hdrof(v)->magic == DEAD_MAGIC, "noreuse: freed block's magic %#lx", hdrof(v)->magic);
	for(i = 0; i < 100 && v[i] == 0xDA; i++)
		;
	want(i == 100, "noreuse: freed byte %d is %#x, not 0xDA", i, v[i]);
	for(n = 0; n < 1000; n++){
		w = pmalloc(&pp, 100);
		want(w != v, "noreuse: a freed block given out again");
		pfree(&pp, w);
	}
	poolcheck(&pp);

	ownpool(&pp, "antagonism", 1<<16, 1<<30, 0);
	pp.flags = POOL_ANTAGONISM;
	v = pmalloc(&pp, 1000);
	for(i = 0; i < 1000 && v[i] == 0xDF; i++)
		;
	want(i == 1000, "antagonism: new byte %d is %#x, not 0xDF", i, v[i]);
	pfree(&pp, v);
	u = (uint32_t*)(v + 64);
	want(u[0] >> 24 == 0xF7 && u[1] >> 24 == 0xF7 && u[1] - u[0] == 4, "antagonism: freed words %#x %#x", u[0], u[1]);
	poolcheck(&pp);
}

/*
 * Corruption: a one-byte overrun past the request, found by poolcheck
 * and poolblockcheck naming the address; a double free.  Each in a
 * child, which must abort saying so.
 */
static uchar *victim;
static size_t victimn;

static void
overrun(void *arg)
{
	victim[victimn] = 'x';
	if(arg != NULL)
		poolblockcheck(mainmem, malloctopoolblock(victim));
	else
		poolcheck(mainmem);
}

static void
doublefree(void *arg)
{
	(void)arg;
	pfree(mainmem, victim);
	pfree(mainmem, victim);
}

static void
t_corrupt(void)
{
	char want[200];
	Fate f;
	size_t n;
	int k;

	for(n = 5; n < 200; n += 50)
		for(k = 0; k < 2; k++){
			victim = pmalloc(mainmem, n);
			victimn = n;
			inchild(&f, overrun, k ? "block" : NULL);
			snprintf(want, sizeof want, "mem user overflow at %p", victim + n);
			want(aborted(&f), "overrun of %zu bytes: the child did not abort (status %#x): %s", n, f.status, firstline(&f));
			want(strstr(f.err, want) != NULL, "overrun of %zu: said '%s', want '%s'", n, firstline(&f), want);
			snprintf(want, sizeof want, "block %p", hdrof(victim));
			want(strstr(f.err, want) != NULL, "overrun of %zu: no '%s' in '%s'", n, want, firstline(&f));
			pfree(mainmem, victim);
		}
	/* a request that fills its block: the overrun hits the tail */
	for(n = 16; n < 64; n++){
		victim = pmalloc(mainmem, n);
		if(hdrof(victim)->size - datasize(hdrof(victim)) + 32 == hdrof(victim)->size)
			break;
		pfree(mainmem, victim);
	}
	victimn = n;
	inchild(&f, overrun, NULL);
	want(aborted(&f) && strstr(f.err, "corrupt tail magic0") != NULL, "overrun into the tail: %s", firstline(&f));
	pfree(mainmem, victim);
	victim = pmalloc(mainmem, 10);
	inchild(&f, doublefree, NULL);
	/* under POOL_NOREUSE it is dead, not free */
	snprintf(want, sizeof want, "%p %s", malloctopoolblock(victim),
		mainmem->flags & POOL_NOREUSE ? "was freed already" : "is free already");
	want(aborted(&f) && strstr(f.err, want) != NULL, "double free: said '%s'", firstline(&f));
	pfree(mainmem, victim);
}

/*
 * Threads: random malloc, realloc and free with content checks,
 * through each API, then a check of the whole pool.
 */
typedef struct Thr Thr;
struct Thr {
	pthread_t	pid;
	int	id;
	Api	*api;
	u64	seed;
	int	bad;
	volatile int	*stop;		/* run until *stop, not nops */
	volatile int	*hold;		/* wait while *hold */
	long	nops;
};

static u64
rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* mostly small, some large, a few very large */
static size_t
rndsize(u64 r)
{
	if(r % 512 == 0)
		return (r>>9) % (128<<10);
	if(r % 16 == 0)
		return (r>>9) % 4096;
	return (r>>9) % 256;
}

static void*
churn(void *arg)
{
	Thr *t;
	uchar *slot[Nslot], *v;
	size_t len[Nslot], n;
	long i;
	u64 r;
	int s, seed;

	t = arg;
	memset(slot, 0, sizeof slot);
	for(i = 0; t->stop ? !*t->stop : i < t->nops; i++){
		if(t->stop)
			__atomic_store_n(&t->nops, i, __ATOMIC_RELAXED);
		while(t->hold && *t->hold && !*t->stop)
			usleep(100);
		r = rnd(&t->seed);
		s = r % Nslot;
		r >>= 9;
		seed = t->id*31 + s;
		if(slot[s] != NULL && !filled(slot[s], len[s], seed)){
			t->bad++;
			slot[s] = NULL;
			continue;
		}
		switch(r % 4){
		case 0:
		case 1:
			if(slot[s] != NULL)
				t->api->free(slot[s]);
			n = rndsize(r>>2);
			if((slot[s] = t->api->alloc(n)) == NULL){
				t->bad++;
				continue;
			}
			len[s] = n;
			break;
		case 2:
			n = rndsize(r>>2);
			v = t->api->realloc(slot[s], n);
			if(v == NULL && n != 0){
				t->bad++;
				continue;
			}
			if(v != NULL && slot[s] != NULL && !filled(v, len[s] < n ? len[s] : n, seed))
				t->bad++;
			slot[s] = v;
			len[s] = n;
			if(v == NULL)
				continue;
			break;
		case 3:
			t->api->free(slot[s]);
			slot[s] = NULL;
			continue;
		}
		fill(slot[s], len[s], seed);
	}
	for(s = 0; s < Nslot; s++)
		t->api->free(slot[s]);
	t->nops = i;
	return NULL;
}

static void
t_threads(void)
{
	Thr thr[Nthr];
	int i, k, bad;

	for(k = 0; k < Napi; k++){
		for(i = 0; i < Nthr; i++){
			thr[i] = (Thr){.id = i, .api = apis[k], .seed = 0x9e3779b97f4a7c15ULL*(i+1+k*Nthr),
				.nops = k == 0 ? Nops : Nops/4};
			if(pthread_create(&thr[i].pid, NULL, churn, &thr[i]) != 0)
				fail("pthread_create: %s", strerror(errno));
		}
		bad = 0;
		for(i = 0; i < Nthr; i++){
			pthread_join(thr[i].pid, NULL);
			bad += thr[i].bad;
		}
		want(bad == 0, "%s: %d blocks failed or lost their content", apis[k]->name, bad);
		poolcheck(mainmem);
	}
}

static long
progress(Thr *t, int n)
{
	long ops;
	int i;

	ops = 0;
	for(i = 0; i < n; i++)
		ops += __atomic_load_n(&t[i].nops, __ATOMIC_RELAXED);
	return ops;
}

/* a child forked while other threads allocate can allocate, and its pool is sound */
static void
t_fork(void)
{
	Thr thr[4];
	volatile int stop, hold;
	int i, n, status;
	pid_t pid;
	void *v;
	long ops, last;

	stop = hold = 0;
	for(i = 0; i < 4; i++){
		thr[i] = (Thr){.id = i, .api = apis[i % Napi], .seed = 77*(i+1), .stop = &stop, .hold = &hold};
		pthread_create(&thr[i].pid, NULL, churn, &thr[i]);
	}
	n = 0;
	status = 0;
	for(i = 0; i < 30; i++){
		/* each fork while the threads are at it: they have made operations since the last */
		for(last = ops = progress(thr, 4); ops < last + 100; ops = progress(thr, 4))
			usleep(1000);
		fflush(stdout);
		if((pid = fork()) == 0){
			alarm(5);
			v = apis[i % Napi]->alloc(1000);
			memset(v, 1, 1000);
			poolcheck(mainmem);
			apis[i % Napi]->free(v);
			_exit(0);
		}
		/* the threads wait for the child: under POOL_NOREUSE the heap it checks would grow as it ran */
		hold = 1;
		if(pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			break;
		hold = 0;
		n++;
	}
	hold = 0;
	stop = 1;
	for(i = 0; i < 4; i++){
		pthread_join(thr[i].pid, NULL);
		want(thr[i].bad == 0, "thread %d: %d blocks lost their content", i, thr[i].bad);
	}
	want(n == 30, "%d of 30 children forked while threads allocated allocated and exited; then status %#x",
		n, status);
}

/*
 * The flags from POOL_FLAGS, on mainmem: pool-check runs these with it
 * set.  Each first checks that the environment set the flag.
 */
static int
flagset(int flag, char *name)
{
	pfree(mainmem, pmalloc(mainmem, 1));	/* they are read at the first allocation */
	want(mainmem->flags & flag, "POOL_FLAGS did not set %s (flags %#x)", name, mainmem->flags);
	return mainmem->flags & flag;
}

static void
t_antagonism(void)
{
	uchar *v;
	uint32_t *u;
	Api *a;
	int i, k, n;

	if(!flagset(POOL_ANTAGONISM, "POOL_ANTAGONISM"))
		return;
	for(k = 0; k < Napi; k++){
		a = apis[k];
		v = a->alloc(2000);
		for(i = 0; i < 2000 && v[i] == 0xDF; i++)
			;
		want(i == 2000, "%s: new byte %d is %#x, not 0xDF", a->name, i, v[i]);
		/*
		 * moved, 0xDE; grown in place, the marks of the free block it
		 * took, which have zero bytes but no zero words, and a header
		 * and a tail merged away, which may have a few
		 */
		v = a->realloc(v, 200000);
		u = (uint32_t*)v;
		for(n = 0, i = 2000/4; i < 200000/4; i++)
			n += u[i] == 0;
		want(n <= 4, "%s: %d grown 32-bit words are zero", a->name, n);
		/* POOL_NOREUSE's mark wins */
		a->free(v);
		u = (uint32_t*)(v + 64);
		if(mainmem->flags & POOL_NOREUSE)
			want(u[0] == 0xDADADADA, "%s: freed word %#x, not POOL_NOREUSE's", a->name, u[0]);
		else
			want(u[0] >> 24 == 0xF7 && u[1] - u[0] == 4, "%s: freed words %#x %#x", a->name, u[0], u[1]);
		v = a->align(4096, 100);
		want(v[0] == 0xDD && v[99] == 0xDD, "%s: aligned bytes %#x, not 0xDD", a->name, v[0]);
		a->free(v);
	}
}

static void
deadwrite(void *arg)
{
	(void)arg;
	victim[50] = 0;
	poolcheck(mainmem);
}

static void
t_noreuse(void)
{
	uchar *v, *w;
	char want[100];
	Fate f;
	Api *a;
	int i, k, again;

	if(!flagset(POOL_NOREUSE, "POOL_NOREUSE"))
		return;
	for(k = 0; k < Napi; k++){
		a = apis[k];
		v = a->alloc(100);
		a->free(v);
		want(hdrof(v)->magic == DEAD_MAGIC, "%s: freed block's magic %#lx", a->name, hdrof(v)->magic);
		for(i = 0; i < 100 && v[i] == 0xDA; i++)
			;
		want(i == 100, "%s: freed byte %d is %#x, not 0xDA", a->name, i, v[i]);
		again = 0;
		for(i = 0; i < 2000; i++){
			w = a->alloc(100);
			again += w == v;
			a->free(w);
		}
		want(again == 0, "%s: a freed block was given out %d times", a->name, again);
		victim = v;
		inchild(&f, deadwrite, NULL);
		snprintf(want, sizeof want, "dangling pointer write at %p", v + 50);
		want(aborted(&f) && strstr(f.err, want) != NULL, "%s: write to a dead block: '%s'", a->name, firstline(&f));
	}
}

static void
overrunalloc(void *arg)
{
	(void)arg;
	victim[victimn] = 'x';
	pfree(mainmem, pmalloc(mainmem, 10));
}

static void
t_paranoia(void)
{
	char want[100];
	Fate f;

	if(!flagset(POOL_PARANOIA, "POOL_PARANOIA"))
		return;
	victim = pmalloc(mainmem, 20);
	victimn = 20;
	inchild(&f, overrunalloc, NULL);
	snprintf(want, sizeof want, "mem user overflow at %p", victim + 20);
	want(aborted(&f) && strstr(f.err, want) != NULL, "overrun seen by the next alloc: '%s'", firstline(&f));
	pfree(mainmem, victim);
}

static void
allocfree(void *arg)
{
	(void)arg;
	pfree(mainmem, pmalloc(mainmem, 100000));
}

/* a corrupt free block is caught when a free merges with it */
static void
badneighbour(void *arg)
{
	Bhdr *b;

	(void)arg;
	b = (Bhdr*)((uchar*)hdrof(victim) + hdrof(victim)->size);
	tailof(b)->magic1 = 0;
	pfree(mainmem, victim);
	_exit(3);
}

static void
t_debugging(void)
{
	Fate f;
	Bhdr *b;
	void *kept[100];
	int i;

	if(!flagset(POOL_DEBUGGING, "POOL_DEBUGGING"))
		return;
	inchild(&f, allocfree, NULL);
	want(WIFEXITED(f.status) && strstr(f.err, "pool mainmem: ") != NULL, "no debugging print: '%s'", firstline(&f));
	/* a block with a free block after it */
	for(i = 0; i < 100; i++){
		kept[i] = victim = pmalloc(mainmem, 1000);
		b = (Bhdr*)((uchar*)hdrof(victim) + hdrof(victim)->size);
		if(b->magic == FREE_MAGIC)
			break;
	}
	want(i < 100, "no block with a free one after it");
	inchild(&f, badneighbour, NULL);
	want(aborted(&f) && strstr(f.err, "corrupt tail magic") != NULL, "free next to a corrupt free block: '%s'", firstline(&f));
	for(; i >= 0; i--)
		pfree(mainmem, kept[i]);
}

typedef struct Test Test;
struct Test {
	char	*name;
	void	(*fn)(void);
	int	always;		/* run when none are named */
};

static Test tests[] = {
	{"basic", t_basic, 1},
	{"realloc", t_realloc, 1},
	{"align", t_align, 1},
	{"calloc", t_calloc, 1},
	{"usable", t_usable, 1},
	{"tags", t_tags, 1},
	{"format", t_format, 1},
	{"ownflags", t_ownflags, 1},
	{"corrupt", t_corrupt, 1},
	{"threads", t_threads, 1},
	{"fork", t_fork, 1},
	{"flag-antagonism", t_antagonism, 0},
	{"flag-noreuse", t_noreuse, 0},
	{"flag-paranoia", t_paranoia, 0},
	{"flag-debugging", t_debugging, 0},
};
enum { Ntest = sizeof tests / sizeof tests[0] };

static void
run(Test *t)
{
	begin(t->name);
	t->fn();
	poolcheck(mainmem);
	end();
}

int
main(int argc, char **argv)
{
	int i, j;

	if(argc > 1 && strcmp(argv[1], "-t") == 0){
		for(i = 0; i < Ntest; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if(mtinit() < 0)
		return 1;
#ifndef PONLY
	if(&mainmem == NULL || &pmalloc == NULL){
		printf("FAIL pool: no lib/pool in the program (LD_PRELOAD=build/libpool.so?)\n0 passed, 1 failed\n");
		return 1;
	}
#endif
	for(i = 0; i < Ntest; i++){
		if(argc == 1 && tests[i].always)
			run(&tests[i]);
		for(j = 1; j < argc; j++)
			if(strcmp(argv[j], tests[i].name) == 0)
				run(&tests[i]);
	}
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
