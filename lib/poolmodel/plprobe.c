/*
 * A Plan 9 pool in a target (lib/pool).  With symbols, mainmem names
 * the pool's descriptor, which gives its arena list and its lock.
 * Without them, an arena is known by its header's magic and size at
 * the start of a mapping and by the tail its size leads to; its aup
 * links lead back to the list's head.  Nothing here writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/mman.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "../pool/pool.h"
#include "pl.h"

enum { Maxheads = 16 };	/* pools found by magic: more means we are reading garbage */

/* where the pool's descriptor may be named: the program, or libpool.so */
static char *descobjs[] = { NULL, "libpool*.so*" };

/* the pool's entry points, whose span is its code in a program linked with libpool.a */
static char *entries[] = {
	"poolalloc", "poolallocalign", "poolfree", "poolrealloc", "poolmsize",
	"poolcheck", "poolblockcheck", "pmalloc", "pmallocz", "pcalloc", "prealloc",
	"pmallocalign", "pfree", "pmsize", NULL,
};

/* Whether an arena's header lies at a, and the tail its size leads to: the size in *asize. */
int
plarena(Target *t, u64 a, u64 *asize)
{
	u64 n;

	if((a & 15) != 0 || hwword(t, a) != ARENA_MAGIC || hwword(t, a+8) != Arenahdr)
		return 0;
	n = hwword(t, a + offsetof(Arena, asize));
	if(n < Arenahdr + sizeof(Bhdr) || (n & 15) != 0 || a + n < a || !hwmapped(t, a + n - 1, PROT_READ))
		return 0;
	if(hwword(t, a + n - sizeof(Bhdr)) != ARENATAIL_MAGIC || hwword(t, a + n - 8) != 0)
		return 0;
	*asize = n;
	return 1;
}

/*
 * The descriptor mainmem points at, checked: its arena list is empty
 * or starts with an arena, or the object holds the pool's code too,
 * when a damaged first arena is for the walk to report.
 */
static int
bysymbol(Target *t, Plan9 *p)
{
	u64 a, sz, d, first, n;
	unsigned i;
	int tls;

	for(i = 0; i < nelem(descobjs); i++){
		if(hwsymlookup(t, descobjs[i], "mainmem", &a, &sz, &tls) < 0 || tls)
			continue;
		d = hwword(t, a);
		if(d == 0 || !hwmapped(t, d, PROT_READ))
			continue;
		first = hwword(t, d + offsetof(Pool, arenalist));
		if(first != 0 && !plarena(t, first, &n) && hwsymlookup(t, descobjs[i], "poolalloc", &a, &sz, &tls) < 0)
			continue;
		p->desc = d;
		p->lock = hwword(t, d + offsetof(Pool, private));
		return 0;
	}
	werrstr("no pool descriptor (mainmem)");
	return -1;
}

/* From an arena back along aup to its list's head, checking each link both ways. */
static u64
head(Target *t, u64 a)
{
	u64 up, n;
	long i;

	for(i = 0; i < Maxarenas; i++){
		up = hwword(t, a + offsetof(Arena, aup));
		if(up == 0)
			return a;
		if(!plarena(t, up, &n) || hwword(t, up + offsetof(Arena, down)) != a)
			return 0;
		a = up;
	}
	return 0;
}

static int
cmp(const void *x, const void *y)
{
	const u64 *a, *b;

	a = x;
	b = y;
	return *a < *b ? -1 : *a > *b;
}

static int
seenin(u64 *seen, long nseen, u64 a)
{
	return nseen > 0 && bsearch(&a, seen, nseen, sizeof seen[0], cmp) != NULL;
}

/* The arenas of the list from h, added to seen (kept sorted), so that none is followed twice. */
static void
remember(Target *t, u64 h, u64 **seen, long *nseen)
{
	long n0;

	n0 = *nseen;
	for(; h != 0 && *nseen - n0 < Maxarenas; h = hwword(t, h + offsetof(Arena, down))){
		if((*nseen & 1023) == 0)
			*seen = erealloc(*seen, (*nseen + 1024) * sizeof (*seen)[0]);
		(*seen)[(*nseen)++] = h;
	}
	qsort(*seen, *nseen, sizeof (*seen)[0], cmp);
}

/*
 * Arenas at the start of anonymous mappings, as many heads of lists
 * as they lead to; an arena on a list already found is passed over,
 * so many arenas cost a walk of each list, not one per arena.
 */
static int
bymagic(Target *t, Plan9 *p)
{
	Map *m;
	u64 h, n, *seen;
	long nseen;
	int i;

	seen = NULL;
	nseen = 0;
	for(i = 0; i < t->nmap && p->narena < Maxheads; i++){
		m = &t->map[i];
		if(m->path[0] != 0 || m->shared || (m->prot & (PROT_READ|PROT_WRITE)) != (PROT_READ|PROT_WRITE))
			continue;
		if(seenin(seen, nseen, m->start))
			continue;
		if(!plarena(t, m->start, &n) || (h = head(t, m->start)) == 0 || seenin(seen, nseen, h))
			continue;
		remember(t, h, &seen, &nseen);
		p->arena = erealloc(p->arena, (p->narena+1) * sizeof p->arena[0]);
		p->arena[p->narena++] = h;
	}
	free(seen);
	if(p->narena == 0){
		werrstr("no pool arenas (ARENA_MAGIC) in its memory");
		return -1;
	}
	return 0;
}

/* Where a thread inside the pool may be caught: libpool.so's code, else the entry points' span. */
static void
code(Target *t, Plan9 *p)
{
	Map *lib;
	int i;

	lib = hwmapnamed(t, "libpool*.so*");
	for(i = 0; lib != NULL && i < t->nmap; i++)
		if((t->map[i].prot & PROT_EXEC) && strcmp(t->map[i].path, lib->path) == 0){
			p->codelo = t->map[i].start;
			p->codehi = t->map[i].end;
			return;
		}
	if(hwsymrange(t, NULL, entries, &p->codelo, &p->codehi) < 0)
		p->codelo = p->codehi = 0;
}

static void
plclose(Model *m)
{
	Plan9 *p;

	p = m->aux;
	free(p->arena);
	free(p->lastodd);
	free(p);
}

Model*
plprobe(Target *t)
{
	Plan9 *p;
	Model *m;
	char why[256];

	p = emalloc(sizeof *p);
	if(bysymbol(t, p) < 0){
		snprintf(why, sizeof why, "%s", errstr());
		if(bymagic(t, p) < 0){
			werrstr("process %d: %s and %s", t->pids[0], why, errstr());
			free(p);
			return NULL;
		}
	}
	code(t, p);
	m = emalloc(sizeof *m);
	m->name = estrdup(p->desc ? "pool (mainmem)" : "pool (magic numbers)");
	m->busy = plbusy;
	m->walk = plwalk;
	m->aux = p;
	m->close = plclose;
	return m;
}
