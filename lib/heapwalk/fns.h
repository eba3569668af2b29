/* heapwalk's internal functions, shared between its files. */

/* guard.c: the target let go whatever happens to us */
void	guardinstall(Target*);
void	guarddetach(Target*);
Thread	*guardadd(Target*, int tid);
void	guardenter(void);	/* a critical section: signals wait */
void	guardleave(void);
void	guardsnap(Target*);
void	guardwatch(int on);
void	guardhelper(void);	/* a marking thread: signals are the main thread's */
int	snapcleanup(int tid, int child, u64 insn);

/* attach.c, whynot.c: stopping the threads, and why we may not */
Thread	*hwthread(Target*, int tid);
struct user_regs_struct;
void	hwsetregs(Thread*, struct user_regs_struct*);
void	hwrecord(Target*, Thread*, int pid, int status);
int	hwstopnow(Target*);	/* every thread, after an exec too */
void	hwwhynot(int pid, int tid);
long	hwtracer(int pid, int tid);
int	hwkthread(int pid);

/* attach.c, core.c, coretarget.c, corenotes.c, coremaps.c: a core file as a Target */
Target	*hwnewtarget(int *pids, int npid);
struct Elf *coreelf(Core*);
long	hwcoreread(Target*, u64 addr, void *buf, long n);
void	hwcoreclose(Target*);
typedef struct Fileent Fileent;
struct Fileent {
	u64	start;
	u64	end;
	u64	off;
	char	*path;
};
/* what the notes say beyond the Target's threads and auxv, until the maps are made */
typedef struct Coreinfo Coreinfo;
struct Coreinfo {
	Fileent	*file;
	int	nfile;
	int	pid;
	int	nstatus;
};
int	corereadnotes(Target*, Coreinfo*);
void	coreinfofree(Coreinfo*);
int	coremaps(Target*, Coreinfo*, char *core);
void	corenamemaps(Target*);
int	coreopenfile(char *path);	/* a regular file a core names, or -1 */

/* proc.c */
int	hwreadfile(char *path, char *buf, int n);
char	hwtaskstate(int pid, int tid);
long	hwstatus(int pid, int tid, char *name);


/* heap.c, index.c: the block table's insides */
typedef struct Cell Cell;
struct Cell {
	u64	addr;		/* the block's base (Block.base) */
	u32	usable;		/* bytes from the base a pointer may reach: the Block's usable and its uoff */
	u16	less;		/* the Block's usable less the reported size */
	u8	flags;		/* Bwide: the three fields are in Heap.wide */
	int8_t	shrink;		/* hoff + usable less the chunk's size: less than 0 with a trailer */
};
typedef struct Wide Wide;
struct Wide {
	u64	base;		/* the cell's addr */
	u64	addr;
	u64	hdr;
	u64	usable;
	u64	size;
	u64	chunk;
};
typedef struct Index Index;
u64	heapend(Heap*, long i);
long	heaplookup(Heap*, u64 addr);
void	heaplookupn(Heap*, u64 *w, int n, long *out);
void	heapspan(Heap*, u64 *lo, u64 *hi);
enum { Lookbatch = 64 };	/* words looked up together: heaplookupn */
void	heapunindex(Heap*);

/* err.c: room for one more in an array of n, grown by doubling; big tables in huge pages */
void	*hwgrow(void *p, int n, size_t size);
void	*hwbig(void *p, size_t old, size_t n);
void	hwbigfree(void *p, size_t n);

/* maps.c, mem.c: reading the maps, and memory through copies and windows */
int	hwreadmaps(Target*);
void	hwreadflags(Target*);
uchar	*hwptr(Target*, u64 addr, u64 n);
uchar	*hwptrpart(Target*, u64 addr, u64 end, u64 *n);
void	hwdropsnaps(Target*);
void	hwdropwins(Target*);
/* a window of its own for reading a range in order: one per thread */
typedef struct Reader Reader;
struct Reader {
	u64	base;
	u64	n;
	uchar	*buf;
};
uchar	*hwreadat(Target*, Reader*, u64 addr, u64 want, u64 *got);
void	hwreaderfree(Reader*);

/* sym.c: names for the reports' insides */
void	hwsymclose(Target*);
int	hwsymword(Target*, u64 addr, char *buf, int n);	/* hwsymname's, mangled: one word */
char	*hwsymat(Target*, u64 addr, u64 *off);	/* the raw symbol name */
int	hwsrcline(Target*, u64 pc, char *buf, int n);	/* "file.c:12" */
int	hwsymfile(Target*, u64 pc, char **file, u64 *bias);
int	hwobjoff(Target*, u64 pc, char *buf, int n);	/* "object+0x1c6bd" */
int	hwdemangle(char *name, char *buf, int n);

/* index.c, site.c */
void	heapindex(Heap*);
void	hwsiteadd(Target*, Sites*, Block*, int sign);
void	hwsitereset(Sites*);
void	hwsitename(Target*, u64 pc, char *buf, int n);
char	*hwsignature(Target*, Sites*, Block*);
