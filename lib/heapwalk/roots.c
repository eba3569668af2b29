/*
 * Where marking starts: every readable, writable mapping the allocator
 * does not own (data, bss, stacks, TLS, custom arenas), cut below each
 * thread's stack pointer, and every thread's registers and dtv.
 * Copied while the target is stopped.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Redzone = 128, Origrax = 15,
	Tcbself = 0x10, Tcbguard = 0x28, Tcbptrguard = 0x30,	/* x86-64 tcbhead_t */
	Tcbscan = 64<<10,	/* a stack's struct pthread lies this near its top */
	Tcbalign = 16,
};

/*
 * Where a thread's live stack begins.  A function may keep data in the
 * 128 bytes below its stack pointer, so they count; but a thread
 * blocked in a system call sits in a libc wrapper, and what lies below
 * it there is only what earlier calls left.
 */
static u64
stacklow(Thread *th)
{
	if(th->ngpr > Origrax && (long long)th->gpr[Origrax] >= 0)
		return th->sp;
	return th->sp - Redzone;
}

static void
addrange(Roots *r, u64 start, u64 end, int kind)
{
	start = (start+7) & ~7ULL;
	if(start >= end)
		return;
	if((r->nr & 255) == 0)
		r->r = erealloc(r->r, (r->nr+256)*sizeof r->r[0]);
	r->r[r->nr].start = start;
	r->r[r->nr].end = end;
	r->r[r->nr].kind = kind;
	r->nr++;
}

static void
addword(Roots *r, u64 w)
{
	if((r->nw & 1023) == 0)
		r->w = erealloc(r->w, (r->nw+1024)*sizeof r->w[0]);
	r->w[r->nw++] = w;
}

static int
prefix(char *s, char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/*
 * An object's RELRO segment: written during start-up, then made read-only,
 * it lies just below the object's writable data.  It can hold heap pointers.
 */
static int
relro(Target *t, Map *m)
{
	Map *n;

	if(m->prot != PROT_READ || m->inode == 0 || m+1 >= t->map + t->nmap)
		return 0;
	n = m+1;
	return n->start == m->end && n->inode == m->inode && (n->prot & PROT_WRITE)
		&& strcmp(n->path, m->path) == 0;
}

/* Kernel pages and device memory are not the program's data; reading them can hang or fault. */
static int
rootmap(Target *t, Map *m)
{
	if(relro(t, m))
		return 1;
	if((m->prot & (PROT_READ|PROT_WRITE)) != (PROT_READ|PROT_WRITE))
		return 0;
	if(prefix(m->path, "[vvar") || prefix(m->path, "[vsyscall"))
		return 0;
	if(prefix(m->path, "/dev/") && !prefix(m->path, "/dev/zero") && !prefix(m->path, "/dev/shm/"))
		return 0;
	return 1;
}

static int
livetcb(Target *t, u64 x)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].live && t->thr[i].fsbase == x)
			return 1;
	return 0;
}

/*
 * glibc keeps the stacks of threads that have ended for reuse, each
 * with its struct pthread at the top: a TCB that points at itself and
 * carries the process's stack and pointer guards, but that no live
 * thread uses.  What lies below it is stale; the struct itself still
 * holds glibc's pointers (the dtv).  Its address, or 0.
 */
static u64
deadtcb(Target *t, Map *m, u64 guard[2])
{
	static u64 top[Tcbscan/8];
	u64 x, lo, *w;

	if(guard[0] == 0 && guard[1] == 0)
		return 0;
	lo = m->end - m->start > Tcbscan ? m->end - Tcbscan : m->start;
	if(hwread(t, lo, top, m->end - lo) != (long)(m->end - lo))
		return 0;
	for(x = (m->end - Tcbptrguard - 8) & ~(u64)(Tcbalign-1); x >= lo; x -= Tcbalign){
		w = top + (x - lo)/8;
		if(w[0] == x && w[Tcbself/8] == x && w[Tcbguard/8] == guard[0]
		&& w[Tcbptrguard/8] == guard[1] && !livetcb(t, x))
			return x;
	}
	return 0;
}

/* The guards every TCB of the process carries, from a live thread's. */
static void
guards(Target *t, u64 guard[2])
{
	int i;

	guard[0] = guard[1] = 0;
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].live && t->thr[i].fsbase != 0
		&& hwpeek(t, t->thr[i].fsbase + Tcbguard, &guard[0]) == 0
		&& hwpeek(t, t->thr[i].fsbase + Tcbptrguard, &guard[1]) == 0)
			return;
	guard[0] = guard[1] = 0;
}

/*
 * The live part of a stack starts at the lowest stack pointer in it,
 * less the red zone; of a dead thread's cached stack, at its TCB.
 * *kind says whether it is a stack.
 */
