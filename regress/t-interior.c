/*
 * interior pointers: a held block referenced only by a pointer
 * into its middle, another only by a pointer to its last byte,
 * and a leaked block beside them.
 */
#include "truth.h"

char	*mid;
char	*last;

static noinline void
setup(void)
{
	leakalloc(100);
	mid = (char*)heldalloc(100) + 40;
	leakalloc(64);
	last = (char*)heldalloc(64) + 63;
	leakalloc(64);
}

int
main(void)
{
	setup();
	truthready();
}
