/*
 * A walk said to be done without damage is held to what a heap is:
 * blocks in address order, each inside one mapping, none overlapping
 * another, allocated or free.  A report printed from anything else,
 * with leak's exit status 0, would be a guess passed off as a fact.
 */
#include <stdio.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "fuzz.h"

enum {
	Borrow = 8,	/* glibc's chunk in use may hold data in the next chunk's prev_size */
};

static int
bad(FILE *f, Block *b, char *why)
{
	fprintf(f, "fuzz: block 0x%llx (chunk 0x%llx, 0x%llx bytes): %s\n",
		(unsigned long long)b->addr, (unsigned long long)b->hdr,
		(unsigned long long)b->chunk, why);
	return -1;
}

/* Block b by itself: its fields agree, its chunk is in one mapping. */
static int
alone(FILE *f, Target *t, Block *b)
{
	Map *m;

	if(b->hdr + b->chunk < b->hdr)
		return bad(f, b, "its chunk wraps");
	if(b->addr < b->hdr || b->base < b->hdr || b->addr < b->base)
		return bad(f, b, "its address is below its header");
	if(b->size > b->usable || b->addr + b->usable < b->addr)
		return bad(f, b, "its size exceeds its usable bytes, or they wrap");
	if(b->addr + b->usable > b->hdr + b->chunk + Borrow)
		return bad(f, b, "its usable bytes run past its chunk");
	if((m = hwmapat(t, b->hdr)) == NULL)
		return bad(f, b, "its chunk is not in any mapping");
	if(b->hdr + b->chunk > m->end)
		return bad(f, b, "its chunk runs past the end of its mapping");
	return 0;
}

int
heapsound(FILE *f, Target *t, Heap *h)
{
	Block b, prev;
	long i;

	for(i = 0; i < h->nb; i++){
		heapget(h, i, &b);
		if(alone(f, t, &b) < 0)
			return -1;
		if(i > 0 && b.hdr < prev.hdr + prev.chunk){
			bad(f, &prev, "overlaps the next block");
			return bad(f, &b, "is the next block");
		}
		prev = b;
	}
	return 0;
}
