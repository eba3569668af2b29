/*
 * umem - allocation summary (not yet implemented).
 */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "umem: not yet implemented\n");
	return 1;
}
