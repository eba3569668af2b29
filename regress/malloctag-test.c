/*
 * malloctag-test: libmalloctag's semantics, checked from inside.
 * Built twice from this file: malloctag-test, run with
 * LD_PRELOAD=build/libmalloctag.so, and malloctag-test-linked
 * (-DLINKED), linked with -lmalloctag.  Prints a line per check
 * and "N passed, N failed"; exits 1 if any failed.
 *
 * A tag is right when it is a return address (the bytes before it
 * are a call instruction) inside the function that made the call,
 * as dladdr names it (in, in mtcheck.c): the helpers below are global
 * and the program is linked -rdynamic so that it can.  Code written at run time
 * gives exact addresses: its return address is known to the byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "malloctag.h"
#include "mtcheck.h"

#ifndef LINKED
#pragma weak setmalloctag
#pragma weak setrealloctag
#pragma weak getmalloctag
#pragma weak getrealloctag
#endif

#define noinline __attribute__((noinline))

typedef unsigned char uchar;
typedef uint64_t u64;

void	*__libc_malloc(size_t);

enum { Nthr = 8 };

static volatile size_t huge = SIZE_MAX;	/* hidden from the compiler's size checks */

/*
 * The allocating helpers below are a function each, since a tag is
 * checked against the name of the function it points into.  The store
 * to sink after the call keeps it a call: made a jump to the
 * allocator, it would leave the return address, and so the tag, in
 * the helper's caller.
 */
void *volatile sink;

/* glibc's usable size of v's chunk, as leak's reader computes it */
static u64
chunkusable(void *v)
{
	u64 h, size;
	int minor;

	h = ((u64*)v)[-1];
	size = h & ~7ULL;
	if((h & 2) == 0)
		return size - 8;
	minor = atoi(strchr(gnu_get_libc_version(), '.') + 1);
	return size - (minor >= 43 ? 8 : 16);
}

static u64
tcheck(void *v, u64 slack)
{
	return (0x7A61 ^ ((uintptr_t)v >> 4) ^ slack) & 0xffff;
}

/* The trailer as doc/malloctag.md describes it, read by hand. */
static int
trailerok(void *v, size_t n)
{
	u64 u, *t, slack;

	u = chunkusable(v);
	t = (u64*)((uchar*)v + u - 16);
	slack = u - 16 - n;
	if(slack > 0xffff)
		slack = 0xffff;
	return t[0] >> 48 == tcheck(v, slack) && t[1] >> 48 == slack
		&& (t[0] & 0xffffffffffffULL) == getmalloctag(v)
		&& (t[1] & 0xffffffffffffULL) == getrealloctag(v);
}

void* noinline
domalloc(size_t n)
{
	void *v;

	v = malloc(n);
	sink = v;
	return v;
}

void* noinline
dorealloc(void *v, size_t n)
{
	v = realloc(v, n);
	sink = v;
	return v;
}

void* noinline
doreallocarray(void *v, size_t m, size_t n)
{
	v = reallocarray(v, m, n);
	sink = v;
	return v;
}

void* noinline
docalloc(size_t m, size_t n)
{
	void *v;

	v = calloc(m, n);
	sink = v;
	return v;
}

void* noinline
dostrdup(char *s)
{
	void *v;

	v = strdup(s);
	sink = v;
	return v;
}

void* noinline
doasprintf(int i)
{
	char *s;

	if(asprintf(&s, "a string of some length, number %d, to make asprintf work", i) < 0)
		return NULL;
	sink = s;
	return s;
}

void* noinline
dofopen(void)
{
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	sink = f;
	return f;
}

void* noinline
dogetline(FILE *f)
{
	char *line;
	size_t n;

	line = NULL;
	n = 0;
	if(getline(&line, &n, f) < 0){
		free(line);
		return NULL;
	}
	sink = line;
	return line;
}

void* noinline
doemalloc(size_t n)
{
	void *v;

	v = malloc(n);
	setmalloctag(v, getcallerpc(&n));
	return v;
}

void* noinline
callsemalloc(size_t n)
{
	void *v;

	v = doemalloc(n);
	sink = v;
	return v;
}

void* noinline
doerealloc(void *v, size_t n)
{
	v = realloc(v, n);
	setrealloctag(v, getcallerpc(&v));
	return v;
}

void* noinline
callserealloc(void *v, size_t n)
{
	v = doerealloc(v, n);
	sink = v;
	return v;
}

