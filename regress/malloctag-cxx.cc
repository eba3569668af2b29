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
#include <stdint.h>
#include <new>
#include <string>
#include <vector>
#include "malloctag.h"
#include "mtcheck.h"

#define noinline __attribute__((noinline))

static volatile size_t huge = (size_t)1 << 62;	/* hidden from the compiler */

struct alignas(64) Line {
	char	c[100];
};

/*
 * The allocating helpers below are a function each, since a tag is
 * checked against the name of the function it points into.  The store
 * to sink after the call keeps it a call: made a jump to the
 * allocator, it would leave the return address, and so the tag, in
 * the helper's caller.
 */
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
	if(mtinit() < 0)
		return 1;
	cxxnew();
	cxxlib();
	cxxfail();
	return mtdone();
}
