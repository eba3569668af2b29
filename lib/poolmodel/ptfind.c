/*
 * Finding ptmalloc's state in a target: main_arena, mp_, the TLS
 * `tcache' pointer and tcache_key.  Exactly from the symbol table of
 * the debug file when there is one; otherwise by signatures that are
 * validated before they are believed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

static int
mapof(Map *m, char *path)
{
	return strcmp(m->path, path) == 0;
}

static int dataranges(Target*, Glibc*, Range*, int);
static void findmp(Target*, Glibc*, Range*, int);

/* "release version 2.36" in the object's read-only mappings. */
int
ptversion(Target *t, Glibc *g)
{
	static char pat[] = "release version 2.";
	Map *m;
	uchar *buf, *p;
	long n;
	int i;

	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(!mapof(m, g->obj) || (m->prot & PROT_WRITE) || m->end - m->start > 256<<20)
			continue;
		n = m->end - m->start;
		buf = emalloc(n+1);
		hwread(t, m->start, buf, n);
		p = memmem(buf, n, pat, sizeof pat-1);
		if(p != NULL)
			g->minor = atoi((char*)p + sizeof pat-1);
		free(buf);
		if(p != NULL)
			return 0;
	}
	return -1;
}

/*
 * A static program has no banner.  Try the layouts from newest to
 * oldest: mp_ must show that layout's default tcache tunables with
 * sbrk_base in [heap], and up to 2.42 the first chunk there must be
 * the main thread's tcache.
 */
int
ptguessversion(Target *t, Glibc *g)
{
	static int vers[] = {43, 42, 36, 31, 29, 26};
	Glibc try;
	Range r[16];
	u64 size, base;
	unsigned i;
	int nr, tls;

	for(i = 0; i < nelem(vers); i++){
		try = *g;
		try.minor = vers[i];
		ptlayout(&try);
		try.mp = 0;
		nr = dataranges(t, &try, r, nelem(r));
		findmp(t, &try, r, nr);
		if(try.mp == 0)
			continue;
		if(hwsymlookup(t, g->objpat, "mp_", &base, &size, &tls) == 0 && base != try.mp)
			continue;
		base = (hwword(t, try.mp + try.osbrk) + 15) & ~15ULL;
		size = hwword(t, base+8) & ~7ULL;
		if(vers[i] < 43 && size != (u64)try.tcsz)
			continue;
		g->minor = vers[i];
		return 0;
	}
	werrstr("%s has no glibc version banner, and no glibc layout fits its malloc state", g->obj);
	return -1;
}

static int
fromdebug(Target *t, Glibc *g)
{
	u64 a, sz;
	int tls;
	static char *code[] = {
		"_int_malloc", "_int_free", "_int_realloc", "_int_memalign", "sysmalloc",
		"malloc_consolidate", "tcache_init", "arena_get2", "__libc_malloc", "__libc_free",
		"__libc_calloc", "__libc_realloc", "_mid_memalign", "malloc", "free", "calloc",
		"realloc", "memalign", NULL
	};

	if(hwsymlookup(t, g->objpat, "main_arena", &g->arena, &sz, &tls) < 0)
		return -1;
	if(hwsymlookup(t, g->objpat, "mp_", &g->mp, &sz, &tls) < 0)
		g->mp = 0;
	if(hwsymlookup(t, g->objpat, "tcache", &a, &sz, &tls) == 0 && tls)
		g->tcoff = a;
	if(hwsymlookup(t, g->objpat, "tcache_key", &a, &sz, &tls) == 0 && !tls)
		g->keyaddr = a;
	hwsymrange(t, g->objpat, code, &g->codelo, &g->codehi);
	g->exact = 1;
	return 0;
}

/*
 * An arena candidate passes when its bins are sane: each bin's links are
 * self-pointing (empty) or point into writable memory, many are empty,
 * nearly all non-empty ones are doubly linked, and top is writable.
 */
static int
arenaok(Target *t, Glibc *g, u64 a)
{
	u64 bin, fd, bk, top, next, back;
	int i, empty, bad;

	empty = bad = 0;
	for(i = 1; i < Nbins-1; i++){
		bin = a + g->obins + (i-1)*16 - 16;
		if(hwpeek(t, bin+16, &fd) < 0 || hwpeek(t, bin+24, &bk) < 0)
			return 0;
		if(fd == bin && bk == bin){
			empty++;
			continue;
		}
		if(!hwmapped(t, fd, PROT_WRITE) || !hwmapped(t, bk, PROT_WRITE))
			return 0;
		if(hwpeek(t, fd+24, &back) < 0 || back != bin)
			bad++;
	}
	top = hwword(t, a + g->otop);
	next = hwword(t, a + g->onext);
	return empty >= 20 && bad <= 2 && hwmapped(t, top, PROT_WRITE) && next != 0 && hwmapat(t, next) != NULL;
}

