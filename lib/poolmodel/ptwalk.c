/*
 * Walking ptmalloc's chunks: the main arena's heap (one segment, or
 * several when brk failed and malloc fell back to mmap), each other
 * arena's chain of heaps, and the mmapped chunks.  Each chunk becomes
 * a Block; whether it is free is read from the next chunk's PREV_INUSE
 * bit, then from the fastbins and tcaches (ptfree.c).
 */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

enum { Etop, Efence, Eend, Ebad };

typedef struct Walk Walk;
struct Walk {
	Target	*t;
	Glibc	*g;
	Heap	*h;
	u64	bad;		/* where a chunk made no sense */
	u64	end;		/* where the last segment walked ended */
	u64	last;		/* the last chunk walked before that */
	u64	at;		/* the chunk the last walk stopped at */
	u64	topend;		/* where top must end, 0 when unknown */
	int	inmain;		/* walking the main arena's chunks */
	int	foundtop;
	int	nfixed;		/* own ranges known before the anonymous walk */
	int	dry;		/* only see whether the chunks hold together */
	long	nchunk;		/* chunks walked */
	char	why[128];
	char	first[1024];	/* the first problem after the walk */
};

static void
addchunk(Walk *w, u64 p, u64 size, int flags)
{
	Block b;

	if(w->dry)
		return;
	w->nchunk++;
	ptblock(w->t, w->g, p, size, flags, &b);
	heapadd(w->h, &b);
}

static int
corrupt(Walk *w, u64 p, char *fmt, ...)
{
	va_list arg;

	w->bad = p;
	va_start(arg, fmt);
	vsnprintf(w->why, sizeof w->why, fmt, arg);
	va_end(arg);
	return Ebad;
}

/* Top is the last chunk: it ends its heap, where the arena's accounts say. */
static int
topchunk(Walk *w, u64 p, u64 lim)
{
	u64 size, end;

	size = hwword(w->t, p+8) & ~7ULL;
	end = p + size;
	if((size & 15) != 0 || end < p || end > lim)
		return corrupt(w, p, "the top chunk's size, 0x%llx, runs past the heap's end 0x%llx",
			(unsigned long long)size, (unsigned long long)lim);
	/* unaccounted, it ends a page: a noncontiguous segment, or brk */
	if(w->topend != 0 ? end != w->topend : (end & 4095) != 0 && lim - end >= 4096)
		return corrupt(w, p, "the top chunk ends at 0x%llx, not at the heap's end 0x%llx",
			(unsigned long long)end, (unsigned long long)(w->topend ? w->topend : lim));
	addchunk(w, p, size, Bfree);
	w->end = end;
	w->foundtop = 1;
	return Etop;
}

/* Flag bits that no chunk of this heap can have. */
static int
badbits(Walk *w, u64 p, u64 raw)
{
	if(raw & Ismmapped)
		return corrupt(w, p, "a chunk inside a heap has IS_MMAPPED set (size word 0x%llx)",
			(unsigned long long)raw);
	if(w->inmain && (raw & Nonmain))
		return corrupt(w, p, "a main arena chunk has NON_MAIN_ARENA set (size word 0x%llx)",
			(unsigned long long)raw);
	return 0;
}

/*
 * Walk chunks from p until the arena's top, a fencepost, or lim.
 * The chunk before top or a fencepost is free when their PREV_INUSE is clear.
 */
