/*
 * Stopping every thread of a process and letting it go exactly as it was.
 * PTRACE_SEIZE does not disturb the target's own job control:
 * a group stop stays a group stop, and a signal caught on the way
 * is handed back on resume or detach, so none is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <elf.h>
#include "heapwalk.h"
#include "fns.h"

enum { Waitms = 5000 };

static int
isstopsig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static char
taskstate(int pid, int tid)
{
	char path[64], buf[512], *p;
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY);
	if(fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf-1);
	close(fd);
	if(n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if(p == NULL || p[1] == 0)
		return 0;
	return p[2];
}

static Thread*
findthread(Target *t, int tid)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].tid == tid)
			return &t->thr[i];
	return NULL;
}

static void
permerror(int tid)
{
	werrstr("cannot attach to %d: permission denied; "
		"run leak as the process's owner or as root, "
		"and if /proc/sys/kernel/yama/ptrace_scope is above 0 "
		"run as root or set it to 0 (sysctl kernel.yama.ptrace_scope=0)", tid);
}

/*
 * Wait for tid to report a stop.  Polling with a deadline rather than
 * blocking: a thread that never stops (a zombie leader) must not hang us.
 */
static int
waitstop(Thread *th)
{
	struct timespec ts = {0, 50000};
	int st, r, ms;

	for(ms = 0; ms < Waitms*20; ms++){
		r = waitpid(th->tid, &st, __WALL|WNOHANG);
		if(r < 0){
			th->state = Tgone;
			return 0;
		}
		if(r == 0){
			nanosleep(&ts, NULL);
			continue;
		}
		if(WIFEXITED(st) || WIFSIGNALED(st)){
			th->state = Tgone;
			return 0;
		}
		if(!WIFSTOPPED(st))
			continue;
		if(st>>16 == PTRACE_EVENT_STOP)
			th->state = isstopsig(WSTOPSIG(st)) ? Tgroup : Tint;
		else if(st>>16 == 0){
			th->state = Tsig;
			th->sig = WSTOPSIG(st);
		}else
			th->state = Tint;
		return 0;
	}
	werrstr("thread %d did not stop within %d ms", th->tid, Waitms);
	return -1;
}

static int
seize(Target *t, int pid, int tid)
{
	Thread *th;
	char s;

	s = taskstate(pid, tid);
	if(s == 0 || s == 'Z' || s == 'X')
		return 0;
	th = guardadd(t, tid);
	if(ptrace(PTRACE_SEIZE, tid, 0, 0) < 0){
		th->state = Tgone;
		if(errno == ESRCH)
			return 0;
		if(errno == EPERM){
			permerror(tid);
			return -1;
		}
		werrstr("cannot attach to %d: %s", tid, strerror(errno));
		return -1;
	}
	th->state = -1;
	if(ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		th->state = Tgone;
	return 1;
}

/* Seize every thread not yet held; return how many were new. */
static int
seizeall(Target *t)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int i, n, r, tid, first;

	n = 0;
	for(i = 0; i < t->npid; i++){
		snprintf(path, sizeof path, "/proc/%d/task", t->pids[i]);
		d = opendir(path);
		if(d == NULL){
			werrstr("no process %d (%s)", t->pids[i], strerror(errno));
			return -1;
		}
		first = t->nthr;
		while((e = readdir(d)) != NULL){
			tid = atoi(e->d_name);
			if(tid <= 0 || findthread(t, tid) != NULL)
				continue;
			r = seize(t, t->pids[i], tid);
			if(r < 0){
				closedir(d);
				return -1;
			}
			n += r;
		}
		closedir(d);
		for(; first < t->nthr; first++)
			if(t->thr[first].state == -1 && waitstop(&t->thr[first]) < 0)
				return -1;
	}
	return n;
}

