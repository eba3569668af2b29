/*
 * C++'s operator new and new[], in C under their mangled names, so that
 * a new'd block is tagged with the line that said new.
 * On failure the C++ rules (call the new_handler until it gives up,
 * then throw std::bad_alloc, or return nil for nothrow) are libstdc++'s
 * to keep: we call its own operator, found only then, with `outer' set
 * so that the mallocs inside it carry our caller's tag.  The exception
 * may pass through here: built with -fexceptions, the cleanup resets
 * `outer' on the way out.
 * operator delete is not replaced: every block is glibc's own, and
 * libstdc++'s delete hands it to free.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include "fns.h"

Public void	*_Znwm(size_t);
Public void	*_Znam(size_t);
Public void	*_ZnwmRKSt9nothrow_t(size_t, const void*);
Public void	*_ZnamRKSt9nothrow_t(size_t, const void*);
Public void	*_ZnwmSt11align_val_t(size_t, size_t);
Public void	*_ZnamSt11align_val_t(size_t, size_t);
Public void	*_ZnwmSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void*);
Public void	*_ZnamSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void*);

typedef void	*Newfn(size_t);
typedef void	*Newntfn(size_t, const void*);
typedef void	*Newalfn(size_t, size_t);
typedef void	*Newalntfn(size_t, size_t, const void*);

static void*
stdnew(char *name)
{
	static char msg[] = "malloctag: operator new failed and libstdc++'s cannot be found\n";
	void *f, *h;

	f = dlsym(RTLD_NEXT, name);
	if(f == NULL && (h = dlopen("libstdc++.so.6", RTLD_LAZY|RTLD_NOLOAD)) != NULL)
		f = dlsym(h, name);
	if(f == NULL){
		if(write(2, msg, sizeof msg - 1) < 0){
			/* nothing more to say */
		}
		abort();
	}
	return f;
}

static void
restore(uintptr_t *old)
{
	outer = *old;
}

/* libstdc++'s operator name, for caller pc; al 0 when not aligned, nt nil when not nothrow */
static void*
renew(char *name, size_t n, size_t al, const void *nt, uintptr_t pc)
{
	uintptr_t old __attribute__((cleanup(restore))) = outer;

	outer = callerpc(pc);
	if(al == 0 && nt == NULL)
		return ((Newfn*)stdnew(name))(n);
	if(al == 0)
		return ((Newntfn*)stdnew(name))(n, nt);
	if(nt == NULL)
		return ((Newalfn*)stdnew(name))(n, al);
	return ((Newalntfn*)stdnew(name))(n, al, nt);
}

Public void*
_Znwm(size_t n)
{
	void *v;

	if((v = tagmalloc(n, Caller)) == NULL)
		v = renew("_Znwm", n, 0, NULL, Caller);
	return v;
}

Public void*
_Znam(size_t n)
{
	void *v;

	if((v = tagmalloc(n, Caller)) == NULL)
		v = renew("_Znam", n, 0, NULL, Caller);
	return v;
}

Public void*
_ZnwmRKSt9nothrow_t(size_t n, const void *nt)
{
	void *v;

	if((v = tagmalloc(n, Caller)) == NULL)
		v = renew("_ZnwmRKSt9nothrow_t", n, 0, nt, Caller);
	return v;
}

Public void*
_ZnamRKSt9nothrow_t(size_t n, const void *nt)
{
	void *v;

	if((v = tagmalloc(n, Caller)) == NULL)
		v = renew("_ZnamRKSt9nothrow_t", n, 0, nt, Caller);
	return v;
}

Public void*
_ZnwmSt11align_val_t(size_t n, size_t al)
{
	void *v;

	if((v = tagmemalign(al, n, Caller)) == NULL)
		v = renew("_ZnwmSt11align_val_t", n, al, NULL, Caller);
	return v;
}

Public void*
_ZnamSt11align_val_t(size_t n, size_t al)
{
	void *v;

	if((v = tagmemalign(al, n, Caller)) == NULL)
		v = renew("_ZnamSt11align_val_t", n, al, NULL, Caller);
	return v;
}

Public void*
_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
	void *v;

	if((v = tagmemalign(al, n, Caller)) == NULL)
		v = renew("_ZnwmSt11align_val_tRKSt9nothrow_t", n, al, nt, Caller);
	return v;
}

Public void*
_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
	void *v;

	if((v = tagmemalign(al, n, Caller)) == NULL)
		v = renew("_ZnamSt11align_val_tRKSt9nothrow_t", n, al, nt, Caller);
	return v;
}
