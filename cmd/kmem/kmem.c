/*
 * kmem - allocation summary (not yet implemented).
 */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "kmem: not yet implemented\n");
	return 1;
}
