/*
 * libmalloctag's insides: the trailer each block carries
 * (doc/malloctag.md); which pc a tag names, the table of executable
 * mappings that says whether a caller is part of the allocation
 * layer, is caller.h's, shared with lib/pool.
 * The hot parts are inline here because malloc's fast path may
 * cost no more than a table lookup and two stores.
 * No locks anywhere: the shared mutable state is the table pointer,
 * published atomically, and a count that keeps fork away from
 * libgcc's unwinder (fork.c).
 */
#include "caller.h"
#include "malloctag.h"

/* glibc's allocator, under the names it exports for replacements */
void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void*, size_t);
void	__libc_free(void*);
void	*__libc_memalign(size_t, size_t);
void	*__libc_valloc(size_t);

#pragma GCC visibility push(hidden)

typedef unsigned char uchar;
typedef uint64_t u64;

#define Pcmask	((1ULL<<48) - 1)

enum {
	Trailer = 16,		/* bytes added to every request */
	Ismmapped = 2,		/* IS_MMAPPED in the chunk's size word */
};

/* tag.c */
extern atomic_int mmhdr;	/* usable = size - mmhdr for an mmapped chunk; 0 until known */
int	findmmhdr(void);

/* glibc's usable size of v's chunk, from its header */
static inline u64
usable(void *v)
{
	u64 h;
	int m;

	h = ((u64*)v)[-1];
	if(h & Ismmapped){
		m = atomic_load_explicit(&mmhdr, memory_order_relaxed);
		if(m == 0)
			m = findmmhdr();
		return (h & ~7ULL) - m;
	}
	return (h & ~7ULL) - 8;
}

/* v's trailer if v has one, else nil; u is usable(v) */
static inline u64*
trailer(void *v, u64 u)
{
	u64 *t, slack;

	if(u < Trailer)
		return NULL;
	t = (u64*)((uchar*)v + u - Trailer);
	slack = t[1] >> 48;
	if(slack > u - Trailer || t[0] >> 48 != malloctagcheck((uintptr_t)v, slack))
		return NULL;
	return t;
}

static inline void
settrailer(void *v, size_t n, uintptr_t mpc, uintptr_t rpc)
{
	u64 u, slack, *t;

	u = usable(v);
	slack = u - Trailer - n;
	t = (u64*)((uchar*)v + u - Trailer);
	if(slack >= Mtaglongslack){
		t[-1] = slack;
		slack = Mtaglongslack;
	}
	t[0] = (u64)malloctagcheck((uintptr_t)v, slack) << 48 | (mpc & Pcmask);
	t[1] = slack << 48 | (rpc & Pcmask);
}

/* v, fresh from glibc with n+Trailer asked, tagged for return address pc */
static inline void*
tagnew(void *v, size_t n, uintptr_t pc)
{
	if(v != NULL)
		settrailer(v, n, callerpc(pc), 0);
	return v;
}

static inline void*
tagmalloc(size_t n, uintptr_t pc)
{
	if(n > SIZE_MAX - Trailer){
		errno = ENOMEM;
		return NULL;
	}
	return tagnew(__libc_malloc(n + Trailer), n, pc);
}

#pragma GCC visibility pop
