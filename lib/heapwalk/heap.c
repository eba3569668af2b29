/*
 * The block table a model fills and marking reads: 16 bytes a block
 * (a Cell), so that ten million blocks cost 160 MB, not 640.  What a
 * cell cannot hold, a block of 4 GiB or more or one whose request is
 * far below its usable size, goes to a small table of wide ones.
 */
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Maxnarrow = 0xffffffffu,	/* a cell's usable: u32 */
	Maxless = 0xffff,		/* a cell's usable less size: u16 */
	Minshrink = -128,		/* a cell's shrink: s8 */
	Maxshrink = 127,
	Firstcells = 1<<16,
};

static int
within(Range *r, u64 addr)
{
	return addr - r->start < r->end - r->start;
}

/* The own range holding addr, or -1: by halves once heapsort has put them in order. */
static long
ownat(Heap *h, u64 addr)
{
	long lo, hi, m;

	if(!h->ownsorted){
		for(m = 0; m < h->nown; m++)
			if(within(&h->own[m], addr))
				return m;
		return -1;
	}
	lo = 0;
	hi = h->nown;
	while(lo < hi){
		m = (lo+hi)/2;
		if(h->own[m].start <= addr)
			lo = m+1;
		else
			hi = m;
	}
	return lo > 0 && within(&h->own[lo-1], addr) ? lo-1 : -1;
}

/*
 * The share whose range holds addr: with one allocator, the only one;
 * else found among the own ranges, the last one found tried first as
 * blocks are mostly looked up in order.
 */
static Share*
shareof(Heap *h, u64 addr)
{
	long m;

	if(h->nshare <= 1)
		return &h->share[0];
	if(h->lastown < h->nown && within(&h->own[h->lastown], addr))
		return &h->share[h->own[h->lastown].share];
	if((m = ownat(h, addr)) < 0)
		return &h->share[0];
	h->lastown = m;
	return &h->share[h->own[m].share];
}

static int
hoff(Heap *h, u64 base)
{
	return shareof(h, base)->hoff;
}

/* The bytes from its base on that a pointer reaching the block may hold: a cell's usable. */
static u64
reach(Block *b)
{
	return b->usable + (b->addr - b->base);
}

static int
narrow(Heap *h, Block *b)
{
	long long shrink;
	Share *s;

	s = shareof(h, b->base);
	shrink = s->hoff + (long long)(reach(b) - b->chunk);
	return reach(b) < Maxnarrow && b->usable - b->size < Maxless
		&& shrink >= Minshrink && shrink <= Maxshrink
		&& b->hdr + s->hoff == b->base && b->base + s->uoff == b->addr;
}

/* A model begins: its blocks and ranges from here on are of this share. */
int
heapshare(Heap *h, int hoff, int uoff, void (*tags)(Target*, Block*))
{
	if(h->nshare == Maxshare){
		werrstr("more than %d allocators in one process", Maxshare);
		return -1;
	}
	h->share[h->nshare].hoff = hoff;
	h->share[h->nshare].uoff = uoff;
	h->share[h->nshare].tags = tags;
	h->nshare++;
	return 0;
}

static void
addwide(Heap *h, Block *b)
{
	Wide *w;

	if(h->nwide == h->awide){
		h->awide = h->awide ? 2*h->awide : 64;
		h->wide = erealloc(h->wide, h->awide*sizeof h->wide[0]);
	}
	w = &h->wide[h->nwide++];
	w->base = b->base;
	w->addr = b->addr;
	w->hdr = b->hdr;
	w->usable = b->usable;
	w->size = b->size;
	w->chunk = b->chunk;
}

void
heapadd(Heap *h, Block *b)
{
	Cell *c;

	if(h->visit != NULL){
		h->visit(h, b, 1);
		return;
	}
	if(h->nb == h->ab){
		h->cell = hwbig(h->cell, h->ab*sizeof h->cell[0], 2*(h->ab+Firstcells)*sizeof h->cell[0]);
		h->ab = 2*(h->ab+Firstcells);
	}
	if(b->base == 0)
		b->base = b->addr;
	if(h->nb > 0 && b->base < h->cell[h->nb-1].addr)
		h->unsorted = 1;
	c = &h->cell[h->nb++];
	c->addr = b->base;
	c->flags = b->flags & ~Bwide;
	if(narrow(h, b)){
		c->usable = reach(b);
		c->less = b->usable - b->size;
		c->shrink = hoff(h, b->base) + reach(b) - b->chunk;
	}else{
		c->usable = 0;
		c->less = 0;
		c->shrink = 0;
		c->flags |= Bwide;
		addwide(h, b);
	}
}

static Wide*
findwide(Heap *h, u64 base)
{
	long lo, hi, m;

	lo = 0;
	hi = h->nwide;
	while(lo < hi){
		m = (lo+hi)/2;
		if(h->wide[m].base < base)
			lo = m+1;
		else if(h->wide[m].base > base)
			hi = m;
		else
			return &h->wide[m];
	}
	return NULL;
}

