/* /proc/PID/maps, parsed once per stop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include <errno.h>
#include <sys/mman.h>
#include "heapwalk.h"
#include "fns.h"

static void
freemaps(Target *t)
{
	int i;

	for(i = 0; i < t->nmap; i++)
		free(t->map[i].path);
	free(t->map);
	t->map = NULL;
	t->nmap = 0;
}

static int
parseline(char *line, Map *m)
{
	char perm[8];
	unsigned long long s, e, off, ino;
	int n;

	n = 0;
	if(sscanf(line, "%llx-%llx %7s %llx %*x:%*x %llu %n", &s, &e, perm, &off, &ino, &n) < 5)
		return -1;
	m->start = s;
	m->end = e;
	m->off = off;
	m->inode = ino;
	m->prot = (perm[0]=='r' ? PROT_READ : 0) | (perm[1]=='w' ? PROT_WRITE : 0) | (perm[2]=='x' ? PROT_EXEC : 0);
	m->shared = perm[3] == 's';
	line[strcspn(line, "\n")] = 0;
	m->path = estrdup(n > 0 ? line+n : "");
	return 0;
}

/*
 * After fork, a child's brk growth gets a [heap] line of its own
 * beside the inherited one (its pages have another anon_vma), but
 * it is one heap, the main arena's one segment: one Map.
 */
static int
joinheap(Target *t, Map *m)
{
	Map *p;

	if(t->nmap == 0 || strcmp(m->path, "[heap]") != 0)
		return 0;
	p = &t->map[t->nmap-1];
	if(strcmp(p->path, "[heap]") != 0 || p->end != m->start || p->prot != m->prot)
		return 0;
	p->end = m->end;
	free(m->path);
	return 1;
}

int
hwreadmaps(Target *t)
{
	char path[64], line[8192];
	FILE *f;
	int a;

	freemaps(t);
	snprintf(path, sizeof path, "/proc/%d/maps", t->tid);
	f = fopen(path, "r");
	if(f == NULL){
		werrstr("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	a = 0;
	while(fgets(line, sizeof line, f) != NULL){
		if(t->nmap == a){
			a = a ? 2*a : 256;
			t->map = erealloc(t->map, a*sizeof t->map[0]);
		}
		if(parseline(line, &t->map[t->nmap]) == 0 && !joinheap(t, &t->map[t->nmap]))
			t->nmap++;
	}
	fclose(f);
	return 0;
}

Map*
hwmapat(Target *t, u64 addr)
{
	int lo, hi, m;

	lo = 0;
	hi = t->nmap;
	while(lo < hi){
		m = (lo+hi)/2;
		if(addr < t->map[m].start)
			hi = m;
		else if(addr >= t->map[m].end)
			lo = m+1;
		else
			return &t->map[m];
	}
	return NULL;
}

/* Whether addr is mapped with all of prot (PROT_READ, PROT_WRITE, PROT_EXEC). */
int
hwmapped(Target *t, u64 addr, int prot)
{
	Map *m;

	m = hwmapat(t, addr);
	return m != NULL && (m->prot & prot) == prot;
}

/* A file's name without its directories. */
char*
hwbasename(char *path)
{
	char *s;

	s = strrchr(path, '/');
	return s ? s+1 : path;
}

/* The first mapping of a file whose name (fnmatch's pattern) is pat, or NULL. */
Map*
hwmapnamed(Target *t, char *pat)
{
	int i;

	for(i = 0; i < t->nmap; i++)
		if(fnmatch(pat, hwbasename(t->map[i].path), 0) == 0)
			return &t->map[i];
	return NULL;
}

/*
 * Whether some memory is not copied by fork as it is (smaps' VmFlags
 * dc: MADV_DONTFORK, wf: MADV_WIPEONFORK): a snapshot would miss it.
 */
void
hwreadflags(Target *t)
{
	char path[64], line[1024];
	FILE *f;

	t->nodup = 0;
	snprintf(path, sizeof path, "/proc/%d/smaps", t->tid);
	if((f = fopen(path, "r")) == NULL)
		return;
	while(fgets(line, sizeof line, f) != NULL)
		if(strncmp(line, "VmFlags:", 8) == 0 && (strstr(line, " dc") != NULL || strstr(line, " wf") != NULL))
			t->nodup = 1;
	fclose(f);
}
