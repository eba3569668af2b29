/*
 * Two allocators at once: glibc's malloc and a Plan 9 pool (libpool.a,
 * pmalloc on mainmem), each with blocks leaked, held and freed, and
 * pointers from each one's blocks into the other's: a pool block
 * held through a glibc block, a glibc block held through a pool block,
 * and a leaked cycle that runs through both.  Built stripped too
 * (t-poolmixed-stripped), where the pool is found by its magic.
 */
#include "truth.h"
#include <stdlib.h>
#include <malloc.h>
#include "../lib/pool/pool.h"

enum { N = 6 };

void	*keep[4];

/* record a pool block as f records one of malloc's */
static void
pooled(void (*f)(void*, ulong), void *p, ulong n)
{
	truthmsize = truthpoolsize;
	f(p, n);
	truthmsize = (ulong(*)(void*))malloc_usable_size;
}

static void
freed(void *p, ulong n)
{
	truthfree(p, n, nil);
}

static void*
pnew(ulong n)
{
	void *p;

	p = pmalloc(mainmem, n);
	truthfill(p, n);
	return p;
}

static noinline void
setup(void)
{
	void **g, **s, **x, **y, *p, *f;
	int i;

	for(i = 0; i < N; i++){
		leakalloc(24 + 40*i);
		pooled(truthleak, pnew(24 + 40*i), 24 + 40*i);
	}
	keep[0] = heldalloc(100);
	pooled(truthheld, keep[1] = pnew(64), 64);

	/* a pool block held only through a glibc block, and the other way about */
	p = pnew(48);
	g = malloc(16);
	g[0] = p;
	g[1] = nil;
	pooled(truthheld, p, 48);
	truthheld(g, 16);
	keep[2] = g;
	p = malloc(72);
	truthfill(p, 72);
	s = pnew(32);
	s[0] = p;
	truthheld(p, 72);
	pooled(truthheld, s, 32);
	keep[3] = s;

	/* a leaked cycle through both */
	x = pnew(40);
	y = malloc(40);
	x[0] = y;
	y[0] = x;
	pooled(truthleak, x, 40);
	truthleak(y, 40);

	/* freed, to lie in the pool's free tree */
	for(i = 0; i < N; i++){
		f = pnew(80 + 16*i);
		pooled(freed, f, 80 + 16*i);
		pfree(mainmem, f);
	}
}

int
main(void)
{
	setup();
	truthready();
}
