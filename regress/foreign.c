/*
 * a program for an allocator leak does not model (built with musl,
 * or run under valgrind): it leaks and holds a few blocks, says
 * ready on standard output and waits.  leak must refuse it, naming
 * the allocator, rather than guess.  No truth.c: it is glibc's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 8 };

void	*volatile keep[N];

static void
setup(void)
{
	void *volatile p;
	int i;

	for(i = 0; i < N; i++){
		p = malloc(24 + 40*i);
		if(p == NULL)
			exit(1);
		memset(p, 0xa5, 24 + 40*i);
		if(i%2 == 0)
			keep[i] = p;
	}
	p = NULL;
}

int
main(void)
{
	setup();
	if(write(1, "ready\n", 6) != 6)
		return 1;
	for(;;)
		pause();
}
