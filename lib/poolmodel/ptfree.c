/*
 * Chunks free by the lists rather than by boundary tags: fastbins and
 * tcaches keep their chunks marked in use.  The tcache has no lock, so
 * a thread stopped inside tcache_get or tcache_put leaves a count that
 * disagrees with its chain: that is reported as a mid-update.
 */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

/* A chunk the free lists hold: free, and its bytes are the chunk's less the header. */
static void
setfree(Heap *h, long i, Block *b)
{
	heapsetflag(h, i, b, Bfree);
	if(i >= 0)
		heapsetsize(h, i, b->chunk - Hdr, b->chunk - Hdr);
}

/*
 * One arena's fastbins.  A link that is not a free chunk of the bin's
 * size is named at the chunk that holds it (the arena, for a head).
 */
int
ptfastbins(Target *t, Glibc *g, Heap *h, u64 arena, long most)
{
	u64 slot, p, size, holder;
	Block b;
	long n, k;
	int i;

	if(g->ofast < 0)
		return 0;	/* 2.43 has none */
	for(i = 0; i < Nfast; i++){
		slot = arena + g->ofast + 8*i;
		p = hwword(t, slot);
		size = Minsize + 16*i;
		holder = arena;
		for(n = 0; p != 0; n++){
			if(!ptchunk(t, g, h, p, &b, &k) || b.chunk != size){
				werrstr("heap corrupted at 0x%llx in arena 0x%llx: fastbin %d links to 0x%llx, "
					"which is not a free 0x%llx-byte chunk", (unsigned long long)holder,
					(unsigned long long)arena, i, (unsigned long long)p, (unsigned long long)size);
				return 1;
			}
			if(n > most){
				werrstr("heap corrupted at 0x%llx in arena 0x%llx: fastbin %d holds more chunks "
					"than the heap (a cycle)", (unsigned long long)arena, (unsigned long long)arena, i);
				return 1;
			}
			setfree(h, k, &b);
			holder = p;
			p = ptreveal(g, p + Hdr, hwword(t, p + Hdr));
		}
	}
	return 0;
}

static long
tcount(Target *t, Glibc *g, u64 tc, int i)
{
	u64 off, w;

	off = g->tcount16 ? 2*i : i;
	w = hwword(t, tc + (off & ~7ULL)) >> (8*(off & 7));
	w = g->tcount16 ? (w & 0xffff) : (w & 0xff);
	return g->tcslots ? g->tcfill - (long)w : (long)w;
}

/*
 * The tcache's own chunk: its size, or 16 more when the chunk it was
 * cut from had too little left over to split, and 16 more again on
 * 2.43, which pads the request twice when it comes from _int_malloc;
 * or a page of its own when every request is mmapped (mmap_threshold=0).
 */
static int
tcchunk(Glibc *g, Block *b)
{
	u64 most;

	if(b->flags & Bmmapped)
		return b->usable >= (u64)g->tcsz - Hdr;
	most = g->tcsz + (Minsize - 16) + (g->minor >= 43 ? 16 : 0);
	return b->chunk >= (u64)g->tcsz && b->chunk <= most;
}

typedef struct Tc Tc;
struct Tc {
	u64	tc;		/* the tcache: its chunk's user pointer */
	u64	key;
	int	tid;		/* whose */
	int	mark;		/* 0: only see whether it holds together */
};

