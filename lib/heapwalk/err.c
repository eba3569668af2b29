/* The last error, Plan 9 style: set by the failing function, read by the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>
#include <sys/mman.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Errlen = 1024,
	Bigalign = 2<<20,	/* a huge page */
	Firstgrow = 16,		/* hwgrow's first room */
};

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

/*
 * Tables of millions of entries, looked up at random: in huge pages
 * where the kernel has them, as a lookup that misses the TLB on every
 * 4 KiB page waits twice.  Grown in place when they can be.
 */
void*
hwbig(void *p, size_t old, size_t n)
{
	void *q;

	n = (n + Bigalign-1) & ~(size_t)(Bigalign-1);
	old = (old + Bigalign-1) & ~(size_t)(Bigalign-1);
	if(p != NULL && n <= old)
		return p;
	if(p == NULL)
		q = mmap(NULL, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	else
		q = mremap(p, old, n, MREMAP_MAYMOVE);
	if(q == MAP_FAILED){
		fprintf(stderr, "%s: out of memory allocating %zu bytes\n", program_invocation_short_name, n);
		exit(1);
	}
	madvise(q, n, MADV_HUGEPAGE);
	return q;
}

void
hwbigfree(void *p, size_t n)
{
	if(p != NULL)
		munmap(p, (n + Bigalign-1) & ~(size_t)(Bigalign-1));
}

/* room for one more in an array of n, grown by doubling: a core's thousands stay linear */
void*
hwgrow(void *p, int n, size_t size)
{
	if(n == 0)
		return erealloc(p, Firstgrow * size);
	if(n >= Firstgrow && (n & (n-1)) == 0)
		return erealloc(p, 2 * (size_t)n * size);
	return p;
}
