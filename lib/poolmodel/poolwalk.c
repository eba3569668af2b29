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
	Execretries = 3,	/* a process that keeps calling exec is given up on */
	Errlen = 1024,
};

static char busywhy[Errlen];	/* hold's reason, kept across the snapshot */

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

/*
 * Whether any model's allocator is mid-update: Wbusy with errstr
 * saying where, else Wdone.  Every model is asked, so that the threads
 * inside each are marked, to run together.
 */
static int
busy(Model *m, Target *t)
{
	char why[Errlen];
	int r;

	r = Wdone;
	for(; m != NULL; m = m->next)
		if(m->busy(m, t) != Wdone){
			if(r == Wdone)
				snprintf(why, sizeof why, "%s", errstr());
			r = Wbusy;
		}
	if(r != Wdone)
		werrstr("%s", why);
	return r;
}

static void
force(Model *m, int on)
{
	for(; m != NULL; m = m->next)
		m->force = on;
}

/*
 * Stop t and wait, retries times at most, for a moment no thread is
 * inside any allocator; then make a snapshot if mode and target allow,
 * and let the target go.  0, 1 when it may be inexact (errstr says
 * why), -1 for an error.
 */
static int
hold(Model *p, Target *t, int retries, int mode)
{
	int i, b;

	if(hwstop(t) < 0)
		return -1;
	for(i = 0; ; i++){
		p->tries++;
		force(p, i >= retries || t->stopped);
		b = busy(p, t);
		if(b == Wdone || p->force)
			break;
		if(hwresume(t, Pause) < 0){
			if(t->lost)
				return -1;
			force(p, 1);
			break;
		}
	}
	if(mode != Sstop && !t->snap){
		snprintf(busywhy, sizeof busywhy, "%s", errstr());
		if(hwsnapshot(t) == 0)
			hwrelease(t);
		else if(mode == Sfork){
			werrstr("cannot make a snapshot of process %d (LEAK_SNAPSHOT=fork): %s",
				t->pids[0], errstr());
			return -1;
		}else if(t->nosnap == NULL)
			t->nosnap = estrdup(errstr());
		werrstr("%s", busywhy);
	}
	return b != Wdone;
}

/* Every model walks into h: the first result that is not Wdone. */
static int
walk(Model *m, Target *t, Heap *h)
{
	int r;

	for(; m != NULL; m = m->next){
		poolundamage(m);
		if((r = m->walk(m, t, h)) != Wdone)
			return r;
	}
	heapsort(h);
	return Wdone;
}

/*
 * Walk the heap as it was at the hold.  An odd one gets a second look
 * after the threads ran on a moment; if it is the same, it is damage.
 */
static int
look(Model *p, Target *t, Heap *h, int retries, int mode)
{
	char odd[Errlen], busy[Errlen];
	int r, inexact;

	odd[0] = 0;
	for(;;){
		inexact = hold(p, t, retries, mode);
		if(inexact < 0)
			return -1;
		snprintf(busy, sizeof busy, "%s", errstr());
		r = walk(p, t, h);
		if(r < 0)
			return -1;
		if(r == Wdone){
			werrstr("%s", busy);
			return inexact;
		}
		if(odd[0] != 0 && strcmp(odd, errstr()) == 0)
			return -1;
		if(p->force)
			return 1;
		snprintf(odd, sizeof odd, "%s", errstr());
		heapfree(h);
		if(t->snap)
			hwdropsnapshot(t);
		else if(hwresume(t, Pause) < 0)
			return t->lost ? -1 : 1;
	}
}

/*
 * The allocator, found while the target runs; failing that, stopped,
 * as it may have been only starting (in its dynamic linker, which
 * hwstop lets it leave), its symbols read again.  Else what stopping
 * it tells, when it is an allocator we can name.
 */
static Model*
find(Target *t, char *binary)
{
	char why[Errlen];
	Model *p;

	p = poolfind(t);
	if(p != NULL)
		return p;
	snprintf(why, sizeof why, "%s", errstr());
	if(hwstop(t) < 0)
		return NULL;
	if(hwsymopen(t, binary) == 0 && (p = poolfind(t)) != NULL)
		return p;
	if(!poolwhy(t))
		werrstr("%s", why);
	return NULL;
}

int
poolopen(int *pids, int npid, char *binary, Heap *h, int retries, int mode, Target **tp, Model **pp)
{
	Target *t;
	int try, r, changed;

	for(try = 0; ; try++){
		*pp = NULL;
		*tp = t = hwopen(pids, npid);
		if(t == NULL)
			return -1;
		h->t = t;
		r = -1;
		changed = 0;
		/* the last try stops it first: a process may call exec faster than symbols load */
		if(try+1 == Execretries && hwstop(t) < 0)
			;
		else if(hwsymopen(t, binary) < 0)
			changed = 1;	/* its maps changed while read, as an exec makes them */
		else if((*pp = find(t, binary)) != NULL)
			r = look(*pp, t, h, retries, mode);
		if(r >= 0 || try+1 >= Execretries || !(changed || hwexecd(t)))
			return r;
		/* it called exec: what was looked at is another program's */
		hwclose(t);
		heapfree(h);
	}
}

/*
 * poolopen's for a core file: no stopping, no retries, nothing runs.
 * A core taken with a thread inside the allocator is walked as it is,
 * and the result said to be inexact.
 */
int
poolopencore(char *core, char *binary, Heap *h, Target **tp, Model **pp)
{
	Target *t;

	*pp = NULL;
	*tp = t = hwopencore(core);
	if(t == NULL)
		return -1;
	h->t = t;
	if(hwsymopen(t, binary) < 0 || (*pp = poolfind(t)) == NULL)
		return -1;
	return look(*pp, t, h, 0, Sstop);
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
poolstats(FILE *f, char *prog, Model *p, Target *t, long nblock, double allms)
{
	int n;

	if(getenv("LEAK_STATS") == NULL || p == NULL || t == NULL)
		return;
	n = t->nlive;
	fprintf(f, "%s: %d thread%s held for %.1f ms, %d walk%s; ", prog, n, plural(n),
		t->heldms, p->tries, plural(p->tries));
	if(nblock >= 0)
		fprintf(f, "%ld block%s; ", nblock, plural(nblock));
	fprintf(f, "%.1f ms in all; %s\n", allms, poolname(p));
}

/* Why the target was read held, when a snapshot was wanted; nothing if it was not. */
void
poolheld(FILE *f, char *prog, Target *t)
{
	if(t != NULL && t->nosnap != NULL)
		fprintf(f, "%s: reading process %d while it is held, not a snapshot: %s\n",
			prog, t->pids[0], t->nosnap);
}

/* After a failed poolopen: the figures so far, the target let go; errstr stays the failure's. */
void
poolgiveup(FILE *f, char *prog, Model *p, Target *t, double allms)
{
	char why[1024];

	snprintf(why, sizeof why, "%s", errstr());
	poolstats(f, prog, p, t, -1, allms);
	if(t != NULL)
		hwclose(t);
	werrstr("%s", why);
}
