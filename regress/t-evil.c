/*
 * t-evil: a target that chooses hostile names (regress/inject).
 * Its functions, its data, a vtable and its source file carry
 * placeholders (evil.h) that regress/evilnames.py overwrites after
 * linking with names holding newlines, leak's and umem's line
 * formats, gdb and shell commands, quotes, backslashes and bytes
 * that are not UTF-8.  Linked with -lmalloctag.
 *
 *	site			leak	held	how
 *	EVILFUNC, EVILFILE	6	1	tagged
 *	EVILLIBFUNC, EVILLIBFILE	5		tagged, in lib-evil.so
 *	[points to EVILDATA]	3		untagged: EVILDATA, EVILCODE
 *	[points to EVILCODE]	2		untagged: EVILCODE, EVILDATA+8
 *	[class EVILCLASS]	4		untagged: the vtable
 *
 * Untagged blocks come from glibc's own __libc_malloc, under the
 * tagging library; the truth's sig lines name their signatures by
 * the key (EVILDATA, EVILCODE, EVILCLASS) of the name inside them.
 * lib-evil.so is dlopen'd from $EVILLIB, so that it can live where
 * the run puts it; its sites are recorded here.
 */
#include "truth.h"
#include "evil.h"
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

enum {
	Nfunc	= 6,	/* leaked at EVILFUNC's line; one more held */
	Nlib	= 5,
	Ndata	= 3,
	Ncode	= 2,
	Nclass	= 4,
	Fsize	= 40,
	Lsize	= 56,
	Usize	= 72,	/* untagged */
};

void	*__libc_malloc(size_t);
void	EVILCODE(void);
void	EVILFUNC(void);

char	EVILDATA[64] = "evil data";
/* a vtable as g++ lays it out: offset, type_info, then the functions */
const void	*evilvtable[3] __asm__(EVILVTABLE) = { 0, 0, (void*)EVILCODE };
void	*handle;
void	*evilkeep;	/* the held block */

/* an untagged block of two words */
static noinline void
untagged(void *w0, void *w1, char *sig)
{
	void **p;

	p = __libc_malloc(Usize);
	if(p == nil)
		abort();
	memset(p, 0, Usize);
	p[0] = w0;
	p[1] = w1;
	truthleak(p, Usize);
	truthsig(p, sig);
}

/* noinline: v is in a frame that truthscrub clears */
static noinline void
lib(char *path)
{
	int (*f)(void**, int);
	void *v[Nlib];
	int i, line;

	handle = dlopen(path, RTLD_NOW);
	if(handle == nil){
		truthsay(dlerror());
		truthsay("\n");
		exit(1);
	}
	f = (int(*)(void**, int))dlsym(handle, "evillib");
	if(f == nil)
		exit(1);
	line = f(v, Nlib);
	for(i = 0; i < Nlib; i++){
		truthfill(v[i], Lsize);
		truthleak(v[i], Lsize);
		truthsite(v[i], EVILLIBFILE, line);
	}
}

int
main(void)
{
	char *path;
	int i;

	path = getenv("EVILLIB");
	if(path == nil){
		truthsay("t-evil: no $EVILLIB\n");
		exit(2);
	}
	EVILFUNC();
	lib(path);
	for(i = 0; i < Ndata; i++)
		untagged(EVILDATA, (void*)EVILCODE, "EVILDATA");
	for(i = 0; i < Ncode; i++)
		untagged((void*)EVILCODE, EVILDATA+8, "EVILCODE");
	for(i = 0; i < Nclass; i++)
		untagged(&evilvtable[2], nil, "EVILCLASS");
	truthready();
}

/* from here on, lines are EVILFILE's */
#line 100 EVILFILE

noinline __attribute__((noclone)) void
EVILCODE(void)
{
	__asm__ volatile("");
}

noinline __attribute__((noclone)) void
EVILFUNC(void)
{
	void *p;
	int i;

	for(i = 0; i <= Nfunc; i++){
		p = malloc(Fsize); SITE(p);
		if(p == nil)
			abort();
		truthfill(p, Fsize);
		if(i < Nfunc)
			truthleak(p, Fsize);
		else{
			evilkeep = p;
			truthheld(p, Fsize);
		}
	}
}