static void
tagmalloc(void)
{
	static size_t sizes[] = {0, 1, 8, 9, 24, 25, 40, 100, 1000, 4000, 70000};
	void *v;
	size_t n, u, want;
	unsigned i;

	for(i = 0; i < sizeof sizes/sizeof sizes[0]; i++){
		n = sizes[i];
		v = domalloc(n);
		u = malloc_usable_size(v);
		want = ((n + 16 + 8 + 15) & ~15UL) - 8 - 16;
		if(want < 32 - 8 - 16)
			want = 32 - 8 - 16;
		check(in(getmalloctag(v), "domalloc") && getrealloctag(v) == 0 && trailerok(v, n) && u == want,
			"malloc(%zu): tags %s, %s; trailer as documented; usable %zu, want %zu",
			n, where(getmalloctag(v)), where(getrealloctag(v)), u, want);
		memset(v, 0xa5, u);
		check(in(getmalloctag(v), "domalloc") && trailerok(v, n),
			"malloc(%zu): tag and trailer intact after writing all usable bytes", n);
		free(v);
	}
}

static void
tagrealloc(void)
{
	void *v, *w;
	uintptr_t mt;
	size_t n;

	v = domalloc(40);
	mt = getmalloctag(v);
	memcpy(v, "realloc keeps this", 19);
	w = dorealloc(v, 4000);
	check(getmalloctag(w) == mt, "realloc grows: malloc tag kept: %s", where(getmalloctag(w)));
	check(in(getrealloctag(w), "dorealloc"), "realloc grows: realloc tag %s", where(getrealloctag(w)));
	check(memcmp(w, "realloc keeps this", 19) == 0, "realloc grows: contents kept");
	check(trailerok(w, 4000), "realloc grows: trailer as documented");
	w = dorealloc(w, 100);
	check(getmalloctag(w) == mt && in(getrealloctag(w), "dorealloc"), "realloc shrinks: tags %s, %s",
		where(getmalloctag(w)), where(getrealloctag(w)));
	check(trailerok(w, 100), "realloc shrinks: trailer as documented");
	check(malloc_usable_size(w) >= 100, "realloc shrinks: usable %zu", malloc_usable_size(w));
	w = dorealloc(w, 500000);
	check(getmalloctag(w) == mt && in(getrealloctag(w), "dorealloc"), "realloc to mmapped: tags %s, %s",
		where(getmalloctag(w)), where(getrealloctag(w)));
	w = dorealloc(w, 900000);
	check(getmalloctag(w) == mt && in(getrealloctag(w), "dorealloc"), "mmapped realloc grows: tags %s, %s",
		where(getmalloctag(w)), where(getrealloctag(w)));
	check(memcmp(w, "realloc keeps this", 19) == 0, "mmapped realloc grows: contents kept");
	check(trailerok(w, 900000), "mmapped realloc: trailer as documented");
	free(w);

	v = dorealloc(NULL, 77);
	check(in(getmalloctag(v), "dorealloc") && getrealloctag(v) == 0,
		"realloc(NULL, n) is malloc: tags %s, %s", where(getmalloctag(v)), where(getrealloctag(v)));
	n = malloc_usable_size(v);
	check(dorealloc(v, 0) == NULL, "realloc(v, 0) returns NULL");
	w = domalloc(77);
	check(w == v && malloc_usable_size(w) == n, "realloc(v, 0) freed v: malloc reuses it (%p %p)", v, w);
	mt = getmalloctag(w);
	errno = 0;
	check(doreallocarray(w, huge/2, 3) == NULL && errno == ENOMEM, "reallocarray overflow: NULL, ENOMEM");
	check(getmalloctag(w) == mt, "reallocarray overflow: block kept");
	v = doreallocarray(w, 10, 30);
	check(v != NULL && getmalloctag(v) == mt && in(getrealloctag(v), "doreallocarray")
		&& malloc_usable_size(v) >= 300, "reallocarray(v, 10, 30): realloc tag %s", where(getrealloctag(v)));
	errno = 0;
	check(dorealloc(v, huge - 8) == NULL && errno == ENOMEM, "realloc(v, SIZE_MAX-8): NULL, ENOMEM");
	free(v);
}