static void
readregs(Thread *th)
{
	struct user_regs_struct r;
	struct iovec iov;
	static uchar xs[16384];

	iov.iov_base = &r;
	iov.iov_len = sizeof r;
	if(ptrace(PTRACE_GETREGSET, th->tid, NT_PRSTATUS, &iov) < 0)
		return;
	th->ngpr = sizeof r / sizeof(u64);
	memcpy(th->gpr, &r, sizeof r);
	th->pc = r.rip;
	th->sp = r.rsp;
	th->fsbase = r.fs_base;
	iov.iov_base = xs;
	iov.iov_len = sizeof xs;
	if(ptrace(PTRACE_GETREGSET, th->tid, NT_X86_XSTATE, &iov) < 0){
		iov.iov_len = sizeof xs;
		if(ptrace(PTRACE_GETREGSET, th->tid, NT_PRFPREG, &iov) < 0)
			iov.iov_len = 0;
	}
	free(th->vec);
	th->vec = emalloc(iov.iov_len);
	th->nvec = iov.iov_len;
	memcpy(th->vec, xs, iov.iov_len);
}

/* Stop until no thread appears that we do not hold, then read registers. */
static int
stopall(Target *t)
{
	int i, n, rounds;

	for(rounds = 0; ; rounds++){
		n = seizeall(t);
		if(n < 0)
			return -1;
		if(n == 0)
			break;
		if(rounds > 10000){
			werrstr("threads keep appearing; cannot stop them all");
			return -1;
		}
	}
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state != Tgone)
			readregs(&t->thr[i]);
	return 0;
}

static void
readauxv(Target *t)
{
	char path[64];
	u64 av[2];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/auxv", t->pids[0]);
	fd = open(path, O_RDONLY);
	if(fd < 0)
		return;
	while(read(fd, av, sizeof av) == sizeof av && av[0] != AT_NULL)
		if(av[0] < nelem(t->auxv))
			t->auxv[av[0]] = av[1];
	close(fd);
}

static int
groupstopped(Target *t)
{
	int i, live;

	live = 0;
	for(i = 0; i < t->nthr; i++){
		if(t->thr[i].state == Tgone)
			continue;
		live++;
		if(t->thr[i].state != Tgroup)
			return 0;
	}
	return live > 0;
}

static int
openmem(Target *t)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/mem", t->pids[0]);
	t->memfd = open(path, O_RDONLY);
	if(t->memfd < 0){
		werrstr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/exe", t->pids[0]);
	n = readlink(path, buf, sizeof buf-1);
	buf[n > 0 ? n : 0] = 0;
	t->exe = estrdup(buf);
	return 0;
}

Target*
hwattach(int *pids, int npid)
{
	Target *t;

	t = emalloc(sizeof *t);
	t->pids = emalloc(npid*sizeof pids[0]);
	memcpy(t->pids, pids, npid*sizeof pids[0]);
	t->npid = npid;
	t->memfd = -1;
	guardinstall(t);
	if(stopall(t) < 0 || openmem(t) < 0 || hwreadmaps(t) < 0){
		hwdetach(t);
		return NULL;
	}
	if(t->nthr == 0 || t->thr[0].state == Tgone){
		werrstr("process %d exited", pids[0]);
		hwdetach(t);
		return NULL;
	}
	t->stopped = groupstopped(t);
	readauxv(t);
	return t;
}

static int
anybusy(Target *t)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].busy && t->thr[i].state != Tgone)
			return 1;
	return 0;
}

/*
 * Let threads run for usec and stop them again: used when one was
 * caught inside the allocator.  Only the threads marked busy run if
 * any are, so they leave malloc while the rest stay put; otherwise all.
 * A stopped process is not ours to run.
 */
int
hwresume(Target *t, int usec)
{
	struct timespec ts;
	Thread *th;
	int i, only;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == Tgroup){
			werrstr("process is stopped (SIGSTOP); not resuming it");
			return -1;
		}
	hwdropsnaps(t);
	only = anybusy(t);
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(th->state == Tgone || (only && !th->busy))
			continue;
		if(ptrace(PTRACE_CONT, th->tid, 0, th->sig) < 0)
			continue;
		th->sig = 0;
		th->state = -1;
	}
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	nanosleep(&ts, NULL);
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		th->busy = 0;
		if(th->state == -1 && ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0)
			th->state = Tgone;
	}
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == -1 && waitstop(&t->thr[i]) < 0)
			return -1;
	if(stopall(t) < 0 || hwreadmaps(t) < 0)
		return -1;
	return 0;
}

void
hwdetach(Target *t)
{
	hwdropwins(t);	/* the snapshots stay */
	guarddetach(t);
	if(t->memfd >= 0)
		close(t->memfd);
	t->memfd = -1;
}
