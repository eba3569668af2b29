/*
 * heapwalk: a stopped process seen from outside.
 * Threads, registers, maps, memory, loaded objects, symbols,
 * the roots of the heap and a conservative mark and sweep.
 * Allocator models (poolmodel.h) fill a Heap; this library marks it.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#define nelem(a) (sizeof(a)/sizeof((a)[0]))

typedef uint8_t uchar;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

enum {
	Tint,		/* stopped by our PTRACE_INTERRUPT: may be resumed */
	Tgroup,		/* in a group stop (SIGSTOP, ^Z): never resumed by us */
	Tsig,		/* in a signal-delivery stop: sig is handed back */
	Tgone,		/* exited while we held it */
	Trunning,	/* resumed or interrupted: its stop is not yet reaped */
};

typedef struct Thread Thread;
struct Thread {
	int	tid;
	int	state;
	int	sig;		/* signal to hand back on resume or detach */
	int	busy;		/* caught inside the allocator: resume it alone */
	int	live;		/* it was there at the last stop: its registers are these */
	u64	pc;
	u64	sp;
	u64	fsbase;		/* the thread pointer */
	u64	gpr[32];	/* general registers, as words */
	int	ngpr;
	uchar	*vec;		/* vector registers (xsave area or fxsave) */
	int	nvec;
};

typedef struct Map Map;
struct Map {
	u64	start;
	u64	end;
	int	prot;		/* PROT_READ|PROT_WRITE|PROT_EXEC */
	int	shared;
	u64	off;
	u64	inode;
	char	*path;		/* "" when anonymous */
};

/* A copy of a range of the target's memory, taken while it is stopped. */
typedef struct Seg Seg;
struct Seg {
	u64	start;
	u64	end;
	uchar	*buf;
};

typedef struct Syms Syms;

typedef struct Target Target;
struct Target {
	int	*pids;		/* the processes sharing this address space */
	int	npid;
	int	tid;		/* a live thread of pids[0]: /proc and process_vm_readv go through it */
	int	rpid;		/* what reads go to: tid, or the snapshot */
	int	lost;		/* Lexec, Lexit: the process is no longer the one we held */
	int	held;		/* its threads are stopped by us now */
	double	heldms;		/* for how long, in all */
	double	since;		/* the last stop's start */
	int	snap;		/* snap.c: the frozen copy's pid, 0 when none */
	int	snapfd;		/* its /proc/PID/mem */
	u64	insn;		/* a syscall instruction in the target's code */
	int	nodup;		/* some memory fork does not copy (MADV_DONTFORK, WIPEONFORK) */
	char	*nosnap;	/* why it was read while held, when a snapshot was wanted */
	Thread	*thr;
	int	nthr;
	int	nlive;		/* threads held at the last stop */
	Map	*map;
	int	nmap;
	Seg	*seg;		/* sorted by start */
	int	nseg;
	struct Win *win;	/* mem.c: reads outside snapshots, cached while stopped */
	int	memfd;		/* /proc/PID/mem, the fallback reader */
	int	novm;		/* process_vm_readv refused: use memfd */
	char	*exe;		/* /proc/PID/exe resolved */
	u64	auxv[64];	/* AT_* values, by type, 0 when absent */
	Syms	*syms;
	int	stopped;	/* the process was in a group stop before we came */
	struct Core *core;	/* coretarget.c: a core file read instead of a process */
	struct Backing *back;	/* the files its file mappings are read from where it left them out */
	int	nback;
	u64	corebytes;	/* what the core and those files hold: no copy of its memory is larger */
};

enum { Lexec = 1, Lexit };

/*
 * core.c: an ELF core file (a process's, or /proc/kcore) as memory.
 * coreread returns the bytes it could read, short where the core
 * holds no more; corenote copies the first note NAME of a type (0:
 * any) and is freed by the caller.
 */
