/*
 * libmalloctag's insides: the trailer each block carries
 * (doc/malloctag.md) and the table of executable mappings that
 * says whether a caller is part of the allocation layer.
 * The hot parts are inline here because malloc's fast path may
 * cost no more than a table lookup and two stores.
 * No locks anywhere: the shared mutable state is the table pointer,
 * published atomically, and a count that keeps fork away from
 * libgcc's unwinder (fork.c).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdatomic.h>
#include <errno.h>
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

#define Public	__attribute__((visibility("default")))
#define Caller	((uintptr_t)__builtin_return_address(0))
#define Pcmask	((1ULL<<48) - 1)
#define Tls	__attribute__((tls_model("initial-exec")))

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

/* layer.c: the executable mappings, sorted, from /proc/self/maps */
typedef struct Xmap Xmap;
struct Xmap {
	uintptr_t	start;
	uintptr_t	end;
	int	layer;		/* libc, ld.so, libstdc++, libgcc_s or us */
};

typedef struct Xtab Xtab;
struct Xtab {
	int	n;
	size_t	size;		/* bytes mapped for it */
	Xmap	m[];
};

extern Xtab *_Atomic xtab;
Xmap	*xlookup(uintptr_t pc);

static inline Xmap*
xfind(Xtab *t, uintptr_t pc)
{
	int lo, hi, mid;

	lo = 0;
	hi = t->n;
	while(lo < hi){
		mid = (lo + hi) / 2;
		if(pc < t->m[mid].start)
			hi = mid;
		else if(pc >= t->m[mid].end)
			lo = mid + 1;
		else
			return &t->m[mid];
	}
	return NULL;
}

/* caller.c */
typedef struct Hit Hit;
struct Hit {
	uintptr_t	start;
	uintptr_t	len;
};
extern __thread Hit hit Tls;	/* the thread's last caller's mapping, not layer */
uintptr_t	slowcaller(uintptr_t pc);

/*
 * The pc to tag with for return address pc.  Most callers call from
 * where the thread's last caller did: one compare, before even the
 * table's binary search.
 */
static inline uintptr_t
callerpc(uintptr_t pc)
{
	if(pc - hit.start < hit.len)
		return pc;
	return slowcaller(pc);
}

extern __thread int unwinding Tls;

/* fork.c */
int	unwindbegin(void);
void	unwindend(void);

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

/* malloc.c, shared with new.c */
void	*tagmemalign(size_t align, size_t n, uintptr_t pc);

#pragma GCC visibility pop
