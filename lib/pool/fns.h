/*
 * lib/pool's insides, shared between its files; pool.h is the
 * interface and the formats.  Every function here assumes the pool
 * is locked, except the tag layer's (tag.c, tagpc) and the flags'.
 * Names start with pool, block or tag: libpool.a's objects go into
 * other programs, whose own names must not meet ours.
 */
#include "pool.h"

#pragma GCC visibility push(hidden)

typedef unsigned char uchar;
typedef uint64_t u64;

#define Public	__attribute__((visibility("default")))
#define Caller	((uintptr_t)__builtin_return_address(0))
#define USED(x)	((void)(x))

enum {
	Minblock	= sizeof(Free) + sizeof(Btail),	/* room for a free block's links */
	Tagbytes	= Npadlong * sizeof(u64),	/* malloc's two tags */
	Pagesize	= 4096,		/* arenas are whole pages */
	Mallocalign	= 16,		/* of every block's data, and malloc's pointers */
};

/* larger than any pool can be: x86-64 user space is 47 bits */
#define Maxdsize	(1ULL << 47)

/* from a block to the next, to its tail, to the tail before it; from a tail to its block */
#define B2NB(b)	((Bhdr*)((uchar*)(b) + (b)->size))
#define B2T(b)	((Btail*)((uchar*)(b) + (b)->size - sizeof(Btail)))
#define B2PT(b)	((Btail*)((uchar*)(b) - sizeof(Btail)))
#define T2HDR(t)	((Bhdr*)((uchar*)(t) + sizeof(Btail) - (t)->size))
/* a block's data, and back */
#define B2D(b)	((void*)((Bhdr*)(b) + 1))
#define D2B(v)	((Bhdr*)(v) - 1)
/* an arena's first block and its tail */
#define A2B(a)	((Bhdr*)((uchar*)(a) + (a)->h.size))
#define A2TB(a)	((Bhdr*)((uchar*)(a) + (a)->asize - sizeof(Bhdr)))

/* n, at least least, rounded up to a multiple of q, a power of two */
static inline u64
sizeup(u64 n, u64 least, u64 q)
{
	if(n < least)
		n = least;
	return (n + q-1) & ~(q-1);
}

/*
 * Where the data of the block that v points into begins: v, or before
 * the ALIGN_MAGIC words an aligned pointer is put past (as 64-bit words).
 */
static inline u64*
alignstart(void *v)
{
	u64 *u;

	u = (u64*)((uintptr_t)v & ~(uintptr_t)7);
	while(u[-1] == ALIGN_MAGIC)
		u--;
	return u;
}

/* datasize is big-endian */
#define SHORT(x)	((x)[0] << 8 | (x)[1])
#define PSHORT(x, v)	((x)[0] = (uchar)((v) >> 8), (x)[1] = (uchar)(v))

#define antagonism	if(!(p->flags & POOL_ANTAGONISM)){}else
#define LOG	if(!(p->flags & POOL_LOGGING)){}else p->print
#define DPRINT	if(!(p->flags & POOL_DEBUGGING)){}else p->print

/* tree.c: the free tree */
Free	*pooladd(Pool*, Bhdr*);
Bhdr	*pooldel(Pool*, Free*);
Free	*poolbestfit(Pool*, u64 bsize);
void	poolchecktree(Pool*, u64 *nblock, u64 *nbyte);

/* block.c: one block's sizes, splits and merges */
u64	blockbsize(Pool*, u64 dsize);
u64	blockdsize(Bhdr*);
void	blocksetsize(Bhdr*, u64 size);
void	blocksetdsize(Pool*, Bhdr*, u64 dsize);
Bhdr	*blocktrim(Pool*, Bhdr*, u64 dsize);
Bhdr	*blockfreefront(Pool*, Bhdr*, u64 skip);
Bhdr	*blockmerge(Pool*, Bhdr*, Bhdr*);
Free	*blockrelease(Pool*, Bhdr*);
void	blockmark(void*, int sig, u64 n);

/* arena.c */
u64	poolasize(Pool*, u64 bsize);
void	poolnewarena(Pool*, u64 asize);

/* alloc.c */
void	*poolallocl(Pool*, u64 dsize);
void	poolfreel(Pool*, void*);

/* check.c */
Bhdr	*blockof(Pool*, void*);
void	blockcheck(Pool*, Bhdr*);
void	blockpanic(Pool*, Bhdr*, char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
void	poolcheckl(Pool*);
void	pooldumpl(Pool*);

/* flags.c: POOL_FLAGS */
int	poolenvflags(char *s);

/* tag.c: malloc's tagged blocks, for libc.c and delete.c */
void	*tagalloc(Pool*, size_t n, uintptr_t pc);
void	*tagcalloc(Pool*, size_t nmemb, size_t size, uintptr_t pc);
void	*tagrealloc(Pool*, void*, size_t n, uintptr_t pc);
void	*tagalign(Pool*, size_t n, size_t align, long offset, size_t span, uintptr_t pc);

/*
 * layerpc.c in libpool.so: the first caller outside the allocation
 * layer, by lib/malloctag's caller code; callpc.c in libpool.a: the
 * immediate caller.  The fork calls keep a fork away from the unwinder.
 */
uintptr_t	tagpc(uintptr_t pc);
void	tagprefork(void);
void	tagparent(void);
void	tagchild(void);

#pragma GCC visibility pop
