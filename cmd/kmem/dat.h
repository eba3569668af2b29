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

/* kcore.c */
int	kcorelook(char *path, FILE *why);
