/*
 * kmem's insides.  A source fills the site table: one row per
 * allocation site, or per cache where the kernel keeps no sites.
 */
typedef struct Ksite Ksite;
typedef struct Ktab Ktab;
typedef struct Src Src;

struct Ksite {
	long long	count;
	long long	bytes;
	char	*name;		/* escaped: safe to print */
	char	*stack;		/* NULL, or escaped frames, a line each */
};

struct Ktab {
	Ksite	*v;
	long	n;
	long	max;
};

/* where the counts come from, in the order they are tried */
struct Src {
	char	*file;		/* under the proc root */
	char	*what;		/* said on stderr when used */
	int	(*read)(FILE*, char *path, Ktab*);
};

enum {
	Maxline = 4096,		/* the kernel's lines are under 300 bytes: a longer one is not its format */
	Maxsites = 1<<20,	/* allocinfo has a few thousand lines, slabinfo a few hundred */
	Indent = 8,		/* a stack's frames under their site, as in alloc_traces */
	Maxframes = 256,	/* in a depot record: CONFIG_STACKDEPOT_MAX_FRAMES is 64 unless raised */
};

/* site.c */
int	siteadd(Ktab*, char *cache, char *name, char *stack, long long count, long long bytes);
void	sitesort(Ktab*);
int	siteprint(FILE*, Ktab*);
void	sitefree(Ktab*);
char	*kgetline(FILE*, char *buf, int n, int *toolong);

/* slabinfo.c, allocinfo.c */
int	slabinfo(FILE*, char*, Ktab*);
int	allocinfo(FILE*, char*, Ktab*);

/* btf.c: where the slab allocator keeps things, in this kernel */
typedef struct Off Off;
typedef struct Field Field;
typedef struct Layout Layout;

enum { Absent = -1, Needed = 0, Optional };

struct Off {
	long long	bit;		/* from the struct's start; Absent if the kernel has no such field */
	int	width;		/* a bitfield's, or 0 */
	long long	size;		/* in bytes, when not a bitfield */
};

struct Field {
	char	*type;
	char	*member;
	Off	*off;
	int	need;
};

struct Layout {
	Off	cache_cpu_slab, cache_flags, cache_size, cache_object_size, cache_offset;
	Off	cache_inuse, cache_red_left_pad, cache_name, cache_list, cache_random, cache_node;
	Off	cache_per_node, pernode_node, cache_cpu_sheaves;
	long long	pernode_sizeof;
	Off	pernode_barn, cache_sheaf_capacity, pcs_main, pcs_spare, pcs_rcu_free;
	Off	sheaf_barn_list, sheaf_size, sheaf_objects, barn_full;
	long long	pcs_sizeof;
	Off	node_partial, node_full, cpu_freelist, cpu_slab;
	Off	slab_list, slab_cache, slab_freelist, slab_counters, slab_inuse, slab_objects;
	Off	page_flags, page_type;
	Off	track_addr, track_handle;
	Off	depot_slabindex, depot_pool, depot_poolplus1, depot_offset;
	Off	record_size, record_handle, record_entries;
	long long	page_sizeof;
	u64	store_user;	/* the SLAB_STORE_USER flag bit */
	u64	kmalloc;	/* SLAB_KMALLOC's */
	long long	track_sizeof;
};

extern Layout L;
int	btflayout(char *path);
u64	fld(uchar *b, long n, Off);
void	btfprint(FILE*);

/* ksym.c */
typedef struct Ksym Ksym;
struct Ksym {
	u64	addr;
	char	type;
	char	*name;		/* with " [module]" for a module's */
};
enum { Maxfunc = 1<<20 };	/* no kernel function is a megabyte: a pc further on is in no symbol */
int	ksymload(char *kallsyms, char *vmlinux, u64 offset, FILE *why);
void	ksymadd(u64 addr, char type, char *name);
u64	ksym(char*);
char	*ksymname(u64 pc, char *buf, int n);

/* ksymelf.c */
int	ksymelf(char *path);

/* slab.c */
typedef struct Cache Cache;
typedef struct Walk Walk;
typedef struct Hit Hit;
struct Hit {
	u64	pc;		/* track.addr */
	u32	handle;		/* track.handle: the stack, in the depot */
	long	cache;		/* in Walk.cache */
	long long	bytes;
};
struct Cache {
	u64	addr;
	char	name[64];
	u64	flags;
	long long	size, objsize, offset, inuse, redpad, infoend;
	int	hardened, track, origsize;
	u64	random;
	u64	*node;		/* kmem_cache_node, per node */
	int	ncpu;
	u64	*cpufree;	/* kmem_cache_cpu.freelist, per CPU */
	u64	*cpuslab;
	u64	sheaves;	/* kmem_cache.cpu_sheaves, a per-CPU pointer, or 0 */
	long long	sheafcap;
	u64	*barn;		/* per node, or NULL */
	long long	sheafed;	/* objects found waiting in sheaves */
	long long	count;	/* objects in use, when not tracked */
};
/* what the command line asks of the walk */
typedef struct Kopt Kopt;
struct Kopt {
	int	bycache;	/* -C: a site's line names its cache */
	int	stacks;	/* -s: each site's stacks from the stack depot */
	char	*kernel;	/* a vmlinux to name sites from, or NULL for kallsyms */
};
struct Walk {
	char	*btf;
	Kopt	opt;
	int	pagesonly;	/* KMEM_WALK=pages */
	u64	pob, vmemmap, vmalloc, slabcaches;
	long long	pagesize;
	int	pgslab;		/* PG_slab's bit in page.flags, or -1 */
	u64	pgtype;		/* else page_type's top byte for a slab */
	int	nnode, ncpu;
	u64	*pcpuoff;
	long long	tracksize;
	long long	nodeat, nodestride;	/* where node i's kmem_cache_node pointer is in kmem_cache */
	Cache	*cache;
	int	ncache;
	uchar	*cbuf;
	long	skipped;
	Hit	*hit;		/* the tracked objects in use */
	long	nhit, maxhit;
	long long	barnat;	/* where node i's barn pointer is in kmem_cache */
	u64	*sheafobj;	/* objects waiting in sheaves, sorted: free */
	long	nsheafobj, maxsheafobj;
};
enum { Maxsaid = 10 };	/* changes said one by one; the rest are counted */
int	slabwalk(Core*, char *info, char *btf, Kopt*, Ktab*);

/* sheaf.c */
void	sheafread(Core*, Walk*, Cache*);
void	sheafsort(Walk*);
void	sheafmark(Walk*, Cache*, u64 base, int nobj, uchar *free);

/* depot.c */
int	depotinit(Core*);
int	depotstack(u32 handle, u64 *pc, int max);

/* kcore.c */
Core	*kcoreopen(char *path, char **info, FILE *why);
int	vmcorenum(char *info, char *key, long long *v);
int	kerneloffset(char *info, u64 *off);
