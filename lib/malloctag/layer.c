/*
 * Which code is the allocation layer.  A table of the process's
 * executable mappings, read from /proc/self/maps, each marked as
 * layer (libc, ld.so, libstdc++, libgcc_s, this library) or not.
 * This runs inside malloc: no stdio, no malloc, and raw system calls,
 * since open and read are cancellation points and malloc must not be.
 * A new table is published with one atomic store; readers may still
 * hold an old one, so old tables are never unmapped.  A pc outside
 * every mapping (a library dlopened since, JIT code) makes one re-read.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "caller.h"

Xtab *_Atomic xtab;

/* what we know when /proc/self/maps cannot be read: nothing, for good */
static Xtab nomaps;

enum { Name = 32 };

/* the state of parsing one line of the maps */
typedef struct Line Line;
struct Line {
	int	field;		/* 0 range, 1 perms, 2 offset, 3 dev, 4 inode, 5 path */
	int	col;		/* characters into the field */
	int	dash;		/* past the '-' in the range */
	uintptr_t	start;
	uintptr_t	end;
	int	x;		/* executable */
	int	nname;
	char	name[Name];	/* the path's last element, cut short */
};

/* glibc's and the C++ runtime's objects, by the start of their names */
static char *layernames[] = {
	"libc.so", "libc-2.",
	"ld-linux-x86-64.so", "ld-2.",
	"libpthread.so", "libpthread-2.",	/* part of libc before 2.34 */
	"libdl.so", "libdl-2.",
	"libstdc++.so",
	"libgcc_s.so",
};

static int
prefix(char *s, char *p)
{
	while(*p != 0)
		if(*s++ != *p++)
			return 0;
	return 1;
}

static int
islayer(Line *l)
{
	uintptr_t self;
	unsigned i;

	self = (uintptr_t)islayer;
	if(l->start <= self && self < l->end)
		return 1;
	l->name[l->nname] = 0;
	for(i = 0; i < sizeof layernames/sizeof layernames[0]; i++)
		if(prefix(l->name, layernames[i]))
			return 1;
	return 0;
}

static Xtab*
newtab(size_t size)
{
	Xtab *t;

	t = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if(t == MAP_FAILED)
		return NULL;
	t->size = size;
	return t;
}

static int
add(Xtab **tp, Line *l)
{
	Xtab *t, *nt;

	t = *tp;
	if(sizeof *t + (t->n+1)*sizeof t->m[0] > t->size){
		nt = mremap(t, t->size, 2*t->size, MREMAP_MAYMOVE);
		if(nt == MAP_FAILED)
			return -1;
		nt->size *= 2;
		*tp = t = nt;
	}
	t->m[t->n].start = l->start;
	t->m[t->n].end = l->end;
	t->m[t->n].layer = islayer(l);
	t->n++;
	return 0;
}

static int
hex(int c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One character of the maps; whole lines go into the table. */
static int
eat(Xtab **tp, Line *l, int c)
{
	int r;

	if(c == '\n'){
		r = l->x && l->end > l->start ? add(tp, l) : 0;
		*l = (Line){0};
		return r;
	}
	if(l->field < 5 && c == ' '){
		l->field++;
		l->col = 0;
		return 0;
	}
	switch(l->field){
	case 0:
		if(c == '-')
			l->dash = 1;
		else if(hex(c) >= 0 && l->dash)
			l->end = l->end<<4 | hex(c);
		else if(hex(c) >= 0)
			l->start = l->start<<4 | hex(c);
		break;
	case 1:
		if(l->col == 2 && c == 'x')
			l->x = 1;
		break;
	case 5:
		if(c == '/')
			l->nname = 0;
		else if(l->nname < Name-1 && (l->nname > 0 || c != ' '))
			l->name[l->nname++] = c;
		break;
	}
	l->col++;
	return 0;
}

/* The maps now; nil if they cannot be read, and *never set if they never will. */
static Xtab*
readmaps(int *never)
{
	char buf[4096];
	Line l;
	Xtab *t;
	long n, i;
	int fd, bad;
	size_t size, page;

	fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY|O_CLOEXEC);
	if(fd < 0){
		*never = errno == ENOENT || errno == EACCES || errno == EPERM;
		return NULL;
	}
	if((t = newtab(16*4096)) == NULL){
		syscall(SYS_close, fd);
		return NULL;
	}
	l = (Line){0};
	bad = 0;
	do{
		while(!bad && (n = syscall(SYS_read, fd, buf, sizeof buf)) > 0)
			for(i = 0; i < n && !bad; i++)
				bad = eat(&t, &l, buf[i]) < 0;
	}while(!bad && n < 0 && errno == EINTR);
	syscall(SYS_close, fd);
	if(bad || n < 0){
		munmap(t, t->size);
		return NULL;
	}
	/* the table is kept for good: give back what it does not use */
	page = getpagesize();
	size = (sizeof *t + t->n*sizeof t->m[0] + page-1) & ~(page-1);
	if(size < t->size && munmap((char*)t + size, t->size - size) == 0)
		t->size = size;
	return t;
}

/*
 * pc's mapping, reading the maps again if pc is in none of those known;
 * nil if it is in none even then, or the maps cannot be read.
 */
Xmap*
xlookup(uintptr_t pc)
{
	Xtab *t, *old;
	Xmap *m;
	int e, never;

	old = atomic_load_explicit(&xtab, memory_order_acquire);
	if(old != NULL && ((m = xfind(old, pc)) != NULL || old == &nomaps))
		return m;
	e = errno;	/* malloc's caller must not see ours */
	never = 0;
	t = readmaps(&never);
	errno = e;
	if(t == NULL){
		/* with no maps to read, ask no more; a table read meanwhile wins */
		if(old == NULL && never)
			atomic_compare_exchange_strong(&xtab, &old, &nomaps);
		return NULL;
	}
	/* a newer table published meanwhile wins; ours was never seen */
	if(!atomic_compare_exchange_strong(&xtab, &old, t)){
		munmap(t, t->size);
		t = old;
	}
	return t == &nomaps ? NULL : xfind(t, pc);
}
