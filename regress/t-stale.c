/*
 * stale words past a tagged block's requested size (linked with
 * -lmalloctag).  p = malloc(N) keeps the only pointer to a block L
 * at p+O; p is freed into the tcache, which leaves offset O alone;
 * q = malloc(M) gets the same chunk back, with O < M < O+8, so the
 * word at q+O still holds L but is not all inside q's M bytes.  A
 * tagged block's requested size is known, and only its whole words
 * can be pointers: L is leaked, q held.  Setup checks that the chunk
 * came back and that the stale word is there, or fails.
 */
#include "truth.h"
#include <stdlib.h>

enum { Npair = 4, Lsize = 40 };

static struct {
	ulong	n;	/* p's request, with room for the word at off */
	ulong	m;	/* q's: off < m < off+8 */
	ulong	off;
} pair[Npair] = {
	{ 24, 17, 16 },
	{ 40, 33, 32 },
	{ 56, 50, 48 },
	{ 104, 99, 96 },
};

void	*keep[Npair];

#define Key	0x5a5a5a5a5a5a5a5aUL

static void
die(char *s)
{
	truthsay("t-stale: ");
	truthsay(s);
	truthsay("\n");
	exit(1);
}

static noinline void*
xmalloc(ulong n)
{
	void *p;

	p = malloc(n);
	if(p == nil)
		die("out of memory");
	return p;
}

/* the word at v+off, as a number */
static noinline ulong
word(void *v, ulong off)
{
	return *(volatile ulong*)((char*)v + off);
}

static noinline void
onepair(int i)
{
	ulong n, m, off, lenc;
	char *p, *q;
	void *l;

	n = pair[i].n;
	m = pair[i].m;
	off = pair[i].off;
	if(!(off < m && m < off+8 && off+8 <= n))
		die("a pair's sizes do not straddle its word");
	l = xmalloc(Lsize);
	truthfill(l, Lsize);
	truthleak(l, Lsize);
	p = xmalloc(n);
	truthfill(p, n);
	*(void**)(p + off) = l;
	lenc = (ulong)l ^ Key;
	l = nil;
	truthfree(p, n, "tcache");
	free(p);
	q = xmalloc(m);
	if(q != p)
		die("malloc did not give the freed chunk back");
	if((word(q, off) ^ lenc) != Key)
		die("free or malloc changed the stale word");
	/* the bytes before the word; the byte at off is L's and stays */
	truthfill(q, off);
	keep[i] = q;
	truthheld(q, m);
}

static noinline void
setup(void)
{
	int i;

	for(i = 0; i < Npair; i++)
		onepair(i);
}

int
main(void)
{
	setup();
	truthready();
}
