/*
 * slow: a held list of 200000 nodes, too deep for a recursive
 * mark, and slow enough to scan that the driver can signal the
 * target while leak holds it.  Each SIGUSR2 prints usr2; the
 * driver counts them to see each was delivered exactly once.
 */
#include "truth.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum { Nlist = 200000, Nleak = 100 };

typedef struct Node Node;
struct Node
{
	Node	*next;
	ulong	v;
};

Node	*head;

static void
onusr2(int sig)
{
	(void)sig;
	truthsay("usr2\n");
}

/* nodes are recorded as live: too many for truth's held table */
static noinline void
build(void)
{
	Node *n;
	ulong i;

	for(i = 0; i < Nlist; i++){
		n = malloc(sizeof *n);
		if(n == nil)
			abort();
		n->next = head;
		n->v = i;
		head = n;
		truthlive(n, sizeof *n);
		if(i % (Nlist/Nleak) == 0)
			leakalloc(sizeof *n);
	}
}

static int
check(void)
{
	Node *n;
	ulong i;

	i = Nlist;
	for(n = head; n != nil; n = n->next)
		if(n->v != --i){
			truthsay("slow: list changed\n");
			return 0;
		}
	return i == 0;
}

int
main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onusr2;
	sigaction(SIGUSR2, &sa, nil);
	build();
	truthcheck(check);
	truthready();
}
