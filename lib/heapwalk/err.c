/* The last error, Plan 9 style: set by the failing function, read by the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include "heapwalk.h"

static char err[1024];

void
werrstr(char *fmt, ...)
{
	va_list arg;

	va_start(arg, fmt);
	vsnprintf(err, sizeof err, fmt, arg);
	va_end(arg);
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
		fprintf(stderr, "leak: out of memory allocating %zu bytes\n", n);
		exit(1);
	}
	return p;
}

void*
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if(p == NULL){
		fprintf(stderr, "leak: out of memory allocating %zu bytes\n", n);
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