static int
walkseg(Walk *w, u64 p, u64 lim, u64 top)
{
	u64 raw, size, nsize, next;
	int r;

	for(;; p = next){
		w->at = p;
		if(p == top)
			return topchunk(w, p, lim);
		if(p + Hdr > lim)
			return p == lim ? Eend : corrupt(w, p, "chunk runs past the heap");
		raw = hwword(w->t, p+8);
		size = raw & ~7ULL;
		if(size == 0 || size == Hdr){
			nsize = hwword(w->t, p+Hdr+8) & ~7ULL;
			w->end = p + (size == 0 ? Hdr : 2*Hdr);
			if(size == 0 || nsize == 0 || nsize == Hdr)
				return Efence;
			return corrupt(w, p, "16-byte chunk that is not a fencepost");
		}
		if(size < Minsize || (size & 15) != 0)
			return corrupt(w, p, "bad chunk size 0x%llx", (unsigned long long)size);
		if(badbits(w, p, raw) != 0)
			return Ebad;
		next = p + size;
		if(next > lim || next < p)
			return corrupt(w, p, "chunk runs past the heap");
		r = (hwword(w->t, next+8) & Pinuse) ? 0 : Bfree;
		if(next + 8 >= lim && next != top)
			r = 0;
		addchunk(w, p, size, r);
		w->last = p;
	}
}

static u64
pageup(u64 p)
{
	return (p + 4095) & ~4095ULL;
}

static u64
align16(u64 p)
{
	return (p + 15) & ~15ULL;
}

static int
segresult(Walk *w, int r, char *what)
{
	if(r == Ebad){
		werrstr("heap corrupted at 0x%llx in %s: %s",
			(unsigned long long)w->bad, what, w->why);
		return -1;
	}
	return 0;
}

/*
 * When brk fails the main arena continues in mmapped segments, stacked
 * in one mapping: each ends with a double fencepost at its last page,
 * the newest with top.  Anything else is left alone, so a candidate is
 * walked dry first.
 */
static u64
mainseg(Walk *w, u64 p, u64 lim, u64 top)
{
	int r;

	w->topend = 0;
	w->inmain = 1;
	w->dry = 1;
	r = walkseg(w, p, lim, top);
	w->dry = 0;
	if(r == Etop || (r == Efence && w->end > p + 2*Hdr && pageup(w->end) - w->end < 16)){
		walkseg(w, p, lim, top);
		heapown(w->h, p, w->end, Rheap);
		w->inmain = 0;
		return pageup(w->end);
	}
	w->inmain = 0;
	return 0;
}

/* The end of the heap or arena range holding p, or 0. */
static u64
ownedto(Walk *w, u64 p)
{
	int i;

	for(i = 0; i < w->nfixed; i++)
		if(p >= w->h->own[i].start && p < w->h->own[i].end)
			return w->h->own[i].end;
	return 0;
}

static int
anon(Map *m)
{
	return (m->path[0] == 0 || strncmp(m->path, "[anon:", 6) == 0)
		&& (m->prot & (PROT_READ|PROT_WRITE)) == (PROT_READ|PROT_WRITE);
}

/* The main heap's walk ended before top: name the chunk that led it astray. */
static int
strayed(Walk *w)
{
	u64 size;

	if(w->last == 0){
		werrstr("heap corrupted at 0x%llx in the main arena: a chunk of size 0x%llx "
			"where the heap goes on to its top chunk", (unsigned long long)w->at,
			(unsigned long long)(hwword(w->t, w->at+8) & ~7ULL));
		return -1;
	}
	size = hwword(w->t, w->last+8) & ~7ULL;
	werrstr("heap corrupted at 0x%llx in the main arena: its size, 0x%llx, leads to 0x%llx, "
		"which is not a chunk", (unsigned long long)w->last,
		(unsigned long long)size, (unsigned long long)(w->last + size));
	return -1;
}

/*
 * The main arena's [heap] segment, from sbrk_base, contiguous unless
 * brk failed (the rest is then in walkanon): top ends it where the
 * arena's accounts, sbrk_base + system_mem, say it must.
 */
