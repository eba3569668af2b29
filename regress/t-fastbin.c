/*
 * fastbin-sized blocks (chunks <= 0x80).  For each size seven
 * frees fill the tcache first, so the next ones land in the
 * fastbins.  Fastbin and tcache chunks keep the in-use bit of
 * the chunk after them set, so in the heap they look just like
 * the held and leaked blocks around them.  Each free chunk
 * follows a leaked block, so the arena's fastbin heads point
 * into leaked blocks (at the free chunk's header, which overlays
 * the leaked block's last word).
 */
#include "truth.h"
#include <stdlib.h>

enum { Ntcache = 7, Nfast = 3, Nfree = Ntcache+Nfast };

void	*keep[5][Nfree];

static noinline void
onesize(int s, ulong n)
{
	void *f[Nfree];
	int i;

	for(i = 0; i < Nfree; i++){
		keep[s][i] = heldalloc(n);
		leakalloc(n);
		f[i] = malloc(n);
		truthfill(f[i], n);
	}
	for(i = 0; i < Nfree; i++){
		truthfree(f[i], n, i < Ntcache ? "tcache" : "fast");
		free(f[i]);
	}
}

static noinline void
setup(void)
{
	static ulong size[] = { 24, 40, 56, 88, 120 };
	int s;

	for(s = 0; s < 5; s++)
		onesize(s, size[s]);
}

int
main(void)
{
	setup();
	truthready();
}
