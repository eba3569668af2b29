/*
 * malloc's relatives whose rules C and POSIX fix, the same for every
 * allocator that tags: on top of its newblock and reblock, as new.c
 * is.  libmalloctag and libpool.so both compile this file.
 */
#include "caller.h"

static int
pow2(size_t n)
{
	return n != 0 && (n & (n-1)) == 0;
}

/* as glibc 2.38 and C23: the alignment must be a power of two */
Public void*
aligned_alloc(size_t align, size_t n)
{
	if(!pow2(align)){
		errno = EINVAL;
		return NULL;
	}
	return newblock(n, align, Caller);
}

/* errno as it was, whatever happens: the error is the result */
Public int
posix_memalign(void **vp, size_t align, size_t n)
{
	void *v;
	int e;

	if(!pow2(align) || align % sizeof(void*) != 0)
		return EINVAL;
	e = errno;
	v = newblock(n, align, Caller);
	errno = e;
	if(v == NULL)
		return ENOMEM;
	*vp = v;
	return 0;
}

Public void*
reallocarray(void *v, size_t nmemb, size_t size)
{
	size_t n;

	if(__builtin_mul_overflow(nmemb, size, &n)){
		errno = ENOMEM;
		return NULL;
	}
	return reblock(v, n, Caller);
}
