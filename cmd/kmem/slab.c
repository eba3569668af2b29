/*
 * The slab walk through /proc/kcore.  Caches that keep a track of
 * each object's allocation (SLAB_STORE_USER, slub_debug=U) are walked
 * as the kernel's alloc_traces does: every node's partial and full
 * lists, less each slab's freelist, a line per call site.  The others
 * keep no full list, so their slabs are found by walking the struct
 * pages, less the freelists, every CPU's included, a line per cache.
 * The kernel runs on while it is read: every list and freelist is
 * bounded, every pointer checked, and what changed is skipped, said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum {
	Maxcaches = 1<<14,	/* a kernel has a few hundred */
	Maxslabs = 1<<22,	/* on one list: 16 GB of 4 KB slabs */
	Maxobjs = 1<<15,	/* slab.objects is 15 bits */
	Maxnodes = 1<<10,
	Maxcpus = 1<<13,
	Pagechunk = 4096,	/* struct pages read at once: 256 KB */
	Cachebuf = 16384,	/* kmem_cache up to its node array's first Maxnodes */
	Maxpage = 256,		/* struct page is 64 bytes; 4 times that is no kernel's */
	Maxtrack = 64,		/* struct track is 32 bytes (24 without the stack depot) */
};

static Core *kc;
static Walk W;

static int
rd(u64 a, void *b, long n)
{
	return coreread(kc, a, b, n) == n ? 0 : -1;
}

static u64
rd64(u64 a, int *ok)
{
	u64 v;

	if(rd(a, &v, sizeof v) < 0){
		*ok = 0;
		return 0;
	}
	return v;
}

static void
changed(char *what, u64 a)
{
	W.skipped++;
	if(W.skipped <= Maxsaid)
		fprintf(stderr, "kmem: %s at %#llx changed while read: skipped\n", what, (unsigned long long)a);
}

/* the page's memory: where its objects are */
static u64
slabaddr(u64 slab)
{
	return W.pob + (slab - W.vmemmap) / L.page_sizeof * W.pagesize;
}

/* mark the free objects on the freelist from p; -1 if it left the slab */
static int
freelist(Cache *c, u64 base, int nobj, u64 p, uchar *free)
{
	u64 i, v;
	int n, ok;

	ok = 1;
	for(n = 0; p != 0; n++){
		if(n > nobj || p < base + c->redpad || (p - base - c->redpad) % c->size != 0)
			return -1;
		i = (p - base - c->redpad) / c->size;
		if(i >= (u64)nobj || free[i])
			return -1;
		free[i] = 1;
		v = rd64(p + c->offset, &ok);
		if(!ok)
			return -1;
		p = c->hardened ? v ^ c->random ^ __builtin_bswap64(p + c->offset) : v;
	}
	return 0;
}

/*
 * An object allocated at pc, kept as numbers: sites and stacks are
 * named once each, when the walk is done, not once for every object.
 */
static void
hit(Cache *c, u64 pc, u32 handle, long long bytes)
{
	if(W.nhit == W.maxhit){
		W.maxhit = W.maxhit ? 2*W.maxhit : 4096;
		W.hit = erealloc(W.hit, W.maxhit * sizeof W.hit[0]);
	}
	W.hit[W.nhit++] = (Hit){pc, W.opt.stacks ? handle : 0, c - W.cache, bytes};
}