static int
walkmain(Walk *w)
{
	Glibc *g;
	Map *m;
	u64 top, start;
	int i, r, noncontig;

	g = w->g;
	top = hwword(w->t, g->arena + g->otop);
	if(ptunused(w->t, g, g->arena))
		return 0;
	start = g->mp ? hwword(w->t, g->mp + g->osbrk) : 0;
	noncontig = ptword32(w->t, g->arena + 4) & Noncontig;
	w->inmain = 1;
	for(i = 0; i < w->t->nmap; i++){
		m = &w->t->map[i];
		if(strcmp(m->path, "[heap]") != 0)
			continue;
		w->topend = 0;
		if(start != 0 && start >= m->start && start < m->end && !noncontig)
			w->topend = start + hwword(w->t, g->arena + g->osysmem);
		if(start == 0 || start < m->start || start >= m->end)
			start = m->start;
		start = align16(start + Hdr) - Hdr;
		w->last = 0;
		r = walkseg(w, start, m->end, top);
		if(segresult(w, r, "the main arena") < 0)
			return -1;
		/* only a main arena that went on in mmapped memory ends [heap] without top */
		if(r != Etop && !noncontig)
			return strayed(w);
		/* a static program's TLS sits in [heap] below sbrk_base: a root */
		heapown(w->h, start, m->end, Rheap);
	}
	w->inmain = 0;
	return 0;
}

/* An arena's heaps: heap_info at top rounded down to 64 MiB, then the prev chain. */
static int
walkarena(Walk *w, u64 a)
{
	Glibc *g;
	u64 top, hi, ar, prev, size, first;
	int r, n;
	char what[64];

	g = w->g;
	top = hwword(w->t, a + g->otop);
	snprintf(what, sizeof what, "arena 0x%llx", (unsigned long long)a);
	for(hi = top & ~(u64)(Heapmax-1), n = 0; hi != 0 && n < 100000; hi = prev, n++){
		ar = hwword(w->t, hi);
		prev = hwword(w->t, hi+8);
		size = hwword(w->t, hi+16);
		if(ar != a || size == 0 || size > Heapmax){
			werrstr("heap corrupted at 0x%llx in %s: heap_info does not name its arena",
				(unsigned long long)hi, what);
			return -1;
		}
		first = hi + g->heapinfosz;
		if(prev == 0)
			first = align16(a + g->arenasz + Hdr) - Hdr;
		/* top is in the newest heap, and ends the part of it in use */
		w->topend = n == 0 ? hi + size : 0;
		if(w->h->visit == NULL && !w->t->snap)
			hwsnap(w->t, hi, hi+size);
		r = walkseg(w, first, hi+size, top);
		if(segresult(w, r, what) < 0)
			return -1;
		heapown(w->h, hi, hi+size, Rarena);
	}
	return 0;
}

/*
 * mmapped chunks sit at page starts in anonymous mappings, where
 * adjacent ones may share one mapping.  memalign leaves a stale outer
 * header: the real chunk follows the zeroed lead, its prev_size giving
 * the lead's length.
 */
static u64
mmapchunk(Walk *w, u64 lim, u64 p)
{
	u64 psz, size, ext, k;
	Glibc *g;

	g = w->g;
	psz = hwword(w->t, p);
	size = hwword(w->t, p+8);
	if((psz & ~1ULL) != 0 || (size & 7) != Ismmapped)
		return 0;
	size &= ~7ULL;
	ext = size + g->mmtail;
	if(ext < 4096 || (ext & 4095) != 0 || p + ext > lim || p + ext < p)
		return 0;
	for(k = Hdr; k + 2*Hdr <= size && hwword(w->t, p+k) == 0; k += 8)
		;
	if((k & 15) == 0 && k + 2*Hdr <= size && (hwword(w->t, p+k) & ~1ULL) == k
	&& hwword(w->t, p+k+8) == ((size - k) | Ismmapped)){
		addchunk(w, p+k, size-k, Bmmapped);
		return ext;
	}
	addchunk(w, p, size, Bmmapped);
	return ext;
}

/* Private anonymous memory of any protection: mprotect may split one chunk's mapping. */
static int
anypriv(Map *m)
{
	return !m->shared && (m->path[0] == 0 || strncmp(m->path, "[anon:", 6) == 0);
}

