/*
 * Chunks free by the lists rather than by boundary tags: fastbins and
 * tcaches keep their chunks marked in use.  The tcache has no lock, so
 * a thread stopped inside tcache_get or tcache_put leaves a count that
 * disagrees with its chain: that is reported as a mid-update.
 */
#include <stdio.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

int
ptfastbins(Target *t, Glibc *g, Heap *h, u64 arena)
{
	u64 slot, p, size;
	Block *b;
	int i, r;
	long n;

	r = 0;
	if(g->ofast < 0)
		return 0;	/* 2.43 has none */
	for(i = 0; i < Nfast; i++){
		slot = arena + g->ofast + 8*i;
		p = ptword(t, slot);
		size = Minsize + 16*i;
		for(n = 0; p != 0; n++){
			b = ptchunk(t, g, h, p);
			if(b == NULL || b->chunk != size || n > Maxlist){
				werrstr("fastbin %d of arena 0x%llx links to 0x%llx, not a free 0x%llx-byte chunk",
					i, (unsigned long long)arena, (unsigned long long)p, (unsigned long long)size);
				r = 1;
				break;
			}
			heapsetflag(h, b, Bfree);
			p = ptreveal(g, p + Hdr, ptword(t, p + Hdr));
		}
	}
	return r;
}

static long
tcount(Target *t, Glibc *g, u64 tc, int i)
{
	u64 off, w;

	off = g->tcount16 ? 2*i : i;
	w = ptword(t, tc + (off & ~7ULL)) >> (8*(off & 7));
	w = g->tcount16 ? (w & 0xffff) : (w & 0xff);
	return g->tcslots ? g->tcfill - (long)w : (long)w;
}

/* 2.43 pads the tcache's request twice when it comes from _int_malloc. */
static int
tcsized(Glibc *g, u64 size)
{
	return size == (u64)g->tcsz || (g->minor >= 43 && size == (u64)g->tcsz + 16);
}

/*
 * One tcache: its chunk is bookkeeping, and its entries are free.
 * With mark 0, only whether it holds together.
 */
static int
tcache(Target *t, Glibc *g, Heap *h, u64 tc, u64 key, int mark)
{
	Block *tb, *b;
	u64 e, ents, size;
	long cnt, n;
	int i;

	tb = ptchunk(t, g, h, tc - Hdr);
	if(tb == NULL || !tcsized(g, tb->chunk)){
		werrstr("tcache 0x%llx is not a 0x%x-byte chunk", (unsigned long long)tc, g->tcsz);
		return 1;
	}
	if(mark)
		heapsetflag(h, tb, Binternal);
	ents = tc + g->ntc*(g->tcount16 ? 2 : 1);
	for(i = 0; i < g->ntc; i++){
		cnt = tcount(t, g, tc, i);
		e = ptword(t, ents + 8*i);
		size = Minsize + 16*i;
		for(n = 0; e != 0 && n <= cnt; n++){
			b = ptchunk(t, g, h, e - Hdr);
			if(b == NULL || (e & 15) != 0)
				goto bad;
			/* 2.42's large bins hold a range of sizes, mmapped ones too */
			if(i < 64 ? b->chunk != size : b->chunk <= 0x410)
				goto bad;
			if(g->haskey && key != 0 && ptword(t, e+8) != key)
				goto bad;
			if(mark)
				heapsetflag(h, b, Bfree);
			e = ptreveal(g, e, ptword(t, e));
		}
		if(n != cnt || e != 0)
			goto bad;
	}
	return 0;
bad:
	werrstr("tcache 0x%llx bin %d is mid-update", (unsigned long long)tc, i);
	return 1;
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
		return ptword(t, g->keyaddr);
	ents = tc + g->ntc*(g->tcount16 ? 2 : 1);
	for(i = 0; i < g->ntc; i++){
		e = ptword(t, ents + 8*i);
		if(e != 0)
			return ptword(t, e+8);
	}
	return 0;
}

/*
 * Without debug information the offset of `tcache' in libc's TLS block
 * is the word that, in the most threads, points at a whole tcache:
 * a tcache-sized chunk whose counts match its chains.
 */
static long
findtcoff(Target *t, Glibc *g, Heap *h)
{
	u64 blk, w;
	Block *b;
	long off, best;
	int i, n, most;

	best = -1;
	most = 0;
	for(off = 0; off < 4096; off += 8){
		n = 0;
		for(i = 0; i < t->nthr; i++){
			if(t->thr[i].state == Tgone)
				continue;
			blk = hwtlsblock(t, &t->thr[i], g->tlsmod);
			if(blk == 0 || hwpeek(t, blk + off, &w) < 0 || w == 0)
				continue;
			b = ptchunk(t, g, h, w - Hdr);
			if(b != NULL && tcsized(g, b->chunk) && !(b->flags & Bfree)
			&& tcache(t, g, h, w, tcachekey(t, g, w), 0) == 0)
				n++;
		}
		if(n > most){
			most = n;
			best = off;
		}
	}
	return best;
}

static int
notheap(Target *t, u64 a)
{
	Map *m;

	m = hwmapat(t, a);
	return m == NULL || m->inode != 0;
}

int
pttcaches(Target *t, Glibc *g, Heap *h)
{
	u64 blk, tc;
	int i, r;

	r = 0;
	if(g->tcoff < 0)
		g->tcoff = findtcoff(t, g, h);
	if(g->tcoff < 0)
		return 0;	/* no thread has a tcache yet */
	for(i = 0; i < t->nthr; i++){
		if(t->thr[i].state == Tgone)
			continue;
		blk = hwtlsblock(t, &t->thr[i], g->tlsmod);
		if(blk == 0 || hwpeek(t, blk + g->tcoff, &tc) < 0 || tc == 0)
			continue;
		if(notheap(t, tc))
			continue;	/* 2.43: a thread without one points at libc's dummy */
		if(tcache(t, g, h, tc, tcachekey(t, g, tc), 1) != 0){
			t->thr[i].busy = 1;	/* its owner is mid-update */
			r = 1;
		}
	}
	return r;
}
