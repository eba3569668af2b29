/*
 * The allocator proper: alloc, aligned alloc, realloc, free and msize,
 * each an l function under the lock and its public wrapper, which
 * locks, checks the whole pool first and last under POOL_PARANOIA,
 * dumps it under POOL_VERBOSITY and logs the call under POOL_LOGGING.
 */
#include <errno.h>
#include <string.h>
#include "fns.h"

static void
enter(Pool *p)
{
	p->lock(p);
	if(p->flags & POOL_PARANOIA)
		poolcheckl(p);
	if(p->flags & POOL_VERBOSITY)
		pooldumpl(p);
}

static void
leave(Pool *p)
{
	if(p->flags & POOL_PARANOIA)
		poolcheckl(p);
	if(p->flags & POOL_VERBOSITY)
		pooldumpl(p);
	if(p->logstack != NULL && (p->flags & POOL_LOGGING))
		p->logstack(p);
	p->unlock(p);
}

void*
poolallocl(Pool *p, u64 dsize)
{
	u64 bsize;
	Free *f;
	Bhdr *b;

	if(dsize > Maxdsize){
		errno = ENOMEM;
		return NULL;
	}
	bsize = blockbsize(p, dsize);
	if((f = poolbestfit(p, bsize)) == NULL){
		poolnewarena(p, poolasize(p, bsize));
		if((f = poolbestfit(p, bsize)) == NULL){
			errno = ENOMEM;
			return NULL;
		}
	}
	if(p->flags & POOL_DEBUGGING)
		blockcheck(p, &f->h);
	b = blocktrim(p, pooldel(p, f), dsize);
	p->curalloc += b->size;
	antagonism {
		memset(B2D(b), 0xDF, dsize);
	}
	return B2D(b);
}

void
poolfreel(Pool *p, void *v)
{
	Bhdr *b;
	u64 n;

	if(v == NULL)
		return;
	b = blockof(p, v);
	blockcheck(p, b);
	if(p->flags & POOL_NOREUSE){
		/* kept out of the tree for good, its data but malloc's tags marked, so that a write shows */
		b->magic = DEAD_MAGIC;
		n = blockdsize(b);
		if(n > Tagbytes)
			memset((uchar*)B2D(b) + Tagbytes, 0xDA, n - Tagbytes);
		return;
	}
	p->nfree++;
	p->curalloc -= b->size;
	b->magic = UNALLOC_MAGIC;
	blockrelease(p, b);
}

/*
 * Grow or shrink a in place if its neighbours allow: merge with the
 * free block after it, before it, or both, whichever first holds
 * nbsize.  Nil if none does.
 */
static Bhdr*
growinplace(Pool *p, Bhdr *a, u64 nbsize)
{
	Bhdr *left, *right;
	u64 lsize, rsize;

	if(nbsize <= a->size)
		return a;
	right = B2NB(a);
	left = T2HDR(B2PT(a));
	rsize = right->magic == FREE_MAGIC ? right->size : 0;
	lsize = left->magic == FREE_MAGIC ? left->size : 0;
	if(a->size + rsize >= nbsize && rsize > 0)
		return blockmerge(p, a, right);
	if(a->size + lsize >= nbsize && lsize > 0)
		return blockmerge(p, left, a);
	if(a->size + lsize + rsize >= nbsize && lsize > 0 && rsize > 0)
		return blockmerge(p, blockmerge(p, left, a), right);
	return NULL;
}

static void*
poolreallocl(Pool *p, void *v, u64 ndsize)
{
	Bhdr *a, *b, *nb;
	u64 obsize, skip, keep, nbsize;
	void *nv;

	if(v == NULL)
		return poolallocl(p, ndsize);
	if(ndsize == 0){
		poolfreel(p, v);
		return NULL;
	}
	if(ndsize > Maxdsize){
		errno = ENOMEM;
		return NULL;
	}
	a = blockof(p, v);
	blockcheck(p, a);
	obsize = a->size;
	skip = (uchar*)v - (uchar*)B2D(a);
	keep = blockdsize(a) - skip;
	if(keep > ndsize)
		keep = ndsize;
	nbsize = blockbsize(p, ndsize);
	if((b = growinplace(p, a, nbsize)) != NULL){
		p->curalloc -= obsize;
	}else{
		if((nv = poolallocl(p, ndsize)) == NULL)
			return NULL;
		/* a new arena may have put the new block next to a: then a grows into it */
		nb = D2B(nv);
		if(nb != B2NB(a) && nb != T2HDR(B2PT(a))){
			memmove(nv, v, keep);
			antagonism {
				memset((uchar*)nv + keep, 0xDE, ndsize - keep);
			}
			poolfreel(p, v);
			return nv;
		}
		p->curalloc -= obsize + nb->size;
		nb->magic = UNALLOC_MAGIC;
		b = a;
		if(T2HDR(B2PT(b))->magic == FREE_MAGIC || nb == T2HDR(B2PT(b)))
			b = blockmerge(p, T2HDR(B2PT(b)), b);
		if(B2NB(b)->magic == FREE_MAGIC || nb == B2NB(b))
			b = blockmerge(p, b, B2NB(b));
	}
	if(B2D(b) != v)
		memmove(B2D(b), v, keep);
	b = blocktrim(p, b, ndsize);
	p->curalloc += b->size;
	return B2D(b);
}