static void
tagcalloc(void)
{
	uchar *v;
	size_t i, n;
	int zero;

	v = domalloc(200);
	memset(v, 0xee, malloc_usable_size(v));
	free(v);
	v = docalloc(25, 8);
	tagin(v, "docalloc", "calloc");
	n = malloc_usable_size(v);
	zero = 1;
	for(i = 0; i < n; i++)
		zero &= v[i] == 0;
	check(zero && n >= 200, "calloc(25, 8): %zu usable bytes all zero", n);
	check(trailerok(v, 200), "calloc: trailer as documented");
	free(v);
	v = docalloc(1, 300000);
	tagin(v, "docalloc", "calloc mmapped");
	free(v);
	errno = 0;
	check(docalloc(huge/2, 3) == NULL && errno == ENOMEM, "calloc overflow: NULL, ENOMEM");
	errno = 0;
	check(docalloc(1, huge - 4) == NULL && errno == ENOMEM, "calloc(1, SIZE_MAX-4): NULL, ENOMEM");
}

void* noinline
doalign(int how, size_t al, size_t n)
{
	void *v;

	v = NULL;
	switch(how){
	case 0:
		v = memalign(al, n);
		break;
	case 1:
		if(posix_memalign(&v, al, n) != 0)
			v = NULL;
		break;
	case 2:
		v = aligned_alloc(al, n);
		break;
	case 3:
		v = valloc(n);
		break;
	case 4:
		v = pvalloc(n);
		break;
	}
	sink = v;
	return v;
}

static void
tagalign(void)
{
	static char *names[] = {"memalign", "posix_memalign", "aligned_alloc", "valloc", "pvalloc"};
	static size_t als[] = {8, 16, 64, 256, 4096, 65536};
	static size_t ns[] = {1, 100, 5000, 300000};
	size_t al, n, u, page;
	unsigned i, j, k;
	void *v;
	int r;

	page = getpagesize();
	for(i = 0; i < 5; i++)
	for(j = 0; j < sizeof als/sizeof als[0]; j++)
	for(k = 0; k < sizeof ns/sizeof ns[0]; k++){
		if(i >= 3 && j > 0)
			continue;
		al = i >= 3 ? page : als[j];
		n = ns[k];
		v = doalign(i, al, n);
		u = v != NULL ? malloc_usable_size(v) : 0;
		if(!check(v != NULL && (uintptr_t)v % al == 0 && u >= n && (i != 4 || u >= ((n + page-1) & ~(page-1))),
		    "%s(%zu, %zu): %p, usable %zu", names[i], al, n, v, u))
			continue;
		memset(v, 0x5a, u);
		check(in(getmalloctag(v), "doalign") && trailerok(v, n),
			"%s(%zu, %zu): malloc tag %s, trailer as documented, after writing all usable bytes",
			names[i], al, n, where(getmalloctag(v)));
		free(v);
	}
	v = (void*)1;
	check(posix_memalign(&v, 24, 10) == EINVAL && v == (void*)1, "posix_memalign(24): EINVAL");
	check(posix_memalign(&v, 4, 10) == EINVAL, "posix_memalign(4): EINVAL");
	check(posix_memalign(&v, 0, 10) == EINVAL, "posix_memalign(0): EINVAL");
	errno = 0;
	r = posix_memalign(&v, 64, SIZE_MAX - 100);
	check(r == ENOMEM && v == (void*)1 && errno == 0, "posix_memalign(64, huge): ENOMEM, errno untouched");
	errno = 0;
	check(aligned_alloc(48, 10) == NULL && errno == EINVAL, "aligned_alloc(48): NULL, EINVAL");
}

static void
tagbig(void)
{
	void *v;
	size_t u;

	v = domalloc(256<<10);
	check((((u64*)v)[-1] & 2) != 0, "malloc(256 KiB) is mmapped");
	tagin(v, "domalloc", "malloc(256 KiB)");
	check(trailerok(v, 256<<10), "malloc(256 KiB): trailer as documented");
	u = malloc_usable_size(v);
	check(u == chunkusable(v) - 16, "malloc(256 KiB): usable %zu, chunk's %llu less 16",
		u, (unsigned long long)chunkusable(v));
	memset(v, 0x77, u);
	tagin(v, "domalloc", "malloc(256 KiB) after writing all usable bytes");
	free(v);
	v = domalloc(100<<20);
	check(v != NULL && (((u64*)v)[-1] & 2) != 0 && in(getmalloctag(v), "domalloc") && trailerok(v, 100<<20),
		"malloc(100 MiB): mmapped, tag %s, trailer as documented", where(getmalloctag(v)));
	free(v);
}

