/*
 * Arenas: the memory p->alloc gives, each one run of blocks between
 * an Arena header and a tail Bhdr{ARENATAIL_MAGIC, 0}, kept in a list
 * by descending address.  A new arena adjacent to another (p->merge
 * says so) becomes part of it, as in Plan 9, so that a free block may
 * run across what were two mappings.  Memory is never given back.
 */
#include <sys/mman.h>
#include "fns.h"

/* the arena for a block of bsize bytes: whole pages, at least minarena */
u64
poolasize(Pool *p, u64 bsize)
{
	return sizeup(bsize + sizeof(Arena) + sizeof(Bhdr), p->minarena, Pagesize);
}

static void
arenasetsize(Arena *a, u64 asize)
{
	Bhdr *atail;

	a->asize = asize;
	atail = A2TB(a);
	atail->magic = ARENATAIL_MAGIC;
	atail->size = 0;
}

/*
 * The gap [b, b+size) between two arenas merged, where the first's
 * tail and the second's header were, becomes a free block, merged with
 * the free blocks around it.
 */
static void
arenagap(Pool *p, Bhdr *b, u64 size)
{
	b->magic = UNALLOC_MAGIC;
	blocksetsize(b, size);
	blockrelease(p, b);
}

/* top, just above bot in the list, becomes part of bot if p->merge says they are adjacent */
static void
arenamerge(Pool *p, Arena *bot, Arena *top)
{
	Bhdr *gap;
	u64 asize;

	if(p->merge == NULL || !p->merge(bot, top))
		return;
	bot->aup = top->aup;
	if(bot->aup != NULL)
		bot->aup->down = bot;
	else
		p->arenalist = bot;
	gap = A2TB(bot);
	asize = (uchar*)top - (uchar*)bot + top->asize;
	top->h.magic = NOT_MAGIC;
	arenasetsize(bot, asize);
	arenagap(p, gap, (uchar*)A2B(top) - (uchar*)gap);
	DPRINT(p, "pool %s: arena %p merged into %p, now %lu\n", p->name, top, bot, asize);
}

/*
 * A new arena of asize bytes, its space one free block.  The Arena's
 * pad holds its own size, so that the walk back from the first block
 * (T2HDR(B2PT(b)), which reads it as a Btail) ends at the header.
 */
void
poolnewarena(Pool *p, u64 asize)
{
	Arena *a, *ap, *up;
	Bhdr *b;

	LOG(p, "pool %s: newarena %lu\n", p->name, asize);
	if(p->cursize + asize > p->maxsize){
		LOG(p, "pool %s: too big: %lu+%lu > %lu\n", p->name, p->cursize, asize, p->maxsize);
		return;
	}
	if((a = p->alloc(asize)) == NULL)
		return;
	p->cursize += asize;
	a->h.magic = ARENA_MAGIC;
	a->h.size = sizeof(Arena);
	a->pad = sizeof(Arena);
	arenasetsize(a, asize);
	b = A2B(a);
	b->magic = UNALLOC_MAGIC;
	blocksetsize(b, (uchar*)A2TB(a) - (uchar*)b);
	pooladd(p, b);

	for(up = NULL, ap = p->arenalist; ap != NULL && ap > a; up = ap, ap = ap->down)
		;
	a->down = ap;
	if(ap != NULL)
		ap->aup = a;
	a->aup = up;
	if(up != NULL)
		up->down = a;
	else
		p->arenalist = a;

	/* a with the one above first: the one below may then take in both */
	if(a->aup != NULL)
		arenamerge(p, a, a->aup);
	if(a->down != NULL)
		arenamerge(p, a->down, a);
}

/* mainmem's p->alloc and p->merge: arenas are private anonymous mappings */
Public void*
poolmmap(uint64_t size)
{
	void *v;

	v = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	return v == MAP_FAILED ? NULL : v;
}

Public int
poolmmapmerge(void *bot, void *top)
{
	return (uchar*)bot + ((Arena*)bot)->asize == (uchar*)top;
}
