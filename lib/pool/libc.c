/*
 * malloc and its relatives, in libpool.so only: tagged blocks of
 * mainmem, tagged with the first caller outside the allocation layer.
 * The alignments malloc gives anyway (16) need no aligned block.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "fns.h"

static void*
aligned(size_t align, size_t n, uintptr_t pc)
{
	if(align <= Mallocalign)
		return tagalloc(mainmem, n, pc);
	return tagalign(mainmem, n, align, 0, 0, pc);
}

/* lib/malloctag's new.c, compiled in too, allocates here */
void*
newblock(size_t n, size_t align, uintptr_t pc)
{
	return aligned(align, n, pc);
}

static int
pow2(size_t n)
{
	return n != 0 && (n & (n-1)) == 0;
}

Public void*
malloc(size_t n)
{
	return tagalloc(mainmem, n, Caller);
}

Public void
free(void *v)
{
	pfree(mainmem, v);
}

Public void
cfree(void *v)
{
	pfree(mainmem, v);
}

Public void*
calloc(size_t nmemb, size_t size)
{
	return tagcalloc(mainmem, nmemb, size, Caller);
}

/* realloc(v, 0) frees v and returns nil, as glibc's does */
Public void*
realloc(void *v, size_t n)
{
	return tagrealloc(mainmem, v, n, Caller);
}

Public void*
reallocarray(void *v, size_t nmemb, size_t size)
{
	size_t n;

	if(__builtin_mul_overflow(nmemb, size, &n)){
		errno = ENOMEM;
		return NULL;
	}
	return tagrealloc(mainmem, v, n, Caller);
}

/* as glibc's: an alignment not a power of two is rounded up to one */
Public void*
memalign(size_t align, size_t n)
{
	size_t a;

	if(align > SIZE_MAX/2 + 1){
		errno = EINVAL;
		return NULL;
	}
	for(a = 1; a < align; a <<= 1)
		;
	return aligned(a, n, Caller);
}

/* as glibc 2.38 and C23: the alignment must be a power of two */
Public void*
aligned_alloc(size_t align, size_t n)
{
	if(!pow2(align)){
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, n, Caller);
}

Public int
posix_memalign(void **vp, size_t align, size_t n)
{
	void *v;
	int e;

	if(!pow2(align) || align % sizeof(void*) != 0)
		return EINVAL;
	e = errno;
	v = aligned(align, n, Caller);
	errno = e;
	if(v == NULL)
		return ENOMEM;
	*vp = v;
	return 0;
}

Public void*
valloc(size_t n)
{
	return aligned(getpagesize(), n, Caller);
}

/* whole pages; the tags record n rounded so */
Public void*
pvalloc(size_t n)
{
	size_t page;

	page = getpagesize();
	if(n > SIZE_MAX - page){
		errno = ENOMEM;
		return NULL;
	}
	return aligned(page, (n + page-1) & ~(page-1), Caller);
}

/* the caller may use all of it: the pool's msize makes it the block's data */
Public size_t
malloc_usable_size(void *v)
{
	return pmsize(mainmem, v);
}
