/*
 * Walking a pool: each arena on its list, each block in an arena from
 * the header after the arena's to the arena's tail.  Damage is noted
 * and stepped over where a size can be trusted, else the walk looks
 * on for the next sound header; the target is only read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "../pool/pool.h"
#include "pl.h"

enum { Locksize = 40 };	/* sizeof(pthread_mutex_t) on x86-64 */

typedef struct Ar Ar;
struct Ar {
	u64	a;
	u64	size;
};

typedef struct List List;
struct List {
	Ar	*v;
	long	n;
};

static void
add(List *l, u64 a, u64 size)
{
	if((l->n & 255) == 0)
		l->v = erealloc(l->v, (l->n+256) * sizeof l->v[0]);
	l->v[l->n].a = a;
	l->v[l->n].size = size;
	l->n++;
}

/* The arenas of the list from first, by their down links, each checked, the back link too. */
static void
chain(Model *m, Target *t, u64 first, List *l)
{
	u64 a, prev, n;
	long i;

	prev = 0;
	for(a = first, i = 0; a != 0 && i < Maxarenas; i++){
		if(!plarena(t, a, &n)){
			if(prev != 0)
				pooldamaged(m, "pool corrupt at 0x%llx: no arena there, though the down link of 0x%llx names it",
					(unsigned long long)a, (unsigned long long)prev);
			else
				pooldamaged(m, "pool corrupt at 0x%llx: no arena there, though the pool's arena list starts there",
					(unsigned long long)a);
			return;
		}
		if(hwword(t, a + offsetof(Arena, aup)) != prev){
			pooldamaged(m, "pool corrupt at 0x%llx: the arena's up link is 0x%llx, not 0x%llx",
				(unsigned long long)a, (unsigned long long)hwword(t, a + offsetof(Arena, aup)),
				(unsigned long long)prev);
			return;
		}
		add(l, a, n);
		prev = a;
		a = hwword(t, a + offsetof(Arena, down));
	}
	if(a != 0)
		pooldamaged(m, "pool corrupt at 0x%llx: its arena list runs past %d arenas", (unsigned long long)first, Maxarenas);
}

/* Past damage at b: the next sound header, or end when there is none near. */
static u64
resync(Target *t, u64 b, u64 end)
{
	u64 c;

	for(c = b + 16; c < end && c - b <= Maxresync; c += 16)
		if(plsound(t, c, end))
			return c;
	return end;
}

/* What the walk found, to hold against the pool's own counts. */
typedef struct Sums Sums;
struct Sums {
	u64	alloc;		/* the sizes of allocated blocks: Pool.curalloc */
	u64	free;		/* of free ones: Pool.curfree */
};

static void
walkarena(Model *m, Target *t, Heap *h, u64 a, u64 asize, Sums *sum)
{
	u64 b, c, end, size, magic, last;
	Block k;

	heapown(h, a, a + asize, Rpool);
	end = a + asize - sizeof(Bhdr);
	last = a;
	for(b = a + Arenahdr; b < end; b += size){
		last = b;
		magic = hwword(t, b);
		size = hwword(t, b+8);
		if(!plcheck(m, t, b, size, end)){
			c = resync(t, b, end);
			if(c < end)
				pooldamaged(m, "pool corrupt at 0x%llx: the walk goes on at 0x%llx",
					(unsigned long long)b, (unsigned long long)c);
			size = c - b;
			continue;
		}
		if(magic == ALLOC_MAGIC || magic == FREE_MAGIC || magic == DEAD_MAGIC){
			plmake(t, b, size, magic, &k);
			heapadd(h, &k);
			if(magic == ALLOC_MAGIC)
				sum->alloc += size;
			else if(magic == FREE_MAGIC)
				sum->free += size;
		}else if(magic == UNALLOC_MAGIC || magic == FLOATING_MAGIC)
			pooldamaged(m, "pool corrupt at 0x%llx: a block between states (magic 0x%llx) with no thread in the pool",
				(unsigned long long)b, (unsigned long long)magic);
	}
	if(b != end)
		pooldamaged(m, "pool corrupt at 0x%llx: the last block runs past the arena's tail at 0x%llx",
			(unsigned long long)last, (unsigned long long)end);
}

