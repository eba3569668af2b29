/*
 * A walk that catches the allocator mid-update is thrown away: the
 * threads run for a millisecond and stop again, up to a bound.  After
 * that the last walk goes to the end and the result is marked inexact.
 * A state that is wrong while no thread is inside the allocator, and
 * still wrong after they ran on, is no update in progress: damage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"

enum {
	Pause = 1000,		/* µs the threads run between walks */
	Retries = 200,
	Maxretries = 100000,	/* 100 s of pauses: more is a typo */
	Errlen = 1024,
};

/* LEAK_RETRIES, or the default; -1 when it is not a count. */
int
poolretries(void)
{
	char *s, *e;
	long n;

	s = getenv("LEAK_RETRIES");
	if(s == NULL || *s == 0)
		return Retries;
	n = strtol(s, &e, 10);
	if(*e != 0 || n < 0 || n > Maxretries || !(*s >= '0' && *s <= '9')){
		werrstr("LEAK_RETRIES=%s: want a whole number from 0 to %d", s, Maxretries);
		return -1;
	}
	return n;
}

int
poolwalk(Pool *p, Target *t, Heap *h, int retries)
{
	char odd[Errlen];
	int i, r;

	odd[0] = 0;
	for(i = 0; ; i++){
		p->force = i >= retries || t->stopped;
		p->tries = i+1;
		r = p->walk(p, t, h);
		if(r == Wodd && odd[0] != 0 && strcmp(odd, errstr()) == 0)
			return -1;
		snprintf(odd, sizeof odd, "%s", r == Wodd ? errstr() : "");
		if(r <= 0 || p->force)
			return r < 0 ? -1 : r > 0;
		heapfree(h);
		if(hwresume(t, Pause) < 0){
			if(t->lost)
				return -1;
			p->force = 1;
			return p->walk(p, t, h) < 0 ? -1 : 1;
		}
	}
}

static char*
plural(long n)
{
	return n == 1 ? "" : "s";
}

/*
 * LEAK_STATS: how long the target was held, for people who must know.
 * nblock, the allocated blocks found, is -1 when there was no report.
 */
void
poolstats(FILE *f, char *prog, Pool *p, Target *t, long nblock, double heldms, double allms)
{
	int n;

	if(getenv("LEAK_STATS") == NULL || p == NULL)
		return;
	n = t->nlive;
	fprintf(f, "%s: %d thread%s held for %.1f ms, %d walk%s; ", prog, n, plural(n),
		heldms, p->tries, plural(p->tries));
	if(nblock >= 0)
		fprintf(f, "%ld block%s; ", nblock, plural(nblock));
	fprintf(f, "%.1f ms in all; %s\n", allms, p->name);
}
