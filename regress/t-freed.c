/*
 * free chunks of every kind, none of which may be reported:
 * tcache, fastbin, small bin, large bin, mmapped, and the old
 * block of a realloc that moved.  Everything is allocated
 * first: a later small malloc would split a binned chunk.  The
 * two mallocs made after the frees are too big for any free
 * chunk, so each free chunk stays where and what it is.
 */
#include "truth.h"
#include <stdlib.h>

enum { Ntcache = 7, Nfast = 3 };

void	*keep[32];
int	nkeep;

static void	*s[Ntcache+1], *f[Ntcache+Nfast], *t[3];
static void	*a, *b, *r, *m;

static void*
get(ulong n)
{
	void *p;

	p = malloc(n);
	if(p == nil)
		abort();
	truthfill(p, n);
	return p;
}

static void
put(void *p, ulong n, char *kind)
{
	truthfree(p, n, kind);
	free(p);
}

/* an in-use neighbour, so free chunks cannot coalesce */
static void
guard(void)
{
	keep[nkeep++] = heldalloc(24);
}

static noinline void
alloc(void)
{
	int i;

	m = get(400*1024);
	leakalloc(24);
	guard();
	for(i = 0; i <= Ntcache; i++){
		s[i] = get(504);
		guard();
	}
	a = get(5000);
	guard();
	b = get(40000);
	guard();
	r = get(100);
	guard();	/* so realloc cannot grow r in place */
	for(i = 0; i < Ntcache+Nfast; i++)
		f[i] = get(56);
	for(i = 0; i < 3; i++)
		t[i] = get(200);
	leakalloc(70);
	guard();
}

/* the big malloc sorts the unsorted chunks into their bins */
static noinline void
binned(void)
{
	int i;

	for(i = 0; i < Ntcache; i++)
		put(s[i], 504, "tcache");
	put(s[Ntcache], 504, "unsorted");
	put(a, 5000, "unsorted");
	put(b, 40000, "unsorted");
	keep[nkeep++] = heldalloc(60000);
	truthfree(s[Ntcache], 504, "small");
	truthfree(a, 5000, "large");
	truthfree(b, 40000, "large");
}

static noinline void
moved(void)
{
	truthfree(r, 100, "realloc");
	r = realloc(r, 50000);	/* bigger than any free chunk */
	truthheld(r, 50000);	/* its first 100 bytes filled, the rest as realloc left them */
	keep[nkeep++] = r;
}

/* after the big mallocs, which would consolidate fastbins */
static noinline void
fast(void)
{
	int i;

	for(i = 0; i < Ntcache+Nfast; i++)
		put(f[i], 56, i < Ntcache ? "tcache" : "fast");
	for(i = 0; i < 3; i++)
		put(t[i], 200, "tcache");
}

static noinline void
setup(void)
{
	alloc();
	binned();
	moved();
	fast();
	put(m, 400*1024, "mmap");	/* last: it raises the mmap threshold */
}

int
main(void)
{
	setup();
	truthready();
}
