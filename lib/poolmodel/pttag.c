/*
 * A chunk as a Block, with libmalloctag's tags when it has them.
 * The trailer (doc/malloctag.md) is the last 16 usable bytes: the
 * malloc and realloc pcs in the low 48 bits of two words; the top
 * 16 bits hold the slack between the request and the usable size
 * (or say the word before holds it), and a check that ties the pair
 * to this block's address (malloctag.h).  The check
 * is never 0 or 0xffff, the top bits of pointers and small numbers,
 * and the pcs must be code, so a program's data is not taken for tags.
 */
#include <string.h>
#include <sys/mman.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"
#include "../malloctag/malloctag.h"

#define Pcmask	((1ULL<<48) - 1)

static void
tags(Target *t, Block *b)
{
	u64 t0, t1, slack;

	if(b->usable < 16)
		return;
	t0 = hwword(t, b->addr + b->usable - 16);
	t1 = hwword(t, b->addr + b->usable - 8);
	slack = t1 >> 48;
	if(t0 >> 48 != malloctagcheck(b->addr, slack) || slack > b->usable - 16)
		return;
	if(slack == Mtaglongslack && b->usable >= 24){
		slack = hwword(t, b->addr + b->usable - 24);
		if(slack < Mtaglongslack || slack > b->usable - 16)
			return;
	}
	if(!hwmapped(t, t0 & Pcmask, PROT_EXEC)
	|| ((t1 & Pcmask) != 0 && !hwmapped(t, t1 & Pcmask, PROT_EXEC)))
		return;
	b->tag[0] = t0 & Pcmask;
	b->tag[1] = t1 & Pcmask;
	b->size = b->usable - 16 - slack;
	b->flags |= Btagged;
}

/*
 * glibc.malloc.check ends each request with a magic byte made from
 * the chunk's address; from the block's last byte down, each byte
 * of a chain gives the step to the next, until the magic.  The
 * request's size, or Nocheck when the chain is broken.
 */
enum { Nocheck = -1 };

static u64
checked(Target *t, Block *b)
{
	u64 i, c, magic;

	magic = ((b->hdr >> 3) ^ (b->hdr >> 11)) & 0xff;
	if(magic == 1)
		magic = 2;	/* a step of 1 must not read as the magic */
	for(i = b->usable - 1; i < b->usable; i -= c){
		c = hwbyte(t, b->addr + i);
		if(c == magic)
			return i;
		if(c == 0 || c > i)
			return Nocheck;
	}
	return Nocheck;
}

/* A tagged block's tags, read again: the table keeps no room for them. */
void
pttags(Target *t, Block *b)
{
	b->tag[0] = hwword(t, b->addr + b->usable - 16) & Pcmask;
	b->tag[1] = hwword(t, b->addr + b->usable - 8) & Pcmask;
}

void
ptblock(Target *t, Glibc *g, u64 chunk, u64 size, int flags, Block *b)
{
	u64 n;

	memset(b, 0, sizeof *b);
	b->hdr = chunk;
	b->chunk = size;
	b->addr = chunk + Hdr;
	/* in use, a chunk has the next one's prev_size too; free, that word is its own size */
	if(flags & Bmmapped)
		b->usable = size - g->mmhdr;
	else if(flags & Bfree)
		b->usable = size - Hdr;
	else
		b->usable = size - 8;
	b->size = b->usable;
	b->flags = flags;
	if(flags & Bfree)
		return;
	if(g->check && b->usable > 0 && (n = checked(t, b)) != (u64)Nocheck)
		b->size = n;
	if(g->tagger)
		tags(t, b);
}

/*
 * The block whose chunk starts at chunk, in b, and its index in *i.
 * A streaming heap keeps no table: the block is made again from the
 * header, as the walk made it, and *i is -1.
 */
int
ptchunk(Target *t, Glibc *g, Heap *h, u64 chunk, Block *b, long *i)
{
	u64 size;

	*i = -1;
	if(h->visit != NULL){
		size = hwword(t, chunk+8);
		if((size & ~7ULL) < Minsize || (size & 8) != 0)
			return 0;
		ptblock(t, g, chunk, size & ~7ULL, (size & Ismmapped) ? Bmmapped : 0, b);
		return 1;
	}
	*i = heapchunk(h, chunk);
	if(*i < 0)
		return 0;
	heapget(h, *i, b);
	return 1;
}
