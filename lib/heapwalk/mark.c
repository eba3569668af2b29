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
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Markbatch = 64,		/* reached blocks whose edges drain fetches together */
	Maxparts = 4,		/* threads reading the heap for edges */
	Partmin = 100000,	/* fewer blocks are not worth a thread */
};

typedef struct Edges Edges;
struct Edges {
	u32	*e;		/* the blocks each block points to, block by block */
	u64	n;
	u64	a;
	u64	*first;		/* block i's edges are e[first[i-base]..first[i-base+1]) */
	long	base;		/* the first block of the part */
	long	nfirst;
	long	cur;		/* the last block first[] is set for */
};

typedef struct Mark Mark;
struct Mark {
	Heap	*h;
	Target	*t;
	Edges	g[Maxparts];	/* a part of the blocks each */
	int	ng;
	u64	*seen;		/* reached, or never to be: a bit a block */
	u32	*queue;		/* reached, their edges to follow from head */
	long	head;
	long	tail;
};

/* An edge from block i to j, i never less than the last one's. */
static void
edge(Edges *g, long i, u32 j)
{
	while(g->cur < i){
		g->cur++;
		g->first[g->cur - g->base] = g->n;
	}
	if(g->n == g->a){
		g->e = hwbig(g->e, g->a * sizeof g->e[0], 2*(g->a + (1<<16)) * sizeof g->e[0]);
		g->a = 2*(g->a + (1<<16));
	}
	g->e[g->n++] = j;
}

/*
 * The words of the blocks being read that may be pointers, looked up
 * a batch at a time (heaplookupn), each with the block it is in.
 */
typedef struct Batch Batch;
struct Batch {
	u64	w[Lookbatch];
	long	from[Lookbatch];
	int	n;
	u64	lo, hi;
	long	last, lastfrom;	/* the edge made last */
};

static void
flush(Heap *h, Edges *g, Batch *k)
{
	long to[Lookbatch];
	int i;

	heaplookupn(h, k->w, k->n, to);
	for(i = 0; i < k->n; i++){
		/* none to itself, nor twice in a row */
		if(to[i] < 0 || to[i] == k->from[i] || (to[i] == k->last && k->from[i] == k->lastfrom))
			continue;
		if(h->cell[to[i]].flags & (Bfree|Binternal))
			continue;
		edge(g, k->from[i], to[i]);
		k->last = to[i];
		k->lastfrom = k->from[i];
	}
	k->n = 0;
}

/* The words of p[0..n), of block self, that may point into blocks. */
static void
wordedges(Heap *h, Edges *g, Batch *k, long self, uchar *p, u64 n)
{
	u64 w, i;

	for(i = 0; i+8 <= n; i += 8){
		memcpy(&w, p+i, 8);
		if(w < k->lo || w >= k->hi)
			continue;
		k->w[k->n] = w;
		k->from[k->n] = self;
		if(++k->n == Lookbatch)
			flush(h, g, k);
	}
}

/* The blocks in use from..to, read in address order: their edges, in g. */
static void
someedges(Target *t, Heap *h, long from, long to, Edges *g)
{
	Reader r;
	Block b;
	Batch k;
	uchar *p;
	u64 at, n, end;
	long i;

	memset(&r, 0, sizeof r);
	memset(&k, 0, sizeof k);
	k.last = k.lastfrom = -1;
	heapspan(h, &k.lo, &k.hi);
	g->first = hwbig(NULL, 0, (to - from + 1) * sizeof g->first[0]);
	g->nfirst = to - from + 1;
	g->base = from;
	g->cur = from - 1;
	for(i = from; i < to; i++){
		if(heapflags(h, i) & (Bfree|Binternal))
			continue;
		heapget(h, i, &b);
		end = b.addr + (b.size & ~7ULL);
		for(at = b.addr; at < end; at += n)
			if((p = hwreadat(t, &r, at, end - at, &n)) != NULL)
				wordedges(h, g, &k, i, p, n);
	}
	flush(h, g, &k);
	while(g->cur < to)
		g->first[++g->cur - from] = g->n;
	hwreaderfree(&r);
}

typedef struct Part Part;
struct Part {
	Target	*t;
	Heap	*h;
	long	from;
	long	to;
	Edges	*g;
};

static void*
part(void *a)
{
	Part *p;

	p = a;
	someedges(p->t, p->h, p->from, p->to, p->g);
	return NULL;
}

/* A part read in a thread of its own, which leaves signals to the main one. */
static void*
helper(void *a)
{
	guardhelper();
	return part(a);
}

