/* The last error, Plan 9 style: set by the failing function, read by the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>
#include "heapwalk.h"
#include "fns.h"

enum { Errlen = 1024 };

static char err[Errlen];

/* Messages name paths and symbols the target chose: escaped, they stay one line. */
void
werrstr(char *fmt, ...)
{
	va_list arg;
	char raw[Errlen];

	va_start(arg, fmt);
	vsnprintf(raw, sizeof raw, fmt, arg);
	va_end(arg);
	hwesc(raw, Emsg, err, sizeof err);
}

/* Everything written, or -1 with errstr saying why (a full disk, a closed descriptor). */
int
hwflush(FILE *f)
{
	if(fflush(f) == 0 && !ferror(f))
		return 0;
	werrstr("write error: %s", strerror(errno ? errno : EIO));
	return -1;
}

char*
errstr(void)
{
	return err;
}

void*
emalloc(size_t n)
{
	void *p;

	p = calloc(1, n ? n : 1);
	if(p == NULL){
		fprintf(stderr, "%s: out of memory allocating %zu bytes\n", program_invocation_short_name, n);
		exit(1);
	}
	return p;
}

void*
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if(p == NULL){
		fprintf(stderr, "%s: out of memory allocating %zu bytes\n", program_invocation_short_name, n);
		exit(1);
	}
	return p;
}

char*
estrdup(char *s)
{
	char *t;

	t = emalloc(strlen(s)+1);
	strcpy(t, s);
	return t;
}
