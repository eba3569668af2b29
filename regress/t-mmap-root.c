/*
 * held blocks referenced only from anonymous mappings the
 * program made: one private, one shared (which shows in maps as
 * /dev/zero (deleted)).  A PROT_NONE mapping must not trouble
 * the scan.
 */
#include "truth.h"
#include <stdlib.h>
#include <sys/mman.h>

void	**priv;
void	**shared;
void	*none;

static void*
map(int prot, int flags, ulong n)
{
	void *p;

	p = mmap(nil, n, prot, flags|MAP_ANONYMOUS, -1, 0);
	if(p == MAP_FAILED)
		abort();
	return p;
}

static noinline void
setup(void)
{
	priv = map(PROT_READ|PROT_WRITE, MAP_PRIVATE, 3*4096);
	shared = map(PROT_READ|PROT_WRITE, MAP_SHARED, 4096);
	none = map(PROT_NONE, MAP_PRIVATE, 16*4096);
	leakalloc(99);
	priv[1000] = heldalloc(99);
	shared[7] = heldalloc(98);
	leakalloc(98);
}

int
main(void)
{
	setup();
	truthready();
}