/* Writable mappings of the object, and the anonymous one just after (its bss). */
static int
dataranges(Target *t, Glibc *g, Range *r, int nr)
{
	Map *m;
	int i, n;

	n = 0;
	for(i = 0; i < t->nmap && n < nr; i++){
		m = &t->map[i];
		if(!(m->prot & PROT_WRITE))
			continue;
		if(mapof(m, g->obj) || (m->path[0] == 0 && i > 0 && mapof(&t->map[i-1], g->obj) && t->map[i-1].end == m->start)){
			r[n].start = m->start;
			r[n].end = m->end;
			n++;
		}
	}
	return n;
}

/*
 * Memory is readable or not by pages: x, where the word at x+off could
 * not be read, moved on so that the scan's next word is on the next
 * page.  Else a scan of memory a core lacks pays a failed read a word.
 */
static u64
pastpage(u64 x, u64 off)
{
	return ((x + off) | (Pagesize-1)) + 1 - off - 8;
}

static int
findarena(Target *t, Glibc *g, Range *r, int nr)
{
	u64 a, x, fd, bk, found;
	int i, j, n;

	found = 0;
	n = 0;
	for(i = 0; i < nr; i++)
		for(x = r[i].start; x+16 <= r[i].end; x += 8){
			if(hwpeek(t, x, &fd) < 0){
				x = pastpage(x, 0);
				continue;
			}
			if(fd != x-16 || hwpeek(t, x+8, &bk) < 0 || bk != fd)
				continue;
			/* an empty bin: try every arena base that puts it at some bin */
			for(j = 1; j < Nbins-1; j++){
				a = x - 16 - (g->obins + (j-1)*16 - 16);
				if(a < r[i].start || a == found || !arenaok(t, g, a))
					continue;
				found = a;
				n++;
				break;
			}
			if(n > 0)
				break;
		}
	if(n == 0){
		werrstr("no glibc main_arena found in the data of %s", g->obj);
		return -1;
	}
	g->arena = found;
	return 0;
}

/* mp_: {... sbrk_base, tcache_bins, tcache_max_bytes, tcache_count ...} with default tunables */
static void
findmp(Target *t, Glibc *g, Range *r, int nr)
{
	u64 x, hs, he, w[4];
	int i;

	hs = he = 0;
	for(i = 0; i < t->nmap; i++)
		if(strcmp(t->map[i].path, "[heap]") == 0){
			hs = t->map[i].start;
			he = t->map[i].end;
		}
	for(i = 0; i < nr; i++)
		for(x = r[i].start; x + g->mpsz <= r[i].end; x += 8){
			/* sbrk_base: in [heap], past a static program's TLS */
			if(hwpeek(t, x + g->osbrk, &w[0]) < 0){
				x = pastpage(x, g->osbrk);
				continue;
			}
			if(w[0] != hs && (w[0] < hs || w[0] >= he))
				continue;
			/* with no [heap] yet, every zero word passes for sbrk_base: these are read often */
			if(hwpeek(t, x + g->otcbins, &w[1]) < 0 || hwpeek(t, x + g->otcbins + 8, &w[2]) < 0
			|| hwpeek(t, x + g->otcbins + 16, &w[3]) < 0){
				x = pastpage(x, g->otcbins);
				continue;
			}
			if((w[1] == 64 || w[1] == (u64)g->ntc) && w[2] == (u64)g->tcmaxbytes && w[3] == (u64)g->tcfill){
				g->mp = x;
				return;
			}
		}
}

static void
dyncode(Target *t, Glibc *g)
{
	static char *code[] = {
		"malloc", "free", "calloc", "realloc", "memalign", "posix_memalign",
		"aligned_alloc", "valloc", "pvalloc", "malloc_usable_size", "malloc_trim",
		"mallopt", "mallinfo", "mallinfo2", "malloc_stats", "malloc_info",
		"__default_morecore", NULL
	};

	/*
	 * Without a full symbol table, malloc.c's static functions sit
	 * just below its public ones: below __default_morecore where, as
	 * since 2.34, malloc.c holds it (trixie's _int_free is there).
	 */
	if(g->codehi == 0 && hwsymrange(t, g->objpat, code, &g->codelo, &g->codehi) == 0)
		g->codelo = hwsymbefore(t, g->objpat, g->codelo);
}

/* The tunables a tcache was made with, when mp_ says. */
static void
tunables(Target *t, Glibc *g)
{
	u64 fill;

	if(g->mp != 0 && hwpeek(t, g->mp + g->otcbins + 16, &fill) == 0 && fill < 65536)
		g->tcfill = fill;
}

int
ptfindstate(Target *t, Glibc *g)
{
	Range r[16];
	int nr;
	char *e;

	g->tcoff = -1;
	e = getenv("LEAK_HEURISTIC");
	if((e == NULL || *e == 0 || strcmp(e, "0") == 0) && fromdebug(t, g) == 0){
		dyncode(t, g);
		tunables(t, g);
		return 0;
	}
	nr = dataranges(t, g, r, nelem(r));
	if(findarena(t, g, r, nr) < 0)
		return -1;
	findmp(t, g, r, nr);
	dyncode(t, g);
	tunables(t, g);
	return 0;
}
