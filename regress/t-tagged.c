/*
 * blocks with Plan 9 malloc tags (see lib/malloctag): leaked,
 * held and freed at known sites.  Each site has its own size and
 * its own count of leaked blocks and of live (leaked and held)
 * ones, so ordering sites by count and by bytes gives different
 * orders, with no ties but the two 1-block mmapped sites:
 *
 *	site			leak	held	free	bytes
 *	malloc, mmapped		1			1 MiB+4000
 *	calloc			2		1	12*40
 *	malloc, held only		3		300
 *	malloc, then realloc	3	1		32, then 200
 *	asprintf		4	1	1	11
 *	strdup			5	1	1	14
 *	emalloc, first line	6	1		24
 *	malloc			7	1	1	40
 *	lib-tagged.c		8	1		72
 *	aligned_alloc		9	1		128
 *	posix_memalign		10	1		88
 *	memalign, 2 MiB		1			3 MiB
 *	emalloc, second line	11	1		16
 *
 * Each block's site (and a realloc'd block's resite) is recorded
 * from the line of its allocation call.  emalloc tags its blocks
 * with its caller, as Plan 9's do.
 *
 * Also built without -lmalloctag as t-tagged-pre, to run with
 * LD_PRELOAD=libmalloctag.so.  setmalloctag is weak so that one
 * source serves both: it comes from whichever library is loaded,
 * and emalloc skips it when none is.
 */
#define _GNU_SOURCE	/* asprintf */
#include "truth.h"
#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/malloctag/malloctag.h"

#pragma weak setmalloctag

enum {
	Nkeep	= 16,
	Ndead	= 8,
	Big	= 1024*1024 + 4000,	/* over the mmap threshold */
	Huge	= 2*1024*1024,	/* huge-page alignment: memalign leaves slack above 0xffff */
};

typedef struct Dead Dead;
struct Dead
{
	void	*p;
	ulong	n;
};

void	*keep[Nkeep];
static int	nkeep;
static Dead	dead[Ndead];	/* freed last, so no leaked block reuses them */
static int	ndead;

void	libtagged(void);

static void*
must(void *p)
{
	if(p == nil){
		truthsay("t-tagged: out of memory\n");
		abort();
	}
	return p;
}

/* the i'th block of a site: the first nleak leak, then nheld are held, the rest freed */
static void
fate(void *p, ulong n, int i, int nleak, int nheld)
{
	must(p);
	if(i < nleak)
		truthleak(p, n);
	else if(i < nleak+nheld){
		if(nkeep == Nkeep)
			abort();
		keep[nkeep++] = p;
		truthheld(p, n);
	}else{
		if(ndead == Ndead)
			abort();
		dead[ndead].p = p;
		dead[ndead++].n = n;
	}
}

static void
bury(void)
{
	int i;

	for(i = 0; i < ndead; i++){
		truthfree(dead[i].p, dead[i].n, "tcache");
		free(dead[i].p);
		dead[i].p = nil;
	}
}

/* Plan 9's emalloc: the block is charged to emalloc's caller */
static noinline void*
emalloc(ulong n)
{
	void *v;

	v = must(malloc(n));
	if(setmalloctag != nil)
		setmalloctag(v, getcallerpc(&n));
	truthfill(v, n);
	return v;
}

static noinline void
plain(void)
{
	void *p;
	int i;

	for(i = 0; i < 9; i++){
		p = malloc(40); SITE(p);
		truthfill(must(p), 40);
		fate(p, 40, i, 7, 1);
	}
	for(i = 0; i < 3; i++){
		p = malloc(300); SITE(p);
		truthfill(must(p), 300);
		fate(p, 300, i, 0, 3);
	}
	p = malloc(Big); SITE(p);
	truthfill(must(p), Big);
	fate(p, Big, 0, 1, 0);
	for(i = 0; i < 3; i++){
		p = calloc(12, 40); SITE(p);
		fate(p, 12*40, i, 2, 0);
	}
}

/* the malloc line is kept until realloc has given the final address */
static noinline void
grown(void)
{
	void *p;
	int i, line;

	for(i = 0; i < 4; i++){
		p = malloc(32); line = __LINE__;
		truthfill(must(p), 32);
		truthfree(p, 32, "realloc");	/* unless it grows in place */
		p = realloc(p, 200); RESITE(p);
		truthsite(p, __FILE_NAME__, line);
		truthfill(must(p), 200);
		fate(p, 200, i, 3, 1);
	}
}

static noinline void
strings(void)
{
	char *s;
	int i, n;

	for(i = 0; i < 7; i++){
		s = strdup("tagged strdup"); SITE(s);
		fate(s, 14, i, 5, 1);
	}
	for(i = 0; i < 6; i++){
		n = asprintf(&s, "asprintf %d", i); SITE(s);
		if(n < 0)
			s = nil;
		fate(s, n+1, i, 4, 1);
	}
}

static noinline void
aligned(void)
{
	void *p;
	int i, r;

	for(i = 0; i < 10; i++){
		p = aligned_alloc(64, 128); SITE(p);
		truthfill(must(p), 128);
		fate(p, 128, i, 9, 1);
	}
	for(i = 0; i < 11; i++){
		r = posix_memalign(&p, 256, 88); SITE(p);
		if(r != 0)
			p = nil;
		truthfill(must(p), 88);
		fate(p, 88, i, 10, 1);
	}
	p = memalign(Huge, 3*Huge/2); SITE(p);
	truthfill(must(p), 3*Huge/2);
	fate(p, 3*Huge/2, 0, 1, 0);
}

static noinline void
wrapped(void)
{
	void *p;
	int i;

	for(i = 0; i < 7; i++){
		p = emalloc(24); SITE(p);
		fate(p, 24, i, 6, 1);
	}
	for(i = 0; i < 12; i++){
		p = emalloc(16); SITE(p);
		fate(p, 16, i, 11, 1);
	}
}

static noinline void
setup(void)
{
	plain();
	grown();
	strings();
	aligned();
	wrapped();
	libtagged();
	bury();
}

int
main(void)
{
	setup();
	truthready();
}
