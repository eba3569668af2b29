/*
 * mainmem, the pool malloc uses: arenas from mmap, locked by a pthread
 * mutex (mainmem->private, which leak reads to see whether a thread is
 * inside), printing and panicking on standard error.
 * malloc is called before any constructor of ours could run (by ld.so
 * and libc starting up), so what must be done once is done by the
 * first lock: the fork handlers registered, and POOL_FLAGS read as soon
 * as the environment has been set up (before then, environ is nil).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "fns.h"

extern char **environ;

static void	mainlock(Pool*);
static void	mainunlock(Pool*);
static void	mainprint(Pool*, char*, ...);
static void	mainpanic(Pool*, char*, ...);

static pthread_mutex_t mainmutex = PTHREAD_MUTEX_INITIALIZER;

static Pool mainpool = {
	.name = "mainmem",
	.maxsize = Maxdsize,
	.minarena = 1<<20,
	.quantum = Mallocalign,
	.alloc = poolmmap,
	.merge = poolmmapmerge,
	.lock = mainlock,
	.unlock = mainunlock,
	.print = mainprint,
	.panic = mainpanic,
	.private = &mainmutex,
};

Public Pool *mainmem = &mainpool;

static atomic_int forkready;	/* the fork handlers registered, or being */
static atomic_int flagsread;

/*
 * A thread forking holds the lock across the fork, so that the child
 * gets a pool no thread was changing; the child, alone, starts with a
 * fresh lock.  The tag layer's handlers go outside ours: a thread in
 * the unwinder may be waiting for the lock (fork.c).
 */
static void
prefork(void)
{
	tagprefork();
	pthread_mutex_lock(&mainmutex);
}

static void
parent(void)
{
	pthread_mutex_unlock(&mainmutex);
	tagparent();
}

static void
child(void)
{
	pthread_mutex_init(&mainmutex, NULL);
	tagchild();
}

/* Once: pthread_atfork may allocate, so forkready is set first and a malloc inside goes on. */
static void
ready(void)
{
	int f, z;

	if(!atomic_load_explicit(&flagsread, memory_order_relaxed) && environ != NULL){
		atomic_store(&flagsread, 1);
		f = poolenvflags(getenv("POOL_FLAGS"));
		pthread_mutex_lock(&mainmutex);
		mainpool.flags |= f;
		pthread_mutex_unlock(&mainmutex);
	}
	z = 0;
	if(atomic_compare_exchange_strong(&forkready, &z, 1))
		pthread_atfork(prefork, parent, child);
}

static void
mainlock(Pool *p)
{
	if(!atomic_load_explicit(&flagsread, memory_order_relaxed)
	|| !atomic_load_explicit(&forkready, memory_order_relaxed))
		ready();
	pthread_mutex_lock(p->private);
}

static void
mainunlock(Pool *p)
{
	pthread_mutex_unlock(p->private);
}

/* no stdio streams: they allocate, and this is malloc */
static void
mainprint(Pool *p, char *fmt, ...)
{
	char buf[512];
	va_list a;
	int n;

	USED(p);
	va_start(a, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, a);
	va_end(a);
	if(n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if(n > 0 && write(2, buf, n) < 0){
		/* nowhere else to say it */
	}
}

/* the pool is broken: say why and stop here, the lock held, for a debugger or the core */
static void
mainpanic(Pool *p, char *fmt, ...)
{
	char buf[512];
	va_list a;
	int n;

	USED(p);
	n = snprintf(buf, sizeof buf, "pool panic: ");
	va_start(a, fmt);
	n += vsnprintf(buf + n, sizeof buf - n, fmt, a);
	va_end(a);
	if(n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if(write(2, buf, n) < 0){
		/* nowhere else to say it */
	}
	abort();
}