static int
byaddr(const void *x, const void *y)
{
	const Ar *a, *b;

	a = x;
	b = y;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* Held, the arenas' mappings are copied, to read once the target runs again; a snapshot stays. */
static void
copy(Target *t, Heap *h, List *l)
{
	Map *m;
	long i;

	if(h->visit != NULL || t->snap)
		return;
	for(i = 0; i < l->n; i++)
		if((m = hwmapat(t, l->v[i].a)) != NULL)
			hwsnap(t, m->start, m->end);
}

/* The pool's counts, when its descriptor is known and nothing was damaged to miscount. */
static void
counts(Model *m, Target *t, Plan9 *p, Sums *sum)
{
	u64 nalloc, nfree;

	if(p->desc == 0 || m->ndamage > 0)
		return;
	nalloc = hwword(t, p->desc + offsetof(Pool, curalloc));
	nfree = hwword(t, p->desc + offsetof(Pool, curfree));
	if(nalloc != sum->alloc || nfree != sum->free)
		pooldamaged(m, "pool corrupt at 0x%llx: its blocks hold 0x%llx bytes allocated and 0x%llx free, "
			"but the pool counts 0x%llx and 0x%llx", (unsigned long long)p->desc,
			(unsigned long long)sum->alloc, (unsigned long long)sum->free,
			(unsigned long long)nalloc, (unsigned long long)nfree);
}

/*
 * Damage seen twice in a row is damage; seen once, it may be an
 * update no lock showed (no symbols): Wodd, to look again.
 */
static int
settle(Model *m, Plan9 *p)
{
	if(m->ndamage == 0 || m->force || (p->lastodd != NULL && strcmp(p->lastodd, m->damage[0]) == 0))
		return Wdone;
	free(p->lastodd);
	p->lastodd = estrdup(m->damage[0]);
	werrstr("%s", m->damage[0]);
	return Wodd;
}

int
plwalk(Model *m, Target *t, Heap *h)
{
	Plan9 *p;
	List l;
	Sums sum;
	long i;

	p = m->aux;
	memset(&sum, 0, sizeof sum);
	/* the pool's code holds a block by its data, where the tags are */
	if(heapshare(h, sizeof(Bhdr), Pooltagged - sizeof(Bhdr), pltags) < 0)
		return -1;
	memset(&l, 0, sizeof l);
	if(p->desc){
		heapown(h, p->desc, p->desc + sizeof(Pool), Rbook);
		if(p->lock)
			heapown(h, p->lock, p->lock + Locksize, Rbook);
		chain(m, t, hwword(t, p->desc + offsetof(Pool, arenalist)), &l);
	}
	for(i = 0; i < p->narena; i++)
		chain(m, t, p->arena[i], &l);
	if(l.n > 0)
		qsort(l.v, l.n, sizeof l.v[0], byaddr);
	copy(t, h, &l);
	for(i = 0; i < l.n; i++)
		walkarena(m, t, h, l.v[i].a, l.v[i].size, &sum);
	free(l.v);
	counts(m, t, p, &sum);
	return settle(m, p);
}

/*
 * A thread inside the pool's code, or the one holding its lock, is
 * marked busy, to be run alone a moment until it leaves.
 */
int
plbusy(Model *m, Target *t)
{
	Plan9 *p;
	Thread *th;
	int i, r, owner;

	p = m->aux;
	r = Wdone;
	owner = 0;
	if(p->lock != 0 && (u32)hwword(t, p->lock) != 0)
		owner = (u32)hwword(t, p->lock + 8);
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(!th->live)
			continue;
		if(th->pc >= p->codelo && th->pc < p->codehi){
			werrstr("thread %d is inside the pool", th->tid);
			th->busy = 1;
			r = Wbusy;
		}else if(owner != 0 && th->tid == owner){
			werrstr("thread %d holds the pool's lock", th->tid);
			th->busy = 1;
			r = Wbusy;
		}
	}
	if(owner != 0 && r == Wdone){
		werrstr("the pool's lock is held (by thread %d)", owner);
		r = Wbusy;
	}
	return r;
}
