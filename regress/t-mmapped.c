/*
 * mmapped blocks (>= 256 KiB): plain and memalign'd, leaked and
 * held.  glibc keeps no list of mmapped chunks; they are found
 * only in the address space.  One is freed last: freeing an
 * mmapped chunk raises the mmap threshold, which would send
 * later big blocks to the heap instead.
 */
#include "truth.h"
#include <malloc.h>
#include <stdlib.h>

void	*keep[2];

static noinline void*
align(ulong a, ulong n)
{
	void *p;

	p = memalign(a, n);
	if(p == nil)
		abort();
	truthfill(p, n);
	return p;
}

static noinline void
setup(void)
{
	void *f;

	f = malloc(300*1024);
	leakalloc(256*1024);
	keep[0] = heldalloc(1024*1024);
	truthleak(align(64*1024, 300*1024), 300*1024);
	keep[1] = align(4096, 260*1024);
	truthheld(keep[1], 260*1024);
	leakalloc(2*1024*1024+17);
	truthfree(f, 300*1024, "mmap");
	free(f);
}

int
main(void)
{
	setup();
	truthready();
}
