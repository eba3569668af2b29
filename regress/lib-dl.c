/*
 * lib-dl.so, dlopen'd by t-dlopen: holds one block from its own
 * bss and one from its own __thread variable (dynamic TLS, which
 * glibc mallocs on first use), and leaks one.  The truth calls
 * resolve to the executable's, which is linked -rdynamic.
 */
#include "truth.h"

static void *volatile keep;
static __thread void *volatile tkeep;

void	dlsetup(void);

void
dlsetup(void)
{
	keep = heldalloc(111);
	tkeep = heldalloc(222);
	leakalloc(333);
}
