/*
 * C++'s operator new and new[], in C under their mangled names, so that
 * a new'd block is tagged with the line that said new; the block is
 * the allocator's newblock (malloc.c here, lib/pool's libc.c there).
 * On failure the C++ rules (call the new_handler until it gives up,
 * then throw std::bad_alloc, or return nil for nothrow) are libstdc++'s
 * to keep: we call its own operator, found only then.  The mallocs it
 * makes come from libstdc++, so their tags are already found past it
 * and past us (caller.c); its exception unwinds through our frames by
 * their .eh_frame, with nothing of ours to clean up.
 * operator delete is not replaced here: libmalloctag's every block is
 * glibc's own, and libstdc++'s delete hands it to free.  lib/pool has
 * its own (delete.c).
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include "caller.h"

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
	static char msg[] = "operator new failed and libstdc++'s cannot be found\n";
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

Public void*
_Znwm(size_t n)
{
	void *v;

	if((v = newblock(n, 0, Caller)) == NULL)
		v = ((Newfn*)stdnew("_Znwm"))(n);
	return v;
}

Public void*
_Znam(size_t n)
{
	void *v;

	if((v = newblock(n, 0, Caller)) == NULL)
		v = ((Newfn*)stdnew("_Znam"))(n);
	return v;
}

Public void*
_ZnwmRKSt9nothrow_t(size_t n, const void *nt)
{
	void *v;

	if((v = newblock(n, 0, Caller)) == NULL)
		v = ((Newntfn*)stdnew("_ZnwmRKSt9nothrow_t"))(n, nt);
	return v;
}

Public void*
_ZnamRKSt9nothrow_t(size_t n, const void *nt)
{
	void *v;

	if((v = newblock(n, 0, Caller)) == NULL)
		v = ((Newntfn*)stdnew("_ZnamRKSt9nothrow_t"))(n, nt);
	return v;
}

Public void*
_ZnwmSt11align_val_t(size_t n, size_t al)
{
	void *v;

	if((v = newblock(n, al, Caller)) == NULL)
		v = ((Newalfn*)stdnew("_ZnwmSt11align_val_t"))(n, al);
	return v;
}

Public void*
_ZnamSt11align_val_t(size_t n, size_t al)
{
	void *v;

	if((v = newblock(n, al, Caller)) == NULL)
		v = ((Newalfn*)stdnew("_ZnamSt11align_val_t"))(n, al);
	return v;
}

Public void*
_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
	void *v;

	if((v = newblock(n, al, Caller)) == NULL)
		v = ((Newalntfn*)stdnew("_ZnwmSt11align_val_tRKSt9nothrow_t"))(n, al, nt);
	return v;
}

Public void*
_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
	void *v;

	if((v = newblock(n, al, Caller)) == NULL)
		v = ((Newalntfn*)stdnew("_ZnamSt11align_val_tRKSt9nothrow_t"))(n, al, nt);
	return v;
}