typedef struct Core Core;
typedef struct Cseg Cseg;
struct Cseg {
	u64	vaddr;
	u64	memsz;
	u64	offset;		/* in the file */
	u64	filesz;		/* bytes the file holds: less than memsz if the core left some out */
	u32	flags;		/* PF_R, PF_W, PF_X */
};
typedef struct Cnote Cnote;
struct Cnote {
	char	name[16];	/* "CORE", "LINUX", ...: longer names are cut */
	u32	type;
	uchar	*desc;
	size_t	len;
};
Core	*coreopen(char *path);
void	coreclose(Core*);
long	coreread(Core*, u64 addr, void *buf, long n);
Cseg	*coresegments(Core*, int *n);
void	*corenote(Core*, char *name, u32 type, size_t *len);
int	corenotes(Core*, Cnote**);
void	corenotesfree(Cnote*, int);
u64	coresize(Core*);
u64	coreneeds(Core*);
char	*corepath(Core*);

/* esc.c: text from the target, made safe to print */
enum {
	Etext,		/* a name that runs to the end of its line: spaces stay */
	Eword,		/* one field of a line: spaces escaped */
	Emsg,		/* an error message: backslashes stay */
};
int	hwesc(char *s, int how, char *buf, int n);

/* err.c: one error string, as Plan 9's errstr; hwflush names a failed write */
int	hwflush(FILE*);
void	werrstr(char*, ...) __attribute__((format(printf, 1, 2)));
char	*errstr(void);
void	*emalloc(size_t);
void	*erealloc(void*, size_t);
char	*estrdup(char*);

/*
 * attach.c, guard.c, snap.c: open (look without stopping), stop,
 * resume a moment, make a snapshot to read instead, release (the
 * snapshot and what was read stay), close.
 */
Target	*hwopen(int *pids, int npid);
int	hwstop(Target*);
int	hwresume(Target*, int usec);
int	hwsnapshot(Target*);
int	hwsnapmode(void);	/* $LEAK_SNAPSHOT: Sauto (unset), Sfork, Sstop, or -1 */
void	hwrelease(Target*);
void	hwdropsnapshot(Target*);
void	hwclose(Target*);
int	hwexecd(Target*);	/* it called exec since hwopen */
/*
 * coretarget.c: a core file as a process that never runs: hwstop,
 * hwrelease and hwsnapshot do nothing, hwresume fails.
 */
Target	*hwopencore(char *path);
int	hwiscore(char *arg);	/* arg names a core file (ET_CORE, or a path), not a pid or a name */
enum { Sauto, Sfork, Sstop };

/* maps.c */
Map	*hwmapat(Target*, u64 addr);
int	hwmapped(Target*, u64 addr, int prot);
char	*hwbasename(char *path);
Map	*hwmapnamed(Target*, char *pat);	/* the first mapping of a file named as pat (fnmatch) */

/* mem.c */
long	hwread(Target*, u64 addr, void *buf, long n);
int	hwpeek(Target*, u64 addr, u64 *w);
u64	hwword(Target*, u64 addr);	/* 0 where it cannot be read: for walks that check what they read */
int	hwbyte(Target*, u64 addr);
Seg	*hwsnap(Target*, u64 start, u64 end);	/* whole mappings only: snapshots never overlap */

/* objs.c: loaded objects from the dynamic linker's list */
typedef struct Obj Obj;
struct Obj {
	char	*path;
	u64	base;		/* l_addr */
	int	tlsmod;		/* TLS module id, 0 if none */
	u64	tlssize;
};
int	hwobjs(Target*, Obj **op);
u64	hwtlsblock(Target*, Thread*, int modid);

/* sym.c */
int	hwsymcheck(char *binary);	/* before attaching: a readable ELF file */
int	hwsymopen(Target*, char *binary);
int	hwsymname(Target*, u64 addr, char *buf, int n);	/* "sym+0x1a", demangled */
int	hwsymlookup(Target*, char *objpat, char *name, u64 *addr, u64 *size, int *tls);
int	hwsymrange(Target*, char *objpat, char **names, u64 *lo, u64 *hi);
int	hwdefines(Target*, char *path, char *name);
u64	hwsymbefore(Target*, char *objpat, u64 addr);

