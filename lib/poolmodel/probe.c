/*
 * Which allocators a target uses: each probe in probes[] looks for
 * its own, and every one found is walked.  Allocators with no model
 * are named and refused rather than guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"
#include "../pool/pool.h"
#include "pl.h"

/* in the order tried: the first one's refusal is the one given when none finds its allocator */
static Probe probes[] = {
	{"glibc", ptprobe},
	{"pool", plprobe},
};

static struct {
	char	*pat;
	char	*name;
} foreign[] = {
	{"libjemalloc.so*", "jemalloc"},
	{"libtcmalloc*.so*", "tcmalloc"},
	{"libmimalloc*.so*", "mimalloc"},
	{"ld-musl-*.so*", "musl's mallocng"},
	{"libc.musl-*.so*", "musl's mallocng"},
	{"libhoard.so*", "Hoard"},
	{"libsnmalloc*.so*", "snmalloc"},
	{"librpmalloc*.so*", "rpmalloc"},
	{"vgpreload_memcheck*.so*", "valgrind's memcheck malloc"},
	{"vgpreload_*.so*", "valgrind's replacement malloc"},
};

static int
refuseforeign(Target *t)
{
	unsigned i;
	int j;

	/* in the table's order: the first row that any mapping matches names it */
	for(i = 0; i < nelem(foreign); i++)
		for(j = 0; j < t->nmap; j++)
			if(fnmatch(foreign[i].pat, hwbasename(t->map[j].path), 0) == 0){
				werrstr("process %d uses %s (%s); " Modelled,
					t->pids[0], foreign[i].name, t->map[j].path);
				return -1;
			}
	return 0;
}

/*
 * musl, static or not, whatever its file is called: its thread
 * descriptor keeps the thread's tid where glibc's TCB keeps a random
 * pointer guard (fs:0x30).
 */
enum { Tcbtid = 0x30 };

static int
musl(Target *t)
{
	u64 w;
	int i, n;

	n = 0;
	for(i = 0; i < t->nthr; i++){
		if(!t->thr[i].live)
			continue;
		if(t->thr[i].fsbase == 0 || hwpeek(t, t->thr[i].fsbase + Tcbtid, &w) < 0 || (u32)w != (u32)t->thr[i].tid)
			return 0;
		n++;
	}
	return n > 0;
}

/*
 * Every allocator of the target that a probe recognises, linked by
 * next; NULL, with the first probe's reason, when none does.
 */
Model*
poolfind(Target *t)
{
	char why[1024];
	Model *m, *first, **last;
	unsigned i;

	if(refuseforeign(t) < 0)
		return NULL;
	first = NULL;
	last = &first;
	why[0] = 0;
	for(i = 0; i < nelem(probes); i++){
		m = probes[i].find(t);
		if(m == NULL){
			if(why[0] == 0)
				snprintf(why, sizeof why, "%s", errstr());
			continue;
		}
		*last = m;
		last = &m->next;
	}
	if(first == NULL)
		werrstr("%s", why);
	return first;
}

/* A long-lived caller (the fuzzer) frees what poolfind found. */
void
poolclose(Model *m)
{
	Model *next;

	for(; m != NULL; m = next){
		next = m->next;
		poolundamage(m);
		if(m->close != NULL)
			m->close(m);
		free(m->name);
		free(m);
	}
}

/* Stopped, when poolfind found no allocator: whether it is an allocator we can name. */
int
poolwhy(Target *t)
{
	if(!musl(t))
		return 0;
	werrstr("process %d uses musl's malloc (%s); " Modelled,
		t->pids[0], t->exe);
	return 1;
}