static int
tcbad(Tc *c, u64 at, char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A tcache that does not hold together: named at the chunk with the bad word. */
static int
tcbad(Tc *c, u64 at, char *fmt, ...)
{
	char why[256];
	va_list arg;

	if(c->mark){
		va_start(arg, fmt);
		vsnprintf(why, sizeof why, fmt, arg);
		va_end(arg);
		werrstr("heap corrupted at 0x%llx in thread %d's tcache 0x%llx: %s",
			(unsigned long long)at, c->tid, (unsigned long long)(c->tc - Hdr), why);
	}
	return 1;
}

/* One bin's chain: as long as its count, each link a free chunk of the bin's size. */
static int
tcbin(Target *t, Glibc *g, Heap *h, Tc *c, int i)
{
	Block b;
	u64 e, holder, ents, size;
	long cnt, n, k;

	cnt = tcount(t, g, c->tc, i);
	ents = c->tc + g->ntc*(g->tcount16 ? 2 : 1);
	e = hwword(t, ents + 8*i);
	size = Minsize + 16*i;
	holder = c->tc - Hdr;
	if(cnt < 0 || cnt > 65535)
		return tcbad(c, holder, "bin %d's count, %ld, is impossible", i, cnt);
	for(n = 0; e != 0; n++){
		if(n == cnt)
			return tcbad(c, c->tc - Hdr, "bin %d holds more chunks than its count, %ld (a cycle?)", i, cnt);
		/* 2.42's large bins hold a range of sizes, mmapped ones too */
		if(!ptchunk(t, g, h, e - Hdr, &b, &k) || (e & 15) != 0 || (i < 64 ? b.chunk != size : b.chunk <= 0x410))
			return tcbad(c, holder, "bin %d links to 0x%llx, which is not a free chunk of its size",
				i, (unsigned long long)e);
		if(g->haskey && c->key != 0 && hwword(t, e+8) != c->key)
			return tcbad(c, e - Hdr, "bin %d's chunk lacks the tcache key: written after free", i);
		if(c->mark)
			setfree(h, k, &b);
		holder = e - Hdr;
		e = ptreveal(g, e, hwword(t, e));
	}
	if(n != cnt)
		return tcbad(c, c->tc - Hdr, "bin %d's count is %ld, but its chain ends after %ld", i, cnt, n);
	return 0;
}

/* One tcache: its chunk is bookkeeping, and its entries are free. */
static int
tcache(Target *t, Glibc *g, Heap *h, Tc *c)
{
	Block tb;
	long k;
	int i;

	if(!ptchunk(t, g, h, c->tc - Hdr, &tb, &k) || !tcchunk(g, &tb))
		return tcbad(c, c->tc - Hdr, "not a 0x%x-byte chunk", g->tcsz);
	if(c->mark)
		heapsetflag(h, k, &tb, Binternal);
	for(i = 0; i < g->ntc; i++)
		if(tcbin(t, g, h, c, i) != 0)
			return 1;
	return 0;
}

/* The key every free tcache entry carries: 2.29-2.33 the tcache itself, then a random word. */
static u64
tcachekey(Target *t, Glibc *g, u64 tc)
{
	u64 e, ents;
	int i;

	if(!g->haskey)
		return 0;
	if(g->minor < 34)
		return tc;
	if(g->keyaddr)
		return hwword(t, g->keyaddr);
	ents = tc + g->ntc*(g->tcount16 ? 2 : 1);
	for(i = 0; i < g->ntc; i++){
		e = hwword(t, ents + 8*i);
		if(e != 0)
			return hwword(t, e+8);
	}
	return 0;
}

/* Where thread th keeps its tcache pointer if it is at off: 0 if nowhere. */
static u64
tcat(Target *t, Glibc *g, Thread *th, long off)
{
	u64 blk, w;

	if(!th->live)
		return 0;
	blk = hwtlsblock(t, th, g->tlsmod);
	if(blk == 0 || hwpeek(t, blk + off, &w) < 0)
		return 0;
	return w;
}

/*
 * Without debug information the offset of `tcache' in libc's TLS block
 * is the word that, in the most threads, points at a whole tcache:
 * a tcache-sized chunk whose counts match its chains.  Failing that,
 * at one that is only tcache-sized, so a damaged tcache is found
 * damaged rather than passed over.
 */
static long
findtcoff(Target *t, Glibc *g, Heap *h)
{
	Block b;
	Tc c;
	long off, best[2], k;
	int i, n[2], most[2];

	best[0] = best[1] = -1;
	most[0] = most[1] = 0;
	for(off = 0; off < 4096; off += 8){
		n[0] = n[1] = 0;
		for(i = 0; i < t->nthr; i++){
			c.tc = tcat(t, g, &t->thr[i], off);
			if(c.tc == 0 || !ptchunk(t, g, h, c.tc - Hdr, &b, &k))
				continue;
			if(!tcchunk(g, &b) || (b.flags & Bfree))
				continue;
			n[1]++;
			c.key = tcachekey(t, g, c.tc);
			c.mark = 0;
			if(tcache(t, g, h, &c) == 0)
				n[0]++;
		}
		for(i = 0; i < 2; i++)
			if(n[i] > most[i]){
				most[i] = n[i];
				best[i] = off;
			}
	}
	return best[0] >= 0 ? best[0] : best[1];
}

static int
notheap(Target *t, u64 a)
{
	Map *m;

	m = hwmapat(t, a);
	return m == NULL || m->inode != 0;
}

/*
 * A main thread that called pthread_exit leaves its tcache behind,
 * the main heap's first chunk, with nothing pointing at it any more:
 * glibc's own, never used again, not the program's leak.
 */
static void
deadmain(Target *t, Glibc *g, Heap *h)
{
	Block b;
	Tc c;
	long k;
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].tid == t->pids[0] && t->thr[i].live)
			return;
	for(i = 0; i < h->nown && h->own[i].kind != Rheap; i++)
		;
	if(i == h->nown || g->minor >= 43)	/* 2.43 makes the tcache later */
		return;
	memset(&c, 0, sizeof c);
	c.tc = h->own[i].start + Hdr;
	c.tid = t->pids[0];
	if(!ptchunk(t, g, h, h->own[i].start, &b, &k) || (b.flags & (Binternal|Bfree)) || !tcchunk(g, &b)
	|| tcache(t, g, h, &c) != 0)
		return;
	c.mark = 1;
	tcache(t, g, h, &c);
}

int
pttcaches(Target *t, Glibc *g, Heap *h)
{
	char first[1024];
	Tc c;
	int i, r;

	r = 0;
	if(g->tcoff < 0)
		g->tcoff = findtcoff(t, g, h);
	if(g->tcoff < 0)
		return 0;	/* no thread has a tcache yet */
	for(i = 0; i < t->nthr; i++){
		c.tc = tcat(t, g, &t->thr[i], g->tcoff);
		if(c.tc == 0 || notheap(t, c.tc))
			continue;	/* 2.43: a thread without one points at libc's dummy */
		c.key = 0;	/* a word written after free spoils no list */
		c.tid = t->thr[i].tid;
		c.mark = 1;
		if(tcache(t, g, h, &c) != 0 && r == 0){
			t->thr[i].busy = 1;	/* its owner may be mid-update */
			snprintf(first, sizeof first, "%s", errstr());
			r = 1;
		}
	}
	if(r != 0)
		werrstr("%s", first);	/* the first: a retry must find the same */
	else
		deadmain(t, g, h);
	return r;
}
