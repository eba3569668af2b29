/*
 * Which pc a tag names, shared by every allocator that tags its
 * blocks: libmalloctag (this directory) and libpool.so (lib/pool),
 * which compile caller.c, layer.c, fork.c, new.c and rules.c alike.
 * A tag names the first caller outside the allocation layer (libc,
 * ld.so, libstdc++, libgcc_s, the allocator itself): callerpc below
 * settles a caller in the program with one compare, caller.c unwinds
 * past the layer, layer.c knows which code is the layer, fork.c keeps
 * fork away from the unwinder, new.c is C++'s operator new and rules.c
 * aligned_alloc, posix_memalign and reallocarray, on top of newblock
 * and reblock, which each allocator defines.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdatomic.h>
#include <errno.h>

#pragma GCC visibility push(hidden)

#define Public	__attribute__((visibility("default")))
#define Caller	((uintptr_t)__builtin_return_address(0))
#define Tls	__attribute__((tls_model("initial-exec")))

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
void	unwindprefork(void);
void	unwindparent(void);
void	unwindchild(void);

/*
 * new.c's and rules.c's block: n bytes tagged for return address pc,
 * aligned to align (0: malloc's alignment); nil, errno set, when there
 * is no memory.  reblock is realloc, called from pc.
 */
void	*newblock(size_t n, size_t align, uintptr_t pc);
void	*reblock(void *v, size_t n, uintptr_t pc);

#pragma GCC visibility pop
