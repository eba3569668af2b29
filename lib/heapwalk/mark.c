/*
 * Conservative marking: any aligned word that points at a block's
 * first byte or anywhere inside it keeps the block alive.
 * What is left unmarked, and not free, is leaked.
 */
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"

typedef struct Mark Mark;
struct Mark {
	Heap	*h;
	u64	lo;		/* no block below */
	u64	hi;		/* nor at or above */
	Block	**stk;
	long	nstk;
};

static void
reach(Mark *m, u64 w)
{
	Block *b;

	if(w < m->lo || w >= m->hi)
		return;
	b = heapfind(m->h, w);
	if(b == NULL || (b->flags & (Bfree|Binternal|Bmarked)))
		return;
	b->flags |= Bmarked;
	m->stk[m->nstk++] = b;
}

static void
scan(Mark *m, uchar *p, u64 n)
{
	u64 w, i;

	for(i = 0; i+8 <= n; i += 8){
		memcpy(&w, p+i, 8);
		reach(m, w);
	}
}

/* [start,end), through every snapshot it lies in; words never cross one (pages). */
static void
scanrange(Target *t, Mark *m, u64 start, u64 end)
{
	uchar *p;
	u64 n;

	while(start < end && (p = hwptrpart(t, start, end, &n)) != NULL){
		scan(m, p, n);
		start += n;
	}
}

static void
drain(Target *t, Mark *m)
{
	Block *b;

	/*
	 * Only the bytes the program asked for, when the block says how
	 * many (malloc tags): past them lie the allocator's leftovers.
	 */
	while(m->nstk > 0){
		b = m->stk[--m->nstk];
		scanrange(t, m, b->addr, b->addr + (b->size & ~7ULL));
	}
}

void
hwmark(Target *t, Heap *h, Roots *r)
{
	Mark m;
	long i;

	if(h->nb == 0)
		return;
	m.h = h;
	m.lo = h->b[0].addr;
	m.hi = h->b[h->nb-1].addr + h->b[h->nb-1].usable;
	m.stk = emalloc(h->nb * sizeof m.stk[0]);
	m.nstk = 0;
	/* a block used as a stack: its live part is already a root range */
	for(i = 0; i < h->nb; i++)
		if(h->b[i].flags & Bstack)
			h->b[i].flags |= Bmarked;
	for(i = 0; i < r->nw; i++)
		reach(&m, r->w[i]);
	drain(t, &m);
	for(i = 0; i < r->nr; i++){
		scanrange(t, &m, r->r[i].start, r->r[i].end);
		drain(t, &m);
	}
	free(m.stk);
}
