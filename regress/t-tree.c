/*
 * a leaked binary tree of 15 nodes: the root is unreferenced,
 * the other 14 only from leaked nodes, so all 15 are leaked.
 * A held tree of 7 nodes hangs from a global.
 */
#include "truth.h"
#include <stdlib.h>

typedef struct Node Node;
struct Node
{
	Node	*l;
	Node	*r;
	long	v;
};

Node	*keep;

/* children first, so a held node is checksummed when complete */
static noinline Node*
tree(int depth, void (*rec)(void*, ulong))
{
	Node *n;

	if(depth == 0)
		return nil;
	n = malloc(sizeof *n);
	n->l = tree(depth-1, rec);
	n->r = tree(depth-1, rec);
	n->v = depth;
	rec(n, sizeof *n);
	return n;
}

static noinline void
setup(void)
{
	tree(4, truthleak);
	keep = tree(3, truthheld);
}

int
main(void)
{
	setup();
	truthready();
}
