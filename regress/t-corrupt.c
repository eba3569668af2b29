/*
 * a damaged heap: the size field of one chunk in the middle of the
 * main heap is overwritten, as a buffer overrun would, with a size
 * that leads the walk to the zeros in the middle of top.  leak, umem
 * and leak -b must say where the heap is corrupted, exit 1, and let
 * the process go; none may crash.  The address damaged is printed
 * on standard output as `corrupt ADDR' (the chunk's header).
 */
#include "truth.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 16 };

void	*keep[N];

static void
say(unsigned long a)
{
	char buf[64], *p;
	int i;

	p = buf + sizeof buf;
	*--p = 0;
	*--p = '\n';
	for(i = 0; i < 16; i++, a >>= 4)
		*--p = "0123456789abcdef"[a & 15];
	memcpy(p - 10, "corrupt 0x", 10);
	truthsay(p - 10);
}

static noinline void
setup(void)
{
	unsigned long *hdr;
	int i;

	for(i = 0; i < N; i++)
		keep[i] = heldalloc(40);
	hdr = (unsigned long*)keep[N/2] - 1;
	*hdr = 0x7771;	/* a size that lands in the middle of the heap */
	say((unsigned long)keep[N/2] - 16);
}

int
main(void)
{
	setup();
	truthready();
}
