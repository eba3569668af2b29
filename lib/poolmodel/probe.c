/*
 * Which allocator a target uses.  Only glibc's ptmalloc is modelled;
 * anything else is named and refused rather than guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include <libgen.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

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
};

static char*
base(char *path)
{
	char *s;

	s = strrchr(path, '/');
	return s ? s+1 : path;
}

static int
refuseforeign(Target *t)
{
	unsigned i;
	int j;

	for(j = 0; j < t->nmap; j++)
		for(i = 0; i < nelem(foreign); i++)
			if(fnmatch(foreign[i].pat, base(t->map[j].path), 0) == 0){
				werrstr("process %d uses %s (%s); leak models glibc's malloc only",
					t->pids[0], foreign[i].name, t->map[j].path);
				return -1;
			}
	return 0;
}

static char*
libcpath(Target *t)
{
	int i;

	for(i = 0; i < t->nmap; i++)
		if(fnmatch("libc.so.6", base(t->map[i].path), 0) == 0
		|| fnmatch("libc-2.*.so", base(t->map[i].path), 0) == 0)
			return t->map[i].path;
	return t->exe;	/* statically linked */
}

static void
findtlsmod(Target *t, Glibc *g)
{
	Obj *o;
	int i, n;

	n = hwobjs(t, &o);
	for(i = 0; i < n; i++){
		if(strcmp(o[i].path, g->obj) == 0)
			g->tlsmod = o[i].tlsmod;
		free(o[i].path);
	}
	free(o);
}

Pool*
poolfind(Target *t)
{
	Glibc *g;
	Pool *p;
	char name[512];

	if(refuseforeign(t) < 0)
		return NULL;
	g = emalloc(sizeof *g);
	g->obj = libcpath(t);
	g->objpat = base(g->obj);
	if(ptversion(t, g) < 0 && ptguessversion(t, g) < 0){
		snprintf(name, sizeof name, "%s", errstr());
		werrstr("process %d: %s; leak models glibc's malloc only "
			"(a static program with another libc or allocator?)", t->pids[0], name);
		free(g);
		return NULL;
	}
	findtlsmod(t, g);
	if(ptlayout(g) < 0 || ptfindstate(t, g) < 0){
		free(g);
		return NULL;
	}
	snprintf(name, sizeof name, "glibc 2.%d (%s)", g->minor, g->exact ? "debug info" : "heuristics");
	p = emalloc(sizeof *p);
	p->name = estrdup(name);
	p->walk = ptwalk;
	p->aux = g;
	return p;
}
