/*
 * heap: a target with a big heap for timing leak.
 *	heap MBYTES [BLOCKSIZE [exit]]
 * Builds a linked structure of MBYTES of blocks, leaks one in a hundred,
 * prints its pid and waits; with exit, exits instead (for valgrind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Node Node;
struct Node {
	Node	*next;
	long	pad[];
};

static Node *keep;

static void __attribute__((noinline))
build(long total, long size)
{
	Node *n;
	long i, count;

	count = total / size;
	for(i = 0; i < count; i++){
		n = malloc(size);
		memset(n, 0x5a, size);
		n->next = NULL;
		if(i % 100 == 99)
			continue;	/* leaked */
		n->next = keep;
		keep = n;
	}
}

int
main(int argc, char **argv)
{
	long mb, size;

	mb = argc > 1 ? atol(argv[1]) : 100;
	size = argc > 2 ? atol(argv[2]) : 64;
	build(mb << 20, size);
	if(argc > 3)
		return 0;
	printf("%d\n", getpid());
	fflush(stdout);
	for(;;)
		pause();
}
