/*
 * The kernel's symbols from /proc/kallsyms: the few variables the
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
static long nsyms;

static int
byaddr(const void *a, const void *b)
{
	const Ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int
ksymload(char *path)
{
	FILE *f;
	char buf[Maxline], name[Maxline], mod[Maxline];
	unsigned long long a;
	char type;
	long max;
	int toolong, n, nonzero;

	f = fopen(path, "r");
	if(f == NULL){
		werrstr("%s: %s", path, strerror(errno));
		return -1;
	}
	max = 0;
	nonzero = 0;
	while(kgetline(f, buf, sizeof buf, &toolong) != NULL && nsyms < Maxksyms){
		mod[0] = 0;
		n = sscanf(buf, "%llx %c %s %s", &a, &type, name, mod);
		if(toolong || n < 3)
			continue;
		if(nsyms == max){
			max = max ? 2*max : 65536;
			syms = erealloc(syms, max * sizeof syms[0]);
		}
		if(mod[0] == '[' && strlen(mod) > 2)
			strcat(name, " "), strcat(name, mod);
		syms[nsyms++] = (Ksym){a, type, estrdup(name)};
		nonzero |= a != 0;
	}
	fclose(f);
	if(nsyms == 0 || !nonzero){
		werrstr("%s: %s: run as root with kernel.kptr_restrict at 0 or 1", path,
			nsyms == 0 ? "no symbols" : "every address is 0");
		return -1;
	}
	qsort(syms, nsyms, sizeof syms[0], byaddr);
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
