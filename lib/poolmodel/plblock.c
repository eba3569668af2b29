/*
 * One pool block, checked as Plan 9's poolcheck checks it (the magic
 * of its header and tail, the two copies of its size, the data magic
 * after the bytes asked for) and made into a Block.  A malloc block
 * holds its tags before the user's bytes, and ALIGN_MAGIC words
 * before a memalign'd pointer (pool.h).
 */
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <sys/mman.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "../pool/pool.h"
#include "pl.h"

static uchar datamagic[] = POOL_DATAMAGIC;

static int
known(u64 magic)
{
	return magic == ALLOC_MAGIC || magic == FREE_MAGIC || magic == DEAD_MAGIC
		|| magic == UNALLOC_MAGIC || magic == FLOATING_MAGIC;
}

/* Whether a block's size can be walked over: whole quanta, within the arena. */
static int
walkable(u64 b, u64 size, u64 end)
{
	return size >= Minblock && (size & 15) == 0 && size <= end - b;
}

/* Btail's datasize, two bytes big-endian at offset 1. */
static u64
datasize(u64 tailword)
{
	return (tailword >> 8 & 0xff) << 8 | (tailword >> 16 & 0xff);
}

/* Whether a sound block starts at b: a known magic, a walkable size, a tail that agrees. */
int
plsound(Target *t, u64 b, u64 end)
{
	u64 size, tw;

	size = hwword(t, b+8);
	if(!known(hwword(t, b)) || !walkable(b, size, end))
		return 0;
	tw = hwword(t, b + size - Tail);
	return (tw & 0xff) == TAIL_MAGIC0 && (tw >> 24 & 0xff) == TAIL_MAGIC1
		&& hwword(t, b + size - 8) == size;
}

/* The bytes after an allocated block's data: datamagic, up to Ndatamagic of them. */
static void
overrun(Model *m, Target *t, u64 b, u64 size, u64 dsize)
{
	u64 q, eq;
	int c;

	q = b + sizeof(Bhdr) + dsize;
	eq = b + size - Tail;
	if(eq > q + Ndatamagic)
		eq = q + Ndatamagic;
	for(; q < eq; q++){
		c = hwbyte(t, q);
		if(c != datamagic[q % nelem(datamagic)]){
			pooldamaged(m, "pool corrupt at 0x%llx: bad data magic at 0x%llx (0x%02x, not 0x%02x): "
				"written past the %llu bytes asked for",
				(unsigned long long)b, (unsigned long long)q, c, datamagic[q % nelem(datamagic)],
				(unsigned long long)(dsize > 16 ? dsize - 16 : 0));
			return;
		}
	}
}

/*
 * Check the block at b whose header says size; note what is wrong.
 * 1 when the walk may step over it by its size, 0 when not.
 */
int
plcheck(Model *m, Target *t, u64 b, u64 size, u64 end)
{
	u64 magic, tw, ts, ds;

	magic = hwword(t, b);
	if(!walkable(b, size, end)){
		pooldamaged(m, "pool corrupt at 0x%llx: bad block size 0x%llx (magic 0x%llx)",
			(unsigned long long)b, (unsigned long long)size, (unsigned long long)magic);
		return 0;
	}
	tw = hwword(t, b + size - Tail);
	ts = hwword(t, b + size - 8);
	if(!known(magic))
		pooldamaged(m, "pool corrupt at 0x%llx: bad header magic 0x%llx",
			(unsigned long long)b, (unsigned long long)magic);
	if((tw & 0xff) != TAIL_MAGIC0 || (tw >> 24 & 0xff) != TAIL_MAGIC1)
		pooldamaged(m, "pool corrupt at 0x%llx: bad tail magic (0x%02llx 0x%02llx at 0x%llx)",
			(unsigned long long)b, (unsigned long long)(tw & 0xff), (unsigned long long)(tw >> 24 & 0xff),
			(unsigned long long)(b + size - Tail));
	else if(ts != size)
		pooldamaged(m, "pool corrupt at 0x%llx: the tail's size 0x%llx is not the header's 0x%llx",
			(unsigned long long)b, (unsigned long long)ts, (unsigned long long)size);
	else if(magic == ALLOC_MAGIC){
		ds = datasize(tw);
		if(ds < sizeof(Bhdr) + Tail || ds > size)
			pooldamaged(m, "pool corrupt at 0x%llx: bad datasize 0x%llx in a block of 0x%llx",
				(unsigned long long)b, (unsigned long long)ds, (unsigned long long)size);
		else
			overrun(m, t, b, size, size - ds);
	}
	if(ts != size && b + size != end && !plsound(t, b + size, end))
		return 0;	/* neither copy of the size is known good: look for the next header */
	return 1;
}

/* Tags are pcs in code: else a block that poolalloc gave out, not malloc, has none. */
static int
tagged(Target *t, u64 hdr)
{
	u64 t0, t1;

	t0 = hwword(t, hdr + sizeof(Bhdr));
	t1 = hwword(t, hdr + sizeof(Bhdr) + 8);
	return hwmapped(t, t0, PROT_EXEC) && (t1 == 0 || hwmapped(t, t1, PROT_EXEC));
}

void
pltags(Target *t, Block *b)
{
	b->tag[0] = hwword(t, b->hdr + sizeof(Bhdr));
	b->tag[1] = hwword(t, b->hdr + sizeof(Bhdr) + 8);
}

/* The block at b as leak sees it: its user pointer past tags and alignment, its size asked for. */
void
plmake(Target *t, u64 b, u64 size, u64 magic, Block *k)
{
	u64 dend, tail;

	memset(k, 0, sizeof *k);
	k->hdr = b;
	k->chunk = size;
	k->base = b + sizeof(Bhdr);
	k->addr = b + Pooltagged;
	tail = b + size - Tail;
	if(magic != ALLOC_MAGIC){
		k->usable = k->size = tail - k->addr;
		k->flags = magic == FREE_MAGIC ? Bfree : Binternal;
		return;
	}
	dend = b + sizeof(Bhdr) + size - datasize(hwword(t, tail));
	while(k->addr + 8 <= dend && hwword(t, k->addr) == ALIGN_MAGIC)
		k->addr += 8;
	k->usable = tail - k->addr;
	k->size = dend > k->addr ? dend - k->addr : 0;
	if(tagged(t, b)){
		k->flags |= Btagged;
		pltags(t, k);	/* streamed (umem), a block is counted by them as it is made */
	}
}
