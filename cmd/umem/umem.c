/*
 * umem - count a live process's heap blocks by allocation site.
 * No marking: the heap is streamed, so memory grows with the sites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"

enum { Ok, Err, Usage, Inexact };

typedef struct Count Count;
struct Count {
	Target	*t;
	Sites	*ss;
};

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

static void
visit(Heap *h, Block *b, int sign)
{
	Count *c;

	if(b->flags & (Bfree|Binternal))
		return;
	c = h->arg;
	hwsiteadd(c->t, c->ss, b, sign);
}

static void
reset(Heap *h)
{
	Count *c;

	c = h->arg;
	hwsitereset(c->ss);
}

int
main(int argc, char **argv)
{
	Count c;
	Heap heap;
	Pool *pool;
	Site *v;
	char *s;
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
	c.t = hwattach(&pid, 1);
	if(c.t == NULL)
		fatal(NULL);
	if(hwsymopen(c.t, argc == 3 ? argv[2] : NULL) < 0 || (pool = poolfind(c.t)) == NULL){
		hwdetach(c.t);
		fatal(NULL);
	}
	c.ss = hwsites();
	memset(&heap, 0, sizeof heap);
	heap.visit = visit;
	heap.reset = reset;
	heap.arg = &c;
	s = getenv("LEAK_RETRIES");
	r = poolwalk(pool, c.t, &heap, s ? atoi(s) : 200);
	hwdetach(c.t);
	if(r < 0)
		fatal(pool->name);
	if(r > 0)
		fprintf(stderr, "umem: %s: the counts may be inexact: %s\n", pool->name, errstr());
	v = hwsitelist(c.t, c.ss, 0, &n);
	if(n > 0 && !hwsitetagged(c.ss))
		fprintf(stderr, "umem: the blocks carry no malloc tags, so sites are signatures; "
			"for the lines that allocated them, run the program with "
			"LD_PRELOAD=libmalloctag.so (see malloctag(3))\n");
	for(i = 0; i < n; i++)
		printf("%6ld %11lld %s\n", v[i].count, v[i].bytes, v[i].name);
	if(fflush(stdout) != 0)
		return Err;
	return r > 0 ? Inexact : Ok;
}
