/*
 * trial-tcbig: a thread whose tcache chunk is 16 bytes bigger than the
 * tcache needs (0x2a0 for 0x290), as _int_malloc hands out when the
 * best free chunk would leave less than a minimum chunk over.  A busy
 * server whose threads come and go gets such tcaches in its reused
 * arenas; here one arena (M_ARENA_MAX 1) and a lone free 0x2a0-byte
 * chunk in a small bin make it certain.  The heap is sound: leak must
 * report the leaked blocks, not a corrupted heap.
 */
#include "truth.h"
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum {
	Nfill = 8,	/* one more than a tcache bin holds: the last goes to a bin */
	Bigreq = 0x298,	/* the largest request a 0x2a0-byte chunk serves */
	Movereq = 0x500,	/* past the tcache: sorts the unsorted bin */
};

void		*guard[Nfill], *keep[2];
pthread_t	thread;
static int	go[2];

static void*
worker(void *a)
{
	char c;

	(void)a;
	/* the first malloc, which makes the tcache, waits for the chunk */
	if(read(go[0], &c, 1) != 1)
		abort();
	keep[1] = heldalloc(40);
	leakalloc(56);
	truthpark();
}

static noinline void
setup(void)
{
	void *big[Nfill], *p;
	int i;

	mallopt(M_ARENA_MAX, 1);
	/* pthread_create's own allocations come before the chunk is made */
	if(pipe(go) < 0 || pthread_create(&thread, nil, worker, nil) != 0)
		abort();
	keep[0] = heldalloc(24);
	leakalloc(100);	/* now: later, a small bin's chunk would serve it */
	for(i = 0; i < Nfill; i++){
		big[i] = malloc(Bigreq);
		truthfill(big[i], Bigreq);
		guard[i] = heldalloc(24);	/* keeps big[i] from merging */
	}
	for(i = 0; i < Nfill; i++){
		truthfree(big[i], Bigreq, i < Nfill-1 ? "tcache" : "small");
		free(big[i]);
	}
	p = malloc(Movereq);
	truthfill(p, Movereq);
	truthfree(p, Movereq, "top");
	free(p);
	if(write(go[1], "g", 1) != 1)
		abort();
}

int
main(void)
{
	setup();
	truthawait(1);
	truthready();
}
