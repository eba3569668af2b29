/*
 * A pool heap (libpool.so preloaded) damaged the ways programs damage
 * one, $CORRUPT naming which:
 *	overrun	one byte written past a block's request, over its data magic
 *	header	a block's header (magic and size) overwritten
 *	both	the two at once, in different blocks
 *	arena	the header of the arena the pool's list starts with: no block
 *		can be found, but leak must say why
 * It prints `corrupt 0xADDR' for each block leak must name (its
 * header's address), after blocks leaked and held around the damage,
 * so that a walk that goes on past it still finds them.  It calls
 * malloc no more once the damage is done.
 */
#include "truth.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <stdint.h>
#include "../lib/pool/pool.h"

enum { N = 4 };

void	*keep[N], *later[N], *bad[2];

static char*
damage(char *mode, char *which, int n)
{
	volatile char *v;
	char *p;
	unsigned i;

	p = malloc(n);
	truthfill(p, n);
	if(strcmp(mode, which) != 0 && strcmp(mode, "both") != 0){
		truthheld(p, n);
		return p;
	}
	/* through an address the compiler cannot follow, as a stray pointer would be */
	v = (volatile char*)(uintptr_t)p;
	if(strcmp(which, "overrun") == 0)
		v[n] = 'x';
	else
		for(i = 0; i < sizeof(Bhdr); i++)
			v[(long)i - Pooltagged] = 0x55;
	dprintf(1, "corrupt %p\n", p - Pooltagged);
	return p;
}

#pragma weak mainmem

/* Over the first arena's magic, and nothing else: its blocks stay as they were. */
static void
arena(void)
{
	volatile uint64_t *a;

	a = mainmem->arenalist;
	a[0] = 0x5555555555555555ULL;
	dprintf(1, "corrupt %p\n", (void*)a);
}

static noinline void
setup(char *mode)
{
	int i;

	for(i = 0; i < N; i++){
		leakalloc(40 + 8*i);
		keep[i] = heldalloc(56 + 8*i);
	}
	/* 44 bytes: the block keeps slack, so the overrun hits data magic, not the tail */
	bad[0] = damage(mode, "overrun", 44);
	bad[1] = damage(mode, "header", 100);
	for(i = 0; i < N; i++){
		leakalloc(72 + 8*i);
		later[i] = heldalloc(88 + 8*i);
	}
	if(strcmp(mode, "arena") == 0)
		arena();
}

int
main(void)
{
	char *mode;

	mode = getenv("CORRUPT");
	if(mode == NULL || (strcmp(mode, "overrun") != 0 && strcmp(mode, "header") != 0
	&& strcmp(mode, "both") != 0 && strcmp(mode, "arena") != 0)){
		dprintf(2, "t-poolcorrupt: CORRUPT=overrun, header, both or arena\n");
		return 2;
	}
	setup(mode);
	truthready();
}
