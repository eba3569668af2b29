/*
 * Checking: of one block against its magic numbers, of an arena's run
 * of blocks, of the whole pool against its free tree and its counts.
 * What is wrong is printed through p->print with the block's address
 * and its words, and then the pool panics.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "fns.h"

static uchar datamagic[] = POOL_DATAMAGIC;

/* whether b's size may be believed far enough to read its tail */
static int
sizeok(Pool *p, Bhdr *b)
{
	return b->size >= Minblock && b->size % p->quantum == 0 && b->size <= p->cursize;
}

static void
dumpblock(Pool *p, Bhdr *b)
{
	u64 *w, dsize;
	uchar *c;

	w = (u64*)b;
	if(b->magic == ARENATAIL_MAGIC){
		/* the last words of the arena */
		p->print(p, "pool %s arena tail %p\nhdr %.16lx %.16lx\n", p->name, b, w[0], w[1]);
		return;
	}
	p->print(p, "pool %s block %p\nhdr %.16lx %.16lx | %.16lx %.16lx %.16lx %.16lx\n",
		p->name, b, w[0], w[1], w[2], w[3], w[4], w[5]);
	if(!sizeok(p, b))
		return;
	w = (u64*)B2T(b);
	p->print(p, "tail %.16lx %.16lx %.16lx %.16lx | %.16lx %.16lx\n",
		w[-4], w[-3], w[-2], w[-1], w[0], w[1]);
	if(b->magic != ALLOC_MAGIC)
		return;
	dsize = blockdsize(b);
	if(dsize < 8 || dsize > b->size - sizeof(Bhdr) - sizeof(Btail))
		return;
	c = (uchar*)B2D(b) + dsize;
	p->print(p, "user data %.2x %.2x %.2x %.2x %.2x %.2x %.2x %.2x | %.2x %.2x %.2x %.2x\n",
		c[-8], c[-7], c[-6], c[-5], c[-4], c[-3], c[-2], c[-1], c[0], c[1], c[2], c[3]);
}

void
blockpanic(Pool *p, Bhdr *b, char *fmt, ...)
{
	char msg[256];
	va_list a;

	va_start(a, fmt);
	vsnprintf(msg, sizeof msg, fmt, a);
	va_end(a);
	p->print(p, "pool %s: block %p: %s\n", p->name, b, msg);
	dumpblock(p, b);
	p->panic(p, "pool %s: block %p: %s", p->name, b, msg);
	abort();
}

static void
checktail(Pool *p, Bhdr *b)
{
	Btail *t;

	t = B2T(b);
	if(t->magic0 != TAIL_MAGIC0 || t->magic1 != TAIL_MAGIC1)
		blockpanic(p, b, "corrupt tail magic at %p", t);
	if(t->size != b->size)
		blockpanic(p, b, "tail at %p has size %lu, header %lu", t, t->size, b->size);
}

/*
 * A freed block under POOL_NOREUSE: its data but the tags must still
 * be 0xDA.  Whole words at a time, since paranoia checks every dead
 * block on every call; the byte is found when a word is wrong.
 */
static void
checkdead(Pool *p, Bhdr *b)
{
	uchar *q, *eq;

	q = (uchar*)B2D(b) + Tagbytes;
	eq = (uchar*)B2D(b) + blockdsize(b);
	for(; q + sizeof(u64) <= eq; q += sizeof(u64))
		if(*(u64*)q != 0xDADADADADADADADAULL)
			break;
	for(; q < eq; q++)
		if(*q != 0xDA)
			blockpanic(p, b, "dangling pointer write at %p", q);
}

/* the tail and the data magic after an allocated block's data */
static void
checkalloc(Pool *p, Bhdr *b)
{
	Btail *t;
	uchar *q, *bq, *eq;
	u64 dsize;

	t = B2T(b);
	dsize = blockdsize(b);
	bq = (uchar*)B2D(b) + dsize;
	eq = (uchar*)t;
	if(t->magic0 != TAIL_MAGIC0){
		/* one NUL written just past the end: POOL_TOLERANCE only complains */
		if((p->flags & POOL_TOLERANCE) && bq == eq && t->magic0 == 0)
			p->print(p, "pool %s: block %p: mem user overflow (magic0) at %p\n", p->name, b, bq);
		else
			blockpanic(p, b, "corrupt tail magic0 at %p", t);
	}
	if(t->magic1 != TAIL_MAGIC1)
		blockpanic(p, b, "corrupt tail magic1 at %p", &t->magic1);
	if(t->size != b->size)
		blockpanic(p, b, "tail at %p has size %lu, header %lu", t, t->size, b->size);
	if(blockbsize(p, dsize) > b->size)
		blockpanic(p, b, "too much block data: %lu", dsize);
	if(eq > bq + Ndatamagic)
		eq = bq + Ndatamagic;
	for(q = bq; q < eq; q++){
		if(*q == datamagic[(uintptr_t)q % sizeof datamagic])
			continue;
		if(q == bq && *q == 0 && (p->flags & POOL_TOLERANCE)){
			p->print(p, "pool %s: block %p: mem user overflow at %p\n", p->name, b, q);
			continue;
		}
		blockpanic(p, b, "mem user overflow at %p (%lu bytes into data of %lu)",
			q, (u64)(q - (uchar*)B2D(b)), dsize);
	}
}

