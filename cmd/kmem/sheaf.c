/*
 * Sheaves (6.18 and later; all caches in 7.x): arrays of freed
 * objects that a CPU or a node's barn keeps to hand out again.  Their
 * slab counts them as allocated, as sysfs and alloc_traces do, but no
 * one holds them: kmem counts them free.  Each CPU has a main and a
 * spare sheaf and one of objects waiting for an RCU grace period;
 * each node's barn keeps a list of full sheaves (its empty ones hold
 * nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum {
	Maxcap = 1<<12,		/* a sheaf holds tens of objects; sheaf_capacity is a few hundred at most */
	Maxbarn = 1<<16,	/* full sheaves on one barn: a barn keeps a handful per CPU */
	Pcsbuf = 128,		/* slub_percpu_sheaves: a lock and three pointers */
};

static Core *kc;

static void
add(Walk *w, u64 obj)
{
	if(w->nsheafobj == w->maxsheafobj){
		w->maxsheafobj = w->maxsheafobj ? 2*w->maxsheafobj : 4096;
		w->sheafobj = erealloc(w->sheafobj, w->maxsheafobj * sizeof w->sheafobj[0]);
	}
	w->sheafobj[w->nsheafobj++] = obj;
}

/* the objects of the sheaf at a; -1 if it is not one of c's */
static int
sheaf(Walk *w, Cache *c, u64 a)
{
	u64 obj[Maxcap];
	u32 n;
	int i;

	if(coreread(kc, a + L.sheaf_size.bit/8, &n, sizeof n) != sizeof n || n > c->sheafcap || n > Maxcap)
		return -1;
	if(coreread(kc, a + L.sheaf_objects.bit/8, obj, 8*n) != 8*n)
		return -1;
	for(i = 0; i < (int)n; i++)
		add(w, obj[i]);
	return 0;
}

/* the sheaves of each CPU */
static int
cpusheaves(Walk *w, Cache *c)
{
	uchar b[Pcsbuf];
	Off *o, *pcs[] = {&L.pcs_main, &L.pcs_spare, &L.pcs_rcu_free};
	u64 a;
	int i, k;

	if(L.pcs_sizeof <= 0 || L.pcs_sizeof > Pcsbuf)
		return -1;
	for(i = 0; i < w->ncpu; i++){
		if(coreread(kc, c->sheaves + w->pcpuoff[i], b, L.pcs_sizeof) != L.pcs_sizeof)
			return -1;
		for(k = 0; k < (int)nelem(pcs); k++){
			o = pcs[k];
			if(o->bit != Absent && (a = fld(b, L.pcs_sizeof, *o)) != 0 && sheaf(w, c, a) < 0)
				return -1;
		}
	}
	return 0;
}

/* the full sheaves of each node's barn */
static int
barnsheaves(Walk *w, Cache *c)
{
	u64 h, p;
	int i, n;

	for(i = 0; i < w->nnode && c->barn != NULL; i++){
		if(c->barn[i] == 0)
			continue;
		h = c->barn[i] + L.barn_full.bit/8;
		if(coreread(kc, h, &p, 8) != 8)
			return -1;
		for(n = 0; p != h; n++){
			if(n == Maxbarn || sheaf(w, c, p - L.sheaf_barn_list.bit/8) < 0 || coreread(kc, p, &p, 8) != 8)
				return -1;
		}
	}
	return 0;
}

/* the objects in c's sheaves into w; a sheaf that changed is said, and c's others still read */
void
sheafread(Core *k, Walk *w, Cache *c)
{
	long n;

	kc = k;
	if(c->sheaves == 0 || c->sheafcap <= 0 || L.sheaf_size.bit == Absent || L.sheaf_objects.bit == Absent)
		return;
	n = w->nsheafobj;
	if(cpusheaves(w, c) < 0 || (L.barn_full.bit != Absent && barnsheaves(w, c) < 0)){
		w->nsheafobj = n;
		w->skipped++;
		if(w->skipped <= Maxsaid)
			fprintf(stderr, "kmem: the sheaves of cache %s changed while read: their objects count as in use\n", c->name);
	}
}

static int
byvalue(const void *a, const void *b)
{
	u64 x = *(u64*)a, y = *(u64*)b;

	return x < y ? -1 : x > y;
}

void
sheafsort(Walk *w)
{
	qsort(w->sheafobj, w->nsheafobj, sizeof w->sheafobj[0], byvalue);
}

/* mark free the objects of the slab at base that wait in sheaves */
void
sheafmark(Walk *w, Cache *c, u64 base, int nobj, uchar *free)
{
	long lo, hi, m;
	u64 p, first, end;

	first = base + c->redpad;
	end = first + (u64)nobj * c->size;
	lo = 0;
	hi = w->nsheafobj;
	while(lo < hi){
		m = (lo+hi)/2;
		if(w->sheafobj[m] < first)
			lo = m+1;
		else
			hi = m;
	}
	for(; lo < w->nsheafobj && (p = w->sheafobj[lo]) < end; lo++)
		if((p - first) % c->size == 0 && !free[(p - first) / c->size]){
			free[(p - first) / c->size] = 1;
			c->sheafed++;
		}
}
