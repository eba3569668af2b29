/*
 * No thread may be inside the unwinder when the process forks.
 * libgcc finds a frame's unwind table with dl_iterate_phdr unless
 * glibc has _dl_find_object (2.35) and libgcc uses it (GCC 12), and
 * dl_iterate_phdr takes a lock that fork does not reset: a child forked
 * while another thread unwound would hang in its first strdup.  So the
 * fork handlers wait for unwinding threads to leave, and while a fork
 * is under way a thread tags with its immediate caller instead.
 * This is the only shared mutable state besides the table, and only
 * the slow path (a caller in the layer) touches it.
 * An allocator with a lock of its own (lib/pool) calls the handlers
 * from its own too, the prefork before taking its lock, since an
 * unwinding thread may be waiting for that lock: the counts nest.
 */
#include <pthread.h>
#include <sched.h>
#include "caller.h"

static atomic_int nunwind;	/* threads inside the unwinder, or about to be */
static atomic_int forking;	/* forks under way: glibc before 2.28 lets several overlap */

/* Whether the caller may unwind; if so it calls unwindend after. */
int
unwindbegin(void)
{
	atomic_fetch_add(&nunwind, 1);
	if(atomic_load(&forking)){
		atomic_fetch_sub(&nunwind, 1);
		return 0;
	}
	return 1;
}

void
unwindend(void)
{
	atomic_fetch_sub(&nunwind, 1);
}

void
unwindprefork(void)
{
	atomic_fetch_add(&forking, 1);
	/* a fork from a signal handler may have interrupted our own unwind */
	while(atomic_load(&nunwind) > unwinding)
		sched_yield();
}

void
unwindparent(void)
{
	atomic_fetch_sub(&forking, 1);
}

/* the child is alone: a count left by threads that no longer exist is stale */
void
unwindchild(void)
{
	atomic_store(&nunwind, 0);
	atomic_store(&forking, 0);
}

static void __attribute__((constructor))
init(void)
{
	pthread_atfork(unwindprefork, unwindparent, unwindchild);
}
