/*
 * mtcheck: the checking half of libmalloctag's tests; see mtcheck.h.
 * C, even in malloctag-cxx.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "malloctag.h"
#include "mtcheck.h"

/* malloctag-test is not linked with the library but preloaded: its main says when it is missing */
#pragma weak getmalloctag

typedef unsigned char uchar;

static int npass, nfail;
static void *exebase;

/*
 * Line-buffered, so that a crash leaves the lines before it;
 * exebase from this file's own code, which is in the test.
 * A test that cannot say where tags point cannot run.
 */
int
mtinit(void)
{
	Dl_info d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if(dladdr((void*)mtinit, &d) == 0){
		printf("FAIL dladdr(mtinit)\n0 passed, 1 failed\n");
		return -1;
	}
	exebase = d.dli_fbase;
	return 0;
}

/* the summary line and main's exit status */
int
mtdone(void)
{
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}

int
check(int c, const char *fmt, ...)
{
	va_list a;

	printf("%s ", c ? "ok  " : "FAIL");
	va_start(a, fmt);
	vprintf(fmt, a);
	va_end(a);
	printf("\n");
	if(c)
		npass++;
	else
		nfail++;
	return c;
}

/* the bytes before pc are a call: e8 rel32, ff 15 disp32, ff d0+r */
static int
aftercall(uintptr_t pc)
{
	uchar *p;

	p = (uchar*)pc;
	return p[-5] == 0xe8 || (p[-6] == 0xff && p[-5] == 0x15)
		|| (p[-2] == 0xff && (p[-1] & 0xf8) == 0xd0);
}

/* pc as dladdr names it, for the ok/FAIL lines; eight at a time */
char*
where(uintptr_t pc)
{
	static char buf[8][256];
	static int i;
	Dl_info d;
	char *s;

	s = buf[i++ % 8];
	if(pc == 0)
		snprintf(s, 256, "0 (untagged)");
	else if(dladdr((void*)pc, &d) == 0 || d.dli_sname == NULL)
		snprintf(s, 256, "%#lx", (unsigned long)pc);
	else
		snprintf(s, 256, "%s+%#lx in %s", d.dli_sname,
			(unsigned long)(pc - (uintptr_t)d.dli_saddr),
			d.dli_fbase == exebase ? "the test" : d.dli_fname);
	return s;
}

/* pc is a return address in function fn of this program, or anywhere in it if fn is nil */
int
in(uintptr_t pc, const char *fn)
{
	Dl_info d;

	if(pc == 0 || dladdr((void*)pc, &d) == 0 || d.dli_fbase != exebase)
		return 0;
	if(fn != NULL && (d.dli_sname == NULL || strcmp(d.dli_sname, fn) != 0))
		return 0;
	return aftercall(pc);
}

/* a check that v's malloc tag is in fn */
int
tagin(void *v, const char *fn, const char *what)
{
	uintptr_t t;

	t = getmalloctag(v);
	return check(in(t, fn), "%s: malloc tag %s, want %s", what, where(t), fn);
}