/* Where the blocks split into n parts of about as many bytes to read. */
static void
split(Heap *h, int n, long *at)
{
	Block b;
	u64 all, sum;
	long i;
	int k;

	all = 0;
	for(i = 0; i < h->nb; i++)
		if(!(heapflags(h, i) & (Bfree|Binternal))){
			heapget(h, i, &b);
			all += b.size;
		}
	at[0] = 0;
	sum = 0;
	for(i = 0, k = 1; i < h->nb && k < n; i++){
		if(!(heapflags(h, i) & (Bfree|Binternal))){
			heapget(h, i, &b);
			sum += b.size;
		}
		if(sum >= all / n * k)
			at[k++] = i+1;
	}
	for(; k <= n; k++)
		at[k] = h->nb;
}

/*
 * Every block's edges, a part of the heap per processor: the reads and
 * lookups of one part wait for memory while another's go on.
 */
static int
alledges(Target *t, Heap *h, Edges *g)
{
	pthread_t th[Maxparts];
	Part p[Maxparts];
	long at[Maxparts+1];
	int i, n, started[Maxparts];

	n = sysconf(_SC_NPROCESSORS_ONLN);
	if(n > Maxparts)
		n = Maxparts;
	if(n < 1 || h->nb < Partmin)
		n = 1;
	split(h, n, at);
	for(i = 0; i < n; i++){
		p[i].t = t;
		p[i].h = h;
		p[i].from = at[i];
		p[i].to = at[i+1];
		p[i].g = &g[i];
	}
	for(i = 1; i < n; i++)
		if(!(started[i] = pthread_create(&th[i], NULL, helper, &p[i]) == 0))
			part(&p[i]);	/* no thread: read it here */
	part(&p[0]);
	for(i = 1; i < n; i++)
		if(started[i])
			pthread_join(th[i], NULL);
	return n;
}

/*
 * The mark itself runs on two bitmaps, a bit a block, small enough to
 * stay in the cache: blocks reached, and blocks never to be (free or
 * the allocator's).  Reached blocks queue up and are taken a batch at
 * a time, their edges fetched, then the bits they name.
 */
static int
isset(u64 *bits, long i)
{
	return bits[i>>6] >> (i & 63) & 1;
}

static void
reach(Mark *m, long j)
{
	if(isset(m->seen, j))
		return;
	m->seen[j>>6] |= 1ULL << (j & 63);
	m->queue[m->tail++] = j;
}

/* The part holding block i's edges. */
static Edges*
edgesof(Mark *m, long i)
{
	int k;

	for(k = m->ng-1; k > 0 && i < m->g[k].base; k--)
		;
	return &m->g[k];
}

static void
drain(Mark *m)
{
	u32 to[Markbatch*4];
	Edges *g;
	long q, end, n;
	u64 k;
	int i;

	while(m->head < m->tail){
		end = m->head + Markbatch < m->tail ? m->head + Markbatch : m->tail;
		for(q = m->head; q < end; q++){
			g = edgesof(m, m->queue[q]);
			if(g->e != NULL)	/* a part with no edges has no table: NULL+0 is undefined */
				__builtin_prefetch(&g->e[g->first[m->queue[q] - g->base]]);
		}
		n = 0;
		for(q = m->head; q < end; q++){
			g = edgesof(m, m->queue[q]);
			for(k = g->first[m->queue[q] - g->base]; k < g->first[m->queue[q] - g->base + 1]; k++){
				if(n == nelem(to)){
					for(i = 0; i < n; i++)
						reach(m, to[i]);
					n = 0;
				}
				to[n] = g->e[k];
				__builtin_prefetch(&m->seen[to[n]>>6]);
				n++;
			}
		}
		m->head = end;
		for(i = 0; i < n; i++)
			reach(m, to[i]);
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
	m.ng = alledges(t, h, m.g);
	m.seen = hwbig(NULL, 0, (h->nb/64 + 1) * sizeof m.seen[0]);
	m.queue = hwbig(NULL, 0, h->nb * sizeof m.queue[0]);
	for(i = 0; i < h->nb; i++)
		if(h->cell[i].flags & (Bfree|Binternal|Bstack))
			m.seen[i>>6] |= 1ULL << (i & 63);
	for(i = 0; i < roots->nw; i++)
		reachword(&m, roots->w[i]);
	drain(&m);
	memset(&r, 0, sizeof r);
	for(i = 0; i < roots->nr; i++)
		scanroot(&m, &r, roots->r[i].start, roots->r[i].end);
	hwreaderfree(&r);
	/* the marks, back in the table; a block used as a stack is its own root */
	for(i = 0; i < h->nb; i++)
		if(isset(m.seen, i) && !(h->cell[i].flags & (Bfree|Binternal)))
			h->cell[i].flags |= Bmarked;
	hwbigfree(m.seen, (h->nb/64 + 1) * sizeof m.seen[0]);
	hwbigfree(m.queue, h->nb * sizeof m.queue[0]);
	for(i = 0; i < m.ng; i++){
		hwbigfree(m.g[i].e, m.g[i].a * sizeof m.g[i].e[0]);
		hwbigfree(m.g[i].first, m.g[i].nfirst * sizeof m.g[i].first[0]);
	}
}
