/*
 * The tag names the first caller outside the allocation layer:
 * strdup's block is tagged with the line that called strdup, not
 * with strdup.  callerpc (caller.h) settles the common case, a program
 * calling malloc itself; here are the rest: a caller in the layer,
 * whose stack is unwound with libgcc to the first frame outside it,
 * and a caller not yet in the table.
 */
#include <unwind.h>
#include "caller.h"

enum { Maxdepth = 128 };

/* the mapping of the thread's last caller, when not the layer: callerpc's shortcut */
__thread Hit hit Tls;

/* Set while unwinding: if the unwinder allocates, no recursion. */
__thread int unwinding Tls;

typedef struct Walk Walk;
struct Walk {
	uintptr_t	pc;
	int	depth;
};

static _Unwind_Reason_Code
frame(struct _Unwind_Context *c, void *a)
{
	Walk *w;
	Xmap *m;
	uintptr_t ip;

	w = a;
	ip = _Unwind_GetIP(c);
	if(ip == 0 || ++w->depth > Maxdepth)
		return _URC_END_OF_STACK;
	m = xlookup(ip);
	if(m != NULL && m->layer)
		return _URC_NO_REASON;
	w->pc = ip;
	return _URC_END_OF_STACK;
}

uintptr_t
slowcaller(uintptr_t pc)
{
	Xmap *m;
	Walk w;
	int e;

	if((m = xlookup(pc)) == NULL)
		return pc;
	if(!m->layer){
		hit.start = m->start;
		hit.len = m->end - m->start;
		return pc;
	}
	if(unwinding || !unwindbegin())
		return pc;
	e = errno;
	unwinding = 1;
	w.pc = pc;
	w.depth = 0;
	_Unwind_Backtrace(frame, &w);
	unwinding = 0;
	unwindend();
	errno = e;
	return w.pc;
}
