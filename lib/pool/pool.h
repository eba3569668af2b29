/*
 * pool: Plan 9's pool allocator (libc/port/pool.c) for Linux, with its
 * formats and algorithms and 64-bit words: the tags hold whole x86-64
 * pcs and sizes may pass 4 GiB.  doc/pool.md lists every difference
 * from Plan 9; pool(3) is the manual.
 *
 * libpool.so (LD_PRELOAD, or linked with -lpool) replaces malloc and
 * its relatives, operator new included, with blocks of mainmem, tagged
 * as Plan 9's malloc tags them.  libpool.a holds the same pool and the
 * tagged allocation on any Pool (pmalloc and the rest) without taking
 * malloc's name, for a program that keeps glibc's malloc beside it.
 *
 * The formats below are read from outside too, by leak's pool model
 * (lib/poolmodel), which finds arenas by their magic numbers.
 *
 * An arena is one mapping from p->alloc:
 *
 *	a+0:		Arena: Bhdr{ARENA_MAGIC, sizeof(Arena)}, aup, down, asize, pad
 *	a+48:		the first block
 *	...		blocks, each Bhdr ... Btail, one after another
 *	a+asize-16:	Bhdr{ARENATAIL_MAGIC, 0}
 *
 * A block b of size b->size (a multiple of the quantum) is
 *
 *	b+0:		Bhdr{magic, size}
 *	b+16:		the data, dsize bytes (for malloc's blocks: two tags, then the user's bytes)
 *	b+16+dsize:	up to Ndatamagic bytes of datamagic[addr % 4]
 *	b+size-16:	Btail{TAIL_MAGIC0, datasize[2], TAIL_MAGIC1, pad[4], size}
 *
 * datasize is b->size - dsize, big-endian, as Plan 9 keeps it; it is
 * set only in allocated blocks.  A malloc block's user pointer is
 * b+32: b+16 holds the malloc pc and b+24 the realloc pc (0 when never
 * reallocated).  Before a pointer aligned by memalign, the words from
 * b+32 up to it hold ALIGN_MAGIC (as 64-bit words).
 */
#include <stdint.h>
#include <stddef.h>

enum {
	FREE_MAGIC	= 0xBA5EBA11,	/* in the free tree */
	ALLOC_MAGIC	= 0x0A110C09,	/* given out */
	UNALLOC_MAGIC	= 0xCAB00D1F,	/* between states, inside the pool's lock */
	ARENA_MAGIC	= 0xC0A1E5CF,
	ARENATAIL_MAGIC	= 0xEC5E1A0D,
	ALIGN_MAGIC	= 0xA1F1D1C1,	/* the words before a memalign'd pointer */
	DEAD_MAGIC	= 0xDEADDEAD,	/* freed under POOL_NOREUSE: never given out again */
	NOT_MAGIC	= 0xDEADFA11,	/* a header or tail merged into the block before it */
	FLOATING_MAGIC	= 0xCBCBCBCB,	/* neither allocated nor in the free tree */

	TAIL_MAGIC0	= 0xBE,
	TAIL_MAGIC1	= 0xEF,
	Ndatamagic	= 4,		/* bytes of datamagic after the data, at most */
	Maxdatasize	= 0xFFFF,	/* datasize is two bytes: a block keeps less slack than this */
	Npadlong	= 2,		/* malloc's tags before the user's bytes */
	Pooltagged	= 16+16,	/* from a malloc block's header to its user pointer */
};

/* datamagic[addr % 4] fills the bytes after the data */
#define POOL_DATAMAGIC	{ 0xFE, 0xF1, 0xF0, 0xFA }

typedef struct Bhdr Bhdr;
struct Bhdr {
	uint64_t	magic;	/* one of the magics above, in the low 32 bits */
	uint64_t	size;	/* of the whole block, Bhdr and Btail included */
};

