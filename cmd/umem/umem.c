/*
 * umem - count a live process's heap blocks, or a core file's, by allocation site.
 * No marking: the heap is streamed, so memory grows with the sites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"

enum { Ok, Err, Usage, Inexact };

static void
usage(void)
{
	fprintf(stderr, "usage: umem pid|core [textfile]\n");
	exit(Usage);
}

static void
fatal(char *what)
{
	fprintf(stderr, "umem: %s%s%s\n", what ? what : "", what ? ": " : "", errstr());
	exit(Err);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1e3 + ts.tv_nsec/1e6;
}

static long
nblocks(Site *v, long n)
{
	long i, k;

	k = 0;
	for(i = 0; i < n; i++)
		k += v[i].count;
	return k;
}

int
main(int argc, char **argv)
{
	Target *t;
	Heap heap;
	Model *pool;
	Sites *ss;
	Site *v;
	double t0;
	long i, n;
	int pid, r, retries, mode, damaged, iscore;

	if(argc < 2 || argc > 3)
		usage();
	iscore = hwiscore(argv[1]);
	if(!iscore && hwparsepid(argv[1], &pid) < 0){
		fprintf(stderr, "umem: %s\n", errstr());
		usage();
	}
	if((retries = poolretries()) < 0 || (mode = hwsnapmode()) < 0){
		fprintf(stderr, "umem: %s\n", errstr());
		exit(Usage);
	}
	if(argc == 3 && hwsymcheck(argv[2]) < 0)
		fatal("textfile");
	if(fcntl(1, F_GETFD) < 0){
		fprintf(stderr, "umem: standard output: write error: %s\n", strerror(EBADF));
		exit(Err);
	}
	t0 = now();
	ss = hwsites();
	hwsitecount(&heap, ss);
	if(iscore)
		r = poolopencore(argv[1], argc == 3 ? argv[2] : NULL, &heap, &t, &pool);
	else
		r = poolopen(&pid, 1, argc == 3 ? argv[2] : NULL, &heap, retries, mode, &t, &pool);
	poolheld(stderr, "umem", t);
	if(r < 0){
		poolgiveup(stderr, "umem", pool, t, now()-t0);
		fatal(pool != NULL ? poolname(pool) : NULL);
	}
	hwrelease(t);
	if(r > 0)
		fprintf(stderr, "umem: %s: the counts may be inexact: %s\n", poolname(pool), errstr());
	damaged = pooldamage(stderr, "umem", pool);
	v = hwsitelist(t, ss, 0, &n);
	hwsitehint(stderr, "umem", ss, n);
	for(i = 0; i < n; i++)
		printf("%6ld %11lld %s\n", v[i].count, v[i].bytes, v[i].name);
	if(hwflush(stdout) < 0){
		poolgiveup(stderr, "umem", pool, t, now()-t0);
		fatal("standard output");
	}
	poolstats(stderr, "umem", pool, t, nblocks(v, n), now()-t0);
	hwclose(t);
	if(damaged)
		return Err;
	return r > 0 ? Inexact : Ok;
}
