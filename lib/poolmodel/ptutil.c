/* Small readers shared by the ptmalloc model's files: 32-bit fields, free-list links, an arena's use. */
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

u32
ptword32(Target *t, u64 addr)
{
	return hwword(t, addr);
}

/* Safe-linking (2.32+): a free list link is stored xor its own address >> 12. */
u64
ptreveal(Glibc *g, u64 slot, u64 stored)
{
	if(!g->safelink)
		return stored;
	return stored ^ (slot >> 12);
}

/* Whether an arena has given out nothing yet: top is 0 before malloc's first call, then bin 1. */
int
ptunused(Target *t, Glibc *g, u64 arena)
{
	u64 top;

	top = hwword(t, arena + g->otop);
	return top == 0 || top == arena + g->obins - 16;
}
