/*
 * Conservative marking: any aligned word that points at a block's
 * first byte or anywhere inside it keeps the block alive.
 * What is left unmarked, and not free, is leaked.
 *
 * The heap is read once, in address order, and each block's words
 * that point into other blocks become edges (four bytes each); the
 * roots are read the same way; the mark then runs on the edges
 * alone.  So no copy of the heap is needed: memory is the block
 * table and the edges, and the reads are sequential.
 */
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"
#include "fns.h"

typedef struct Edges Edges;
struct Edges {
	u32	*e;		/* the blocks each block points to, block by block */
	u64	n;
	u64	a;
	u64	*first;		/* block i's edges are e[first[i]..first[i+1]) */
};

typedef struct Mark Mark;
struct Mark {
	Heap	*h;
	Target	*t;
	Edges	g;
	long	*stk;
	long	nstk;
};

static void
edge(Edges *g, u32 j)
{
	if(g->n == g->a){
		g->a = g->a ? 2*g->a : 1<<16;
		g->e = erealloc(g->e, g->a * sizeof g->e[0]);
	}
	g->e[g->n++] = j;
}

/* The blocks the words of p[0..n) point into, as edges from block self. */
static void
wordedges(Heap *h, Edges *g, long self, uchar *p, u64 n)
{
	u64 w, i;
	long j, last;

	last = self;
	for(i = 0; i+8 <= n; i += 8){
		memcpy(&w, p+i, 8);
		j = heapfind(h, w);
		if(j < 0 || j == last || (heapflags(h, j) & (Bfree|Binternal)))
			continue;
		edge(g, j);
		last = j;
	}
}

/* Every block in use, read in address order: its edges. */
static void
alledges(Target *t, Heap *h, Edges *g)
{
	Reader r;
	Block b;
	uchar *p;
	u64 at, n;
	long i;

	memset(&r, 0, sizeof r);
	g->first = emalloc((h->nb+1) * sizeof g->first[0]);
	for(i = 0; i < h->nb; i++){
		g->first[i] = g->n;
		if(heapflags(h, i) & (Bfree|Binternal))
			continue;
		heapget(h, i, &b);
		for(at = b.addr; at < b.addr + (b.size & ~7ULL); at += n)
			if((p = hwreadat(t, &r, at, b.addr + (b.size & ~7ULL) - at, &n)) != NULL)
				wordedges(h, g, i, p, n);
	}
	g->first[h->nb] = g->n;
	hwreaderfree(&r);
}

static void
reach(Mark *m, long j)
{
	Cell *c;

	c = &m->h->cell[j];
	if(c->flags & (Bfree|Binternal|Bmarked))
		return;
	c->flags |= Bmarked;
	m->stk[m->nstk++] = j;
}

static void
drain(Mark *m)
{
	u64 k;
	long i;

	while(m->nstk > 0){
		i = m->stk[--m->nstk];
		for(k = m->g.first[i]; k < m->g.first[i+1]; k++)
			reach(m, m->g.e[k]);
	}
}

static void
reachword(Mark *m, u64 w)
{
	long j;

	j = heapfind(m->h, w);
	if(j >= 0)
		reach(m, j);
}

/* A root range's words. */
static void
scanroot(Mark *m, Reader *r, u64 start, u64 end)
{
	uchar *p;
	u64 n, i, w;

	for(; start < end; start += n){
		p = hwreadat(m->t, r, start, end - start, &n);
		if(p == NULL)
			continue;	/* unreadable: n skips it */
		for(i = 0; i+8 <= n; i += 8){
			memcpy(&w, p+i, 8);
			reachword(m, w);
		}
		drain(m);
	}
}

void
hwmark(Target *t, Heap *h, Roots *roots)
{
	Mark m;
	Reader r;
	long i;

	if(h->nb == 0)
		return;
	memset(&m, 0, sizeof m);
	m.h = h;
	m.t = t;
	if(h->index == NULL)
		heapindex(h);
	alledges(t, h, &m.g);
	m.stk = emalloc(h->nb * sizeof m.stk[0]);
	/* a block used as a stack: its live part is already a root range */
	for(i = 0; i < h->nb; i++)
		if(heapflags(h, i) & Bstack)
			h->cell[i].flags |= Bmarked;
	for(i = 0; i < roots->nw; i++)
		reachword(&m, roots->w[i]);
	drain(&m);
	memset(&r, 0, sizeof r);
	for(i = 0; i < roots->nr; i++)
		scanroot(&m, &r, roots->r[i].start, roots->r[i].end);
	hwreaderfree(&r);
	free(m.stk);
	free(m.g.e);
	free(m.g.first);
}
