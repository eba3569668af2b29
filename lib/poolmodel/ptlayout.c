/*
 * The layout of ptmalloc's structures, by glibc version, x86-64.
 * Measured with gdb's ptype/o on each Debian glibc's debug information
 * (2.31, 2.36, 2.41, 2.43) and read from the 2.26-2.44 sources;
 * see doc/malloc.md.  Only the fields leak reads.
 */
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

static void
arena(Glibc *g, int v)
{
	if(v >= 43){
		/* fastbins are gone */
		g->ofast = -1;
		g->otop = 0x08;
	}else{
		/* 2.27 added have_fastchunks before fastbinsY */
		g->ofast = v >= 27 ? 0x10 : 0x08;
		g->otop = g->ofast + Nfast*8;
	}
	g->obins = g->otop + 16;
	g->onext = g->obins + 254*8 + 16;
	g->osysmem = g->onext + 24;	/* after next, next_free, attached_threads */
	g->arenasz = g->onext + 40;
	g->heapinfosz = v >= 35 ? 0x30 : 0x20;
}

static void
par(Glibc *g, int v)
{
	/* 2.35 added thp_pagesize, hp_pagesize, hp_flags; 2.43 thp_mode */
	if(v >= 43){
		g->onmmaps = 0x44;
		g->ommapped = 0x58;
		g->osbrk = 0x68;
	}else if(v >= 35){
		g->onmmaps = 0x3c;
		g->ommapped = 0x50;
		g->osbrk = 0x60;
	}else{
		g->onmmaps = 0x28;
		g->ommapped = 0x38;
		g->osbrk = 0x48;
	}
	g->otcbins = g->osbrk + 8;
	g->mpsz = g->otcbins + 24;
}

static void
tcache(Glibc *g, int v)
{
	int req;

	g->ntc = v >= 42 ? 76 : 64;
	g->tcount16 = v >= 30;
	g->tcslots = v >= 42;		/* counts became free slots left */
	g->tcfill = v >= 43 ? 16 : 7;
	g->tcmaxbytes = v >= 43 ? 0x411 : 0x408;
	req = g->ntc*(g->tcount16 ? 2 : 1) + g->ntc*8;
	g->tcsz = (req + 8 + 15) & ~15;
	g->safelink = v >= 32;
	g->haskey = v >= 29;
}

int
ptlayout(Glibc *g)
{
	int v;

	v = g->minor;
	if(v < 26){
		werrstr("glibc 2.%d is older than 2.26, the oldest that can be examined", v);
		return -1;
	}
	arena(g, v);
	par(g, v);
	tcache(g, v);
	/* 2.43: an mmapped chunk's size leaves out its last 16 bytes, and it uses 8 more */
	g->mmtail = v >= 43 ? 16 : 0;
	g->mmhdr = v >= 43 ? 8 : 16;
	return 0;
}
