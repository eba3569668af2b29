/*
 * damaged heaps.  The mode, $CORRUPT, damages this process's own
 * glibc heap the way one kind of bug would; the target prints the
 * address leak must name as `corrupt ADDR' on standard output (ADDR
 * a chunk's header), writes ready and waits, calling malloc and free
 * no more: they would trip over the damage.  leak, umem, leak -b and
 * leak -s must say where the heap is corrupted, exit 1, and let the
 * process go; none may crash.
 *
 *	size		(the default) an in-use chunk's size leads into the
 *			zeros in the middle of top: that chunk
 *	tcache-out	the link of a tcache entry in the middle of its
 *			chain decodes to the stack: that entry's chunk
 *	tcache-garbage	the same link is garbage: that entry's chunk
 *	tcache-cycle	two entries of a bin link to each other, the
 *			count as it was: the tcache's chunk
 *	tcache-self	an entry links to itself: the tcache's chunk
 *	tcache-count	a bin's count is 65535: the tcache's chunk
 *	fast-out	the fd of a fastbin chunk in the middle of its
 *			chain decodes to libc's data: that chunk
 *	top-size	top's size is 0x4242424242424241: top
 *	mmapped-bit	an in-use chunk in the main heap has IS_MMAPPED: it
 *	nonmain-bit	the same with NON_MAIN_ARENA
 *	top-moved	main_arena.top names an in-use chunk in the middle
 *			of the heap: that chunk
 *	zeroed		the heap is zeroed from its first chunk (the
 *			tcache) over several chunks: the first chunk
 *	arena-top-size	top-size in a thread's arena: that arena's top
 *	locked		main_arena's mutex is left taken, as by a thread
 *			that died inside malloc: the arena (not damage)
 *
 * The layouts are glibc's up to 2.42 (see doc/malloc.md); where a
 * mode needs one that is not there it says so and exits 1.
 */
#define _GNU_SOURCE
#include "truth.h"
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	N = 16,		/* held blocks around the damage */
	Small = 40,	/* a request of a 0x30-byte chunk: tcache and fastbin 1 */
	Bin = 1,	/* its bin */
	Ntcache = 7,	/* mp_.tcache_count by default up to 2.42 */
	Nzero = 6,	/* chunks zeroed after the tcache */
	Nbincheck = 62,	/* main_arena's bins looked at, 1 to 62 */
	Nempty = 60,	/* how many must be empty in a fresh heap */
	Fresh = 100,	/* a request no free chunk serves: carved from top */
	Maxcount = 65535,	/* a u16 tcache count, far above any fill */
	Heapmax = 64<<20,	/* a thread arena's heaps are aligned to this */
	Mapsize = 1<<16,	/* /proc/self/maps of this small process */
};

/* what the damage writes */
#define Badsize	0x4242424242424241UL	/* a size no heap has, PREV_INUSE set */
#define Garbage	0x4141414141414141UL	/* a link that decodes to no address */

enum {	/* chunk size bits */
	Pinuse = 1,
	Ismmapped = 2,
	Nonmain = 4,
};

void	*keep[N];
void	*victim[Nzero];
pthread_t	thread;
static int	minor;
static char	maps[Mapsize];

static void __attribute__((noreturn))
die(char *why)
{
	truthsay("t-corrupt: ");
	truthsay(why);
	truthsay("\n");
	_exit(1);
}

static void
say(ulong a)
{
	char buf[64], *p;
	int i;

	p = buf + sizeof buf;
	*--p = 0;
	*--p = '\n';
	for(i = 0; i < 16; i++, a >>= 4)
		*--p = "0123456789abcdef"[a & 15];
	memcpy(p - 10, "corrupt 0x", 10);
	truthsay(p - 10);
}

static ulong
chunk(void *p)
{
	return (ulong)p - 16;
}

static ulong*
sizefield(ulong c)
{
	return (ulong*)(c + 8);
}

static ulong
csize(ulong c)
{
	return *sizefield(c) & ~7UL;
}

