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

enum {
	Waitms = 5000,
	Execretries = 3,	/* a process that keeps calling exec is given up on */
	Startretries = 200,	/* and one that stays in its dynamic linker */
	Startpause = 1000,	/* µs to let it run on */
	Opentries = 4,		/* an exec makes a process unopenable for a moment */
	Openwait = 2,		/* ms between tries */
};

static int settle(Target*);

static int
isstopsig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int
alive(int pid, int tid)
{
	char s;

	s = hwtaskstate(pid, tid);
	return s != 0 && s != 'Z' && s != 'X';
}

Thread*
hwthread(Target *t, int tid)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].tid == tid)
			return &t->thr[i];
	return NULL;
}

/* What waitpid said of a thread we asked to stop. */
/* What a wait reported of th, in the table.  The signal handlers use it too. */
void
hwrecord(Target *t, Thread *th, int r, int st)
{
	if(r < 0 || WIFEXITED(st) || WIFSIGNALED(st)){
		th->state = Tgone;
		return;
	}
	if(!WIFSTOPPED(st))
		return;
	switch(st>>16){
	case PTRACE_EVENT_STOP:
		th->state = isstopsig(WSTOPSIG(st)) ? Tgroup : Tint;
		break;
	case 0:
		th->state = Tsig;
		th->sig = WSTOPSIG(st);
		break;
	case PTRACE_EVENT_EXEC:
		t->lost = Lexec;
		th->state = Tint;
		break;
	default:
		th->state = Tint;
	}
}

/*
 * Reap one report from any thread we trace.  Any, not the one we wait
 * for: a thread that exits while traced stays until its tracer reaps
 * it, and an exec in another thread waits for that, so waiting on one
 * thread alone could wait forever.  0 when none is ready.
 */
static int
pump(Target *t)
{
	Thread *th;
	int st, r;

	guardenter();
	r = waitpid(-1, &st, __WALL|WNOHANG);
	if(r > 0 && (th = hwthread(t, r)) != NULL)
		hwrecord(t, th, r, st);
	guardleave();
	return r;
}

/* Reap th's report, if it has one: a wait for one pid is not a walk of every tracee, as -1's is. */
static int
pumpone(Target *t, Thread *th)
{
	int st, r;

	guardenter();
	r = waitpid(th->tid, &st, __WALL|WNOHANG);
	if(r > 0)
		hwrecord(t, th, r, st);
	guardleave();
	return r;
}

/*
 * Wait for th to report a stop.  Polling with a deadline rather than
 * blocking: a thread that never stops (a zombie leader) must not hang us.
 */