/* The end of the run of adjacent private anonymous mappings from map i; its last map in *j. */
static u64
runend(Target *t, int i, int *j)
{
	for(*j = i+1; *j < t->nmap && anypriv(&t->map[*j]) && t->map[*j].start == t->map[*j-1].end; (*j)++)
		;
	return t->map[*j-1].end;
}

/*
 * A chunk's mappings that the walk's snapshot left out, because the
 * program made them read-only or inaccessible: copied now, so that
 * marking reads the whole block.
 */
static void
snapchunk(Walk *w, int k, u64 p, u64 end)
{
	Map *m;

	if(w->h->visit != NULL || w->t->snap)
		return;
	for(; k < w->t->nmap && (m = &w->t->map[k])->start < end; k++)
		if(m->end > p && !anon(m))
			hwsnap(w->t, m->start, m->end);
}

/*
 * Anonymous memory holds the mmapped chunks, and main arena segments
 * when brk failed.  A chunk starts at a page, in any mapping of a run;
 * an inaccessible mapping (read through /proc/PID/mem) only at its
 * start, where mprotect of a block's first page would have put it.
 */
static void
walkanon(Walk *w, int noncontig, long *count, u64 *bytes)
{
	Map *m;
	u64 p, n, top, lim;
	int i, j, k;

	*count = 0;
	*bytes = 0;
	w->nfixed = w->h->nown;
	top = hwword(w->t, w->g->arena + w->g->otop);
	for(i = 0; i < w->t->nmap; i = j){
		if(!anypriv(&w->t->map[i])){
			j = i+1;
			continue;
		}
		lim = runend(w->t, i, &j);
		for(p = w->t->map[i].start, k = i; p < lim; ){
			while(w->t->map[k].end <= p)
				k++;
			m = &w->t->map[k];
			if((n = ownedto(w, p)) != 0){
				p = pageup(n);
				continue;
			}
			if(((m->prot & PROT_READ) || p == m->start) && (n = mmapchunk(w, lim, p)) != 0){
				heapown(w->h, p, p+n, Rmmap);
				snapchunk(w, k, p, p+n);
				(*count)++;
				*bytes += n;
				p += n;
			}else if(noncontig && anon(m) && (n = mainseg(w, p, m->end, top)) != 0)
				p = n;
			else if(!(m->prot & PROT_READ))
				p = m->end;
			else
				p += 4096;
		}
	}
}

static int
walkarenas(Walk *w)
{
	u64 a;
	int n;

	for(a = hwword(w->t, w->g->arena + w->g->onext), n = 0; a != w->g->arena; n++){
		if(a == 0 || n > 100000){
			werrstr("the arena list from main_arena 0x%llx is broken",
				(unsigned long long)w->g->arena);
			return -1;
		}
		if(walkarena(w, a) < 0)
			return -1;
		a = hwword(w->t, a + w->g->onext);
	}
	return 0;
}

static int
fastbins(Walk *w)
{
	u64 a;
	int n, r;

	r = 0;
	a = w->g->arena;
	for(n = 0; n < 100000; n++){
		r |= ptfastbins(w->t, w->g, w->h, a, w->nchunk);
		a = hwword(w->t, a + w->g->onext);
		if(a == w->g->arena || a == 0)
			break;
	}
	return r;
}

/* libmalloctag writes a block's tags just after malloc returns it. */
static int
intagger(Target *t, u64 pc)
{
	Map *m;

	m = hwmapat(t, pc);
	return m != NULL && strncmp(hwbasename(m->path), "libmalloctag", 12) == 0;
}

/*
 * A thread inside malloc or free may hold a lock or half a list,
 * and one inside libmalloctag a block whose tags are not yet written.
 * Threads caught inside are marked busy, to be run alone for a moment.
 */