/* a block that is not in the truth, to be freed or damaged */
static noinline void*
take(ulong n)
{
	void *p;

	p = malloc(n);
	if(p == nil)
		die("out of memory");
	truthfill(p, n);
	return p;
}

static noinline void
drop(void *p)
{
	free(p);
}

static void
hold(void)
{
	int i;

	for(i = 0; i < N; i++)
		keep[i] = heldalloc(Small);
}

/* safe-linking (2.32+): a free-list link is stored xor its slot's address >> 12 */
static ulong
protect(void *slot, ulong v)
{
	return minor >= 32 ? v ^ ((ulong)slot >> 12) : v;
}

static ulong
reveal(void *slot)
{
	return protect(slot, *(ulong*)slot);
}

static void
readmaps(void)
{
	long n, r;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY);
	if(fd < 0)
		die("cannot open /proc/self/maps");
	for(n = 0; n < (long)sizeof maps - 1; n += r)
		if((r = read(fd, maps+n, sizeof maps - 1 - n)) <= 0)
			break;
	maps[n] = 0;
	close(fd);
}

/* one line of maps: its range, permissions and path (empty if none) */
typedef struct Map Map;
struct Map {
	ulong	start;
	ulong	end;
	char	perm[5];
	char	*path;
	int	pathlen;
};

/* the line at *s into m; *s moves to the next, 0 at the end */
static int
mapline(char **s, Map *m)
{
	char *p, *e;
	int f;

	p = *s;
	if(*p == 0)
		return 0;
	e = strchr(p, '\n');
	if(e == nil)
		e = p + strlen(p);
	m->start = strtoul(p, &p, 16);
	m->end = strtoul(p+1, &p, 16);
	memcpy(m->perm, p+1, 4);
	m->perm[4] = 0;
	for(f = 0; f < 4 && p < e; f++){	/* perms, offset, dev, inode */
		while(p < e && *p == ' ')
			p++;
		while(p < e && *p != ' ')
			p++;
	}
	while(p < e && *p == ' ')
		p++;
	m->path = p;
	m->pathlen = e - p;
	*s = *e ? e+1 : e;
	return 1;
}

static int
pathis(Map *m, char *suffix)
{
	int n;

	n = strlen(suffix);
	return m->pathlen >= n && memcmp(m->path + m->pathlen - n, suffix, n) == 0;
}

static ulong
heapstart(void)
{
	char *s;
	Map m;

	readmaps();
	for(s = maps; mapline(&s, &m); )
		if(pathis(&m, "[heap]") && m.pathlen == 6)
			return m.start;
	die("no [heap] in /proc/self/maps");
}

/* libc's writable data and the bss mapping just after it */
static void
libcdata(ulong *lo, ulong *hi)
{
	char *s;
	Map m;

	readmaps();
	*lo = *hi = 0;
	for(s = maps; mapline(&s, &m); ){
		if(pathis(&m, "/libc.so.6") && strcmp(m.perm, "rw-p") == 0){
			if(*lo == 0)
				*lo = m.start;
			*hi = m.end;
		}else if(*hi != 0 && m.start == *hi && m.pathlen == 0)
			*hi = m.end;
		else if(*hi != 0)
			break;
	}
	if(*lo == 0)
		die("no writable libc.so.6 mapping");
}

static void
version(void)
{
	const char *v;

	v = gnu_get_libc_version();
	if(strncmp(v, "2.", 2) != 0)
		die("not glibc 2");
	minor = atoi(v+2);
}

/* tcache_perthread_struct: the main heap's first chunk, 2.26 to 2.42 */
typedef struct Tcache Tcache;
struct Tcache {
	ulong	chunk;
	int	nbins;
	int	cwidth;	/* bytes of a count */
	void	**entries;
};

static void
tcache(Tcache *t)
{
	ulong size;

	if(minor >= 43)
		die("no tcache layout for 2.43+: it is not the heap's first chunk");
	size = minor >= 42 ? 0x300 : minor >= 30 ? 0x290 : 0x250;
	t->chunk = (heapstart() + 15) & ~15UL;
	if(*sizefield(t->chunk) != (size | Pinuse))
		die("the heap's first chunk is not the tcache");
	t->nbins = minor >= 42 ? 76 : 64;
	t->cwidth = minor >= 30 ? 2 : 1;
	t->entries = (void**)(t->chunk + 16 + t->nbins*t->cwidth);
}

