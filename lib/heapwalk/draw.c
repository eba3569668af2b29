/*
 * leak -b: the heap as a picture, one pixel per res bytes, in the
 * colours of Plan 9's aux/acidleak (indices in the rgbv map).
 * Each region the allocator owns (the main heap, each arena heap,
 * each run of adjacent mmapped chunks) starts a row of its own, in
 * address order, one white row between regions; the gaps between
 * regions are not drawn, so a sparse address space costs nothing.
 * A pixel takes the first of these that its bytes hold: the header
 * of a reachable or free block, a leaked block's header, a leaked
 * block's data, an allocated block's data; else it is free.
 * A chunk's header is its first 16 bytes; its data the rest of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"
#include "fns.h"

enum { Hdrsz = 16 };

/* what a pixel's bytes hold, most telling first */
enum { Shdr = 1<<0, Sleakhdr = 1<<1, Sleak = 1<<2, Salloc = 1<<3 };

static int
leaked(Block *b)
{
	return !(b->flags & (Bfree|Binternal|Bmarked));
}

static u64
rows(Range *r, int res, int width)
{
	u64 px;

	px = (r->end - r->start + res - 1) / res;
	return (px + width - 1) / width;
}

/*
 * The regions and the picture's size.  When the heap would need more
 * than maxpix pixels, res doubles until it does not: the picture stays
 * bounded however big the heap.
 */
int
hwpicture(Heap *h, int res, int width, u64 maxpix, Picture *p)
{
	Range *r;
	u64 height;
	int i;

	if(res <= 0 || width <= 0){
		werrstr("picture: res and width must be positive");
		return -1;
	}
	memset(p, 0, sizeof *p);
	p->reg = emalloc((h->nown+1) * sizeof p->reg[0]);
	for(i = 0; i < h->nown; i++){
		r = &h->own[i];
		if(!heapholds(r) || r->end <= r->start)
			continue;
		if(p->nreg > 0 && r->kind == Rmmap && p->reg[p->nreg-1].kind == Rmmap
		&& p->reg[p->nreg-1].end == r->start){
			p->reg[p->nreg-1].end = r->end;
			continue;
		}
		p->reg[p->nreg++] = *r;
	}
	p->first = emalloc((p->nreg+1) * sizeof p->first[0]);
	for(;;){
		/* each region's first row; one white row between regions */
		height = 0;
		for(i = 0; i < p->nreg; i++){
			p->first[i] = height;
			height += rows(&p->reg[i], res, width) + 1;
		}
		height = height > 0 ? height-1 : 1;
		if(height * width <= maxpix || res >= 1<<30)
			break;
		res *= 2;
	}
	p->res = res;
	p->width = width;
	p->height = height;
	return 0;
}

static int
colour(int s)
{
	if(s & Shdr)
		return Chdr;
	if(s & Sleakhdr)
		return Cleakhdr;
	if(s & Sleak)
		return Cleak;
	if(s & Salloc)
		return Calloc;
	return Cfree;
}

/* What the bytes [lo,hi) of block b hold. */
static int
holds(Block *b, u64 lo, u64 hi)
{
	u64 ce;
	int s;

	s = 0;
	ce = b->hdr + b->chunk;
	if(lo < b->hdr + Hdrsz && hi > b->hdr)
		s |= leaked(b) ? Sleakhdr : Shdr;
	if(lo < ce && hi > b->hdr + Hdrsz && !(b->flags & Bfree))
		s |= leaked(b) ? Sleak : Salloc;
	return s;
}

/* The first block whose chunk ends past a. */
static long
firstafter(Heap *h, u64 a)
{
	long lo, hi, m;

	lo = 0;
	hi = h->nb;
	while(lo < hi){
		m = (lo+hi)/2;
		if(heapend(h, m) <= a)
			lo = m+1;
		else
			hi = m;
	}
	return lo;
}

static int
drawregion(Heap *h, Picture *p, Range *r, uchar *row, int (*put)(void*, uchar*), void *arg)
{
	u64 a, e, n, i;
	long j, k;
	Block b;
	int s;

	n = rows(r, p->res, p->width) * p->width;
	j = firstafter(h, r->start);
	for(i = 0; i < n; i++){
		a = r->start + i * p->res;
		e = a + p->res;
		if(a >= r->end)
			row[i % p->width] = Cpad;
		else{
			if(e > r->end)
				e = r->end;
			while(j < h->nb && heapend(h, j) <= a)
				j++;
			s = 0;
			for(k = j; k < h->nb && (heapget(h, k, &b), b.hdr < e); k++)
				s |= holds(&b, a, e);
			row[i % p->width] = colour(s);
		}
		if((i+1) % p->width == 0 && put(arg, row) < 0)
			return -1;
	}
	return 0;
}

/* Hand each row of the picture to put, top to bottom. */
int
hwdraw(Heap *h, Picture *p, int (*put)(void*, uchar*), void *arg)
{
	uchar *row;
	int i, r;

	row = emalloc(p->width);
	r = 0;
	if(p->nreg == 0){
		memset(row, Cpad, p->width);
		r = put(arg, row);
	}
	for(i = 0; i < p->nreg && r == 0; i++){
		if(i > 0){
			memset(row, Cpad, p->width);
			if((r = put(arg, row)) < 0)
				break;
		}
		r = drawregion(h, p, &p->reg[i], row, put, arg);
	}
	free(row);
	return r;
}

/*
 * The blocks as the picture sees them, for checking it:
 *	CHUNK SIZE leak|alloc|free	(hex, address order)
 */
void
hwdrawdump(Heap *h, FILE *f)
{
	Block bb, *b;
	long i;

	b = &bb;
	for(i = 0; i < h->nb; i++){
		heapget(h, i, b);
		fprintf(f, "0x%llx 0x%llx %s 0x%llx\n", (unsigned long long)b->hdr, (unsigned long long)b->chunk,
			leaked(b) ? "leak" : (b->flags & Bfree) ? "free" : "alloc", (unsigned long long)b->addr);
	}
}
