/*
 * malloc and its relatives, in place of glibc's and on top of them:
 * each asks glibc for Trailer more bytes and writes the trailer.
 * Blocks without a trailer (from before we took over, or from code
 * that calls glibc directly) pass through as they are.
 */
#include <stdlib.h>
#include <unistd.h>
#include "fns.h"

Public void*
malloc(size_t n)
{
	return tagmalloc(n, Caller);
}

/* Every block is glibc's own: nothing to undo. */
Public void
free(void *v)
{
	__libc_free(v);
}

Public void*
calloc(size_t nmemb, size_t size)
{
	size_t n;

	if(__builtin_mul_overflow(nmemb, size, &n) || n > SIZE_MAX - Trailer){
		errno = ENOMEM;
		return NULL;
	}
	return tagnew(__libc_calloc(1, n + Trailer), n, Caller);
}

/*
 * The new block keeps the old one's malloc tag, and is tagged as
 * realloc'd by pc; an untagged block is tagged as malloc'd by pc too.
 */
static void*
retag(void *v, size_t n, uintptr_t pc)
{
	u64 *t;
	uintptr_t mpc;

	if(v == NULL)
		return tagmalloc(n, pc);
	if(n == 0){
		__libc_free(v);
		return NULL;
	}
	if(n > SIZE_MAX - Trailer){
		errno = ENOMEM;
		return NULL;
	}
	t = trailer(v, usable(v));
	pc = callerpc(pc);
	mpc = t != NULL ? t[0] & Pcmask : pc;
	v = __libc_realloc(v, n + Trailer);
	if(v != NULL)
		settrailer(v, n, mpc, pc);
	return v;
}

Public void*
realloc(void *v, size_t n)
{
	return retag(v, n, Caller);
}

/* rules.c's reallocarray */
void*
reblock(void *v, size_t n, uintptr_t pc)
{
	return retag(v, n, pc);
}

static void*
tagmemalign(size_t align, size_t n, uintptr_t pc)
{
	if(n > SIZE_MAX - Trailer){
		errno = ENOMEM;
		return NULL;
	}
	return tagnew(__libc_memalign(align, n + Trailer), n, pc);
}

/* new.c's operator new, rules.c's aligned_alloc and posix_memalign */
void*
newblock(size_t n, size_t align, uintptr_t pc)
{
	if(align == 0)
		return tagmalloc(n, pc);
	return tagmemalign(align, n, pc);
}

Public void*
memalign(size_t align, size_t n)
{
	return tagmemalign(align, n, Caller);
}

Public void*
valloc(size_t n)
{
	if(n > SIZE_MAX - Trailer){
		errno = ENOMEM;
		return NULL;
	}
	return tagnew(__libc_valloc(n + Trailer), n, Caller);
}

/*
 * pvalloc promises whole pages; __libc_pvalloc(n+Trailer) would round
 * n+Trailer, which can leave the caller 8 bytes short of them.
 * The trailer records n, what was asked for.
 */
Public void*
pvalloc(size_t n)
{
	size_t page, r;

	page = getpagesize();
	if(n > SIZE_MAX - Trailer - page){
		errno = ENOMEM;
		return NULL;
	}
	r = (n + page-1) & ~(page-1);
	return tagnew(__libc_memalign(page, r + Trailer), n, Caller);
}

/* the trailer is not the caller's to use */
Public size_t
malloc_usable_size(void *v)
{
	u64 u;

	if(v == NULL)
		return 0;
	u = usable(v);
	return trailer(v, u) != NULL ? u - Trailer : u;
}
