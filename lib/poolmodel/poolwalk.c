/*
 * A walk that catches the allocator mid-update is thrown away: the
 * threads run for a millisecond and stop again, up to a bound.  After
 * that the last walk goes to the end and the result is marked inexact.
 */
#include <stdlib.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"

enum { Pause = 1000, Retries = 200 };

/* LEAK_RETRIES, or the default */
int
poolretries(void)
{
	char *s;

	s = getenv("LEAK_RETRIES");
	return s != NULL && *s != 0 ? atoi(s) : Retries;
}

int
poolwalk(Pool *p, Target *t, Heap *h, int retries)
{
	int i, r;

	for(i = 0; ; i++){
		p->force = i >= retries || t->stopped;
		p->tries = i+1;
		r = p->walk(p, t, h);
		if(r <= 0 || p->force)
			return r;
		heapfree(h);
		if(hwresume(t, Pause) < 0){
			p->force = 1;
			return p->walk(p, t, h) < 0 ? -1 : 1;
		}
	}
}
