/*
 * a leaked cycle of three blocks: each is pointed to, but only
 * from the cycle.  A held cycle beside it is reachable from a
 * global through one of its members.
 */
#include "truth.h"
#include <stdlib.h>

typedef struct Node Node;
struct Node
{
	Node	*next;
	long	v;
};

Node	*keep;

static noinline Node*
cycle(void)
{
	Node *a, *b, *c;

	a = malloc(sizeof *a);
	b = malloc(sizeof *b);
	c = malloc(sizeof *c);
	a->next = b;
	b->next = c;
	c->next = a;
	a->v = 1;
	b->v = 2;
	c->v = 3;
	return a;
}

static noinline void
record(Node *a, void (*rec)(void*, ulong))
{
	rec(a, sizeof *a);
	rec(a->next, sizeof *a);
	rec(a->next->next, sizeof *a);
}

static noinline void
setup(void)
{
	record(cycle(), truthleak);
	keep = cycle();
	record(keep->next, truthheld);
}

int
main(void)
{
	setup();
	truthready();
}
