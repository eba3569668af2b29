/*
 * umem - count a live process's heap blocks by allocation site.
 * No marking: the heap is streamed, so memory grows with the sites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"

enum { Ok, Err, Usage, Inexact };

static void
usage(void)
{
	fprintf(stderr, "usage: umem pid [textfile]\n");
	exit(Usage);
}

static void
fatal(char *what)
{
	fprintf(stderr, "umem: %s%s%s\n", what ? what : "", what ? ": " : "", errstr());
	exit(Err);
}

int
main(int argc, char **argv)
{
	Target *t;
	Heap heap;
	Pool *pool;
	Sites *ss;
	Site *v;
	long i, n;
	int pid, r;

	if(argc < 2 || argc > 3 || strspn(argv[1], "0123456789") != strlen(argv[1]))
		usage();
	pid = atoi(argv[1]);
	if(pid <= 0)
		usage();
	if(argc == 3 && access(argv[2], R_OK) < 0){
		fprintf(stderr, "umem: %s: %s\n", argv[2], strerror(errno));
		exit(Err);
	}
	t = hwattach(&pid, 1);
	if(t == NULL)
		fatal(NULL);
	if(hwsymopen(t, argc == 3 ? argv[2] : NULL) < 0 || (pool = poolfind(t)) == NULL){
		hwdetach(t);
		fatal(NULL);
	}
	ss = hwsites();
	hwsitecount(&heap, t, ss);
	r = poolwalk(pool, t, &heap, poolretries());
	hwdetach(t);
	if(r < 0)
		fatal(pool->name);
	if(r > 0)
		fprintf(stderr, "umem: %s: the counts may be inexact: %s\n", pool->name, errstr());
	v = hwsitelist(t, ss, 0, &n);
	hwsitehint(ss, n, "umem");
	for(i = 0; i < n; i++)
		printf("%6ld %11lld %s\n", v[i].count, v[i].bytes, v[i].name);
	if(fflush(stdout) != 0)
		return Err;
	return r > 0 ? Inexact : Ok;
}
