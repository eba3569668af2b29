/*
 * mmapped chunks (1 MiB) whose mapping the program split with
 * mprotect: a middle page read-only, the last page read-only, or the
 * first page, which holds the chunk header, PROT_NONE.  Some leaked,
 * some held.  A held chunk with a read-only middle page holds there
 * the only pointer to a small block, which is held too; a leaked one
 * holds the only pointer to another small block, which is leaked
 * with it.  Marking must read across the split.  Blocks whose first
 * page is PROT_NONE cannot be checksummed on SIGUSR1 as they are, so
 * the check gives their first page back and compares them itself.
 */
#include "truth.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

enum {
	Big	= 1024*1024,	/* mmapped: over the default threshold */
	Small	= 72,
	Nnone	= 2,		/* blocks with a PROT_NONE first page */
};

/* how a block's mapping is split */
enum {
	Middle,		/* a middle page read-only */
	Last,		/* the last page read-only */
	First,		/* the first page (the chunk header) PROT_NONE */
};

void	*keep[4];
static ulong	pagesz;
static struct {
	ulong	enc;	/* the block ^ Key: a held block with a PROT_NONE head */
	ulong	sum;
} none[Nnone];
static int	nnone;

#define Key	0x5a5a5a5a5a5a5a5aUL

static void
die(char *s)
{
	truthsay("t-mprotect: ");
	truthsay(s);
	truthsay("\n");
	exit(1);
}

static ulong
sum(unsigned char *p, ulong n)
{
	ulong h;

	h = 1469598103934665603UL;
	while(n-- > 0)
		h = (h ^ *p++) * 1099511628211UL;
	return h;
}

static ulong
pagedown(ulong a)
{
	return a & ~(pagesz-1);
}

/* the page at offset off of p, made prot */
static void
protect(char *p, ulong off, int prot)
{
	if(mprotect((void*)pagedown((ulong)p + off), pagesz, prot) != 0)
		die("mprotect failed");
}

static void
split(char *p, int how)
{
	switch(how){
	case Middle:
		protect(p, Big/2, PROT_READ);
		break;
	case Last:
		protect(p, Big-1, PROT_READ);
		break;
	case First:
		protect(p, 0, PROT_NONE);
		break;
	}
}

/* glibc's chunk size word, below the block */
static noinline ulong
sizeword(void *p)
{
	return ((volatile ulong*)p)[-1];
}

/* a big block; with a small one its only pointer at the middle */
static char*
big(void **small)
{
	char *p;

	p = malloc(Big);
	if(p == nil || sizeword(p) % 4 != 2)	/* IS_MMAPPED, not PREV_INUSE */
		die("a 1 MiB block is not an mmapped chunk");
	truthfill(p, Big);
	if(small != nil){
		*small = malloc(Small);
		if(*small == nil)
			die("out of memory");
		truthfill(*small, Small);
		*(void**)(p + Big/2) = *small;
	}
	return p;
}

static noinline void
leakone(int how, int withsmall)
{
	void *s;
	char *p;

	p = big(withsmall ? &s : nil);
	if(withsmall)
		truthleak(s, Small);
	truthleak(p, Big);
	split(p, how);
}

static noinline void*
holdone(int how, int withsmall)
{
	void *s;
	char *p;

	p = big(withsmall ? &s : nil);
	if(withsmall)
		truthheld(s, Small);
	if(how != First){
		truthheld(p, Big);
		split(p, how);
		return p;
	}
	if(nnone >= Nnone)
		die("too many PROT_NONE blocks");
	truthlive(p, Big);
	none[nnone].enc = (ulong)p ^ Key;
	none[nnone].sum = sum((unsigned char*)p, Big);
	nnone++;
	split(p, how);
	return p;
}

/* on SIGUSR1: the PROT_NONE heads back, and the blocks unchanged */
static int
noneok(void)
{
	char *p;
	int i;

	for(i = 0; i < nnone; i++){
		p = (char*)(none[i].enc ^ Key);
		protect(p, 0, PROT_READ|PROT_WRITE);
		if(sum((unsigned char*)p, Big) != none[i].sum){
			truthsay("t-mprotect: a PROT_NONE-headed block changed\n");
			return 0;
		}
	}
	return 1;
}

static noinline void
setup(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	leakone(Middle, 0);
	leakone(Last, 0);
	leakone(First, 0);
	leakone(Middle, 1);
	keep[0] = holdone(Middle, 1);
	keep[1] = holdone(Last, 0);
	keep[2] = holdone(First, 0);
	keep[3] = holdone(Middle, 0);
	truthcheck(noneok);
}

int
main(void)
{
	setup();
	truthready();
}
