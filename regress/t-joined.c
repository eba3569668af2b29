/*
 * blocks whose last pointer was on the stack (or in the static TLS)
 * of a thread that has gone: ten joined one after another and two
 * detached, all exited before ready.  glibc keeps their stacks in
 * its stack cache, mapped and unchanged, but nothing can reach them,
 * so those blocks are leaked.  Each thread's stack is a size no
 * earlier one had, so none is reused and every stale pointer stays;
 * setup checks that it did.  Some threads also hold a block from a
 * global.  Built with LIBTLS (the path of lib-tls.so) the threads
 * also touch a dlopen'd library's dynamic TLS, which glibc mallocs
 * per thread and keeps, from the dead thread's dtv, until the stack
 * is reused: glibc's blocks, never a leak.
 */
#include "truth.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef LIBTLS
#include <dlfcn.h>
#endif

enum {
	Njoined	= 10,
	Ndetached	= 2,
	Nthread	= Njoined+Ndetached,
	Deep	= 2048,		/* words of frame: the slot lies below what the exit path writes */
	Stack0	= 128*1024,	/* thread t's stack is Stack0 + t*Stackstep bytes */
	Stackstep	= 64*1024,
	Exitwait	= 10000,	/* ms for the detached threads to exit */
};

/* non-canonical: a key'd pointer is never a pointer */
#define Key	0x5a5a5a5a5a5a5a5aUL

void	*keep[Nthread];

static __thread void *volatile tkeep;
static volatile ulong	*slot[Nthread];	/* where each thread left its pointer */
static void *volatile	*tslot[Nthread];	/* its tkeep, or nil */
static ulong	enc[Nthread];		/* the pointer ^ Key */
static void	(*touch)(int);

static void
die(char *s)
{
	truthsay("t-joined: ");
	truthsay(s);
	truthsay("\n");
	exit(1);
}

static noinline void
work(int t)
{
	volatile ulong frame[Deep];
	ulong n;
	void *p;

	if(touch != nil)
		touch(t);
	n = 32 + 16*t;
	p = malloc(n);
	if(p == nil)
		abort();
	truthfill(p, n);
	frame[0] = (ulong)p;
	slot[t] = &frame[0];
	enc[t] = (ulong)p ^ Key;
	if(t%3 == 0){
		tkeep = p;
		tslot[t] = &tkeep;
	}
	truthleak(p, n);
	if(t%2 == 0)
		keep[t] = heldalloc(100 + t);
}

static void*
worker(void *a)
{
	work((int)(long)a);
	return nil;
}

static void
spawn(long t, int detach)
{
	pthread_attr_t attr;
	pthread_t th;

	if(pthread_attr_init(&attr) != 0
	|| pthread_attr_setstacksize(&attr, Stack0 + t*Stackstep) != 0
	|| pthread_attr_setdetachstate(&attr, detach ? PTHREAD_CREATE_DETACHED : PTHREAD_CREATE_JOINABLE) != 0
	|| pthread_create(&th, &attr, worker, (void*)t) != 0)
		die("cannot start a thread");
	pthread_attr_destroy(&attr);
	if(!detach && pthread_join(th, nil) != 0)
		die("cannot join");
}

/* the Threads: line of /proc/self/status, read without stdio */
static int
nthreads(void)
{
	char buf[4096], *s;
	int fd, n;

	fd = open("/proc/self/status", O_RDONLY);
	if(fd < 0)
		die("cannot open /proc/self/status");
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if(n <= 0)
		die("cannot read /proc/self/status");
	buf[n] = 0;
	s = strstr(buf, "\nThreads:");
	if(s == nil)
		die("no Threads: in /proc/self/status");
	return atoi(s + 9);
}

/* the stale pointers must be where the threads left them */
static noinline void
verify(void)
{
	int t;

	for(t = 0; t < Nthread; t++){
		if((*slot[t] ^ enc[t]) != Key)
			die("a dead thread's stack slot no longer holds its block");
		if(tslot[t] != nil && ((ulong)*tslot[t] ^ enc[t]) != Key)
			die("a dead thread's __thread variable no longer holds its block");
	}
}

static noinline void
setup(void)
{
	long t;
	int i;

#ifdef LIBTLS
	void *h;

	h = dlopen(LIBTLS, RTLD_NOW);
	if(h == nil)
		die(dlerror());
	touch = (void(*)(int))dlsym(h, "tlstouch");
	if(touch == nil)
		die("no tlstouch");
#endif
	for(t = 0; t < Njoined; t++)
		spawn(t, 0);
	for(; t < Nthread; t++)
		spawn(t, 1);
	for(i = 0; nthreads() != 1; i++){
		if(i >= Exitwait)
			die("the detached threads did not exit");
		usleep(1000);
	}
	verify();
}

int
main(void)
{
	setup();
	truthready();
}
