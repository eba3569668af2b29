/* The block table a model fills and marking reads. */
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"

void
heapadd(Heap *h, Block *b)
{
	if(h->visit != NULL){
		h->visit(h, b, 1);
		return;
	}
	if(h->nb == h->ab){
		h->ab = h->ab ? 2*h->ab : 4096;
		h->b = erealloc(h->b, h->ab*sizeof h->b[0]);
	}
	h->b[h->nb++] = *b;
}

/* A block already added turns out free or the allocator's own. */
void
heapsetflag(Heap *h, Block *b, int flag)
{
	if(h->visit != NULL && !(b->flags & (Bfree|Binternal)))
		h->visit(h, b, -1);
	b->flags |= flag;
}

void
heapown(Heap *h, u64 start, u64 end, int kind)
{
	if(h->nown == h->aown){
		h->aown = h->aown ? 2*h->aown : 64;
		h->own = erealloc(h->own, h->aown*sizeof h->own[0]);
	}
	h->own[h->nown].start = start;
	h->own[h->nown].end = end;
	h->own[h->nown].kind = kind;
	h->nown++;
}

static int
byaddr(const void *a, const void *b)
{
	const Block *x, *y;

	x = a;
	y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
bystart(const void *a, const void *b)
{
	const Range *x, *y;

	x = a;
	y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void
heapsort(Heap *h)
{
	if(h->nb > 0)
		qsort(h->b, h->nb, sizeof h->b[0], byaddr);
	if(h->nown > 0)
		qsort(h->own, h->nown, sizeof h->own[0], bystart);
}

/* Forget the blocks; a streaming heap keeps its visitor. */
void
heapfree(Heap *h)
{
	void (*visit)(Heap*, Block*, int);
	void (*reset)(Heap*);
	void *arg;

	visit = h->visit;
	reset = h->reset;
	arg = h->arg;
	free(h->b);
	free(h->own);
	memset(h, 0, sizeof *h);
	h->visit = visit;
	h->reset = reset;
	h->arg = arg;
	if(reset != NULL)
		reset(h);
}

/* The block whose usable bytes contain addr. */
Block*
heapfind(Heap *h, u64 addr)
{
	long lo, hi, m;
	Block *b;

	lo = 0;
	hi = h->nb;
	while(lo < hi){
		m = (lo+hi)/2;
		if(h->b[m].addr <= addr)
			lo = m+1;
		else
			hi = m;
	}
	if(lo == 0)
		return NULL;
	b = &h->b[lo-1];
	if(addr - b->addr < b->usable)
		return b;
	return NULL;
}
