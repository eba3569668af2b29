/*
 * syscalls: one thread blocked in each of many system calls, to see
 * which of them leak's stop and resume disturbs (regress/signals).
 *
 *	t-syscalls [-l nodes] [-w ms]
 *
 * Without -w every call waits until it is woken, those that take a
 * timeout with one of a minute.  Once each thread is blocked in its
 * call it prints ready; a line on standard input then wakes every
 * call in its own way, and each prints
 *	NAME OUTCOME MS
 * OUTCOME is eintr (it returned EINTR before it was woken), early
 * (it returned otherwise before it was woken), woken (it returned
 * once woken, as it should) or stuck (not within a bound of being
 * woken); MS is the time from the call to its return.  With -w only
 * the calls that take a timeout run, waiting ms, and nobody wakes
 * them; OUTCOME is timeout (as it should), eintr or early.
 * -l builds a held list of that many nodes, making leak's hold long.
 * Sleeps and pause are woken by SIGUSR2 to their thread (a handler,
 * no SA_RESTART); sigwaitinfo and sigtimedwait wait for real-time
 * signals that every thread blocks.  Before ready it prints
 *	ipc SEMID MSQID
 * for whoever must remove them should it be killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

enum {
	Longms	= 60000,	/* a timeout that never runs out in a test */
	Readyms	= 5000,	/* for every thread to block */
	Stuckms	= 2000,	/* for every thread to return once woken */
	Waitslack	= 10000,	/* with -w: beyond ms, for the timeouts to run out */
	Stack	= 64*1024,	/* small: leak copies all of each thread's stack mapping */
};

/* what a wait came to */
enum {
	Wevent,	/* what it waited for */
	Wtimeout,
	Werror,	/* errno says */
};

/* the outcomes as printed */
enum {
	Opending,
	Oeintr,
	Oearly,
	Owoken,
	Otimeout,
	Ostuck,
};
static char *outname[] = {
	[Opending] "pending", [Oeintr] "eintr", [Oearly] "early",
	[Owoken] "woken", [Otimeout] "timeout", [Ostuck] "stuck",
};

typedef struct Call Call;
struct Call
{
	char	*name;
	int	timed;	/* takes a timeout */
	int	(*wait)(Call*, long ms);
	void	(*wake)(Call*);
	int	fd[2];	/* its pipe, eventfd, sockets... */
	int	n;	/* its semaphore, signal, child, futex word... */
	pthread_cond_t	cv;
	int	set;	/* cv's condition */
	pthread_t	thread;
	int	tid;
	int	calling;	/* about to make the call */
	int	woken;	/* set before it is woken */
	int	outcome;
	int	got;	/* what the wait came to */
	int	err;
	long	start, end;	/* us */
};

static int	semid = -1, msqid = -1;
static int	lockfd = -1;
static pthread_mutex_t	condlk = PTHREAD_MUTEX_INITIALIZER;
static long	waitms = Longms;
static int	timedonly;

typedef struct Node Node;
struct Node
{
	Node	*next;
	long	v;
};
static Node	*head;

static long
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1000000L + ts.tv_nsec/1000;
}

static struct timespec
span(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	return ts;
}