static u64
livestart(Target *t, Map *m, u64 guard[2], int *kind)
{
	u64 s, dead;
	int i;

	s = m->start;
	for(i = 0; i < t->nthr; i++){
		if(!t->thr[i].live)
			continue;
		if(t->thr[i].sp >= m->start && t->thr[i].sp < m->end)
			if(s == m->start || stacklow(&t->thr[i]) < s)
				s = stacklow(&t->thr[i]);
	}
	if(s != m->start)
		*kind = Kstack;
	/* glibc puts a guard page below a stack it makes */
	if(s == m->start && (m->prot & PROT_WRITE) && m->path[0] == 0 && m > t->map
	&& (m-1)->end == m->start && (m-1)->prot == 0 && (dead = deadtcb(t, m, guard)) != 0){
		*kind = Kstack;
		s = dead;
	}
	return s < m->start ? m->start : s;
}

/* [start,end) less the allocators' own ranges (h->own is sorted). */
static void
addunowned(Roots *r, Heap *h, u64 start, u64 end, int kind)
{
	int i;

	for(i = 0; i < h->nown && start < end; i++){
		if(h->own[i].end <= start)
			continue;
		if(h->own[i].start >= end)
			break;
		addrange(r, start, h->own[i].start, kind);
		start = h->own[i].end;
	}
	addrange(r, start, end, kind);
}

static void
addthread(Target *t, Heap *h, Roots *r, Thread *th)
{
	u64 dtv, len, w, i;
	Block b;
	long k;

	for(i = 0; i < (u64)th->ngpr; i++)
		addword(r, th->gpr[i]);
	/* by index: a thread whose core gave no vector registers has vec NULL, and NULL+8 is undefined */
	for(i = 0; i+8 <= (u64)th->nvec; i += 8){
		memcpy(&w, th->vec+i, 8);
		addword(r, w);
	}
	/* dynamic TLS blocks hang off the dtv */
	if(th->fsbase && hwpeek(t, th->fsbase+8, &dtv) == 0 && hwpeek(t, dtv-16, &len) == 0)
		for(i = 0; i <= len && i < 1<<16; i++)
			if(hwpeek(t, dtv + 16*i, &w) == 0)
				addword(r, w);
	/* a stack inside a heap block: a malloc'd signal stack, say */
	k = heapfind(h, th->sp);
	if(k < 0)
		k = heapfind(h, stacklow(th));
	if(k >= 0 && !(heapflags(h, k) & (Bfree|Binternal))){
		heapget(h, k, &b);
		heapsetflag(h, k, &b, Bstack);
		addrange(r, stacklow(th) < b.addr ? b.addr : stacklow(th), b.addr + b.usable, Ksigstack);
	}
}

/* What a mapping holds, before livestart looks for a stack in it. */
static int
mapkind(Target *t, Map *m)
{
	int i;

	if(relro(t, m))
		return Krelro;
	if(strcmp(m->path, "[stack]") == 0)
		return Kstack;
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].live && t->thr[i].fsbase - m->start < m->end - m->start)
			return Ktls;
	if(m->inode != 0)
		return Kdata;
	return Kunowned;
}

Roots*
hwroots(Target *t, Heap *h)
{
	Roots *r;
	Map *m;
	u64 guard[2], s;
	int i, kind;

	r = emalloc(sizeof *r);
	guards(t, guard);
	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(!rootmap(t, m))
			continue;
		/* held, copied, to be read once the target runs again; a snapshot stays */
		if(!t->snap && hwsnap(t, m->start, m->end) == NULL)
			continue;
		kind = mapkind(t, m);
		s = livestart(t, m, guard, &kind);
		addunowned(r, h, s, m->end, kind);
	}
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].live)
			addthread(t, h, r, &t->thr[i]);
	return r;
}

static char *kindname[Nkind] = {
	[Kdata] "data", [Krelro] "relro", [Kstack] "stack", [Ktls] "tls",
	[Ksigstack] "sigstack", [Kunowned] "unowned",
};

/* LEAK_STATS: how many bytes of roots of each kind were scanned, and the loose words. */
void
hwrootstats(FILE *f, char *prog, Roots *r)
{
	u64 n[Nkind];
	int i;

	memset(n, 0, sizeof n);
	for(i = 0; i < r->nr; i++)
		n[r->r[i].kind] += r->r[i].end - r->r[i].start;
	fprintf(f, "%s: roots:", prog);
	for(i = 0; i < Nkind; i++)
		fprintf(f, " %s %llu", kindname[i], (unsigned long long)n[i]);
	fprintf(f, " bytes; %ld register and dtv words\n", r->nw);
}

void
hwfreeroots(Roots *r)
{
	free(r->r);
	free(r->w);
	free(r);
}
