/*
 * lib-evil.so, dlopen'd by t-evil: tagged blocks allocated in a
 * function and a source file with hostile names (evil.h), which
 * t-evil records, as the truth calls are the executable's.
 */
#include "truth.h"
#include "evil.h"
#include <stdlib.h>

enum { Lsize = 56 };	/* t-evil's */

int	evillib(void**, int);

#line 200 EVILLIBFILE

static noinline __attribute__((noclone)) int
EVILLIBFUNC(void **v, int n)
{
	int i, line;

	line = 0;
	for(i = 0; i < n; i++){
		v[i] = malloc(Lsize); line = __LINE__;
		if(v[i] == nil)
			abort();
	}
	return line;
}

int
evillib(void **v, int n)
{
	return EVILLIBFUNC(v, n);
}
