/*
 * glibc's ptmalloc in a target: which object holds it, which version
 * it is, where its state lies, and whether the program calls it at
 * all (its own malloc, or a layer over it, may take its name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"
#include "pt.h"

static char*
libcpath(Target *t)
{
	int i;

	for(i = 0; i < t->nmap; i++)
		if(fnmatch("libc.so.6", hwbasename(t->map[i].path), 0) == 0
		|| fnmatch("libc-2.*.so", hwbasename(t->map[i].path), 0) == 0)
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

/*
 * Layers that take malloc's name but hand every call to glibc's, or,
 * libc_malloc_debug with glibc.malloc.check, to glibc's own code
 * built into it (debugcopy).
 */
static int
layer(char *path)
{
	return fnmatch("libmalloctag*.so*", hwbasename(path), 0) == 0
		|| fnmatch("libc_malloc_debug.so*", hwbasename(path), 0) == 0;
}

static char*
mapped(Target *t, char *pat)
{
	Map *m;

	m = hwmapnamed(t, pat);
	return m != NULL ? m->path : NULL;
}

/*
 * With glibc.malloc.check (MALLOC_CHECK_) and libc_malloc_debug.so
 * preloaded, every block comes from that library's own copy of
 * malloc.c, with a main_arena, mp_ and heap of its own, and libc's
 * stays unused.  Without the check it hands calls to libc's.
 */
static Glibc*
debugcopy(Target *t, Glibc *g)
{
	Glibc *d;
	char *path;

	path = mapped(t, "libc_malloc_debug.so*");
	if(path == NULL)
		return NULL;
	d = emalloc(sizeof *d);
	*d = *g;
	d->obj = path;
	d->objpat = hwbasename(path);
	findtlsmod(t, d);
	/* in use: its heap has begun, or it has mmapped a block */
	if(ptfindstate(t, d) < 0 || (ptunused(t, d, d->arena) && (d->mp == 0 || ptword32(t, d->mp + d->onmmaps) == 0))){
		free(d);
		return NULL;
	}
	d->check = 1;
	return d;
}

/*
 * Whose malloc the program calls: the first object in the dynamic
 * linker's search order that defines it, the executable first, then
 * what was preloaded.  A static program's own malloc hides glibc's.
 */
static int
refuseown(Target *t, Glibc *g)
{
	Obj *o;
	u64 a, b, sz;
	int i, n, tls, r;

	if(strcmp(g->obj, t->exe) == 0){
		if(hwsymlookup(t, NULL, "malloc", &a, &sz, &tls) == 0
		&& hwsymlookup(t, NULL, "__libc_malloc", &b, &sz, &tls) == 0 && a != b){
			werrstr("process %d uses its own malloc (%s defines it); " Modelled,
				t->pids[0], t->exe);
			return -1;
		}
		return 0;
	}
	r = 0;
	n = hwobjs(t, &o);
	for(i = 0; i < n; i++){
		if(r == 0 && hwdefines(t, o[i].path, "malloc") && !layer(o[i].path)){
			if(strcmp(o[i].path, g->obj) != 0){
				werrstr("process %d uses a malloc defined in %s, not glibc's; "
					Modelled, t->pids[0], o[i].path);
				r = -1;
			}else
				r = 1;
		}
		free(o[i].path);
	}
	free(o);
	return r < 0 ? -1 : 0;
}

static void
ptclose(Model *m)
{
	free(m->aux);
}

Model*
ptprobe(Target *t)
{
	Glibc *g, *d;
	Model *p;
	char name[512];

	g = emalloc(sizeof *g);
	g->obj = libcpath(t);
	g->objpat = hwbasename(g->obj);
	if(refuseown(t, g) < 0){
		free(g);
		return NULL;
	}
	if(ptversion(t, g) < 0 && ptguessversion(t, g) < 0){
		snprintf(name, sizeof name, "%s", errstr());
		werrstr("process %d: %s; " Modelled " "
			"(a static program with another libc or allocator?)", t->pids[0], name);
		free(g);
		return NULL;
	}
	findtlsmod(t, g);
	if(ptlayout(g) < 0){
		free(g);
		return NULL;
	}
	if((d = debugcopy(t, g)) != NULL){
		free(g);
		g = d;
	}else if(ptfindstate(t, g) < 0){
		free(g);
		return NULL;
	}
	/* only libmalloctag writes tags: without it, no block's end is read for them */
	g->tagger = mapped(t, "libmalloctag*.so*") != NULL;
	snprintf(name, sizeof name, "glibc 2.%d (%s%s)", g->minor, g->exact ? "debug info" : "heuristics",
		g->check ? ", malloc check" : "");
	p = emalloc(sizeof *p);
	p->name = estrdup(name);
	p->busy = ptbusy;
	p->walk = ptwalk;
	p->aux = g;
	p->close = ptclose;
	return p;
}

