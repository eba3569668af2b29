/*
 * The glibc ptmalloc model's shared state: where the allocator keeps
 * its state in this target, and the layout of that glibc version.
 * Layouts were read from each version's debug information; see
 * ../shared/docs/glibc-malloc.md and doc/malloc.md.
 */
typedef struct Glibc Glibc;
struct Glibc {
	int	minor;		/* 2.minor */
	char	*obj;		/* the object holding malloc: libc.so.6, or a static executable */
	char	*objpat;	/* its basename, for symbol lookups */
	int	tlsmod;		/* its TLS module id */
	u64	arena;		/* &main_arena */
	u64	mp;		/* &mp_, 0 when not found */
	long	tcoff;		/* offset of `tcache' in its TLS block, -1 when unknown */
	u64	keyaddr;	/* &tcache_key (2.34+), 0 when unknown */
	u64	codelo;		/* the allocator's code, to catch a thread inside it */
	u64	codehi;
	int	exact;		/* found from debug information */
	int	check;		/* libc_malloc_debug's copy, glibc.malloc.check: a magic byte ends each request */
	int	tagger;		/* libmalloctag is loaded: blocks may have tags */
	/* layout of this version */
	int	ofast, otop, obins, onext, osysmem, arenasz;
	int	heapinfosz;
	int	ntc, tcount16, tcsz;
	int	tcslots;	/* 2.42+: counts[] holds free slots left of tcfill */
	int	tcfill;		/* mp_.tcache_count */
	int	tcmaxbytes;	/* mp_.tcache_max_bytes by default */
	int	mmtail;		/* bytes of an mmapped chunk beyond its size field */
	int	mmhdr;		/* an mmapped chunk's size less its usable size */
	int	safelink, haskey;
	int	osbrk, onmmaps, ommapped, mpsz, otcbins;
};

enum {
	Hdr = 16,		/* chunk header: prev_size, size */
	Minsize = 32,
	Heapmax = 64<<20,	/* HEAP_MAX_SIZE on 64-bit */
	Pinuse = 1, Ismmapped = 2, Nonmain = 4,
	Noncontig = 2,		/* malloc_state.flags */
	Nbins = 128,
	Nfast = 10,
	Maxlist = 1<<24,	/* no free list is longer: a cycle */
	Pagesize = 4096,	/* what memory is mapped, and so readable, by */
};

/* ptfind.c */
int	ptlayout(Glibc*);
int	ptfindstate(Target*, Glibc*);
int	ptversion(Target*, Glibc*);
int	ptguessversion(Target*, Glibc*);

/* ptwalk.c */
int	ptwalk(Model*, Target*, Heap*);
int	ptbusy(Model*, Target*);

/* ptfree.c */
int	ptfastbins(Target*, Glibc*, Heap*, u64 arena, long most);	/* most: chunks in all */
int	pttcaches(Target*, Glibc*, Heap*);

/* ptutil.c */
u32	ptword32(Target*, u64 addr);
u64	ptreveal(Glibc*, u64 slot, u64 stored);
int	ptunused(Target*, Glibc*, u64 arena);

/* pttag.c */
void	ptblock(Target*, Glibc*, u64 chunk, u64 size, int flags, Block*);
void	pttags(Target*, Block*);
int	ptchunk(Target*, Glibc*, Heap*, u64 chunk, Block*, long *i);

/* ptprobe.c */
Model	*ptprobe(Target*);
