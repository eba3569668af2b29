/*
 * sigdrive: signals leak while it holds a target, over and over, and
 * checks that the target comes out running, untraced, and with every
 * signal sent to it delivered exactly once.
 *
 *	sigdrive [-c] [-r runs] [-s seed] [-o log] kill|detach|stop leak SIG,... target [arg...]
 *
 * The target is t-rtcount (or one that talks as it does): sigdrive
 * starts it, sends it a queued SIGRTMIN with a sequence number every
 * 2 ms throughout, and runs leak on it `runs' times per SIG:
 *	kill	SIG at a moment drawn uniformly from leak's run time,
 *		measured first (a leak that finished first is a run too);
 *	detach	SIG while leak lets the target go: once its first
 *		thread is free, at a moment drawn from the time leak
 *		takes to free them all, measured first;
 *	stop	SIG (a stop signal) once leak holds the target; leak
 *		must free the target, then stop; continued, exit 1
 *		saying it was "stopped while" holding the pid.
 * After each run every thread of the target must be running and
 * untraced, and it must have no child (leak's snapshot, reaped);
 * after each SIG's runs the target must have had every signal sent
 * so far, once.  With -c the target checks a computation of its own
 * too (t-rtcount -s): between counts every one of its summing threads
 * must have made a pass, and make one more within Countms after,
 * and no pass have gone wrong.
 *
 * SIGKILL is caught by no one, and leak(1) says what it costs: a
 * signal leak had intercepted is lost (so up to one per run killed
 * may be); its copy of the target, if it had one, stays a zombie
 * child of the target (allowed, counted); and if it dies while the
 * target runs a call for it, the target dies of SIGTRAP (counted,
 * and the target started again).  Prints per SIG
 *	ok SIG what happened
 *	FAIL SIG why
 * and exits 1 if any failed.  Leak's standard error goes to log
 * (default /dev/null).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

enum {
	Periodus	= 2000,	/* between signals to the target */
	Ncalib	= 9,	/* leak runs measured before the test; the longest is dropped */
	Leakms	= 10000,	/* a leak that takes longer is hung: a run takes milliseconds, but dying through ASan's report takes seconds */
	Heldms	= 5000,	/* for leak to take hold of the target */
	Freems	= 2000,	/* for the target to be free once leak is gone */
	Stopms	= 5000,	/* for leak to stop on a stop signal */
	Pollus	= 200,	/* between looks at a leak that may be gone */
	Countms	= 1000,	/* for the signals sent to arrive: once the target runs, at once */
	Maxtrap	= 8,	/* runs per SIGTRAP death allowed: the clone is a few ms of a run of hundreds, so more is a wider window than leak(1) owns to */
	Maxthr	= 1024,
	Maxwhy	= 512,
};

/* what the target has had, as of the last count */
typedef struct Count Count;
struct Count
{
	long	sent;
	long	got;
	long	dup;
	long	bad;
	long	passes;
	long	wrong;
};

typedef struct Target Target;
struct Target
{
	int	pid;
	int	last;	/* its last thread, the last leak lets go */
	FILE	*in;
	FILE	*out;
};

typedef struct Tally Tally;
struct Tally
{
	int	killed;	/* by the signal */
	int	exited;	/* first, normally */
	int	other;	/* anything else */
	int	trapped;	/* SIGKILL: the target died of SIGTRAP, started again */
	int	nbad;	/* runs that failed */
	int	lastbad;
	char	why[Maxwhy];	/* the first failure */
};

