/*
 * small blocks, 16..200 bytes, some leaked, some held, some
 * freed into the tcache at the end, so they stay free.
 * Also built -static as t-static.
 */
#include "truth.h"
#include <stdlib.h>

enum { N = 8 };

void	*keep[N];

static noinline void
setup(void)
{
	void *f[N];
	ulong n;
	int i;

	for(i = 0; i < N; i++){
		n = 16 + 26*i;
		f[i] = malloc(n+5);
		truthfill(f[i], n+5);
		leakalloc(n);
		keep[i] = heldalloc(n+3);
	}
	leakalloc(200);
	for(i = 0; i < N; i++){
		truthfree(f[i], 16+26*i+5, "tcache");
		free(f[i]);
	}
}

int
main(void)
{
	setup();
	truthready();
}