typedef struct Btail Btail;
struct Btail {
	uint8_t	magic0;
	uint8_t	datasize[2];	/* big-endian: size less dsize */
	uint8_t	magic1;
	uint8_t	pad[4];
	uint64_t	size;	/* the same as the Bhdr's */
};

typedef struct Free Free;
struct Free {
	Bhdr	h;
	Free	*left;	/* the free tree, by size: one node per size */
	Free	*right;
	Free	*next;	/* the node's circular list of blocks of its size */
	Free	*prev;
};

typedef struct Arena Arena;
struct Arena {
	Bhdr	h;	/* ARENA_MAGIC, sizeof(Arena) */
	Arena	*aup;	/* the arena list, p->arenalist first */
	Arena	*down;
	uint64_t	asize;	/* of the whole arena, header and tail included */
	uint64_t	pad;	/* sizeof(Arena): read as a Btail's size, it leads the walk back from the first block here */
};

typedef struct Pool Pool;
struct Pool {
	char	*name;
	uint64_t	maxsize;	/* of all arenas together */

	uint64_t	cursize;	/* arenas */
	uint64_t	curfree;	/* free blocks */
	uint64_t	curalloc;	/* allocated blocks */

	uint64_t	minarena;	/* smallest size of new arena */
	uint64_t	quantum;	/* allocated blocks should be multiple of */
	uint64_t	minblock;	/* smallest newly allocated block */

	void	*freeroot;	/* actually Free* */
	void	*arenalist;	/* actually Arena* */

	void	*(*alloc)(uint64_t);	/* a new arena's memory */
	int	(*merge)(void*, void*);	/* whether two arenas may become one */
	void	(*move)(void *from, void *to);

	int	flags;
	int	nfree;
	int	lastcompact;

	void	(*lock)(Pool*);
	void	(*unlock)(Pool*);
	void	(*print)(Pool*, char*, ...);
	void	(*panic)(Pool*, char*, ...);
	void	(*logstack)(Pool*);

	void	*private;	/* mainmem's: its pthread_mutex_t, locked while the pool changes */
};

enum {	/* flags, as Plan 9's */
	POOL_ANTAGONISM	= 1<<0,
	POOL_PARANOIA	= 1<<1,
	POOL_VERBOSITY	= 1<<2,
	POOL_DEBUGGING	= 1<<3,
	POOL_LOGGING	= 1<<4,
	POOL_TOLERANCE	= 1<<5,
	POOL_NOREUSE	= 1<<6,
};

#ifdef __cplusplus
extern "C" {
#endif

extern Pool	*mainmem;

void	*poolalloc(Pool*, uint64_t);
void	*poolallocalign(Pool*, uint64_t, uint64_t align, int64_t offset, uint64_t span);
void	poolfree(Pool*, void*);
uint64_t	poolmsize(Pool*, void*);
void	*poolrealloc(Pool*, void*, uint64_t);
void	poolcheck(Pool*);
void	poolblockcheck(Pool*, void*);
void	pooldump(Pool*);

/* mainmem's p->alloc and p->merge, for a pool of one's own: arenas from mmap, merged when adjacent */
void	*poolmmap(uint64_t);
int	poolmmapmerge(void*, void*);

/* malloc's blocks, tagged, from any pool: what libpool.so's malloc calls on mainmem */
void	*pmalloc(Pool*, size_t);
void	*pmallocz(Pool*, size_t, int clr);
void	*pcalloc(Pool*, size_t, size_t);
void	*prealloc(Pool*, void*, size_t);
void	*pmallocalign(Pool*, size_t, size_t align, long offset, size_t span);
void	pfree(Pool*, void*);
size_t	pmsize(Pool*, void*);
void	*malloctopoolblock(void*);	/* the pool's pointer for a malloc block: for poolblockcheck */

/* Plan 9's tag calls, on mainmem's blocks */
void	setmalloctag(void*, uintptr_t);
void	setrealloctag(void*, uintptr_t);
uintptr_t	getmalloctag(void*);
uintptr_t	getrealloctag(void*);

#ifdef __cplusplus
}
#endif