static int
waitstop(Target *t, Thread *th)
{
	struct timespec ts = {0, 50000};
	int ms;

	for(ms = 0; ms < Waitms*20; ms++){
		if(th->state == Trunning)
			pumpone(t, th);
		while(th->state == Trunning && pump(t) > 0)
			;
		if(th->state != Trunning)
			return 0;
		if(!alive(th->tid, th->tid)){
			th->state = Tgone;	/* reaped by exec, say */
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	werrstr("thread %d did not stop within %d ms", th->tid, Waitms);
	return -1;
}

static int
seize1(Thread *th)
{
	int r, e;

	/*
	 * Outside the critical section, and watched: an exec elsewhere
	 * holds what SEIZE waits for until the threads it ended, ours,
	 * are reaped (guardwatch).  Should a signal end us between the
	 * SEIZE and the state below, the kernel lets the thread go.
	 */
	guardwatch(1);
	r = ptrace(PTRACE_SEIZE, th->tid, 0, PTRACE_O_TRACEEXEC);
	e = errno;
	guardwatch(0);
	guardenter();
	/* unless the watch, meanwhile, reaped a stop of it (a signal's) */
	if(r == 0 && th->state == Tgone){
		th->state = Trunning;
		if(ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0)
			th->state = Tgone;
	}
	guardleave();
	return r == 0 ? 0 : e;
}

/*
 * Refused: the thread may only be on its way out (exec ends a
 * process's other threads), or already ours under the tid an exec
 * gave it; a moment later it is gone or it is not.
 */
static int
refused(Target *t, Thread *th, int pid)
{
	struct timespec ts = {0, 1000000};
	int tr;

	nanosleep(&ts, NULL);
	if(!alive(pid, th->tid))
		return 0;
	if(hwtracer(pid, th->tid) == getpid()){
		t->lost = Lexec;
		return 0;
	}
	if(seize1(th) == 0)
		return 1;
	if(!alive(pid, th->tid))
		return 0;
	/*
	 * root may trace any live process: refused, it was changing under
	 * us, or it became ours meanwhile (an exec gave it this tid)
	 */
	tr = hwtracer(pid, th->tid);
	if(geteuid() == 0 && (tr <= 0 || tr == getpid()) && pid != getpid() && !hwkthread(pid)){
		t->lost = Lexec;
		werrstr("process %d changed while it was being stopped (an exec?); try again", pid);
		return -1;
	}
	hwwhynot(pid, th->tid);
	return -1;
}

static int
seize(Target *t, int pid, int tid)
{
	Thread *th;
	int e;

	th = guardadd(t, tid);	/* not asked first whether it lives: a refusal or ESRCH tells, for a syscall less per thread */
	e = seize1(th);
	if(e == 0)
		return 1;
	if(e == ESRCH || !alive(pid, tid))
		return 0;
	if(e == EPERM)
		return refused(t, th, pid);
	werrstr("cannot attach to %d: %s", tid, strerror(e));
	return -1;
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
			if(tid <= 0 || hwthread(t, tid) != NULL)
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
			if(t->thr[first].state == Trunning && waitstop(t, &t->thr[first]) < 0)
				return -1;
	}
	return n;
}

/* A thread's general registers, as ptrace and a core's NT_PRSTATUS both give them. */
void
hwsetregs(Thread *th, struct user_regs_struct *r)
{
	th->live = 1;
	th->ngpr = sizeof *r / sizeof(u64);
	memcpy(th->gpr, r, sizeof *r);
	th->pc = r->rip;
	th->sp = r->rsp;
	th->fsbase = r->fs_base;
}

/* The registers of a stopped thread; 0 when it is not ours to read. */
static int
readregs(Thread *th)
{
	struct user_regs_struct r;
	struct iovec iov;
	static uchar xs[16384];

	iov.iov_base = &r;
	iov.iov_len = sizeof r;
	if(ptrace(PTRACE_GETREGSET, th->tid, NT_PRSTATUS, &iov) < 0)
		return 0;
	hwsetregs(th, &r);
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
	return 1;
}

/*
 * Whether the process is still the one we stopped.  A thread's exec
 * ends the others and gives the leader's pid to the new image: we see
 * an exec event, or, when the thread that called it was not yet ours,
 * a leader we no longer hold.
 */
static int
checklost(Target *t)
{
	Thread *lead;
	int i, pid;

	pid = t->pids[0];
	lead = hwthread(t, pid);
	if(!t->lost && lead != NULL && lead->state == Tgone && alive(pid, pid))
		t->lost = Lexec;
	t->tid = 0;
	if(lead != NULL && lead->state != Tgone)
		t->tid = pid;
	for(i = 0; i < t->nthr && t->tid == 0; i++)
		if(t->thr[i].state != Tgone)
			t->tid = t->thr[i].tid;
	t->nlive = 0;
	for(i = 0; i < t->nthr; i++)
		t->nlive += t->thr[i].state != Tgone;
	if(!t->lost && t->tid == 0)
		t->lost = Lexit;
	if(t->lost == Lexec)
		werrstr("process %d called exec while it was being examined; try again", pid);
	else if(t->lost == Lexit)
		werrstr("process %d exited", pid);
	return t->lost ? -1 : 0;
}

/* Stop until no thread appears that we do not hold, then read registers. */
static int
stopall(Target *t)
{
	Thread *th;
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
	/* a thread whose registers cannot be read is not ours: exec took it, say */
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		th->live = 0;
		if(th->state != Tgone && !readregs(th)){
			ptrace(PTRACE_DETACH, th->tid, 0, th->sig);
			th->state = Tgone;
		}
	}
	return checklost(t);
}