static void
taglibc(void)
{
	void *v;
	FILE *f;

	v = dostrdup("a string for strdup");
	tagin(v, "dostrdup", "strdup");
	free(v);
	v = doasprintf(42);
	tagin(v, "doasprintf", "asprintf");
	check(getrealloctag(v) == 0 || in(getrealloctag(v), "doasprintf"), "asprintf: realloc tag %s",
		where(getrealloctag(v)));
	free(v);
	f = dofopen();
	if(!check(f != NULL, "fopen"))
		return;
	tagin(f, "dofopen", "fopen's FILE");
	v = dogetline(f);
	tagin(v, "dogetline", "getline");
	free(v);
	fclose(f);
}

static void
tagwrap(void)
{
	void *v;

	v = callsemalloc(64);
	tagin(v, "callsemalloc", "setmalloctag(v, getcallerpc(&n)) in emalloc");
	v = callserealloc(v, 6400);
	check(in(getrealloctag(v), "callserealloc"), "setrealloctag in erealloc: %s", where(getrealloctag(v)));
	tagin(v, "callsemalloc", "erealloc keeps the malloc tag");
	free(v);
	setmalloctag(NULL, 1);
	check(getmalloctag(NULL) == 0 && getrealloctag(NULL) == 0, "get*tag(NULL) is 0");
}

/*
 * Code made at run time, in a mapping the library has not seen:
 *	sub $8, %rsp; movabs $fn, %rax; call *%rax; add $8, %rsp; ret
 * Its return address is the stub plus 16.
 */
