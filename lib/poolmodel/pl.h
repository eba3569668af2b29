/*
 * The Plan 9 pool model (lib/pool's formats, pool.h): a pool found
 * through its descriptor (mainmem) when the symbols name it, else by
 * its arenas' magic numbers and their chain.  Include heapwalk.h,
 * poolmodel.h and ../pool/pool.h first.
 */
typedef struct Plan9 Plan9;
struct Plan9 {
	u64	desc;		/* the Pool descriptor, 0 when found by magic */
	u64	lock;		/* its pthread mutex, 0 when unknown */
	u64	codelo;		/* the pool's code, to catch a thread inside it; 0 when unknown */
	u64	codehi;
	u64	*arena;		/* found by magic: the first of each run of arenas */
	int	narena;
	char	*lastodd;	/* the last walk's first damage: the same twice is no update */
};

enum {
	Arenahdr = sizeof(Arena),
	Tail = sizeof(Btail),
	Minblock = sizeof(Free) + sizeof(Btail),
	Maxarenas = 1<<20,	/* arenas in one chain: a longer one is a cycle */
	Maxresync = 1<<20,	/* bytes searched for a sound header past damage: 64 K headers */
};

/* plprobe.c */
Model	*plprobe(Target*);
int	plarena(Target*, u64 a, u64 *asize);

/* plwalk.c */
int	plwalk(Model*, Target*, Heap*);
int	plbusy(Model*, Target*);

/* plblock.c */
int	plcheck(Model*, Target*, u64 b, u64 size, u64 end);
int	plsound(Target*, u64 b, u64 end);
void	plmake(Target*, u64 b, u64 size, u64 magic, Block*);
void	pltags(Target*, Block*);