static void
setcount(Tcache *t, int bin, int v)
{
	unsigned char *c;

	c = (unsigned char*)(t->chunk + 16) + bin*t->cwidth;
	if(t->cwidth == 2)
		*(unsigned short*)c = v;
	else
		*c = v;
}

/* k blocks of Small bytes, freed in order: the tcache bin's head is the last */
static void
tcfree(Tcache *t, void **f, int k)
{
	int i;

	for(i = 0; i < k; i++)
		f[i] = take(Small);
	for(i = 0; i < k; i++)
		drop(f[i]);
	tcache(t);
	if(t->entries[Bin] != f[k-1])
		die("the freed block is not at the tcache bin's head");
}

/* f[2] -> f[1] -> f[0]: f[1]'s link leaves the heap */
static noinline void
tcacheout(void)
{
	ulong out[2] __attribute__((aligned(16)));
	void *f[3];
	Tcache t;

	hold();
	tcfree(&t, f, 3);
	*(ulong*)f[1] = protect(f[1], (ulong)out);
	say(chunk(f[1]));
}

static noinline void
tcachegarbage(void)
{
	void *f[3];
	Tcache t;

	hold();
	tcfree(&t, f, 3);
	*(ulong*)f[1] = Garbage;
	say(chunk(f[1]));
}

/* f[1] -> f[0] -> f[1] ..., the count still 2 */
static noinline void
tcachecycle(void)
{
	void *f[2];
	Tcache t;

	hold();
	tcfree(&t, f, 2);
	*(ulong*)f[0] = protect(f[0], (ulong)f[1]);
	say(t.chunk);
}

static noinline void
tcacheself(void)
{
	void *f[1];
	Tcache t;

	hold();
	tcfree(&t, f, 1);
	*(ulong*)f[0] = protect(f[0], (ulong)f[0]);
	say(t.chunk);
}

static noinline void
tcachecount(void)
{
	void *f[1];
	Tcache t;

	hold();
	tcfree(&t, f, 1);
	setcount(&t, Bin, Maxcount);
	say(t.chunk);
}

/*
 * Seven frees fill the tcache bin, the next three go to fastbin 1:
 * f[9] -> f[8] -> f[7], and f[8]'s fd is made to leave the heap.
 */
static noinline void
fastout(void)
{
	void *f[Ntcache+3];
	Tcache t;
	int i;

	if(minor >= 43)
		die("2.43+ has no fastbins");
	hold();
	for(i = 0; i < Ntcache+3; i++)
		f[i] = take(Small);
	for(i = 0; i < Ntcache+3; i++)
		drop(f[i]);
	tcache(&t);
	if(t.entries[Bin] != f[Ntcache-1])
		die("the tcache took more than 7 frees (tunables?)");
	if(reveal(f[9]) != chunk(f[8]))	/* fastbin links are to chunks */
		die("the last frees are not a fastbin chain");
	*(ulong*)f[8] = protect(f[8], (ulong)stdout & ~15UL);
	say(chunk(f[8]));
}

/* after a fresh allocation from top, top follows it */
static ulong
topchunk(void)
{
	void *p;

	p = take(Fresh);
	return chunk(p) + csize(chunk(p));
}

static noinline void
topsize(void)
{
	ulong top;

	hold();
	top = topchunk();
	*sizefield(top) = Badsize;
	say(top);
}

static noinline void
mmappedbit(void)
{
	hold();
	*sizefield(chunk(keep[N/2])) |= Ismmapped;
	say(chunk(keep[N/2]));
}

static noinline void
nonmainbit(void)
{
	hold();
	*sizefield(chunk(keep[N/2])) |= Nonmain;
	say(chunk(keep[N/2]));
}

/*
 * main_arena.top without symbols: in libc's data, the word equal to
 * top that is followed by last_remainder and bins, nearly all empty
 * in this fresh heap: an empty bin i's fd and bk point at the pair's
 * place less 16, and bin 1 is at the top field itself.
 */
