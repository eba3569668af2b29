/*
 * seccomp: t-small's blocks, in a process with a seccomp filter
 * (one that allows every call).  leak must not make a call in it, so
 * it reads it held, not a snapshot, and says so (regress/snapshot).
 */
#include "truth.h"
#include <stdlib.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

enum { N = 8 };

void	*keep[N];

static void
filter(void)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, allow };

	if(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		abort();
}

static noinline void
setup(void)
{
	ulong n;
	int i;

	for(i = 0; i < N; i++){
		n = 16 + 26*i;
		leakalloc(n);
		keep[i] = heldalloc(n+3);
	}
}

int
main(void)
{
	filter();
	setup();
	truthready();
}