static void*
alignptr(uchar *v, u64 align, u64 offset)
{
	u64 off;

	if(align == 0)
		return v;
	off = (uintptr_t)v % align;
	if(off == offset)
		return v;
	return v + (offset + align - off) % align;
}

/* whether [v, v+n) crosses a multiple of span */
static int
crosses(uchar *v, u64 n, u64 span)
{
	return span != 0 && n > 0 && (uintptr_t)v/span != ((uintptr_t)v + n-1)/span;
}

/*
 * dsize bytes at an address that is offset modulo align, not crossing
 * a multiple of span: a block align bytes larger, the pointer moved
 * into it, the bytes before it given back when worth a block and
 * filled with ALIGN_MAGIC words when not.  For span, if the first
 * block is unlucky, one twice as large must hold a run that is not.
 */
static void*
poolallocalignl(Pool *p, u64 dsize, u64 align, int64_t offset, u64 span)
{
	u64 asize, skip, obsize, *u;
	uchar *v, *c;
	Bhdr *b;

	if(align > Maxdsize || dsize > Maxdsize){
		errno = ENOMEM;
		return NULL;
	}
	if(align != 0){
		offset %= (int64_t)align;
		if(offset < 0)
			offset += align;
	}
	asize = dsize + align;
	if((v = poolallocl(p, asize)) == NULL)
		return NULL;
	if(crosses(v, asize, span)){
		poolfreel(p, v);
		if((v = poolallocl(p, 2*asize)) == NULL)
			return NULL;
	}
	c = alignptr(v, align, offset);
	if(crosses(c, dsize, span)){
		c = alignptr(c + span - (uintptr_t)c%span, align, offset);
		if(crosses(c, dsize, span)){
			poolfreel(p, v);
			errno = EINVAL;
			return NULL;
		}
	}
	b = D2B(v);
	obsize = b->size;
	b = blockfreefront(p, b, c - v);
	v = B2D(b);
	for(u = (u64*)v; (uchar*)(u+1) <= c; u++)
		*u = ALIGN_MAGIC;
	skip = c - v;
	b = blocktrim(p, b, skip + dsize);
	p->curalloc += b->size - obsize;
	antagonism {
		memset(c, 0xDD, dsize);
	}
	return c;
}

Public void*
poolalloc(Pool *p, uint64_t n)
{
	void *v;

	enter(p);
	v = poolallocl(p, n);
	LOG(p, "poolalloc %p %lu = %p\n", p, n, v);
	leave(p);
	return v;
}

Public void*
poolallocalign(Pool *p, uint64_t n, uint64_t align, int64_t offset, uint64_t span)
{
	void *v;

	enter(p);
	v = poolallocalignl(p, n, align, offset, span);
	LOG(p, "poolallocalign %p %lu %lu %ld %lu = %p\n", p, n, align, offset, span, v);
	leave(p);
	return v;
}

Public void*
poolrealloc(Pool *p, void *v, uint64_t n)
{
	void *nv;

	enter(p);
	nv = poolreallocl(p, v, n);
	LOG(p, "poolrealloc %p %p %lu = %p\n", p, v, n, nv);
	leave(p);
	return nv;
}

Public void
poolfree(Pool *p, void *v)
{
	enter(p);
	poolfreel(p, v);
	LOG(p, "poolfree %p %p\n", p, v);
	leave(p);
}

/*
 * The bytes v may use: its whole block, which then becomes its data,
 * as Plan 9's msize lets the caller have them.
 */
Public uint64_t
poolmsize(Pool *p, void *v)
{
	Bhdr *b;
	u64 dsize, skip;

	if(v == NULL)
		return 0;
	enter(p);
	b = blockof(p, v);
	dsize = b->size - sizeof(Bhdr) - sizeof(Btail);
	blocksetdsize(p, b, dsize);
	skip = (uchar*)v - (uchar*)B2D(b);
	LOG(p, "poolmsize %p %p = %lu\n", p, v, dsize - skip);
	leave(p);
	return dsize - skip;
}
