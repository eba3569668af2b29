/*
 * roots in a dlopen'd library: see lib-dl.c.  LIBDL is the
 * absolute path of lib-dl.so, set by the build.
 */
#include "truth.h"
#include <dlfcn.h>
#include <stdlib.h>

void	*handle;

static noinline void
setup(void)
{
	void (*f)(void);

	handle = dlopen(LIBDL, RTLD_NOW);
	if(handle == nil){
		truthsay(dlerror());
		truthsay("\n");
		exit(1);
	}
	f = (void(*)(void))dlsym(handle, "dlsetup");
	if(f == nil)
		exit(1);
	f();
	leakalloc(44);
}

int
main(void)
{
	setup();
	truthready();
}
