/*
 * malloc's blocks on any pool, as Plan 9's malloc.c makes them: the
 * pool's data begins with two tags, the malloc pc and the realloc pc,
 * and the caller's bytes follow.  An aligned block keeps its tags at
 * the same place, and ALIGN_MAGIC words from after them up to the
 * caller's pointer, so that a reader finds the tags without knowing
 * the alignment and free finds the block by walking back over them.
 * The pc is found before the pool is locked: the unwinder may allocate.
 */
#include <errno.h>
#include <string.h>
#include "fns.h"

/* the tags of the block that v, a pointer malloc gave, points into */
static u64*
tagsof(void *v)
{
	return alignstart(v) - Npadlong;
}

static void*
tagged(u64 *d, uintptr_t mpc, uintptr_t rpc)
{
	d[0] = mpc;
	d[1] = rpc;
	return d + Npadlong;
}

void*
tagalloc(Pool *p, size_t n, uintptr_t pc)
{
	u64 *d;

	if(n > SIZE_MAX - Tagbytes){
		errno = ENOMEM;
		return NULL;
	}
	pc = tagpc(pc);
	if((d = poolalloc(p, n + Tagbytes)) == NULL)
		return NULL;
	return tagged(d, pc, 0);
}

void*
tagcalloc(Pool *p, size_t nmemb, size_t size, uintptr_t pc)
{
	size_t n;
	void *v;

	if(__builtin_mul_overflow(nmemb, size, &n)){
		errno = ENOMEM;
		return NULL;
	}
	if((v = tagalloc(p, n, pc)) != NULL)
		memset(v, 0, n);
	return v;
}

void*
tagalign(Pool *p, size_t n, size_t align, long offset, size_t span, uintptr_t pc)
{
	uchar *c, *v;
	u64 *d, *w;

	if(n > SIZE_MAX - Tagbytes){
		errno = ENOMEM;
		return NULL;
	}
	pc = tagpc(pc);
	if((c = poolallocalign(p, n + Tagbytes, align, offset - Tagbytes, span)) == NULL)
		return NULL;
	d = alignstart(c);
	v = c + Tagbytes;
	for(w = d + Npadlong; (uchar*)(w+1) <= v; w++)
		*w = ALIGN_MAGIC;
	tagged(d, pc, 0);
	return v;
}

/*
 * The block keeps its malloc tag, and gets pc as its realloc tag.
 * An aligned block's bytes are not where the pool's realloc would
 * look for them: it is copied to a new one instead.
 */
void*
tagrealloc(Pool *p, void *v, size_t n, uintptr_t pc)
{
	u64 *d, *nd;
	size_t old;
	void *nv;

	if(v == NULL){
		if((nv = tagalloc(p, n, pc)) != NULL)
			tagsof(nv)[1] = tagsof(nv)[0];
		return nv;
	}
	if(n == 0){
		pfree(p, v);
		return NULL;
	}
	if(n > SIZE_MAX - Tagbytes){
		errno = ENOMEM;
		return NULL;
	}
	pc = tagpc(pc);
	d = tagsof(v);
	if(v != d + Npadlong){
		old = blockdsize(D2B(d)) - ((uchar*)v - (uchar*)d);
		if((nv = tagalloc(p, n, pc)) == NULL)
			return NULL;
		memmove(nv, v, old < n ? old : n);
		tagged(tagsof(nv), d[0], pc);
		pfree(p, v);
		return nv;
	}
	if((nd = poolrealloc(p, d, n + Tagbytes)) == NULL)
		return NULL;
	nd[1] = pc;
	return nd + Npadlong;
}

Public void*
pmalloc(Pool *p, size_t n)
{
	return tagalloc(p, n, Caller);
}

Public void*
pmallocz(Pool *p, size_t n, int clr)
{
	void *v;

	if((v = tagalloc(p, n, Caller)) != NULL && clr)
		memset(v, 0, n);
	return v;
}

Public void*
pcalloc(Pool *p, size_t nmemb, size_t size)
{
	return tagcalloc(p, nmemb, size, Caller);
}

Public void*
prealloc(Pool *p, void *v, size_t n)
{
	return tagrealloc(p, v, n, Caller);
}

Public void*
pmallocalign(Pool *p, size_t n, size_t align, long offset, size_t span)
{
	return tagalign(p, n, align, offset, span, Caller);
}

Public void
pfree(Pool *p, void *v)
{
	if(v != NULL)
		poolfree(p, tagsof(v));
}

/* the bytes from v to the end of its block, all the caller's now (poolmsize) */
Public size_t
pmsize(Pool *p, void *v)
{
	u64 *d;

	if(v == NULL)
		return 0;
	d = tagsof(v);
	return poolmsize(p, d) - ((uchar*)v - (uchar*)d);
}

Public void*
malloctopoolblock(void *v)
{
	if(v == NULL)
		return NULL;
	return tagsof(v);
}

Public void
setmalloctag(void *v, uintptr_t pc)
{
	if(v != NULL)
		tagsof(v)[0] = pc;
}

Public void
setrealloctag(void *v, uintptr_t pc)
{
	if(v != NULL)
		tagsof(v)[1] = pc;
}

Public uintptr_t
getmalloctag(void *v)
{
	if(v == NULL)
		return 0;
	return tagsof(v)[0];
}

Public uintptr_t
getrealloctag(void *v)
{
	if(v == NULL)
		return 0;
	return tagsof(v)[1];
}