/* pids.c */
int	hwparsepid(char *s, int *pid);
int	hwpidsbyname(char *name, int **pids);
int	hwsamevm(int *pids, int npid);
int	hwvmsame(int a, int b);

/*
 * What an allocator model hands to marking:
 * the blocks, sorted by address, and what the allocator owns.
 */
enum {
	Bfree = 1<<0,		/* free: never reported, never scanned */
	Binternal = 1<<1,	/* allocator bookkeeping: never reported or scanned */
	Bmmapped = 1<<2,
	Btagged = 1<<3,		/* tag[] holds malloc and realloc pcs */
	Bmarked = 1<<4,		/* reachable */
	Bstack = 1<<5,		/* some thread's stack pointer is inside */
	Bwide = 1<<6,		/* heap.c's: kept apart, too big for a cell */
};

/* A block as a model makes it and a reader gets it (heapget). */
typedef struct Block Block;
struct Block {
	u64	addr;		/* the pointer malloc returned */
	u64	base;		/* the lowest address a pointer to it may hold: addr (0 says so), or a
				 * pool block's data, where its tags are and the pool's code points */
	u64	size;		/* reported and scanned: the requested size if known, else usable */
	u64	usable;		/* bytes the program may use */
	u64	hdr;		/* the chunk, header included: addr less its Share's hoff, as a rule */
	u64	chunk;		/* its size */
	u64	tag[2];		/* malloc and realloc pcs, when Btagged: heaptags */
	int	flags;
};

typedef struct Range Range;
struct Range {
	u64	start;
	u64	end;
	int	kind;		/* Rheap, Rarena, Rmmap, Rpool, Rbook */
	int	share;		/* whose: an index in Heap.share */
};
enum {
	Rheap,		/* glibc's main heap */
	Rarena,		/* a heap of one of glibc's other arenas */
	Rmmap,		/* glibc's mmapped chunks */
	Rpool,		/* a pool arena */
	Rbook,		/* an allocator's bookkeeping: no blocks */
};

/*
 * A model's share of a heap: where its blocks' headers lie and how
 * its tags are read.  Each model that walks a heap adds its own
 * (heapshare) before its blocks and ranges, which are then its own.
 */
typedef struct Share Share;
struct Share {
	int	hoff;		/* from a block's header to its base */
	int	uoff;		/* from its base to its address */
	void	(*tags)(Target*, Block*);	/* a tagged block's tags */
};
enum { Maxshare = 4 };	/* allocators in one process: glibc and a pool or two */

/*
 * A Heap either keeps its blocks, 16 bytes each, for marking, or, when
 * visit is set, streams them: each block found is passed to visit with
 * sign 1 and not kept, so memory does not grow with the heap (umem).
 * A model that learns later that a visited block is free or its own
 * passes it again, as it was visited, with sign -1 (heapsetflag).
 */
typedef struct Heap Heap;
struct Heap {
	struct Cell *cell;	/* heap.c's */
	long	nb;
	long	ab;
	int	unsorted;	/* a cell was added below the one before it: heapsort sorts */
	struct Wide *wide;
	long	nwide;
	long	awide;
	struct Index *index;	/* index.c's, for heapfind */
	Share	share[Maxshare];
	int	nshare;
	Range	*own;		/* the allocators' own memory: never a root */
	int	nown;
	int	aown;
	int	ownsorted;	/* own is in address order: heapsort */
	int	lastown;	/* the own range that held the last block looked up */
	void	(*visit)(Heap*, Block*, int sign);
	void	(*reset)(Heap*);	/* a walk is thrown away */
	void	*arg;
	Target	*t;		/* whose heap: what visit reads */
};