static void*
stub(void *fn)
{
	static uchar code[] = {
		0x48, 0x83, 0xec, 0x08,
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xd0,
		0x48, 0x83, 0xc4, 0x08,
		0xc3,
	};
	uchar *p;

	p = mmap(NULL, getpagesize(), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if(p == MAP_FAILED)
		return NULL;
	memcpy(code+6, &fn, 8);
	memcpy(p, code, sizeof code);
	if(mprotect(p, getpagesize(), PROT_READ|PROT_EXEC) < 0)
		return NULL;
	return p;
}

static void
tagjit(void)
{
	void *(*m)(size_t);
	char *(*s)(const char*);
	void *v;

	m = stub((void*)malloc);
	if(!check(m != NULL, "stub for malloc"))
		return;
	v = m(50);
	check(getmalloctag(v) == (uintptr_t)m + 16, "malloc from new code: tag %#lx, want exactly %#lx",
		(unsigned long)getmalloctag(v), (unsigned long)m + 16);
	free(v);
	s = stub((void*)strdup);
	if(!check(s != NULL, "stub for strdup"))
		return;
	v = s("from code made at run time");
	check(getmalloctag(v) == (uintptr_t)s + 16, "strdup from new code: tag %#lx, want exactly %#lx",
		(unsigned long)getmalloctag(v), (unsigned long)s + 16);
	free(v);
}

static void
tagerrno(void)
{
	void *v;

	errno = EXDEV;
	v = dostrdup("errno");
	free(v);
	v = domalloc(10);
	free(v);
	check(errno == EXDEV, "malloc, strdup and free leave errno alone");
	check(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is 0");
}

/* untagged blocks: glibc's own, and tagged ones with a spoilt trailer */
static void
taguntagged(void)
{
	uchar *v, *w;
	u64 u, *t, slack, old[2];
	int i;

	v = __libc_malloc(100);
	u = chunkusable(v);
	for(i = 0; i < 256; i++){
		memset(v, i, u);
		t = (u64*)(v + u - 16);
		if(t[1] >> 48 > u - 16 || t[0] >> 48 != tcheck(v, t[1] >> 48))
			break;
	}
	memcpy(v, "untagged", 9);
	check(getmalloctag(v) == 0 && getrealloctag(v) == 0, "glibc's own block: tags 0");
	check(malloc_usable_size(v) == u, "glibc's own block: usable %zu, want %llu",
		malloc_usable_size(v), (unsigned long long)u);
	old[0] = t[0];
	old[1] = t[1];
	setmalloctag(v, 0x1234);
	setrealloctag(v, 0x1234);
	check(t[0] == old[0] && t[1] == old[1], "set*tag leaves an untagged block alone");
	w = dorealloc(v, 200);
	check(in(getmalloctag(w), "dorealloc") && in(getrealloctag(w), "dorealloc"),
		"realloc of glibc's own block: tags %s, %s", where(getmalloctag(w)), where(getrealloctag(w)));
	check(memcmp(w, "untagged", 9) == 0, "realloc of glibc's own block: contents kept");
	free(w);
	free(__libc_malloc(10));

	v = domalloc(40);
	u = malloc_usable_size(v);
	t = (u64*)(v + u);
	t[0] ^= 1ULL << 48;
	check(getmalloctag(v) == 0, "bad check: untagged");
	check(malloc_usable_size(v) == u + 16, "bad check: usable %zu, want %llu",
		malloc_usable_size(v), (unsigned long long)u + 16);
	t[0] ^= 1ULL << 48;
	check(getmalloctag(v) != 0, "check restored: tagged again");
	slack = 0x100;
	t[1] = slack << 48;
	t[0] = tcheck(v, slack) << 48 | 0x4321;
	check(getmalloctag(v) == 0, "slack %llu past the chunk: untagged", (unsigned long long)slack);
	w = dorealloc(v, 20);
	check(in(getmalloctag(w), "dorealloc"), "realloc of a spoilt block: malloc tag %s", where(getmalloctag(w)));
	free(w);
}

static void*
thread(void *a)
{
	uintptr_t want;
	void *v[64];
	long i, bad;
	int j;

	bad = 0;
	want = 0;
	memset(v, 0, sizeof v);
	for(i = 0; i < 20000; i++){
		j = (i * 7919 + (long)a) % 64;
		free(v[j]);
		v[j] = domalloc(8 + (i * 31 + (long)a) % 2000);
		if(want == 0)
			want = getmalloctag(v[j]);
		bad += getmalloctag(v[j]) != want || getrealloctag(v[j]) != 0;
		if(i % 5 == 0){
			v[j] = dorealloc(v[j], 8 + i % 3000);
			bad += getmalloctag(v[j]) != want || !in(getrealloctag(v[j]), "dorealloc");
		}
	}
	for(j = 0; j < 64; j++)
		free(v[j]);
	bad += !in(want, "domalloc");
	return (void*)bad;
}

static void
tagthreads(void)
{
	pthread_t t[Nthr];
	void *r;
	long bad;
	int i;

	for(i = 0; i < Nthr; i++)
		pthread_create(&t[i], NULL, thread, (void*)(long)i);
	bad = 0;
	for(i = 0; i < Nthr; i++){
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	check(bad == 0, "%d threads, 20000 blocks each: %ld bad tags", Nthr, bad);
}

static volatile int stop;

static void*
churn(void *a)
{
	void *v;

	(void)a;
	while(!stop){
		v = dostrdup("churning while the main thread forks");
		free(domalloc(100));
		free(v);
	}
	return NULL;
}

/* allocate in the parent and in a child forked while other threads allocate */
static void
tagfork(void)
{
	pthread_t t[2];
	long bad;
	int i, j, st, n;
	pid_t pid;
	void *v;

	for(i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for(i = 0; i < 20; i++){
		pid = fork();
		if(pid == 0){
			bad = 0;
			for(j = 0; j < 1000; j++){
				v = j % 2 ? domalloc(j) : dostrdup("in the child");
				bad += !in(getmalloctag(v), j % 2 ? "domalloc" : "dostrdup");
				free(v);
			}
			_exit(bad != 0);
		}
		for(j = 0; j < 100; j++)
			free(domalloc(j));
		st = -1;
		if(pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			break;
	}
	n = i;
	stop = 1;
	for(i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	check(n == 20, "fork while threads allocate: %d of 20 children allocated and freed with right tags", n);
	v = domalloc(10);
	tagin(v, "domalloc", "malloc in the parent after fork");
	free(v);
}

int
main(void)
{
	if(mtinit() < 0)
		return 1;
#ifndef LINKED
	if(getmalloctag == NULL){
		printf("FAIL libmalloctag is not loaded: run with LD_PRELOAD=build/libmalloctag.so\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
#endif
	tagbig();	/* first: freeing an mmapped block raises glibc's mmap threshold */
	tagmalloc();
	tagrealloc();
	tagcalloc();
	tagalign();
	taglibc();
	tagwrap();
	tagjit();
	tagerrno();
	taguntagged();
	tagthreads();
	tagfork();
	return mtdone();
}
