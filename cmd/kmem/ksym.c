/*
 * The kernel's symbols from /proc/kallsyms, or from a vmlinux
 * (ksymelf.c) and the modules' from kallsyms: the few variables the
 * walk starts from, and the text symbols that name a call site.
 * With kptr_restrict set, kallsyms shows every address as 0: that is
 * said, not taken for a kernel at address 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum { Maxksyms = 1<<22 };	/* a kernel with every module has under a million */

static Ksym *syms;
static long nsyms, maxsyms;

/*
 * What a vmlinux and kallsyms must agree on: the kernel's start, its
 * first task, and the list the walk starts from.
 */
static char *checked[] = {"_text", "init_task", "slab_caches"};

typedef struct Kcheck Kcheck;
struct Kcheck {
	char	*vmlinux, *kallsyms;
	u64	want[nelem(checked)];	/* the vmlinux's, moved; 0 if it has none */
	int	n;		/* compared */
	int	bad;
};

static int
byaddr(const void *a, const void *b)
{
	const Ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void
ksymcheckinit(Kcheck *c, char *vmlinux, char *kallsyms)
{
	int i;

	*c = (Kcheck){.vmlinux = vmlinux, .kallsyms = kallsyms};
	for(i = 0; i < (int)nelem(checked); i++)
		c->want[i] = ksym(checked[i]);
}

/* kallsyms's address of name against the vmlinux's; the first that differs is the error */
static void
ksymcheck(Kcheck *c, char *name, u64 addr)
{
	int i;

	for(i = 0; i < (int)nelem(checked); i++){
		if(strcmp(name, checked[i]) != 0 || c->want[i] == 0 || addr == 0)
			continue;
		c->n++;
		if(addr != c->want[i] && !c->bad){
			werrstr("%s: does not match the running kernel: %s at %#llx there, %#llx in %s",
				c->vmlinux, name, (unsigned long long)c->want[i], (unsigned long long)addr, c->kallsyms);
			c->bad = 1;
		}
	}
}

void
ksymadd(u64 addr, char type, char *name)
{
	if(nsyms == maxsyms){
		maxsyms = maxsyms ? 2*maxsyms : 65536;
		syms = erealloc(syms, maxsyms * sizeof syms[0]);
	}
	syms[nsyms++] = (Ksym){addr, type, name};
}

/*
 * kallsyms into the table: every line, or with a vmlinux's symbols
 * already there only the modules', the core's checked against them
 * (into chk) instead.  The count of lines whose address is not 0.
 */
static long
kallsyms(FILE *f, int modsonly, Kcheck *chk)
{
	char buf[Maxline], name[Maxline], mod[Maxline];
	unsigned long long a;
	char type;
	int toolong, n;
	long nonzero;

	nonzero = 0;
	while(kgetline(f, buf, sizeof buf, &toolong) != NULL && nsyms < Maxksyms){
		mod[0] = 0;
		n = sscanf(buf, "%llx %c %s %s", &a, &type, name, mod);
		if(toolong || n < 3)
			continue;
		nonzero += a != 0;
		if(mod[0] == '[' && strlen(mod) > 2){
			if(modsonly && a == 0)
				continue;
			strcat(name, " "), strcat(name, mod);
		}else if(modsonly){
			ksymcheck(chk, name, a);
			continue;
		}
		ksymadd(a, type, estrdup(name));
	}
	return nonzero;
}

/* the table sorted by address, for ksymname */
static void
ksymsort(void)
{
	qsort(syms, nsyms, sizeof syms[0], byaddr);
}

/* the symbols of the running kernel, from kallsyms alone */
static int
kallsymsonly(char *path)
{
	FILE *f;
	long nonzero;

	f = fopen(path, "r");
	if(f == NULL){
		werrstr("%s: %s", path, strerror(errno));
		return -1;
	}
	nonzero = kallsyms(f, 0, NULL);
	fclose(f);
	if(nsyms == 0 || nonzero == 0){
		werrstr("%s: %s: run as root with kernel.kptr_restrict at 0 or 1", path,
			nsyms == 0 ? "no symbols" : "every address is 0");
		return -1;
	}
	ksymsort();
	return 0;
}

/*
 * The symbols of the running kernel: kallsyms's, or with a vmlinux
 * (its symbols loaded by ksymelf at their link-time addresses) those
 * moved by KASLR's offset and the modules' from kallsyms.  kallsyms
 * must then agree with the vmlinux where both name a symbol: a wrong
 * vmlinux would name every site wrongly.  Without kallsyms the core's
 * symbols alone serve, said on why.
 */
int
ksymload(char *path, char *vmlinux, u64 offset, FILE *why)
{
	FILE *f;
	Kcheck chk;
	long i, nonzero, nelf;
	int err;

	if(vmlinux == NULL)
		return kallsymsonly(path);
	nelf = nsyms;
	for(i = 0; i < nelf; i++)
		if(syms[i].type != 'a' && syms[i].type != 'A')
			syms[i].addr += offset;
	ksymcheckinit(&chk, vmlinux, path);
	f = fopen(path, "r");
	err = errno;
	nonzero = 0;
	if(f != NULL){
		nonzero = kallsyms(f, 1, &chk);
		fclose(f);
	}
	ksymsort();
	if(chk.bad)
		return -1;
	if(f == NULL || nonzero == 0){
		fprintf(why, "kmem: %s: %s: %s's symbols serve alone, unchecked, and modules' sites go unnamed\n",
			path, f == NULL ? strerror(err) : "every address is 0", vmlinux);
		fprintf(why, "kmem: %s: %ld symbols, moved by %#llx (KASLR)\n", vmlinux, nelf, (unsigned long long)offset);
		return 0;
	}
	if(chk.n == 0){
		werrstr("%s: has none of the symbols it must share with %s", vmlinux, path);
		return -1;
	}
	fprintf(why, "kmem: %s: %ld symbols, moved by %#llx (KASLR), %d checked against %s; %ld of modules from it\n",
		vmlinux, nelf, (unsigned long long)offset, chk.n, path, nsyms - nelf);
	return 0;
}

/* the address of a variable, or 0 */
u64
ksym(char *name)
{
	long i;

	for(i = 0; i < nsyms; i++)
		if(strcmp(syms[i].name, name) == 0)
			return syms[i].addr;
	return 0;
}

static int
istext(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

/* pc as function+offset, the way the kernel's %pS prints it, less the size */
char*
ksymname(u64 pc, char *buf, int n)
{
	long lo, hi, m;
	char *mod;

	lo = 0;
	hi = nsyms;
	while(lo < hi){
		m = (lo+hi)/2;
		if(syms[m].addr <= pc)
			lo = m+1;
		else
			hi = m;
	}
	while(lo > 0 && !istext(syms[lo-1].type))
		lo--;
	if(lo == 0 || pc - syms[lo-1].addr > Maxfunc){
		snprintf(buf, n, "%#llx", (unsigned long long)pc);
		return buf;
	}
	mod = strchr(syms[lo-1].name, ' ');
	if(mod != NULL)
		snprintf(buf, n, "%.*s+%#llx%s", (int)(mod - syms[lo-1].name), syms[lo-1].name,
			(unsigned long long)(pc - syms[lo-1].addr), mod);
	else
		snprintf(buf, n, "%s+%#llx", syms[lo-1].name, (unsigned long long)(pc - syms[lo-1].addr));
	return buf;
}
