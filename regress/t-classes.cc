/*
 * untagged C++ objects, leaked and held, each recorded with the
 * signature a block without malloc tags should get from its
 * contents: the dynamic type of a polymorphic object (its first
 * word is the vtable), the symbol a plain struct's first word
 * points to, else a size class for buffers holding no pointers:
 *
 *	sig		leak	held
 *	Circle		5	2	derived from abstract Shape
 *	geo::Square	3	1	in a namespace
 *	Box<int>	2		a template
 *	Labeled		1		Shape and Named: first word the primary vtable
 *	handlers	4		struct Event, first word &handlers
 *	size N		6	1	new char[100], N its usable size
 *
 * Type names are as __cxa_demangle prints them.  Built with g++,
 * truth.c still as C.
 */
#include "truth.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

class Shape
{
public:
	virtual	~Shape();
	virtual double	area() const = 0;
};

class Circle : public Shape
{
public:
	explicit	Circle(double r) : r(r) {}
	double	area() const;
private:
	double	r;
};

namespace geo {
class Square : public Shape
{
public:
	explicit	Square(double s) : s(s) {}
	double	area() const;
private:
	double	s;
};
}

template<class T> class Box : public Shape
{
public:
	explicit	Box(T v) : v(v) {}
	double	area() const { return v; }
private:
	T	v;
};

class Named
{
public:
	virtual	~Named();
	virtual const char*	name() const;
};

class Labeled : public Shape, public Named
{
public:
	double	area() const;
	const char*	name() const;
};

/* plain C: no vtable, the first word points at a global */
struct Handler
{
	int	sig;
	int	flags;
};

struct Event
{
	Handler	*h;
	long	seq;
};

Handler	handlers[4] = { { 1, 0 }, { 2, 0 }, { 15, 1 }, { 10, 2 } };

enum {
	Nkeep	= 8,
	Nbuf	= 100,
};

void	*keep[Nkeep];
static int	nkeep;

/* key functions out of line: each vtable is emitted here, with a symbol */
Shape::~Shape() {}
Named::~Named() {}

double
Circle::area() const
{
	return 3.14159*r*r;
}

double
geo::Square::area() const
{
	return s*s;
}

double
Labeled::area() const
{
	return 0;
}

const char*
Named::name() const
{
	return "named";
}

const char*
Labeled::name() const
{
	return "labeled";
}

/*
 * leaked, or held when held is set; line is where p was allocated,
 * for a run under libmalloctag (0: already recorded)
 */
static void
fate(void *p, ulong n, const char *sig, int held, int line)
{
	if(line != 0)
		truthsite(p, (char*)__FILE_NAME__, line);
	if(held){
		keep[nkeep++] = p;
		truthheld(p, n);
	}else
		truthleak(p, n);
	truthsig(p, (char*)sig);
}

static noinline void
shapes(void)
{
	int i;

	for(i = 0; i < 7; i++)
		fate(new Circle(1.5+i), sizeof(Circle), "Circle", i >= 5, __LINE__);
	for(i = 0; i < 4; i++)
		fate(new geo::Square(2.5+i), sizeof(geo::Square), "geo::Square", i >= 3, __LINE__);
	for(i = 0; i < 2; i++)
		fate(new Box<int>(0x11110+i), sizeof(Box<int>), "Box<int>", 0, __LINE__);
	fate(new Labeled, sizeof(Labeled), "Labeled", 0, __LINE__);
}

static noinline void
plain(void)
{
	char sig[32], *b;
	Event *e;
	int i;

	for(i = 0; i < 4; i++){
		e = new Event; SITE(e);
		e->h = handlers;
		e->seq = 0x5e0000+i;
		fate(e, sizeof *e, "handlers", 0, 0);
	}
	for(i = 0; i < 7; i++){
		b = new char[Nbuf]; SITE(b);
		truthfill(b, Nbuf);
		snprintf(sig, sizeof sig, "size %zu", malloc_usable_size(b));
		fate(b, Nbuf, sig, i >= 6, 0);
	}
}

static noinline void
setup(void)
{
	shapes();
	plain();
}

int
main(void)
{
	setup();
	truthready();
}
