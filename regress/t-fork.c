/*
 * a forked child whose heap grows: the parent sets up a heap,
 * forks, and waits for the child.  The child moves the break
 * megabytes past where it was at the fork, leaking and holding
 * small blocks, so its /proc/PID/maps shows two [heap] lines,
 * one after the other (the kernel does not merge the inherited
 * part with the part the child grew).  The truth file is the
 * child's: the parent writes only before the fork.
 *
 * The child prints "child PID" before ready; SIGUSR1 to the
 * child checks it; the parent exits with the child's status.
 * The child dies with the parent, so killing the parent ends both.
 */
#define _GNU_SOURCE
#include "truth.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

enum {
	Npre	= 8,	/* blocks of each fate the parent makes */
	Ngrow	= 3000,	/* rounds of the child's growth */
	Grown	= 1<<20,	/* the least the break must move: well past a page or two */
};

void	*pre[Npre];
void	*keep[Ngrow];

static noinline void
parentsetup(void)
{
	int i;

	for(i = 0; i < Npre; i++){
		leakalloc(24 + 40*i);
		pre[i] = heldalloc(32 + 40*i);
	}
}

/* about 4 MB in blocks of 200..1200 bytes, half of them lost */
static noinline void
grow(void)
{
	void *f[Npre];
	ulong n;
	int i;

	for(i = 0; i < Ngrow; i++){
		n = 200 + (i % 64) * 16;
		keep[i] = heldalloc(n);
		leakalloc(n + 8);
	}
	for(i = 0; i < Npre; i++){
		n = 16 + 26*i + 5;
		f[i] = malloc(n);
		truthfill(f[i], n);
	}
	for(i = 0; i < Npre; i++){
		truthfree(f[i], 16 + 26*i + 5, "tcache");
		free(f[i]);
	}
}

static void
saypid(void)
{
	char buf[32], d[16];
	int i, n, pid;

	memcpy(buf, "child ", 6);
	n = 0;
	pid = getpid();
	do
		d[n++] = '0' + pid%10;
	while((pid /= 10) != 0);
	i = 6;
	while(n > 0)
		buf[i++] = d[--n];
	buf[i++] = '\n';
	buf[i] = 0;
	truthsay(buf);
}

static noinline void
child(pid_t parent, ulong forkbrk)
{
	/* never outlive the parent, which is what the test can kill */
	if(prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	grow();
	if((ulong)sbrk(0) - forkbrk < Grown){
		truthsay("fork: the child's break did not move\n");
		_exit(1);
	}
	saypid();
	truthready();
}

int
main(void)
{
	pid_t parent, pid;
	ulong forkbrk;
	int st;

	parentsetup();
	parent = getpid();
	forkbrk = (ulong)sbrk(0);
	pid = fork();
	if(pid < 0){
		truthsay("fork: fork failed\n");
		return 1;
	}
	if(pid == 0)
		child(parent, forkbrk);
	while(waitpid(pid, &st, 0) < 0)
		if(errno != EINTR)
			return 1;
	if(WIFEXITED(st))
		return WEXITSTATUS(st);
	return 1;
}