/* the sender: one queued SIGRTMIN every Periodus, unless paused */
static struct {
	pthread_mutex_t	lk;
	pthread_cond_t	cv;
	int	pid;
	int	run;
	int	idle;
	long	sent;
	long	eagain;
} snd = { .lk = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static char	*leakbin;
static char	**targv;
static Count	base;
static int	checks;
static int	killing;	/* the signal is SIGKILL: zombie copies allowed */
static char	*logfile = "/dev/null";
static unsigned long	rnd;
static int	runs = 100;

static char *signame[] = {
	[SIGHUP] "HUP", [SIGINT] "INT", [SIGQUIT] "QUIT", [SIGILL] "ILL",
	[SIGTRAP] "TRAP", [SIGABRT] "ABRT", [SIGBUS] "BUS", [SIGFPE] "FPE",
	[SIGKILL] "KILL", [SIGUSR1] "USR1", [SIGSEGV] "SEGV", [SIGUSR2] "USR2",
	[SIGPIPE] "PIPE", [SIGALRM] "ALRM", [SIGTERM] "TERM", [SIGSTKFLT] "STKFLT",
	[SIGCHLD] "CHLD", [SIGCONT] "CONT", [SIGSTOP] "STOP", [SIGTSTP] "TSTP",
	[SIGTTIN] "TTIN", [SIGTTOU] "TTOU", [SIGURG] "URG", [SIGXCPU] "XCPU",
	[SIGXFSZ] "XFSZ", [SIGVTALRM] "VTALRM", [SIGPROF] "PROF", [SIGWINCH] "WINCH",
	[SIGIO] "IO", [SIGPWR] "PWR", [SIGSYS] "SYS",
};

static void
fatal(char *fmt, ...)
{
	va_list arg;

	va_start(arg, fmt);
	fprintf(stderr, "sigdrive: ");
	vfprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	va_end(arg);
	exit(2);
}

/* as bash's kill -l names them */
static char*
sigstr(int sig)
{
	static char buf[16];

	if(sig > 0 && sig < (int)(sizeof signame/sizeof signame[0]) && signame[sig] != NULL)
		return signame[sig];
	if(sig == SIGRTMIN)
		return "RTMIN";
	if(sig == SIGRTMAX)
		return "RTMAX";
	if(sig > SIGRTMIN && sig-SIGRTMIN <= 15)
		snprintf(buf, sizeof buf, "RTMIN+%d", sig-SIGRTMIN);
	else if(sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(buf, sizeof buf, "RTMAX-%d", SIGRTMAX-sig);
	else
		snprintf(buf, sizeof buf, "%d", sig);
	return buf;
}

static int
strsig(char *s)
{
	int i;

	for(i = 1; i < SIGRTMAX+1; i++)
		if(strcmp(sigstr(i), s) == 0)
			return i;
	fatal("unknown signal %s", s);
	return 0;
}

static long
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1000000L + ts.tv_nsec/1000;
}

static void
sleepus(long us)
{
	struct timespec ts;

	if(us <= 0)
		return;
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = us % 1000000 * 1000;
	nanosleep(&ts, NULL);
}

/* a short wait, spun: a sleep would overshoot it */
static void
spinus(long us)
{
	long end;

	for(end = now()+us; now() < end; )
		;
}

static unsigned long
random64(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

static void*
sender(void *a)
{
	struct timespec next;
	union sigval v;

	(void)a;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for(;;){
		next.tv_nsec += Periodus*1000;
		if(next.tv_nsec >= 1000000000){
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		pthread_mutex_lock(&snd.lk);
		while(!snd.run){
			snd.idle = 1;
			pthread_cond_broadcast(&snd.cv);
			pthread_cond_wait(&snd.cv, &snd.lk);
			clock_gettime(CLOCK_MONOTONIC, &next);
		}
		snd.idle = 0;
		v.sival_int = snd.sent;
		if(sigqueue(snd.pid, SIGRTMIN, v) == 0)
			snd.sent++;
		else if(errno == EAGAIN)
			snd.eagain++;
		pthread_mutex_unlock(&snd.lk);
	}
	return NULL;
}

static void
sending(int on)
{
	pthread_mutex_lock(&snd.lk);
	snd.run = on;
	pthread_cond_broadcast(&snd.cv);
	while(!on && !snd.idle)
		pthread_cond_wait(&snd.cv, &snd.lk);
	pthread_mutex_unlock(&snd.lk);
}

/* the state letter and tracer of one thread; 0 if it is gone */
static int
taskstat(int pid, int tid, int *tracer)
{
	char path[64], line[256];
	FILE *f;
	int st;

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "r");
	if(f == NULL)
		return 0;
	st = 0;
	*tracer = 0;
	while(fgets(line, sizeof line, f) != NULL){
		if(strncmp(line, "State:", 6) == 0)
			sscanf(line+6, " %c", (char*)&st);
		else if(strncmp(line, "TracerPid:", 10) == 0)
			*tracer = atoi(line+10);
	}
	fclose(f);
	return st;
}

/*
 * Are all the target's threads running and untraced?  If not, why in buf,
 * naming the states and a tracer, also in *tracer.
 */
static int
isfree(int pid, char *buf, int nbuf, int *tracer)
{
	char path[64], states[Maxthr+1];
	DIR *d;
	struct dirent *e;
	int n, st, tr;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	d = opendir(path);
	if(d == NULL){
		snprintf(buf, nbuf, "target %d gone", pid);
		return 0;
	}
	n = 0;
	*tracer = 0;
	while((e = readdir(d)) != NULL && n < Maxthr){
		if(atoi(e->d_name) <= 0)
			continue;
		st = taskstat(pid, atoi(e->d_name), &tr);
		if(st == 0)
			continue;
		states[n++] = st;
		if(tr != 0)
			*tracer = tr;
	}
	closedir(d);
	states[n] = 0;
	if(*tracer == 0 && strpbrk(states, "tT") == NULL)
		return 1;
	snprintf(buf, nbuf, "target's threads in states %s, traced by %d", states, *tracer);
	return 0;
}

/* a process's state letter, 0 if it is gone */
static int
pstate(int pid)
{
	int tr;

	return taskstat(pid, pid, &tr);
}

/*
 * A child of the target: leak's snapshot, not reaped (t-rtcount makes
 * none); after a SIGKILL, one not yet a zombie.  Its pid, or 0.
 */
static int
childof(int pid)
{
	char path[320];
	DIR *d;
	struct dirent *e;
	FILE *f;
	int c;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	if((d = opendir(path)) == NULL)
		return 0;
	c = 0;
	while(c == 0 && (e = readdir(d)) != NULL){
		if(atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/children", pid, e->d_name);
		if((f = fopen(path, "r")) == NULL)
			continue;
		while(c == 0 && fscanf(f, "%d", &c) == 1)
			if(killing && pstate(c) == 'Z')
				c = 0;
		fclose(f);
	}
	closedir(d);
	return c;
}

/* the target's zombie children: leak's copies, left by SIGKILL */
static int
zombies(int pid)
{
	char path[320];
	DIR *d;
	struct dirent *e;
	FILE *f;
	int c, n;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	if((d = opendir(path)) == NULL)
		return 0;
	n = 0;
	while((e = readdir(d)) != NULL){
		if(atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/children", pid, e->d_name);
		if((f = fopen(path, "r")) == NULL)
			continue;
		while(fscanf(f, "%d", &c) == 1)
			n += pstate(c) == 'Z';
		fclose(f);
	}
	closedir(d);
	return n;
}

/* wait up to ms for the target to be free, and without a child */
static int
freed(int pid, int ms, char *buf, int nbuf)
{
	long end;
	int tr, c, free;

	for(end = now()+ms*1000L; ; sleepus(1000)){
		free = isfree(pid, buf, nbuf, &tr);
		c = free ? childof(pid) : 0;
		if(free && c == 0)
			return 1;
		if(now() > end){
			if(c != 0)
				snprintf(buf, nbuf, "target has a child %d: leak's snapshot, not reaped", c);
			return 0;
		}
	}
}

static void
resetsignals(void)
{
	sigset_t none;
	int s;

	for(s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
starttarget(Target *t, char **argv)
{
	struct rlimit nocore = {0, 0};
	int in[2], out[2];
	char line[128], path[64];
	DIR *d;
	struct dirent *e;

	if(pipe(in) < 0 || pipe(out) < 0)
		fatal("pipe: %s", strerror(errno));
	t->pid = fork();
	if(t->pid < 0)
		fatal("fork: %s", strerror(errno));
	if(t->pid == 0){
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		resetsignals();
		setrlimit(RLIMIT_CORE, &nocore);	/* a SIGTRAP would dump its whole heap */
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = fdopen(in[1], "w");
	t->out = fdopen(out[0], "r");
	setvbuf(t->in, NULL, _IOLBF, 0);
	if(fgets(line, sizeof line, t->out) == NULL || strcmp(line, "ready\n") != 0)
		fatal("target %s did not say ready", argv[0]);
	snprintf(path, sizeof path, "/proc/%d/task", t->pid);
	if((d = opendir(path)) == NULL)
		fatal("no %s", path);
	t->last = 0;
	while((e = readdir(d)) != NULL)
		if(atoi(e->d_name) > t->last)
			t->last = atoi(e->d_name);
	closedir(d);
}

/* what the target has had, in c; -1 if it does not say */
static int
count(Target *t, Count *c)
{
	char line[128];

	fprintf(t->in, "\n");
	if(fgets(line, sizeof line, t->out) == NULL)
		return -1;
	c->passes = c->wrong = 0;
	if(sscanf(line, "got %ld dup %ld bad %ld passes %ld wrong %ld",
	   &c->got, &c->dup, &c->bad, &c->passes, &c->wrong) != (checks ? 5 : 3))
		return -1;
	return 0;
}

/* does every summer make a pass past `passes' within Countms? */
static int
passing(Target *t, long passes)
{
	Count c;
	long end;

	for(end = now()+Countms*1000L; now() < end; sleepus(10000))
		if(count(t, &c) < 0 || c.passes > passes)
			return 1;
	return 0;
}

/*
 * Once the sender is paused: the target must have had each one sent
 * since the last count, once, but for up to maxlost lost; with -c,
 * every summer must have made a pass, none gone wrong.  The number
 * lost in *lost.
 */
static int
counted(Target *t, int maxlost, long *lost, char *buf, int nbuf)
{
	Count c;
	long end, n;
	int ok;

	for(end = now()+Countms*1000L; ; sleepus(10000)){
		if(count(t, &c) < 0){
			snprintf(buf, nbuf, "target %d does not say what it got", t->pid);
			return 0;
		}
		if(c.got-base.got >= snd.sent-base.sent || now() > end)
			break;
	}
	n = snd.sent - base.sent;
	*lost = n - (c.got-base.got);
	ok = *lost >= 0 && *lost <= maxlost && c.dup == base.dup && c.bad == base.bad;
	if(!ok)
		snprintf(buf, nbuf, "sent %ld signals, target got %ld (lost %ld, %d allowed), %ld twice, %ld bad",
			n, c.got-base.got, *lost, maxlost, c.dup-base.dup, c.bad-base.bad);
	else if(checks && (c.passes <= base.passes || c.wrong != base.wrong)){
		snprintf(buf, nbuf, "the target's own check: its slowest summer made %ld passes since the last count (want some), %ld went wrong",
			c.passes-base.passes, c.wrong-base.wrong);
		ok = 0;
	}else if(checks && !passing(t, c.passes)){
		snprintf(buf, nbuf, "the target's own check: its slowest summer made no pass in the %d ms after the runs", Countms);
		ok = 0;
	}
	base.sent = snd.sent;
	base.got = c.got;
	base.dup = c.dup;
	base.bad = c.bad;
	base.passes = c.passes;
	base.wrong = c.wrong;
	return ok;
}

/* the computation's count as the runs begin: a summer stuck before them must show too */
static void
baseline(Target *t)
{
	Count c;

	if(count(t, &c) < 0)
		fatal("target %d does not say what it got", t->pid);
	base.passes = c.passes;
	base.wrong = c.wrong;
}

static int
startleak(Target *t)
{
	char pid[16];
	struct rlimit nocore = {0, 0};
	int p, null, log;

	snprintf(pid, sizeof pid, "%d", t->pid);
	null = open("/dev/null", O_RDWR);
	log = open(logfile, O_WRONLY|O_CREAT|O_APPEND, 0666);
	if(null < 0 || log < 0)
		fatal("%s: %s", logfile, strerror(errno));
	p = fork();
	if(p < 0)
		fatal("fork: %s", strerror(errno));
	if(p == 0){
		/* a group of its own: stop signals are never discarded as for an orphaned one */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		resetsignals();
		setrlimit(RLIMIT_CORE, &nocore);
		dup2(null, 0);
		dup2(null, 1);
		dup2(log, 2);
		execl(leakbin, leakbin, pid, (char*)NULL);
		_exit(127);
	}
	close(null);
	close(log);
	return p;
}

/* wait for leak to end (or, with WUNTRACED, stop), up to ms; -1 if it did not */
static int
reap(int pid, int ms, int how)
{
	long end;
	int st;

	for(end = now()+ms*1000L; now() < end; sleepus(Pollus))
		if(waitpid(pid, &st, WNOHANG|how) == pid)
			return st;
	return -1;
}

/* what a hung leak is doing: its state, and the system call it is in */
static void
hung(int pid, char *buf, int nbuf)
{
	char path[64], wchan[64], sys[64];
	int fd, n, tr, st;

	st = taskstat(pid, pid, &tr);
	snprintf(path, sizeof path, "/proc/%d/wchan", pid);
	wchan[0] = sys[0] = 0;
	if((fd = open(path, O_RDONLY)) >= 0){
		n = read(fd, wchan, sizeof wchan-1);
		wchan[n > 0 ? n : 0] = 0;
		close(fd);
	}
	snprintf(path, sizeof path, "/proc/%d/syscall", pid);
	if((fd = open(path, O_RDONLY)) >= 0){
		n = read(fd, sys, sizeof sys-1);
		sys[n > 0 ? n : 0] = 0;
		sys[strcspn(sys, " \n")] = 0;
		close(fd);
	}
	snprintf(buf, nbuf, "state %c, in %s, system call %s", st ? st : '?', wchan, sys);
}

static char	hungwhy[Maxwhy];

/* reap leak, killing it if it hangs (why in hungwhy) */
static int
finish(int pid)
{
	int st;

	st = reap(pid, Leakms, 0);
	if(st == -1){
		hung(pid, hungwhy, sizeof hungwhy);
		kill(pid, SIGCONT);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	return st;
}

/* wait until leak holds the target's thread tid; 0 if leak went first */
static int
held(Target *t, int tid, int lp)
{
	siginfo_t si;
	long end;
	int tr;

	for(end = now()+Heldms*1000L; now() < end; ){
		if(taskstat(t->pid, tid, &tr) != 0 && tr == lp)
			return 1;
		si.si_pid = 0;
		if(waitid(P_PID, lp, &si, WEXITED|WNOHANG|WNOWAIT) == 0 && si.si_pid == lp)
			return 0;
	}
	return 0;
}

/* wait until thread tid is no longer traced by leak */
static void
unheld(Target *t, int tid, int lp)
{
	long end;
	int tr;

	for(end = now()+Leakms*1000L; now() < end; )
		if(taskstat(t->pid, tid, &tr) == 0 || tr != lp)
			return;
}

/* count run as bad; the first bad run says why, all it can */
static void
badrun(Tally *y, int run, char *fmt, ...)
{
	va_list arg;
	int n;

	if(y->nbad == 0 || y->lastbad != run)
		y->nbad++;
	y->lastbad = run;
	if(y->nbad > 1)
		return;
	n = strlen(y->why);
	if(n == 0)
		n = snprintf(y->why, sizeof y->why, "run %d: ", run);
	else
		n += snprintf(y->why+n, sizeof y->why-n, "; ");
	if(n >= (int)sizeof y->why)
		return;
	va_start(arg, fmt);
	vsnprintf(y->why+n, sizeof y->why-n, fmt, arg);
	va_end(arg);
}

static void
fate(Tally *y, int sig, int st, int run)
{
	if(st == -1){
		y->other++;
		badrun(y, run, "leak still running after %d ms (%s); killed", Leakms, hungwhy);
	}else if(WIFSIGNALED(st) && WTERMSIG(st) == sig)
		y->killed++;
	else if(WIFEXITED(st) && WEXITSTATUS(st) != 127)
		y->exited++;
	else
		y->other++;
}

/* a new target in the old one's place, its count from nothing */
static void
restart(Target *t)
{
	sending(0);
	fclose(t->in);
	fclose(t->out);
	starttarget(t, targv);
	memset(&base, 0, sizeof base);
	base.sent = snd.sent;
	snd.pid = t->pid;	/* the sender is paused */
	sending(1);
}

/*
 * Has the target died?  After a SIGKILL, of SIGTRAP, as leak(1) says
 * it may: counted; else a bad run.  Either way started again.
 */
static int
died(Target *t, Tally *y, int run)
{
	int st;

	if(waitpid(t->pid, &st, WNOHANG) != t->pid)
		return 0;
	if(killing && WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP)
		y->trapped++;
	else
		badrun(y, run, "the target died (status %#x)", st);
	restart(t);
	return 1;
}

static void
checkfree(Target *t, Tally *y, int run)
{
	char why[Maxwhy];

	if(died(t, y, run))
		return;
	if(!freed(t->pid, Freems, why, sizeof why) && !died(t, y, run)){
		badrun(y, run, "after leak: %s", why);
		kill(t->pid, SIGCONT);
	}
}

static int
cmplong(const void *a, const void *b)
{
	long x = *(long*)a, y = *(long*)b;

	return x < y ? -1 : x > y;
}

/* the longest but one: a machine shared with others has outliers */
static long
longest(long *v, int n)
{
	qsort(v, n, sizeof v[0], cmplong);
	return v[n-2];
}

/*
 * Leak's run time over Ncalib runs, in us.  With let, also the time it
 * takes to let go (first thread to last); watching for that slows
 * leak, so only then.
 */
static long
calibrate(Target *t, long *let)
{
	long t0, run[Ncalib], go[Ncalib], a;
	int i, lp;

	for(i = 0; i < Ncalib; i++){
		t0 = now();
		lp = startleak(t);
		go[i] = 0;
		if(let != NULL && held(t, t->pid, lp)){
			unheld(t, t->pid, lp);
			a = now();
			unheld(t, t->last, lp);
			go[i] = now()-a;
		}
		if(finish(lp) == -1)
			fatal("leak hangs on the target");
		run[i] = now()-t0;
	}
	if(let != NULL)
		*let = longest(go, Ncalib);
	return longest(run, Ncalib);
}

/* sleep until the time is up (1) or leak is gone (0) */
static int
sleepuntil(int lp, long end)
{
	siginfo_t si;
	long left;

	while((left = end-now()) > 0){
		si.si_pid = 0;
		if(waitid(P_PID, lp, &si, WEXITED|WNOHANG|WNOWAIT) == 0 && si.si_pid == lp)
			return 0;
		sleepus(left < Pollus ? left : Pollus);
	}
	return 1;
}

static void
killrun(Target *t, Tally *y, int sig, long span, int run)
{
	long t0;
	int lp;

	t0 = now();
	lp = startleak(t);
	if(sleepuntil(lp, t0 + random64()%span))
		kill(lp, sig);
	fate(y, sig, finish(lp), run);
	checkfree(t, y, run);
}

static void
detachrun(Target *t, Tally *y, int sig, long let, int run)
{
	int lp;

	lp = startleak(t);
	if(held(t, t->pid, lp)){
		unheld(t, t->pid, lp);
		spinus(random64() % (let+1));
	}
	kill(lp, sig);
	fate(y, sig, finish(lp), run);
	checkfree(t, y, run);
}

/* has leak's log, past off, the words a stopped leak must say? */
static int
saidstopped(long off, int pid)
{
	char line[512], word[16];
	FILE *f;
	int ok;

	f = fopen(logfile, "r");
	if(f == NULL)
		return 0;
	fseek(f, off, SEEK_SET);
	snprintf(word, sizeof word, "%d", pid);
	ok = 0;
	while(fgets(line, sizeof line, f) != NULL)
		if(strstr(line, "stopped while") != NULL && strstr(line, word) != NULL)
			ok = 1;
	fclose(f);
	return ok;
}

static long
logsize(void)
{
	struct stat s;

	if(stat(logfile, &s) < 0)
		return 0;
	return s.st_size;
}

static void
stoprun(Target *t, Tally *y, int sig, int run)
{
	char why[Maxwhy];
	long off;
	int lp, st, tr;

	off = logsize();
	lp = startleak(t);
	/* all of it: the last thread is the last taken */
	if(!held(t, t->last, lp)){
		badrun(y, run, "leak finished before it held the target; make the target bigger");
		finish(lp);
		return;
	}
	kill(lp, sig);
	st = reap(lp, Stopms, WUNTRACED);
	if(st == -1 || !WIFSTOPPED(st)){
		badrun(y, run, "leak did not stop on SIG%s (status %#x)", sigstr(sig), st);
		y->other++;
		finish(lp);
		checkfree(t, y, run);
		return;
	}
	if((st = taskstat(lp, lp, &tr)) != 'T')
		badrun(y, run, "leak reported stopped, but in state %c", st ? st : '?');
	/* let go before it stopped: at once, though its threads may take a moment to wake */
	if(!isfree(t->pid, why, sizeof why, &tr) && (tr != 0 || !freed(t->pid, Freems, why, sizeof why)))
		badrun(y, run, "while leak is stopped: %s", why);
	kill(t->pid, SIGCONT);	/* let a wrongly kept target go on */
	kill(lp, SIGCONT);
	st = finish(lp);
	if(st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 1)
		badrun(y, run, "continued, leak's status %#x, want exit status 1", st);
	else if(!saidstopped(off, t->pid))
		badrun(y, run, "continued, leak did not say \"stopped while\" with pid %d", t->pid);
	else
		y->killed++;
	checkfree(t, y, run);
}

static void
usage(void)
{
	fprintf(stderr, "usage: sigdrive [-c] [-r runs] [-s seed] [-o log] kill|detach|stop leak SIG,... target [arg...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	Target t;
	Tally y;
	pthread_t tid;
	char *mode, *s, why[Maxwhy];
	long span, let, lost;
	int c, i, r, ok, nsig, nfail, sigs[NSIG];

	rnd = now() | 1;
	while((c = getopt(argc, argv, "+cr:s:o:")) != -1)
		switch(c){
		case 'c': checks = 1; break;
		case 'r': runs = atoi(optarg); break;
		case 's': rnd = strtoul(optarg, NULL, 0) | 1; break;
		case 'o': logfile = optarg; break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if(argc < 4 || runs < 1)
		usage();
	nsig = 0;
	for(s = strtok(argv[2], ", "); s != NULL && nsig < NSIG; s = strtok(NULL, ", "))
		sigs[nsig++] = strsig(s);
	mode = argv[0];
	leakbin = argv[1];
	if(strcmp(mode, "kill") != 0 && strcmp(mode, "detach") != 0 && strcmp(mode, "stop") != 0)
		usage();
	if(mode[0] == 's' && strcmp(logfile, "/dev/null") == 0)
		fatal("stop reads what leak says: give -o log");
	signal(SIGPIPE, SIG_IGN);
	printf("note: seed %#lx\n", rnd);
	targv = argv+3;
	starttarget(&t, targv);
	snd.pid = t.pid;
	snd.run = 1;
	if(pthread_create(&tid, NULL, sender, NULL) != 0)
		fatal("pthread_create");
	span = let = 0;
	if(mode[0] == 'k'){
		span = calibrate(&t, NULL);
		printf("note: leak's run takes %.1f ms (the longest but one of %d)\n", span/1e3, Ncalib);
	}else if(mode[0] == 'd'){
		calibrate(&t, &let);
		printf("note: leak takes %.3f ms to let go of the target (the longest but one of %d)\n", let/1e3, Ncalib);
	}
	fflush(stdout);
	if(checks)
		baseline(&t);
	nfail = 0;
	for(i = 0; i < nsig; i++){
		memset(&y, 0, sizeof y);
		killing = sigs[i] == SIGKILL;
		for(r = 1; r <= runs; r++)
			switch(mode[0]){
			case 'k': killrun(&t, &y, sigs[i], span, r); break;
			case 'd': detachrun(&t, &y, sigs[i], let, r); break;
			case 's': stoprun(&t, &y, sigs[i], r); break;
			}
		sending(0);
		ok = counted(&t, killing ? y.killed : 0, &lost, why, sizeof why);
		if(y.trapped > runs/Maxtrap)
			badrun(&y, runs, "the target died of SIGTRAP after %d of %d runs, more than one in %d", y.trapped, runs, Maxtrap);
		if(!ok || y.nbad){
			printf("FAIL %s: %s%s", sigstr(sigs[i]), ok ? "" : why, ok || !y.nbad ? "" : "; ");
			if(y.nbad)
				printf("%d of %d runs bad, first %s", y.nbad, runs, y.why);
			printf("\n");
			nfail++;
		}else if(killing)
			printf("ok %s: %d runs, %d killed, %d exited first, %d other; the target died of SIGTRAP %d times; "
				"%d zombie copies; %ld signals sent so far, %ld lost, the rest got once\n",
				sigstr(sigs[i]), runs, y.killed, y.exited, y.other, y.trapped, zombies(t.pid), snd.sent, lost);
		else
			printf("ok %s: %d runs, %d %s, %d exited first, %d other; %ld signals sent so far, all got once\n",
				sigstr(sigs[i]), runs, y.killed, mode[0] == 's' ? "stopped and exited 1" : "killed",
				y.exited, y.other, snd.sent);
		fflush(stdout);
		sending(1);
	}
	sending(0);
	fclose(t.in);
	if(reap(t.pid, Countms, 0) == -1){
		kill(t.pid, SIGKILL);
		waitpid(t.pid, NULL, 0);
	}
	if(snd.eagain)
		printf("note: sigqueue failed %ld times with EAGAIN (RLIMIT_SIGPENDING)\n", snd.eagain);
	return nfail > 0;
}