/* Block i, whole; its tags, if any, are heaptags'. */
void
heapget(Heap *h, long i, Block *b)
{
	Cell *c;
	Wide *w;
	Share *s;

	c = &h->cell[i];
	memset(b, 0, sizeof *b);
	b->base = c->addr;
	b->flags = c->flags & ~Bwide;
	if(c->flags & Bwide){
		w = findwide(h, c->addr);
		b->addr = w->addr;
		b->hdr = w->hdr;
		b->usable = w->usable;
		b->size = w->size;
		b->chunk = w->chunk;
		return;
	}
	s = shareof(h, c->addr);
	b->addr = c->addr + s->uoff;
	b->hdr = c->addr - s->hoff;
	b->usable = c->usable - s->uoff;
	b->size = b->usable - c->less;
	b->chunk = (u64)s->hoff + c->usable - c->shrink;
}

/* A tagged block's malloc and realloc tags, read from the target by the model. */
void
heaptags(Heap *h, Target *t, Block *b)
{
	Share *p;

	b->tag[0] = b->tag[1] = 0;
	p = shareof(h, b->base);
	if((b->flags & Btagged) && p->tags != NULL)
		p->tags(t, b);
}

int
heapflags(Heap *h, long i)
{
	return h->cell[i].flags & ~Bwide;
}

/* The end of block i's chunk, fast: marking's lookups compare it. */
u64
heapend(Heap *h, long i)
{
	Cell *c;
	Block b;

	c = &h->cell[i];
	if(!(c->flags & Bwide))
		return c->addr + c->usable - c->shrink;
	heapget(h, i, &b);
	return b.hdr + b.chunk;
}

/*
 * A block already added turns out free or the allocator's own.
 * Streamed, b is the block as it was visited, taken back; kept, i is
 * its index.
 */
void
heapsetflag(Heap *h, long i, Block *b, int flag)
{
	if(h->visit != NULL && !(b->flags & (Bfree|Binternal)))
		h->visit(h, b, -1);
	b->flags |= flag;
	if(i >= 0)
		h->cell[i].flags |= flag;
}

/* A kept block's bytes change: a free chunk's run to its chunk's end. */
void
heapsetsize(Heap *h, long i, u64 usable, u64 size)
{
	Block b;

	heapget(h, i, &b);
	b.usable = usable;
	b.size = size;
	if(!(h->cell[i].flags & Bwide) && narrow(h, &b)){
		h->cell[i].usable = reach(&b);
		h->cell[i].less = usable - size;
		h->cell[i].shrink = hoff(h, b.base) + reach(&b) - b.chunk;
		return;
	}
	if(!(h->cell[i].flags & Bwide)){
		h->cell[i].flags |= Bwide;
		addwide(h, &b);
		return;
	}
	findwide(h, b.base)->usable = usable;
	findwide(h, b.base)->size = size;
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
	h->own[h->nown].share = h->nshare > 0 ? h->nshare-1 : 0;
	h->nown++;
	h->ownsorted = 0;
}

int
heapholds(Range *r)
{
	return r->kind != Rbook;
}

static int
byaddr(const void *a, const void *b)
{
	const Cell *x, *y;

	x = a;
	y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
widebyaddr(const void *a, const void *b)
{
	const Wide *x, *y;

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

/* Put the blocks and ranges in address order; what is in order already (a walk's, mostly) is left. */
void
heapsort(Heap *h)
{
	if(h->unsorted)
		qsort(h->cell, h->nb, sizeof h->cell[0], byaddr);
	h->unsorted = 0;
	if(h->nwide > 0)
		qsort(h->wide, h->nwide, sizeof h->wide[0], widebyaddr);
	if(!h->ownsorted && h->nown > 0)
		qsort(h->own, h->nown, sizeof h->own[0], bystart);
	h->ownsorted = 1;
	h->lastown = 0;
}

/* Forget the blocks and the shares; a streaming heap keeps its visitor. */
void
heapfree(Heap *h)
{
	Heap keep;

	keep = *h;
	hwbigfree(h->cell, h->ab*sizeof h->cell[0]);
	free(h->wide);
	free(h->own);
	heapunindex(h);
	memset(h, 0, sizeof *h);
	h->visit = keep.visit;
	h->reset = keep.reset;
	h->arg = keep.arg;
	h->t = keep.t;
	if(h->reset != NULL)
		h->reset(h);
}

/* The block whose chunk starts at hdr, or -1 (its base is hoff on: glibc's blocks'). */
long
heapchunk(Heap *h, u64 hdr)
{
	long i;
	u64 a;

	a = hdr + hoff(h, hdr);
	i = heapfind(h, a);
	if(i < 0 || h->cell[i].addr != a)
		return -1;
	return i;
}

/* The block whose usable bytes contain addr, or -1: by the index when there is one. */
long
heapfind(Heap *h, u64 addr)
{
	long lo, hi, m;
	Block b;

	if(h->index != NULL)
		return heaplookup(h, addr);
	lo = 0;
	hi = h->nb;
	while(lo < hi){
		m = (lo+hi)/2;
		if(h->cell[m].addr <= addr)
			lo = m+1;
		else
			hi = m;
	}
	if(lo == 0)
		return -1;
	heapget(h, lo-1, &b);
	if(addr - b.base < reach(&b))
		return lo-1;
	return -1;
}
