/*
 * malloc and its relatives, in libpool.so only: tagged blocks of
 * mainmem, tagged with the first caller outside the allocation layer.
 * The alignments malloc gives anyway (16) need no aligned block.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "../malloctag/caller.h"
#include "fns.h"

/* the aligned ones; lib/malloctag's new.c and rules.c, compiled in too, allocate here */
void*
newblock(size_t n, size_t align, uintptr_t pc)
{
	if(align <= Mallocalign)
		return tagalloc(mainmem, n, pc);
	return tagalign(mainmem, n, align, 0, 0, pc);
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

/* rules.c's reallocarray */
void*
reblock(void *v, size_t n, uintptr_t pc)
{
	return tagrealloc(mainmem, v, n, pc);
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
	return newblock(n, a, Caller);
}

Public void*
valloc(size_t n)
{
	return newblock(n, getpagesize(), Caller);
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
	return newblock((n + page-1) & ~(page-1), page, Caller);
}

/* the caller may use all of it: the pool's msize makes it the block's data */
Public size_t
malloc_usable_size(void *v)
{
	return pmsize(mainmem, v);
}