static int
busy(Target *t, Glibc *g)
{
	Thread *th;
	u64 a;
	int i, n, r;

	r = 0;
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(!th->live)
			continue;
		if((th->pc >= g->codelo && th->pc < g->codehi) || intagger(t, th->pc)){
			werrstr("thread %d is inside the allocator", th->tid);
			th->busy = 1;
			r = 1;
		}
	}
	a = g->arena;
	for(n = 0; n < 100000 && !r; n++){
		if(ptword32(t, a) != 0){
			werrstr("arena 0x%llx is locked", (unsigned long long)a);
			return 1;
		}
		a = hwword(t, a + g->onext);
		if(a == g->arena || a == 0)
			break;
	}
	return r;
}

static void
snapall(Target *t)
{
	Map *m;
	int i;

	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if((m->prot & (PROT_READ|PROT_WRITE)) == (PROT_READ|PROT_WRITE) && anon(m))
			hwsnap(t, m->start, m->end);
		else if(strcmp(m->path, "[heap]") == 0)
			hwsnap(t, m->start, m->end);
	}
}

static int
mmapcheck(Walk *w, long count, u64 bytes)
{
	long n;
	u64 b;

	if(w->g->mp == 0)
		return 0;
	n = ptword32(w->t, w->g->mp + w->g->onmmaps);
	b = hwword(w->t, w->g->mp + w->g->ommapped);
	if(n == count && b == bytes)
		return 0;
	werrstr("found %ld mmapped chunks (%llu bytes) but malloc counts %ld (%llu bytes): "
		"some lie where they cannot be read as chunks", count, (unsigned long long)bytes,
		n, (unsigned long long)b);
	return 1;
}

/* The first problem found stays the one errstr names. */
static int
problem(Walk *w, int had, int found)
{
	if(found && !had)
		snprintf(w->first, sizeof w->first, "%s", errstr());
	return had || found;
}

/*
 * A problem the walk meets is odd: it is made only when no thread was
 * inside the allocator (ptbusy), so if it lasts through a retry the
 * heap is damaged (poolexamine).  Forced, a walk notes the first
 * problem and carries on.
 */
int
ptwalk(Model *m, Target *t, Heap *h)
{
	Walk w;
	long count;
	u64 bytes, top;
	int r;

	memset(&w, 0, sizeof w);
	w.t = t;
	w.g = m->aux;
	w.h = h;
	/* held, the heap is copied, to read once the target runs again; a snapshot stays */
	if(h->visit == NULL && !t->snap)
		snapall(t);
	if(heapshare(h, Hdr, 0, pttags) < 0)
		return -1;
	heapown(h, w.g->arena, w.g->arena + w.g->arenasz, Rbook);
	if(w.g->mp)
		heapown(h, w.g->mp, w.g->mp + w.g->mpsz, Rbook);
	if(walkmain(&w) < 0 || walkarenas(&w) < 0)
		return -1;
	walkanon(&w, ptword32(t, w.g->arena + 4) & Noncontig, &count, &bytes);
	heapsort(h);
	r = 0;
	top = hwword(t, w.g->arena + w.g->otop);
	if(!w.foundtop && !ptunused(t, w.g, w.g->arena)){
		werrstr("heap corrupted at 0x%llx in the main arena: its top chunk is in no heap segment",
			(unsigned long long)top);
		r = problem(&w, r, 1);
	}
	if(r == 0 || m->force)
		r = problem(&w, r, fastbins(&w));
	if(r == 0 || m->force)
		r = problem(&w, r, pttcaches(t, w.g, h));
	if(r == 0 || m->force)
		r = problem(&w, r, mmapcheck(&w, count, bytes));
	if(r != 0)
		werrstr("%s", w.first);
	return r ? Wodd : Wdone;
}

/* Whether a thread is inside the allocator or an arena locked: Wbusy, with errstr; else Wdone. */
int
ptbusy(Model *m, Target *t)
{
	return busy(t, m->aux) ? Wbusy : Wdone;
}
