/*
 * One block: its size for a request, the datasize in its tail and the
 * data magic after the data, the trim of a block to its request, the
 * free space before an aligned block, and merges with neighbours.
 */
#include <string.h>
#include "fns.h"

static uchar datamagic[] = POOL_DATAMAGIC;

/* the size of a block that holds dsize bytes of data */
u64
blockbsize(Pool *p, u64 dsize)
{
	u64 least;

	least = p->minblock > Minblock ? p->minblock : Minblock;
	return sizeup(dsize + sizeof(Bhdr) + sizeof(Btail), least, p->quantum);
}

/* the bytes of data an allocated block was asked for */
u64
blockdsize(Bhdr *b)
{
	return b->size - SHORT(B2T(b)->datasize);
}

/* b's size, in its header and tail both */
void
blocksetsize(Bhdr *b, u64 size)
{
	Btail *t;

	b->size = size;
	t = B2T(b);
	t->magic0 = TAIL_MAGIC0;
	t->magic1 = TAIL_MAGIC1;
	t->size = size;
}

/* record dsize in b's tail and mark the bytes after the data, so that an overrun shows */
void
blocksetdsize(Pool *p, Bhdr *b, u64 dsize)
{
	Btail *t;
	uchar *q, *eq;

	if(b->size < blockbsize(p, dsize) || b->size - dsize > Maxdatasize)
		blockpanic(p, b, "data size %lu does not fit", dsize);
	t = B2T(b);
	PSHORT(t->datasize, b->size - dsize);
	q = (uchar*)B2D(b) + dsize;
	eq = (uchar*)t;
	if(eq > q + Ndatamagic)
		eq = q + Ndatamagic;
	for(; q < eq; q++)
		*q = datamagic[(uintptr_t)q % sizeof datamagic];
}

/*
 * Trim b, of no state, to what dsize bytes need, and allocate it.
 * The rest becomes a free block when it is worth one, or when b would
 * otherwise keep more slack than datasize can say.
 */
Bhdr*
blocktrim(Pool *p, Bhdr *b, u64 dsize)
{
	u64 bsize, extra;
	Bhdr *frag;

	bsize = blockbsize(p, dsize);
	extra = b->size - bsize;
	if(b->size - dsize > Maxdatasize
	|| (extra >= bsize>>2 && extra >= Minblock && extra >= p->minblock)){
		blocksetsize(b, bsize);
		frag = B2NB(b);
		antagonism {
			blockmark(frag, 0xF1, extra);
		}
		frag->magic = UNALLOC_MAGIC;
		blocksetsize(frag, extra);
		blockrelease(p, frag);
		DPRINT(p, "pool %s: trim %p to %lu, free %p of %lu\n", p->name, b, bsize, frag, extra);
	}
	b->magic = ALLOC_MAGIC;
	blocksetdsize(p, b, dsize);
	return b;
}

/*
 * b is allocated for an aligned pointer skip bytes into its data:
 * give the bytes before it back as a free block when worth it, and
 * return the block that now holds the pointer.
 */
Bhdr*
blockfreefront(Pool *p, Bhdr *b, u64 skip)
{
	Bhdr *bb;

	skip &= ~(p->quantum-1);
	if(skip < Minblock || skip < p->minblock || (skip < 0x1000 && skip < b->size>>2))
		return b;
	bb = (Bhdr*)((uchar*)b + skip);
	blocksetsize(bb, b->size - skip);
	bb->magic = UNALLOC_MAGIC;
	blocksetsize(b, skip);
	b->magic = UNALLOC_MAGIC;
	blockrelease(p, b);
	DPRINT(p, "pool %s: free %lu before %p\n", p->name, skip, bb);
	return bb;
}

/*
 * Merge b into a, the block before it, taking either out of the free
 * tree first.  The header and tail that disappear inside are marked
 * NOT_MAGIC, so that nothing reading the memory takes them for blocks.
 */
Bhdr*
blockmerge(Pool *p, Bhdr *a, Bhdr *b)
{
	Btail *t;

	if(B2NB(a) != b)
		blockpanic(p, a, "merged with %p, not the next block", b);
	if(a->magic == FREE_MAGIC)
		pooldel(p, (Free*)a);
	if(b->magic == FREE_MAGIC)
		pooldel(p, (Free*)b);
	if(p->flags & POOL_DEBUGGING){
		blockcheck(p, a);
		blockcheck(p, b);
	}
	t = B2T(a);
	t->magic0 = t->magic1 = (uchar)NOT_MAGIC;
	PSHORT(t->datasize, NOT_MAGIC & 0xFFFF);
	t->size = NOT_MAGIC;
	blocksetsize(a, a->size + b->size);
	PSHORT(B2T(a)->datasize, Maxdatasize);
	b->magic = NOT_MAGIC;
	b->size = NOT_MAGIC;
	a->magic = UNALLOC_MAGIC;
	return a;
}

/* b, of no state, is free: merge it with the free blocks on either side and put it in the tree */
Free*
blockrelease(Pool *p, Bhdr *b)
{
	Bhdr *back, *fwd;

	back = T2HDR(B2PT(b));
	if(back->magic == FREE_MAGIC)
		b = blockmerge(p, back, b);
	fwd = B2NB(b);
	if(fwd->magic == FREE_MAGIC)
		b = blockmerge(p, b, fwd);
	return pooladd(p, b);
}

/*
 * Antagonism's fill: each 32-bit word is sig<<24 xor its offset, so
 * that a stray value says who wrote it and where the marking began.
 */
void
blockmark(void *v, int sig, u64 n)
{
	uint32_t *w, *ew;
	uchar *c, *ec;

	w = v;
	ew = w + n/4;
	for(; w < ew; w++)
		*w = (uint32_t)sig<<24 ^ (uint32_t)((uchar*)w - (uchar*)v);
	ec = (uchar*)v + n;
	for(c = (uchar*)w; c < ec; c++)
		*c = sig;
}
