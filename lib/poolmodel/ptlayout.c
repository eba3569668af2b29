/*
 * The layout of ptmalloc's structures, by glibc version, x86-64.
 * Measured with gdb's ptype/o on each version's debug information
 * (see doc/malloc.md); only the fields leak reads.
 */
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

int
ptlayout(Glibc *g)
{
	int v;

	v = g->minor;
	if(v < 26){
		werrstr("glibc 2.%d is older than 2.26, which leak supports", v);
		return -1;
	}
	/* struct malloc_state: 2.27 added have_fastchunks */
	g->ofast = v >= 27 ? 0x10 : 0x08;
	g->otop = g->ofast + Nfast*8;
	g->obins = g->otop + 16;
	g->onext = g->obins + 254*8 + 16;
	g->arenasz = g->onext + 40;
	/* heap_info: 2.35 added pagesize and padding */
	g->heapinfosz = v >= 35 ? 0x30 : 0x20;
	/* tcache_perthread_struct */
	g->ntc = v >= 42 ? 76 : 64;
	g->tcount16 = v >= 30;
	g->tcsz = Hdr + g->ntc*(g->tcount16 ? 2 : 1) + g->ntc*8;
	g->tcsz = (g->tcsz + 15) & ~15;
	g->safelink = v >= 32;
	g->haskey = v >= 29;
	/* struct malloc_par: 2.35 added thp_pagesize, hp_pagesize, hp_flags */
	g->onmmaps = v >= 35 ? 0x3c : 0x28;
	g->ommapped = v >= 35 ? 0x50 : 0x38;
	g->osbrk = v >= 35 ? 0x60 : 0x48;
	g->otcbins = g->osbrk + 8;
	g->mpsz = g->otcbins + 32;
	return 0;
}
