/*
 * malloctag-cxx: libmalloctag's operator new, checked from inside.
 * Linked with -lmalloctag (and -rdynamic, for dladdr); also runs
 * preloaded.  The tag of a new'd block must name the function that
 * said new; a std::string's, the function that made the string,
 * though libstdc++ calls new; a failed new must still throw
 * std::bad_alloc, or return nullptr when nothrow, after the
 * new_handler has had its turns.  Prints a line per check and
 * "N passed, N failed"; exits 1 if any failed.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <new>
#include <string>
#include <vector>
#include "malloctag.h"

#define noinline __attribute__((noinline))

static int npass, nfail;
static void *exebase;
static volatile size_t huge = (size_t)1 << 62;	/* hidden from the compiler */

static int
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
	unsigned char *p;

	p = (unsigned char*)pc;
	return p[-5] == 0xe8 || (p[-6] == 0xff && p[-5] == 0x15)
		|| (p[-2] == 0xff && (p[-1] & 0xf8) == 0xd0);
}

static const char*
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
static int
in(uintptr_t pc, const char *fn)
{
	Dl_info d;

	if(pc == 0 || dladdr((void*)pc, &d) == 0 || d.dli_fbase != exebase)
		return 0;
	if(fn != NULL && (d.dli_sname == NULL || strcmp(d.dli_sname, fn) != 0))
		return 0;
	return aftercall(pc);
}

static int
tagin(void *v, const char *fn, const char *what)
{
	uintptr_t t;

	t = getmalloctag(v);
	return check(in(t, fn), "%s: malloc tag %s, want %s", what, where(t), fn);
}

struct alignas(64) Line {
	char	c[100];
};

void *volatile sink;

extern "C" {

void* noinline
newint(void)
{
	int *p = new int(7);
	sink = p;
	return p;
}

void* noinline
newarray(void)
{
	int *p = new int[100];
	sink = p;
	return p;
}

void* noinline
newnothrow(void)
{
	int *p = new (std::nothrow) int[10];
	sink = p;
	return p;
}

void* noinline
newaligned(void)
{
	Line *p = new Line;
	sink = p;
	return p;
}

void* noinline
newalignedarray(void)
{
	Line *p = new Line[3];
	sink = p;
	return p;
}

void* noinline
newalignednothrow(void)
{
	Line *p = new (std::nothrow) Line;
	sink = p;
	return p;
}

std::string* noinline
makestring(void)
{
	std::string *s = new std::string("a string long enough not to fit in the small buffer of std::string");
	sink = s;
	return s;
}

std::string* noinline
growstring(std::string *s)
{
	s->append(200, 'x');
	sink = s;
	return s;
}

std::vector<long>* noinline
makevector(void)
{
	std::vector<long> *v = new std::vector<long>;
	for(long i = 0; i < 1000; i++)
		v->push_back(i);
	sink = v;
	return v;
}

}

static void
cxxnew(void)
{
	void *v;

	v = newint();
	tagin(v, "newint", "new int");
	delete (int*)v;
	v = newarray();
	tagin(v, "newarray", "new int[100]");
	delete[] (int*)v;
	v = newnothrow();
	tagin(v, "newnothrow", "new (nothrow) int[10]");
	delete[] (int*)v;
	v = newaligned();
	check((uintptr_t)v % 64 == 0, "new Line (alignas 64): %p aligned", v);
	tagin(v, "newaligned", "new Line (alignas 64)");
	delete (Line*)v;
	v = newalignedarray();
	check((uintptr_t)v % 64 == 0, "new Line[3]: %p aligned", v);
	tagin(v, "newalignedarray", "new Line[3]");
	delete[] (Line*)v;
	v = newalignednothrow();
	check((uintptr_t)v % 64 == 0, "new (nothrow) Line: %p aligned", v);
	tagin(v, "newalignednothrow", "new (nothrow) Line");
	delete (Line*)v;
}

static void
cxxlib(void)
{
	std::string *s;
	std::vector<long> *v;

	s = makestring();
	tagin(s, "makestring", "new std::string");
	tagin((void*)s->data(), "makestring", "std::string's characters");
	growstring(s);
	tagin((void*)s->data(), "growstring", "std::string's characters after append");
	delete s;
	/* push_back's growth is template code the program holds: its own */
	v = makevector();
	check(in(getmalloctag(v->data()), NULL), "std::vector's elements: malloc tag %s, in the test",
		where(getmalloctag(v->data())));
	delete v;
}

static int handled;

static void
handler(void)
{
	handled++;
	std::set_new_handler(nullptr);
}

static void
cxxfail(void)
{
	void *v;
	int thrown;

	thrown = 0;
	try{
		v = new char[huge];
		sink = v;
	}catch(std::bad_alloc&){
		thrown = 1;
	}
	check(thrown, "new char[1<<62] throws std::bad_alloc");

	thrown = 0;
	handled = 0;
	std::set_new_handler(handler);
	try{
		v = new char[huge];
		sink = v;
	}catch(std::bad_alloc&){
		thrown = 1;
	}
	check(thrown && handled == 1, "new_handler called once, then std::bad_alloc");

	thrown = 0;
	try{
		v = ::operator new(huge, std::align_val_t(64));
		sink = v;
	}catch(std::bad_alloc&){
		thrown = 1;
	}
	check(thrown, "aligned new of 1<<62 throws std::bad_alloc");

	v = new (std::nothrow) char[huge];
	check(v == nullptr, "new (nothrow) char[1<<62] is nullptr");
	v = ::operator new(huge, std::align_val_t(64), std::nothrow);
	check(v == nullptr, "aligned new (nothrow) of 1<<62 is nullptr");
	v = ::operator new((size_t)-1, std::nothrow);
	check(v == nullptr, "new (nothrow) of SIZE_MAX is nullptr");

	/* after the exceptions, libstdc++'s allocations name their callers again */
	std::string *s = makestring();
	tagin((void*)s->data(), "makestring", "std::string after bad_alloc");
	delete s;
}

int
main(void)
{
	Dl_info d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if(dladdr((void*)main, &d) == 0){
		printf("FAIL dladdr(main)\n0 passed, 1 failed\n");
		return 1;
	}
	exebase = d.dli_fbase;
	cxxnew();
	cxxlib();
	cxxfail();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