static ulong*
topfield(ulong top)
{
	ulong lo, hi, *w, *found, bin;
	int i, empty;

	libcdata(&lo, &hi);
	found = nil;
	for(w = (ulong*)lo; (ulong)(w + 2 + 2*Nbincheck) <= hi; w++){
		if(*w != top)
			continue;
		empty = 0;
		for(i = 1; i <= Nbincheck; i++){
			bin = (ulong)w + 16*(i-1);
			if(w[2*i] == bin && w[2*i+1] == bin)
				empty++;
		}
		if(empty < Nempty)
			continue;
		if(found != nil)
			die("two candidates for main_arena.top");
		found = w;
	}
	if(found == nil)
		die("main_arena.top not found in libc's data");
	return found;
}

static noinline void
topmoved(void)
{
	ulong *f;

	hold();
	f = topfield(topchunk());
	*f = chunk(keep[N/2]);
	say(chunk(keep[N/2]));
}

/* victims right after the tcache, zeroed with it; the held blocks follow */
static noinline void
zeroed(void)
{
	Tcache t;
	ulong end;
	int i;

	for(i = 0; i < Nzero; i++)
		victim[i] = take(Small + 16*i);
	hold();
	tcache(&t);
	end = chunk(victim[Nzero-1]) + csize(chunk(victim[Nzero-1]));
	if(end != chunk(keep[0]))
		die("the held blocks do not follow the victims");
	memset((void*)t.chunk, 0, end - t.chunk);
	say(t.chunk);
}

static int
offtop(void)
{
	return minor >= 43 ? 0x08 : minor >= 27 ? 0x60 : 0x58;
}

static noinline void
locked(void)
{
	ulong arena;

	hold();
	arena = (ulong)topfield(topchunk()) - offtop();
	if(*(int*)arena != 0)
		die("main_arena is locked already");
	*(int*)arena = 1;
	say(arena);
}

static noinline void
arenatop(void)
{
	ulong top, hi, arena;
	int i;

	for(i = 0; i < N; i++)
		keep[i] = heldalloc(Small + 16*i);
	top = topchunk();
	/* heap_info: ar_ptr first; arena->top must be ours */
	hi = top & ~(ulong)(Heapmax-1);
	arena = *(ulong*)hi;
	if(!(*sizefield(chunk(keep[0])) & Nonmain) || *(ulong*)(arena + offtop()) != top)
		die("the thread's blocks are not in a thread arena");
	*sizefield(top) = Badsize;
	say(top);
}

static void*
arenathread(void *a)
{
	(void)a;
	arenatop();
	truthpark();
}

static noinline void
arenatopsize(void)
{
	if(pthread_create(&thread, nil, arenathread, nil) != 0)
		die("pthread_create");
	truthawait(1);
}

/* the original mode: a size that lands in the middle of the heap */
static noinline void
size(void)
{
	hold();
	*sizefield(chunk(keep[N/2])) = 0x7771;
	say(chunk(keep[N/2]));
}

typedef struct Mode Mode;
struct Mode {
	char	*name;
	void	(*damage)(void);
};

static Mode modes[] = {
	{"size", size},
	{"tcache-out", tcacheout},
	{"tcache-garbage", tcachegarbage},
	{"tcache-cycle", tcachecycle},
	{"tcache-self", tcacheself},
	{"tcache-count", tcachecount},
	{"fast-out", fastout},
	{"top-size", topsize},
	{"mmapped-bit", mmappedbit},
	{"nonmain-bit", nonmainbit},
	{"top-moved", topmoved},
	{"zeroed", zeroed},
	{"arena-top-size", arenatopsize},
	{"locked", locked},
};

int
main(void)
{
	char *s;
	unsigned i;

	version();
	s = getenv("CORRUPT");
	if(s == nil || *s == 0)
		s = "size";
	for(i = 0; i < sizeof modes/sizeof modes[0]; i++)
		if(strcmp(modes[i].name, s) == 0){
			modes[i].damage();
			truthready();
		}
	die("unknown CORRUPT mode");
}
