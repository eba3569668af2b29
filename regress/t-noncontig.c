/*
 * a main arena that is not contiguous: a page mapped right at the
 * break stops brk from growing, so malloc falls back to mmap for
 * the main arena's next segment.  Leaks and holds blocks in both
 * segments.
 */
#include "truth.h"
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

enum { N = 40, Big = 64*1024 };

void	*keep[2*N];

static noinline void
fill(int base)
{
	int i;

	for(i = 0; i < N; i++){
		keep[base+i] = heldalloc(Big + 16*i);
		leakalloc(Big/2 + 8*i);
	}
}

static noinline void
setup(void)
{
	ulong brk;
	void *p;

	fill(0);
	brk = ((ulong)sbrk(0) + 4095) & ~4095UL;
	p = mmap((void*)brk, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0);
	if(p != (void*)brk)
		truthsay("noncontig: could not block the break");
	fill(N);
}

int
main(void)
{
	setup();
	truthready();
}