void	heapadd(Heap*, Block*);
void	heapget(Heap*, long i, Block*);
void	heaptags(Heap*, Target*, Block*);
int	heapflags(Heap*, long i);
void	heapsetflag(Heap*, long i, Block*, int flag);	/* Bfree, Binternal, Bstack, found late */
void	heapsetsize(Heap*, long i, u64 usable, u64 size);
int	heapshare(Heap*, int hoff, int uoff, void (*tags)(Target*, Block*));	/* -1 when Maxshare are in */
void	heapown(Heap*, u64 start, u64 end, int kind);
int	heapholds(Range*);	/* an own range of blocks, not bookkeeping */
void	heapsort(Heap*);
void	heapfree(Heap*);
long	heapfind(Heap*, u64 addr);	/* the block whose usable bytes hold addr, or -1 */
long	heapchunk(Heap*, u64 hdr);	/* the block whose chunk starts at hdr, or -1 */

/*
 * roots.c: while the target is stopped, the ranges and register words
 * marking starts from, copied so that marking needs no live target.
 */
enum {
	Kdata,		/* an object's data and bss */
	Krelro,		/* an object's RELRO segment, read-only after start-up */
	Kstack,		/* a thread's stack, live part; a dead thread's cached stack */
	Ktls,		/* the mapping holding a thread's static TLS and TCB */
	Ksigstack,	/* a stack inside a heap block: a malloc'd signal stack */
	Kunowned,	/* any other writable mapping no allocator owns */
	Nkind,
};
typedef struct Root Root;
struct Root {
	u64	start;
	u64	end;
	int	kind;
};
typedef struct Roots Roots;
struct Roots {
	Root	*r;
	int	nr;
	u64	*w;		/* loose words: registers, vector registers, dtv entries */
	long	nw;
};
Roots	*hwroots(Target*, Heap*);
void	hwrootstats(FILE*, char *prog, Roots*);	/* bytes of each kind */
void	hwfreeroots(Roots*);

/* mark.c */
void	hwmark(Target*, Heap*, Roots*);

/* site.c: blocks counted by allocation site (malloc tag) or signature */
typedef struct Site Site;
struct Site {
	u64	pc;		/* the malloc tag; 0 for a signature */
	char	*name;		/* "func+0x1a file.c:12", or "[class Foo]", "[points to sym]", "[size 48]" */
	long	count;
	long long bytes;	/* requested sizes when tagged, else usable */
};
typedef struct Sites Sites;
Sites	*hwsites(void);
void	hwsitecount(Heap*, Sites*);	/* stream a walk into Sites */
void	hwsitehint(FILE*, char *prog, Sites*, long nsite);
Site	*hwsitelist(Target*, Sites*, int bybytes, long *n);
void	hwsitesfree(Sites*);

/* gdb.c: leak -s, -c */
void	hwscript(FILE *out, FILE *msg, char *prog, Target*, Heap*, int bybytes);	/* msg: the hint when blocks have no tags */

/* draw.c: leak -b's picture, colours as indices in Plan 9's rgbv map */
enum {
	Chdr = 54,		/* a reachable or free block's header: bright blue */
	Cleakhdr = 240,		/* a leaked block's header: bright red */
	Cleak = 205,		/* leaked data: dark red */
	Calloc = 2,		/* allocated data: blue */
	Cfree = 252,		/* free: yellow */
	Cpad = 255,		/* padding: white */
};
typedef struct Picture Picture;
struct Picture {
	int	res;		/* bytes per pixel, raised to keep within maxpix */
	int	width;
	u64	height;
	Range	*reg;		/* the regions drawn, in address order */
	int	nreg;
	u64	*first;		/* each region's first row */
};
int	hwpicture(Heap*, int res, int width, u64 maxpix, Picture*);
int	hwdraw(Heap*, Picture*, int (*put)(void*, uchar*), void *arg);
void	hwdrawdump(Heap*, FILE*);

/* print.c: Plan 9's block lines */
enum { Pleaked = 1, Pall = 2, Pfree = 4 };
long	hwprint(FILE*, Target*, Heap*, int what);
