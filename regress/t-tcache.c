/*
 * tcache-sized blocks, 24..1032 bytes: leaked and held blocks
 * between chunks that are freed into the tcache at the end
 * (three a size, under the tcache's seven).
 */
#include "truth.h"
#include <stdlib.h>

enum { Nsize = 7, Nper = 3 };

void	*keep[Nsize][Nper];

static noinline void
setup(void)
{
	static ulong size[Nsize] = { 24, 136, 264, 520, 777, 1000, 1032 };
	void *f[Nsize][Nper];
	int s, i;

	for(s = 0; s < Nsize; s++)
		for(i = 0; i < Nper; i++){
			f[s][i] = malloc(size[s]);
			truthfill(f[s][i], size[s]);
			leakalloc(size[s]);
			keep[s][i] = heldalloc(size[s]);
		}
	for(s = 0; s < Nsize; s++)
		for(i = 0; i < Nper; i++){
			truthfree(f[s][i], size[s], "tcache");
			free(f[s][i]);
		}
}

int
main(void)
{
	setup();
	truthready();
}
