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
};

/* site.c */
int	siteadd(Ktab*, char *name, long long count, long long bytes);
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
	Off	node_partial, node_full, cpu_freelist, cpu_slab;
	Off	slab_list, slab_cache, slab_freelist, slab_counters, slab_inuse, slab_objects;
	Off	page_flags, page_type;
	long long	page_sizeof;
	u64	store_user;	/* the SLAB_STORE_USER flag bit */
};

extern Layout L;
int	btflayout(char *path);
void	btfprint(FILE*);

/* kcore.c */
int	kcorelook(char *path, FILE *why);
