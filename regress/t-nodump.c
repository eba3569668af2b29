/*
 * a target that made itself non-dumpable, as ssh-agent and gpg-agent
 * do: then even its owner may not trace it, only root.
 */
#include "truth.h"
#include <stdlib.h>
#include <sys/prctl.h>

enum { N = 4 };

void	*keep[N];

static noinline void
setup(void)
{
	int i;

	for(i = 0; i < N; i++){
		leakalloc(32 + 16*i);
		keep[i] = heldalloc(48 + 16*i);
	}
}

int
main(void)
{
	setup();
	if(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		abort();
	truthready();
}
