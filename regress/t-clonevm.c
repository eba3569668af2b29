/*
 * a process with a child that shares its address space (clone with
 * CLONE_VM but not CLONE_THREAD, as vfork and some runtimes make):
 * two pids, one heap, so leak NAME must put both on one command line.
 * The child dies with its parent.
 */
#define _GNU_SOURCE
#include "truth.h"
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

enum { Stack = 64*1024 };

void	*keep[4];

/* shares the parent's TLS too: only system calls that cannot fail */
static int
child(void *parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if(getppid() != (pid_t)(long)parent)
		_exit(0);
	for(;;)
		pause();
}

static noinline void
setup(void)
{
	char *stack;
	int i;

	for(i = 0; i < 4; i++){
		leakalloc(40 + 24*i);
		keep[i] = heldalloc(56 + 24*i);
	}
	stack = mmap(nil, Stack, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0);
	if(stack == MAP_FAILED)
		abort();
	if(clone(child, stack+Stack, CLONE_VM|SIGCHLD, (void*)(long)getpid()) < 0)
		abort();
}

int
main(void)
{
	setup();
	truthready();
}