static void
readauxv(Target *t)
{
	char path[64];
	u64 av[2];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/auxv", t->tid);
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

/* /proc/PID/mem through a live thread: a leader that called pthread_exit has no mm. */
static int
openmem(Target *t)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/mem", t->tid);
	t->memfd = open(path, O_RDONLY);
	if(t->memfd < 0){
		werrstr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/exe", t->tid);
	n = readlink(path, buf, sizeof buf-1);
	buf[n > 0 ? n : 0] = 0;
	t->exe = estrdup(buf);
	return 0;
}

static void
closemem(Target *t)
{
	close(t->memfd);
	t->memfd = -1;
	free(t->exe);
	t->exe = NULL;
}

Target*
hwnewtarget(int *pids, int npid)
{
	Target *t;

	t = emalloc(sizeof *t);
	t->pids = emalloc(npid*sizeof pids[0]);
	memcpy(t->pids, pids, npid*sizeof pids[0]);
	t->npid = npid;
	t->memfd = -1;
	t->snapfd = -1;
	return t;
}

static void
freethreads(Target *t)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		free(t->thr[i].vec);
	free(t->thr);
	t->thr = NULL;
	t->nthr = 0;
}

/* A live thread of pid to look through: the leader, or another when it has exited. */
static int
livetid(int pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int tid;

	if(alive(pid, pid))
		return pid;
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	if((d = opendir(path)) == NULL)
		return 0;
	tid = 0;
	while(tid == 0 && (e = readdir(d)) != NULL)
		if(atoi(e->d_name) > 0 && alive(pid, atoi(e->d_name)))
			tid = atoi(e->d_name);
	closedir(d);
	return tid;
}

/*
 * A live thread, and /proc/PID/mem open through it.  An exec makes
 * both fail for a moment (no thread to name, memory refused), so a
 * failure is tried again before it is believed.
 */
static int
openlive(Target *t)
{
	struct timespec ts = {0, Openwait*1000000L};
	int i, r;

	r = -1;
	for(i = 0; i < Opentries && r < 0; i++){
		if(i > 0)
			nanosleep(&ts, NULL);
		t->tid = livetid(t->pids[0]);
		if(t->tid == 0){
			werrstr("no process %d", t->pids[0]);
			continue;
		}
		t->rpid = t->tid;
		r = openmem(t);
		/* the kernel asks what ptrace would: say why it would refuse */
		if(r < 0 && (errno == EACCES || errno == EPERM || errno == ESRCH))
			hwwhynot(t->pids[0], t->tid);
		/* the thread looked through can vanish in another's exec */
		if(r == 0 && (r = hwreadmaps(t)) < 0)
			closemem(t);
	}
	return r;
}

/* A look at the processes, without stopping them: maps, program, auxv. */
Target*
hwopen(int *pids, int npid)
{
	Target *t;

	t = hwnewtarget(pids, npid);
	if(openlive(t) < 0){
		hwclose(t);
		return NULL;
	}
	readauxv(t);
	hwreadflags(t);
	return t;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1e3 + ts.tv_nsec/1e6;
}

/*
 * Stop every thread, unless they are stopped already.  An exec since
 * hwopen (AT_RANDOM moves with every exec) is a lost target: what was
 * looked at before is another program's.
 */
int
hwstop(Target *t)
{
	u64 random;

	if(t->held || t->core != NULL)
		return 0;
	freethreads(t);
	t->since = now();
	t->held = 1;
	guardinstall(t);
	random = t->auxv[AT_RANDOM];
	if(stopall(t) < 0 || hwreadmaps(t) < 0)
		return -1;
	readauxv(t);
	if(t->auxv[AT_RANDOM] != random){
		t->lost = Lexec;
		werrstr("process %d called exec while it was being examined; try again", t->pids[0]);
		return -1;
	}
	t->stopped = groupstopped(t);
	return settle(t);
}

