/*
 * large blocks, 2 KiB..100 KiB (under the mmap threshold):
 * leaked and held blocks between chunks freed at the end into
 * the unsorted bin.  In-use neighbours keep the free chunks
 * from coalescing, so each stays a chunk of its own.  Each
 * follows a leaked block, so the bin's list pointers point into
 * leaked blocks (at the free chunk's header).
 */
#include "truth.h"
#include <stdlib.h>

enum { Nsize = 5 };

void	*keep[Nsize];

static noinline void
setup(void)
{
	static ulong size[Nsize] = { 2048, 5000, 20000, 65536, 100000 };
	void *f[Nsize];
	int s;

	for(s = 0; s < Nsize; s++){
		keep[s] = heldalloc(size[s]+8);
		leakalloc(size[s]);
		f[s] = malloc(size[s]);
		truthfill(f[s], size[s]);
	}
	leakalloc(100);	/* keeps the last free chunk out of top */
	for(s = 0; s < Nsize; s++){
		truthfree(f[s], size[s], "unsorted");
		free(f[s]);
	}
}

int
main(void)
{
	setup();
	truthready();
}