/*
 * The allocated block v lies in: v is its data, or a pointer into it
 * that poolallocalign gave, past the ALIGN_MAGIC words before it.
 */
Bhdr*
blockof(Pool *p, void *v)
{
	Bhdr *b;

	b = D2B(alignstart(v));
	switch(b->magic){
	case ALLOC_MAGIC:
		return b;
	case FREE_MAGIC:
		blockpanic(p, b, "%p is free already (freed twice?)", v);
	case DEAD_MAGIC:
		blockpanic(p, b, "%p was freed already (POOL_NOREUSE)", v);
	default:
		blockpanic(p, b, "%p is not an allocated block (magic %#lx)", v, b->magic);
	}
}

/* b consistent with its magic number */
void
blockcheck(Pool *p, Bhdr *b)
{
	Arena *a;

	switch(b->magic){
	case FREE_MAGIC:
	case UNALLOC_MAGIC:
	case DEAD_MAGIC:
	case ALLOC_MAGIC:
		if(!sizeok(p, b))
			blockpanic(p, b, "bad block size %lu", b->size);
		if(b->magic == ALLOC_MAGIC)
			checkalloc(p, b);
		else
			checktail(p, b);
		if(b->magic == DEAD_MAGIC)
			checkdead(p, b);
		break;
	case ARENA_MAGIC:
		a = (Arena*)b;
		if(b->size != sizeof(Arena) || a->asize > p->cursize || a->asize % Mallocalign != 0
		|| A2TB(a)->magic != ARENATAIL_MAGIC)
			blockpanic(p, b, "bad arena size %lu", a->asize);
		b = A2TB(a);
		/* fall through */
	case ARENATAIL_MAGIC:
		if(b->size != 0)
			blockpanic(p, b, "bad arena tail size");
		break;
	default:
		blockpanic(p, b, "bad magic %#lx", b->magic);
	}
}

typedef struct Count Count;
struct Count {
	u64	nfree;		/* free blocks */
	u64	free;		/* and their bytes */
	u64	alloc;		/* bytes allocated, dead ones too */
	u64	size;		/* of the arenas */
};

/* every block of a, one after another, to its tail */
static void
checkarena(Pool *p, Arena *a, Count *c)
{
	Bhdr *b, *atail;

	blockcheck(p, &a->h);
	atail = A2TB(a);
	for(b = A2B(a); b < atail && b->magic != ARENATAIL_MAGIC; b = B2NB(b)){
		blockcheck(p, b);
		switch(b->magic){
		case FREE_MAGIC:
			if(B2NB(b)->magic == FREE_MAGIC)
				blockpanic(p, b, "free, and so is the next block %p", B2NB(b));
			c->nfree++;
			c->free += b->size;
			break;
		case UNALLOC_MAGIC:
			blockpanic(p, b, "neither free nor allocated between calls");
		case ALLOC_MAGIC:
		case DEAD_MAGIC:
			c->alloc += b->size;
			break;
		default:
			blockpanic(p, b, "an arena header or tail inside arena %p", a);
		}
	}
	if(b != atail)
		blockpanic(p, b, "blocks of arena %p run to %p, not its tail %p", a, b, atail);
	blockcheck(p, b);
	c->size += a->asize;
}

void
poolcheckl(Pool *p)
{
	Arena *a, *up;
	Count c;
	u64 nblock, nbyte;

	c = (Count){0};
	up = NULL;
	for(a = p->arenalist; a != NULL; up = a, a = a->down){
		if(a->aup != up || (up != NULL && a >= up))
			blockpanic(p, &a->h, "arena list broken after %p", up);
		checkarena(p, a, &c);
	}
	poolchecktree(p, &nblock, &nbyte);
	if(nblock != c.nfree || nbyte != c.free)
		p->panic(p, "pool %s: the free tree holds %lu blocks of %lu bytes, the arenas %lu of %lu",
			p->name, nblock, nbyte, c.nfree, c.free);
	if(c.free != p->curfree || c.alloc != p->curalloc || c.size != p->cursize)
		p->panic(p, "pool %s: counted %lu free, %lu allocated, %lu in arenas; the pool says %lu, %lu, %lu",
			p->name, c.free, c.alloc, c.size, p->curfree, p->curalloc, p->cursize);
}

Public void
poolcheck(Pool *p)
{
	p->lock(p);
	poolcheckl(p);
	p->unlock(p);
}

Public void
poolblockcheck(Pool *p, void *v)
{
	if(v == NULL)
		return;
	p->lock(p);
	blockcheck(p, blockof(p, v));
	p->unlock(p);
}

void
pooldumpl(Pool *p)
{
	Arena *a;
	Bhdr *b;

	p->print(p, "pool %p %s\n", p, p->name);
	for(a = p->arenalist; a != NULL; a = a->down){
		for(b = &a->h; b->magic != ARENATAIL_MAGIC && b->size != 0; b = B2NB(b))
			p->print(p, "(%p %.8lx %lu)", b, b->magic, b->size);
		p->print(p, "\n");
	}
}

Public void
pooldump(Pool *p)
{
	p->lock(p);
	pooldumpl(p);
	p->unlock(p);
}