/*
 * Stop every thread of the process as it is now, whatever it has
 * exec'd since it was opened: to have the new program reap our copy.
 */
int
hwstopnow(Target *t)
{
	if(t->held || t->core != NULL)
		return 0;
	freethreads(t);
	t->since = now();
	t->held = 1;
	t->lost = 0;
	guardinstall(t);
	if(stopall(t) < 0 || hwreadmaps(t) < 0)
		return -1;
	readauxv(t);
	return 0;
}

/* Whether the process has called exec since it was opened (or lost so). */
int
hwexecd(Target *t)
{
	char path[64];
	u64 av[2];
	int fd, r;

	if(t->core != NULL)
		return 0;
	if(t->lost == Lexec || (t->lost == Lexit && alive(t->pids[0], t->pids[0])))
		return 1;
	snprintf(path, sizeof path, "/proc/%d/auxv", t->pids[0]);
	if((fd = open(path, O_RDONLY)) < 0)
		return 0;
	r = 0;
	while(read(fd, av, sizeof av) == sizeof av && av[0] != AT_NULL)
		if(av[0] == AT_RANDOM)
			r = av[1] != t->auxv[AT_RANDOM];
	close(fd);
	return r;
}

/* Let the threads go; what was read of them stays, and so does a snapshot. */
void
hwrelease(Target *t)
{
	if(t->core != NULL)
		return;
	hwdropwins(t);
	if(t->held)
		t->heldms += now() - t->since;
	t->held = 0;
	guarddetach(t);
}

void
hwclose(Target *t)
{
	int i;

	hwdropsnapshot(t);
	hwrelease(t);
	hwdropsnaps(t);	/* the copies hwroots made, which a core's hwrelease keeps */
	hwsymclose(t);
	hwcoreclose(t);
	if(t->memfd >= 0)
		close(t->memfd);
	freethreads(t);
	for(i = 0; i < t->nmap; i++)
		free(t->map[i].path);
	free(t->map);
	free(t->exe);
	free(t->pids);
	free(t);
}

/*
 * Threads running the dynamic linker's code: a process just started
 * (libc not yet loaded or relocated), or a thread in dlopen or lazy
 * binding.  Either way its state is not yet what it will be.
 */
static int
inldso(Target *t)
{
	Thread *th;
	Map *m, *ld;
	int i, n;

	ld = t->auxv[AT_BASE] ? hwmapat(t, t->auxv[AT_BASE]) : NULL;
	if(ld == NULL || ld->path[0] != '/')
		return 0;
	n = 0;
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		if(!th->live || (m = hwmapat(t, th->pc)) == NULL || strcmp(m->path, ld->path) != 0)
			continue;
		th->busy = 1;
		n++;
	}
	return n;
}

/* Let a process caught in its dynamic linker run on until it leaves. */
static int
settle(Target *t)
{
	int i;

	for(i = 0; i < Startretries && !t->stopped && inldso(t); i++)
		if(hwresume(t, Startpause) < 0)
			return -1;
	for(i = 0; i < t->nthr; i++)
		t->thr[i].busy = 0;
	return 0;
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
	int i, only, r;

	if(t->core != NULL){
		werrstr("%s is a core file: its threads cannot run on out of the allocator", corepath(t->core));
		return -1;
	}
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
		guardenter();
		r = ptrace(PTRACE_CONT, th->tid, 0, th->sig);
		if(r == 0){
			th->sig = 0;
			th->state = Trunning;
		}
		guardleave();
	}
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	nanosleep(&ts, NULL);
	for(i = 0; i < t->nthr; i++){
		th = &t->thr[i];
		th->busy = 0;
		if(th->state == Trunning && ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0)
			th->state = Tgone;
	}
	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].state == Trunning && waitstop(t, &t->thr[i]) < 0)
			return -1;
	if(stopall(t) < 0 || hwreadmaps(t) < 0)
		return -1;
	return 0;
}