static int
bysite(const void *a, const void *b)
{
	const Hit *x = a, *y = b;

	if(x->cache != y->cache)
		return x->cache < y->cache ? -1 : 1;
	if(x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

/* the frames of a stack, named, a line each, into buf; NULL if it cannot be read */
static char*
stackname(u32 handle, char *buf, int n)
{
	u64 pc[Maxframes];
	int i, k, len;
	char name[Maxline];

	k = depotstack(handle, pc, nelem(pc));
	if(k < 0){
		W.skipped++;
		if(W.skipped <= Maxsaid)
			fprintf(stderr, "kmem: stack depot handle %#x names no record of its own: its line goes without a stack\n", handle);
		return NULL;
	}
	len = 0;
	buf[0] = 0;
	for(i = 0; i < k && len < n; i++)
		len += snprintf(buf+len, n-len, "%s\n", ksymname(pc[i], name, sizeof name));
	return buf;
}

/* the hits, a row per cache and site, and per stack with -s */
static void
hits(Ktab *t)
{
	long i, j;
	long long bytes;
	char name[Maxline], *stack, *sbuf;

	sbuf = emalloc(Maxframes * Maxline);
	qsort(W.hit, W.nhit, sizeof W.hit[0], bysite);
	for(i = 0; i < W.nhit; i = j){
		bytes = 0;
		for(j = i; j < W.nhit && bysite(&W.hit[i], &W.hit[j]) == 0; j++)
			bytes += W.hit[j].bytes;
		ksymname(W.hit[i].pc, name, sizeof name);
		stack = W.opt.stacks ? stackname(W.hit[i].handle, sbuf, Maxframes * Maxline) : NULL;
		siteadd(t, W.opt.bycache ? W.cache[W.hit[i].cache].name : NULL, name, stack, j-i, bytes);
	}
	free(sbuf);
	free(W.hit);
}

/* the allocated objects of one slab, by site or under the cache */
static void
slabcount(Cache *c, u64 slab)
{
	uchar b[Maxpage], free[Maxobjs];
	u64 base, obj, cfree;
	int i, nobj;
	long long bytes;
	uchar tr[Maxtrack];
	u32 orig;

	if(rd(slab, b, L.page_sizeof) < 0 || fld(b, sizeof b, L.slab_cache) != c->addr){
		changed("slab", slab);
		return;
	}
	nobj = fld(b, sizeof b, L.slab_objects);
	base = slabaddr(slab);
	memset(free, 0, nobj);
	if(nobj == 0 || freelist(c, base, nobj, fld(b, sizeof b, L.slab_freelist), free) < 0){
		changed("slab", slab);
		return;
	}
	for(i = 0; i < c->ncpu; i++)
		if(c->cpuslab[i] == slab && (cfree = c->cpufree[i]) != 0 && freelist(c, base, nobj, cfree, free) < 0){
			changed("per-CPU freelist of slab", slab);
			return;
		}
	if(W.nsheafobj > 0)
		sheafmark(&W, c, base, nobj, free);
	for(i = 0; i < nobj; i++){
		if(free[i])
			continue;
		if(!c->track){
			c->count++;
			continue;
		}
		obj = base + c->redpad + (u64)i*c->size;
		if(rd(obj + c->infoend, tr, W.tracksize) < 0){
			changed("object", obj);
			continue;
		}
		bytes = c->objsize;
		if(c->origsize && rd(obj + c->infoend + 2*W.tracksize, &orig, sizeof orig) == 0 && orig <= c->objsize)
			bytes = orig;
		hit(c, fld(tr, W.tracksize, L.track_addr), fld(tr, W.tracksize, L.track_handle), bytes);
	}
}

/* a list of slabs from the list head at h */
static void
slablist(Cache *c, u64 h)
{
	u64 p;
	long n;
	int ok;

	ok = 1;
	p = rd64(h, &ok);
	for(n = 0; ok && p != h && n < Maxslabs; n++){
		slabcount(c, p - L.slab_list.bit/8);
		p = rd64(p, &ok);
	}
	if(!ok || n == Maxslabs)
		changed("slab list", h);
}

static int
cacheread(Cache *c, u64 a)
{
	uchar *b;
	long n;
	int ok, i;
	u64 name, pcpu;

	b = W.cbuf;
	n = W.nodeat + W.nodestride*W.nnode;
	if(n > Cachebuf || rd(a, b, n) < 0)
		return -1;
	memset(c, 0, sizeof *c);
	c->addr = a;
	c->flags = fld(b, n, L.cache_flags);
	c->size = fld(b, n, L.cache_size);
	c->objsize = fld(b, n, L.cache_object_size);
	c->offset = fld(b, n, L.cache_offset);
	c->inuse = fld(b, n, L.cache_inuse);
	c->redpad = fld(b, n, L.cache_red_left_pad);
	c->hardened = L.cache_random.bit != Absent;
	c->random = fld(b, n, L.cache_random);
	c->infoend = c->offset >= c->inuse ? c->inuse + 8 : c->inuse;
	c->track = (c->flags & L.store_user) != 0 && !W.pagesonly;
	c->origsize = c->track && (c->flags & L.kmalloc) != 0 && L.kmalloc != 0;
	if(c->size == 0 || c->size > (1<<24) || c->objsize > c->size)
		return -1;
	ok = 1;
	name = fld(b, n, L.cache_name);
	memset(c->name, 0, sizeof c->name);
	if(rd(name, c->name, sizeof c->name - 1) < 0)
		for(i = 0; i < (int)sizeof c->name - 1 && rd(name+i, c->name+i, 1) == 0; i++)
			;
	c->node = emalloc(W.nnode * sizeof c->node[0]);
	for(i = 0; i < W.nnode; i++)
		memmove(&c->node[i], b + W.nodeat + W.nodestride*i, sizeof c->node[i]);
	c->sheaves = fld(b, n, L.cache_cpu_sheaves);
	c->sheafcap = fld(b, n, L.cache_sheaf_capacity);
	if(W.barnat >= 0){
		c->barn = emalloc(W.nnode * sizeof c->barn[0]);
		for(i = 0; i < W.nnode; i++)
			memmove(&c->barn[i], b + W.barnat + W.nodestride*i, sizeof c->barn[i]);
	}
	c->ncpu = 0;
	if(L.cache_cpu_slab.bit != Absent && !c->track){
		pcpu = fld(b, n, L.cache_cpu_slab);
		c->cpufree = emalloc(W.ncpu * sizeof c->cpufree[0]);
		c->cpuslab = emalloc(W.ncpu * sizeof c->cpuslab[0]);
		for(i = 0; i < W.ncpu && ok; i++){
			c->cpufree[i] = rd64(pcpu + W.pcpuoff[i] + L.cpu_freelist.bit/8, &ok);
			c->cpuslab[i] = rd64(pcpu + W.pcpuoff[i] + L.cpu_slab.bit/8, &ok);
		}
		c->ncpu = ok ? W.ncpu : 0;
	}
	return 0;
}

static int
byaddr(const void *a, const void *b)
{
	const Cache *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static Cache*
cacheat(u64 a)
{
	Cache k;

	k.addr = a;
	return bsearch(&k, W.cache, W.ncache, sizeof k, byaddr);
}

/* every cache on slab_caches */
static int
caches(void)
{
	u64 h, p;
	int ok;

	ok = 1;
	h = W.slabcaches;
	p = rd64(h, &ok);
	W.cache = emalloc(Maxcaches * sizeof W.cache[0]);
	for(W.ncache = 0; ok && p != h && W.ncache < Maxcaches; ){
		if(cacheread(&W.cache[W.ncache], p - L.cache_list.bit/8) < 0)
			changed("kmem_cache", p - L.cache_list.bit/8);
		else
			W.ncache++;
		p = rd64(p, &ok);
	}
	if(!ok || W.ncache == 0){
		werrstr("slab_caches at %#llx: the list of caches cannot be read", (unsigned long long)h);
		return -1;
	}
	qsort(W.cache, W.ncache, sizeof W.cache[0], byaddr);
	return 0;
}

static int
isslab(uchar *pg)
{
	if(W.pgslab >= 0)
		return (fld(pg, L.page_sizeof, L.page_flags) >> W.pgslab) & 1;
	return (fld(pg, L.page_sizeof, L.page_type) >> 24) == W.pgtype;
}

/* the slabs of caches without tracks, found among the struct pages of RAM */
static void
pagewalk(void)
{
	Cseg *seg;
	int i, nseg;
	u64 pfn, end, k, n, pg;
	uchar *buf;
	Cache *c;

	buf = emalloc(Pagechunk * L.page_sizeof);
	seg = coresegments(kc, &nseg);
	for(i = 0; i < nseg; i++){
		if(seg[i].vaddr < W.pob || seg[i].vaddr >= W.vmalloc)
			continue;
		pfn = (seg[i].vaddr - W.pob) / W.pagesize;
		end = (seg[i].vaddr + seg[i].memsz - W.pob) / W.pagesize;
		for(; pfn < end; pfn += n){
			n = end - pfn < Pagechunk ? end - pfn : Pagechunk;
			pg = W.vmemmap + pfn * L.page_sizeof;
			if(rd(pg, buf, n * L.page_sizeof) < 0){
				changed("struct pages", pg);
				continue;
			}
			for(k = 0; k < n; k++){
				if(!isslab(buf + k*L.page_sizeof))
					continue;
				c = cacheat(fld(buf + k*L.page_sizeof, L.page_sizeof, L.slab_cache));
				if(c != NULL && !c->track)
					slabcount(c, pg + k*L.page_sizeof);
			}
		}
	}
	free(buf);
}

static int
setup(char *info)
{
	int ok, i;
	u64 a;
	u32 v;
	long long num;

	if(btflayout(W.btf) < 0)
		return -1;
	W.pagesize = vmcorenum(info, "PAGESIZE", &num) == 0 ? num : 4096;
	W.pgslab = vmcorenum(info, "NUMBER(PG_slab)", &num) == 0 ? num : -1;
	if(W.pgslab < 0 && vmcorenum(info, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", &num) == 0)
		W.pgtype = ((u64)num >> 24) & 0xff;
	else if(W.pgslab < 0){
		werrstr("VMCOREINFO has neither PG_slab nor PAGE_SLAB_MAPCOUNT_VALUE: slab pages cannot be told");
		return -1;
	}
	if(L.slab_objects.bit == Absent || L.page_sizeof <= 0 || L.page_sizeof > Maxpage
	|| (L.cache_node.bit == Absent && L.pernode_sizeof <= 0)){
		werrstr("this kernel's struct slab has no objects count, or struct page is not 1 to %d bytes", Maxpage);
		return -1;
	}
	ok = 1;
	W.slabcaches = ksym("slab_caches");
	W.pob = rd64(ksym("page_offset_base"), &ok);
	W.vmemmap = rd64(ksym("vmemmap_base"), &ok);
	W.vmalloc = rd64(ksym("vmalloc_base"), &ok);
	W.nnode = 1;
	if((a = ksym("nr_node_ids")) != 0 && rd(a, &v, 4) == 0)
		W.nnode = v;
	W.ncpu = 0;
	if((a = ksym("nr_cpu_ids")) != 0 && rd(a, &v, 4) == 0)
		W.ncpu = v;
	if(!ok || W.slabcaches == 0 || W.nnode < 1 || W.nnode > Maxnodes || W.ncpu < 1 || W.ncpu > Maxcpus){
		werrstr("the symbols and kcore give no slab_caches, page_offset_base, vmemmap_base, vmalloc_base, nr_cpu_ids and nr_node_ids");
		return -1;
	}
	W.pcpuoff = emalloc(W.ncpu * sizeof W.pcpuoff[0]);
	a = ksym("__per_cpu_offset");
	for(i = 0; i < W.ncpu; i++)
		W.pcpuoff[i] = rd64(a + 8*i, &ok);
	W.tracksize = L.track_sizeof;
	if(W.tracksize <= 0 || W.tracksize > Maxtrack){
		werrstr("this kernel's struct track is not 1 to %d bytes", Maxtrack);
		return -1;
	}
	if(W.opt.stacks && depotinit(kc) < 0)
		return -1;
	/* kmem_cache.node[i], or per_node[i].node */
	W.nodeat = L.cache_node.bit != Absent ? L.cache_node.bit/8 : L.cache_per_node.bit/8 + L.pernode_node.bit/8;
	W.nodestride = L.cache_node.bit != Absent ? 8 : L.pernode_sizeof;
	W.barnat = L.cache_node.bit == Absent && L.pernode_barn.bit != Absent ? L.cache_per_node.bit/8 + L.pernode_barn.bit/8 : -1;
	W.cbuf = emalloc(Cachebuf);
	return ok ? 0 : -1;
}

/* KMEM_STATS: the objects each cache has waiting in sheaves, which the tests hold to sysfs */
static void
sheafstats(void)
{
	int i;
	char name[2*sizeof W.cache[0].name];

	for(i = 0; i < W.ncache; i++)
		if(W.cache[i].sheafed > 0){
			hwesc(W.cache[i].name, Eword, name, sizeof name);
			fprintf(stderr, "kmem: cache %s: %lld objects in sheaves\n", name, W.cache[i].sheafed);
		}
}

/* the allocations of the kernel behind kc (its symbols loaded by ksymload) into t; -1 if it cannot be walked */
int
slabwalk(Core *c, char *info, char *btf, Kopt *opt, Ktab *t)
{
	int i, j, untracked;
	Cache *k;

	kc = c;
	W.btf = btf;
	W.opt = *opt;
	/* KMEM_WALK=pages: every cache by the page walk, for the tests to hold it to sysfs */
	W.pagesonly = getenv("KMEM_WALK") != NULL && strcmp(getenv("KMEM_WALK"), "pages") == 0;
	if(setup(info) < 0 || caches() < 0)
		return -1;
	for(i = 0; i < W.ncache; i++)
		sheafread(kc, &W, &W.cache[i]);
	sheafsort(&W);
	untracked = 0;
	for(i = 0; i < W.ncache; i++){
		k = &W.cache[i];
		if(!k->track){
			untracked++;
			continue;
		}
		for(j = 0; j < W.nnode; j++)
			if(k->node[j] != 0){
				slablist(k, k->node[j] + L.node_partial.bit/8);
				if(L.node_full.bit != Absent)
					slablist(k, k->node[j] + L.node_full.bit/8);
			}
	}
	if(untracked > 0)
		pagewalk();
	hits(t);
	for(i = 0; i < W.ncache; i++)
		if(!W.cache[i].track && W.cache[i].count > 0)
			siteadd(t, NULL, W.cache[i].name, NULL, W.cache[i].count, W.cache[i].count * W.cache[i].objsize);
	if(untracked > 0)
		fprintf(stderr, "kmem: %d of %d caches keep no allocation sites, so are counted as wholes: "
			"boot with slub_debug=U for lines per site\n", untracked, W.ncache);
	if(getenv("KMEM_STATS") != NULL)
		sheafstats();
	if(W.skipped > 0)
		fprintf(stderr, "kmem: %ld things changed while read and were skipped\n", W.skipped);
	return 0;
}