static void
die(char *what)
{
	fprintf(stderr, "t-syscalls: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* r < 0: an error in errno; 0: timed out; else the event */
static int
result(long r)
{
	if(r < 0)
		return Werror;
	return r == 0 ? Wtimeout : Wevent;
}

/* for the calls that give back an error number */
static int
errresult(int e, int timedout)
{
	if(e == 0)
		return Wevent;
	if(e == timedout)
		return Wtimeout;
	errno = e;
	return Werror;
}

static void
onusr2(int sig)
{
	(void)sig;
}

static void
kick(Call *c)
{
	syscall(SYS_tgkill, getpid(), c->tid, SIGUSR2);
}

static void
writeone(Call *c)
{
	uint64_t one = 1;

	if(write(c->fd[1], &one, sizeof one) < 0)
		die("write");
}

static void
mkpipe(Call *c)
{
	if(pipe(c->fd) < 0)
		die("pipe");
}

static void
mkepoll(Call *c)
{
	struct epoll_event ev;

	c->fd[1] = eventfd(0, 0);
	c->fd[0] = epoll_create1(0);
	if(c->fd[0] < 0 || c->fd[1] < 0)
		die("epoll");
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	if(epoll_ctl(c->fd[0], EPOLL_CTL_ADD, c->fd[1], &ev) < 0)
		die("epoll_ctl");
}

static int
wepoll(Call *c, long ms)
{
	struct epoll_event ev;

	return result(epoll_wait(c->fd[0], &ev, 1, c->timed ? ms : -1));
}

static int
wepollp(Call *c, long ms)
{
	struct epoll_event ev;
	sigset_t none;

	sigemptyset(&none);
	return result(epoll_pwait(c->fd[0], &ev, 1, ms, &none));
}

static int
wsemop(Call *c, long ms)
{
	struct sembuf op = {c->n, -1, 0};
	struct timespec ts;

	(void)ms;
	if(!c->timed)
		return semop(semid, &op, 1) < 0 ? Werror : Wevent;
	ts = span(ms);
	if(semtimedop(semid, &op, 1, &ts) == 0)
		return Wevent;
	return errno == EAGAIN ? Wtimeout : Werror;
}

static void
ksem(Call *c)
{
	struct sembuf op = {c->n, 1, 0};

	if(semop(semid, &op, 1) < 0)
		die("semop");
}

static int
wsigwait(Call *c, long ms)
{
	struct timespec ts;
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, c->n);
	if(!c->timed)
		return sigwaitinfo(&s, NULL) < 0 ? Werror : Wevent;
	ts = span(ms);
	if(sigtimedwait(&s, NULL, &ts) >= 0)
		return Wevent;
	return errno == EAGAIN ? Wtimeout : Werror;
}

static void
ksig(Call *c)
{
	syscall(SYS_tgkill, getpid(), c->tid, c->n);
}

static struct sockaddr_in
loopback(int fd)
{
	struct sockaddr_in a;
	socklen_t n;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if(fd >= 0){
		n = sizeof a;
		getsockname(fd, (struct sockaddr*)&a, &n);
	}
	return a;
}

static void
mkudp(Call *c)
{
	struct sockaddr_in a;

	c->fd[0] = socket(AF_INET, SOCK_DGRAM, 0);
	c->fd[1] = socket(AF_INET, SOCK_DGRAM, 0);
	a = loopback(-1);
	if(c->fd[0] < 0 || c->fd[1] < 0 || bind(c->fd[0], (struct sockaddr*)&a, sizeof a) < 0)
		die("udp socket");
}

static int
wrecv(Call *c, long ms)
{
	struct timeval tv;
	char b[16];

	if(c->timed){
		tv.tv_sec = ms / 1000;
		tv.tv_usec = ms % 1000 * 1000;
		setsockopt(c->fd[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	if(recvfrom(c->fd[0], b, sizeof b, 0, NULL, NULL) >= 0)
		return Wevent;
	return errno == EAGAIN ? Wtimeout : Werror;
}

static void
kudp(Call *c)
{
	struct sockaddr_in a;

	a = loopback(c->fd[0]);
	if(sendto(c->fd[1], "x", 1, 0, (struct sockaddr*)&a, sizeof a) < 0)
		die("sendto");
}

static void
mktcp(Call *c)
{
	struct sockaddr_in a;

	c->fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	a = loopback(-1);
	if(c->fd[0] < 0 || bind(c->fd[0], (struct sockaddr*)&a, sizeof a) < 0 || listen(c->fd[0], 1) < 0)
		die("tcp socket");
}

static int
waccept(Call *c, long ms)
{
	(void)ms;
	return accept(c->fd[0], NULL, NULL) < 0 ? Werror : Wevent;
}

static void
ktcp(Call *c)
{
	struct sockaddr_in a;

	a = loopback(c->fd[0]);
	c->fd[1] = socket(AF_INET, SOCK_STREAM, 0);
	if(c->fd[1] < 0 || connect(c->fd[1], (struct sockaddr*)&a, sizeof a) < 0)
		die("connect");
}

static int
wread(Call *c, long ms)
{
	uint64_t b;

	(void)ms;
	return result(read(c->fd[0], &b, sizeof b));
}

static int
wselect(Call *c, long ms)
{
	struct timeval tv;
	fd_set r;

	FD_ZERO(&r);
	FD_SET(c->fd[0], &r);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	return result(select(c->fd[0]+1, &r, NULL, NULL, &tv));
}

static int
wpselect(Call *c, long ms)
{
	struct timespec ts;
	fd_set r;

	FD_ZERO(&r);
	FD_SET(c->fd[0], &r);
	ts = span(ms);
	return result(pselect(c->fd[0]+1, &r, NULL, NULL, &ts, NULL));
}

static int
wppoll(Call *c, long ms)
{
	struct pollfd p = {c->fd[0], POLLIN, 0};
	struct timespec ts;

	ts = span(ms);
	return result(ppoll(&p, 1, &ts, NULL));
}

static int
wpoll(Call *c, long ms)
{
	struct pollfd p = {c->fd[0], POLLIN, 0};

	return result(poll(&p, 1, ms));
}

/* a sleep that runs out is a timeout, one cut short by its SIGUSR2 an event */
static int
wnanosleep(Call *c, long ms)
{
	struct timespec ts;

	(void)c;
	ts = span(ms);
	return nanosleep(&ts, NULL) == 0 ? Wtimeout : Werror;
}

static int
wclocksleep(Call *c, long ms)
{
	struct timespec ts;
	int e;

	(void)c;
	ts = span(ms);
	e = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	if(e == 0)
		return Wtimeout;
	errno = e;
	return Werror;
}

static int
wpause(Call *c, long ms)
{
	(void)c;
	(void)ms;
	pause();
	return Werror;
}

static int
wcond(Call *c, long ms)
{
	struct timespec ts;
	int e;

	pthread_mutex_lock(&condlk);
	if(!c->timed)
		e = pthread_cond_wait(&c->cv, &condlk);
	else{
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += ms % 1000 * 1000000;
		if(ts.tv_nsec >= 1000000000){
			ts.tv_nsec -= 1000000000;
			ts.tv_sec++;
		}
		e = pthread_cond_timedwait(&c->cv, &condlk, &ts);
	}
	/* a return without the condition is early, whatever it says */
	if(e == 0 && !c->set)
		e = EAGAIN;
	pthread_mutex_unlock(&condlk);
	return errresult(e, ETIMEDOUT);
}

static void
kcond(Call *c)
{
	pthread_mutex_lock(&condlk);
	c->set = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&condlk);
}

static int
wfutex(Call *c, long ms)
{
	struct timespec ts;
	long r;

	ts = span(ms);
	r = syscall(SYS_futex, &c->n, FUTEX_WAIT_PRIVATE, 0, c->timed ? &ts : NULL, NULL, 0);
	if(r == 0)
		return __atomic_load_n(&c->n, __ATOMIC_SEQ_CST) ? Wevent : Werror;
	return errno == ETIMEDOUT ? Wtimeout : Werror;
}

static void
kfutex(Call *c)
{
	__atomic_store_n(&c->n, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &c->n, FUTEX_WAKE_PRIVATE, 1<<30, NULL, NULL, 0);
}

/* a child that waits to be killed, and dies with us */
static void
mkchild(Call *c)
{
	c->n = fork();
	if(c->n < 0)
		die("fork");
	if(c->n == 0){
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for(;;)
			pause();
	}
}

static int
wwaitpid(Call *c, long ms)
{
	(void)ms;
	return waitpid(c->n, NULL, 0) == c->n ? Wevent : Werror;
}

static void
kchild(Call *c)
{
	kill(c->n, SIGKILL);
}

struct msg {
	long	type;
	char	text[8];
};

static int
wmsgrcv(Call *c, long ms)
{
	struct msg m;

	(void)c;
	(void)ms;
	return msgrcv(msqid, &m, sizeof m.text, 0, 0) < 0 ? Werror : Wevent;
}

static void
kmsg(Call *c)
{
	struct msg m = {1, "x"};

	(void)c;
	if(msgsnd(msqid, &m, sizeof m.text, 0) < 0)
		die("msgsnd");
}

/* the lock is ours (lockfd); the call's own open file description waits for it */
static void
mkflock(Call *c)
{
	char path[64];

	lockfd = open("/tmp", O_TMPFILE|O_RDWR, 0600);
	if(lockfd < 0 || flock(lockfd, LOCK_EX) < 0)
		die("flock");
	snprintf(path, sizeof path, "/proc/self/fd/%d", lockfd);
	c->fd[0] = open(path, O_RDWR);
	if(c->fd[0] < 0)
		die(path);
}

static int
wflock(Call *c, long ms)
{
	(void)ms;
	return flock(c->fd[0], LOCK_EX) < 0 ? Werror : Wevent;
}

static void
kflock(Call *c)
{
	(void)c;
	flock(lockfd, LOCK_UN);
}

static void
mksem(void)
{
	semid = semget(IPC_PRIVATE, 2, 0600);
	msqid = msgget(IPC_PRIVATE, 0600);
	if(semid < 0 || msqid < 0)
		die("semget/msgget");
}

static void
rmipc(void)
{
	semctl(semid, 0, IPC_RMID);
	msgctl(msqid, IPC_RMID, NULL);
}

#define CALL(nm, t, w, k, ...) { .name = nm, .timed = t, .wait = w, .wake = k, __VA_ARGS__ }

/* name, takes a timeout, wait, wake; setup makes what each needs */
static Call calls[] = {
	CALL("epoll_wait", 1, wepoll, writeone),
	CALL("epoll_wait-inf", 0, wepoll, writeone),
	CALL("epoll_pwait", 1, wepollp, writeone),
	CALL("semop", 0, wsemop, ksem, .n = 0),
	CALL("semtimedop", 1, wsemop, ksem, .n = 1),
	CALL("sigwaitinfo", 0, wsigwait, ksig),
	CALL("sigtimedwait", 1, wsigwait, ksig),
	CALL("recvfrom", 0, wrecv, kudp),
	CALL("recvfrom-rcvtimeo", 1, wrecv, kudp),
	CALL("accept", 0, waccept, ktcp),
	CALL("read-pipe", 0, wread, writeone),
	CALL("select", 1, wselect, writeone),
	CALL("pselect", 1, wpselect, writeone),
	CALL("ppoll", 1, wppoll, writeone),
	CALL("poll", 1, wpoll, writeone),
	CALL("nanosleep", 1, wnanosleep, kick),
	CALL("clock_nanosleep", 1, wclocksleep, kick),
	CALL("pthread_cond_wait", 0, wcond, kcond),
	CALL("pthread_cond_timedwait", 1, wcond, kcond),
	CALL("futex", 0, wfutex, kfutex),
	CALL("futex-timed", 1, wfutex, kfutex),
	CALL("pause", 0, wpause, kick),
	CALL("waitpid", 0, wwaitpid, kchild),
	CALL("msgrcv", 0, wmsgrcv, kmsg),
	CALL("flock", 0, wflock, kflock),
};
enum { Ncall = sizeof calls / sizeof calls[0] };

static int
running(Call *c)
{
	return c->timed || !timedonly;
}

static void
setup(void)
{
	pthread_condattr_t ca;
	Call *c;
	int i, nsig;

	mksem();
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	nsig = SIGRTMIN+2;
	for(i = 0; i < Ncall; i++){
		c = &calls[i];
		c->fd[0] = c->fd[1] = -1;
		if(!running(c))
			continue;
		if(c->wait == wepoll || c->wait == wepollp)
			mkepoll(c);
		else if(c->wait == wread || c->wait == wselect || c->wait == wpselect || c->wait == wppoll || c->wait == wpoll)
			mkpipe(c);
		else if(c->wait == wrecv)
			mkudp(c);
		else if(c->wait == waccept)
			mktcp(c);
		else if(c->wait == wsigwait)
			c->n = nsig++;
		else if(c->wait == wwaitpid)
			mkchild(c);
		else if(c->wait == wflock)
			mkflock(c);
		else if(c->wait == wcond)
			pthread_cond_init(&c->cv, &ca);
	}
}

static void*
caller(void *a)
{
	Call *c;
	int o;

	c = a;
	c->tid = gettid();
	c->start = now();
	__atomic_store_n(&c->calling, 1, __ATOMIC_SEQ_CST);
	c->got = c->wait(c, waitms);
	c->err = errno;
	c->end = now();
	if(__atomic_load_n(&c->woken, __ATOMIC_SEQ_CST))
		o = Owoken;
	else if(c->got == Werror && c->err == EINTR)
		o = Oeintr;
	else if(c->got == Wtimeout && timedonly)
		o = Otimeout;
	else
		o = Oearly;
	__atomic_store_n(&c->outcome, o, __ATOMIC_SEQ_CST);
	return NULL;
}

/* is thread tid blocked in a system call? */
static int
blocked(int tid)
{
	char path[64], buf[64];
	int fd, n;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY);
	if(fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf-1);
	close(fd);
	if(n <= 0)
		return 0;
	buf[n] = 0;
	return buf[0] >= '0' && buf[0] <= '9';
}

static void
startall(void)
{
	pthread_attr_t attr;
	sigset_t s;
	Call *c;
	long end;
	int i;

	/* the real-time signals the sigwaits take are for them only */
	sigemptyset(&s);
	for(i = 0; i < Ncall; i++)
		if(calls[i].wait == wsigwait)
			sigaddset(&s, calls[i].n);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, Stack);
	for(i = 0; i < Ncall; i++)
		if(running(&calls[i]) && pthread_create(&calls[i].thread, &attr, caller, &calls[i]) != 0)
			die("pthread_create");
	end = now() + Readyms*1000L;
	for(i = 0; i < Ncall; i++){
		c = &calls[i];
		if(!running(c))
			continue;
		while(!__atomic_load_n(&c->calling, __ATOMIC_SEQ_CST) || !blocked(c->tid))
			if(__atomic_load_n(&c->outcome, __ATOMIC_SEQ_CST) != Opending || now() > end){
				fprintf(stderr, "t-syscalls: %s did not block\n", c->name);
				exit(1);
			}else
				usleep(1000);
	}
}

static void
wakeall(void)
{
	Call *c;
	int i;

	for(i = 0; i < Ncall; i++){
		c = &calls[i];
		if(!running(c) || __atomic_load_n(&c->outcome, __ATOMIC_SEQ_CST) != Opending)
			continue;
		__atomic_store_n(&c->woken, 1, __ATOMIC_SEQ_CST);
		c->wake(c);
	}
}

/* wait for each to return, up to ms in all; the rest are stuck */
static void
report(long ms)
{
	struct timespec ts;
	Call *c;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += ms % 1000 * 1000000;
	if(ts.tv_nsec >= 1000000000){
		ts.tv_nsec -= 1000000000;
		ts.tv_sec++;
	}
	for(i = 0; i < Ncall; i++){
		c = &calls[i];
		if(!running(c))
			continue;
		if(pthread_timedjoin_np(c->thread, NULL, &ts) != 0){
			c->outcome = Ostuck;
			c->end = now();
		}
		printf("%s %s %.1f", c->name, outname[c->outcome], (c->end - c->start)/1e3);
		if(c->outcome == Oearly)
			printf(" (%s)", c->got == Werror ? strerror(c->err) : c->got == Wtimeout ? "timed out" : "returned");
		printf("\n");
	}
}

static void
build(long n)
{
	Node *p;

	while(n-- > 0){
		p = malloc(sizeof *p);
		if(p == NULL)
			abort();
		p->next = head;
		p->v = n;
		head = p;
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char line[64];
	int c;

	while((c = getopt(argc, argv, "l:w:")) != -1)
		switch(c){
		case 'l': build(atol(optarg)); break;
		case 'w': waitms = atol(optarg); timedonly = 1; break;
		default:
			fprintf(stderr, "usage: t-syscalls [-l nodes] [-w ms]\n");
			return 2;
		}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onusr2;
	sigaction(SIGUSR2, &sa, NULL);
	setup();
	printf("ipc %d %d\n", semid, msqid);
	startall();
	printf("ready\n");
	if(timedonly)
		report(waitms + Waitslack);
	else{
		if(fgets(line, sizeof line, stdin) == NULL)
			line[0] = 0;
		wakeall();
		report(Stuckms);
	}
	rmipc();
	fflush(stdout);
	_exit(0);
}
