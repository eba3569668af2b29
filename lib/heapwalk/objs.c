/*
 * The loaded objects, from the dynamic linker's r_debug list,
 * and where each thread keeps their TLS blocks (its dtv).
 * Only the public prefix of struct link_map is read.
 */
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Lname = 8, Lnext = 24,		/* struct link_map */
	Rmap = 8,			/* struct r_debug */
	Dtvsz = 16,			/* dtv_t: {void *val; void *to_free;} */
	Maxobjs = 1<<12,		/* loaded objects: glibc's dlopen stops near 1000 (DTV_SURPLUS
					 * and TLS), so a longer list is a cycle or forged */
};

static int
readstr(Target *t, u64 addr, char *buf, int n)
{
	int i;

	if(hwread(t, addr, buf, n-1) <= 0)
		return -1;
	buf[n-1] = 0;
	for(i = 0; i < n-1 && buf[i]; i++)
		;
	return i;
}

/* The program headers of an object mapped from path at offset 0. */
static int
phdrsof(Target *t, char *path, Elf64_Phdr **pp, u64 *base)
{
	Elf64_Ehdr eh;
	Map *m;
	int i;

	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(m->off == 0 && strcmp(m->path, path) == 0)
			break;
	}
	if(i == t->nmap || hwread(t, t->map[i].start, &eh, sizeof eh) != sizeof eh)
		return -1;
	if(memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return -1;
	*base = t->map[i].start;
	*pp = emalloc(eh.e_phnum * sizeof(Elf64_Phdr));
	hwread(t, t->map[i].start + eh.e_phoff, *pp, eh.e_phnum*sizeof(Elf64_Phdr));
	return eh.e_phnum;
}

static u64
tlssize(Target *t, char *path)
{
	Elf64_Phdr *ph;
	u64 base, sz;
	int i, n;

	n = phdrsof(t, path, &ph, &base);
	sz = 0;
	for(i = 0; i < n; i++)
		if(ph[i].p_type == PT_TLS)
			sz = ph[i].p_memsz ? ph[i].p_memsz : 1;
	if(n > 0)
		free(ph);
	return sz;
}

/* r_debug from the executable's DT_DEBUG, found through AT_PHDR. */
static u64
rdebug(Target *t)
{
	Elf64_Phdr ph;
	Elf64_Dyn d;
	u64 bias, dyn, a;
	unsigned i;

	bias = 0;
	dyn = 0;
	for(i = 0; i < t->auxv[AT_PHNUM]; i++){
		if(hwread(t, t->auxv[AT_PHDR] + i*sizeof ph, &ph, sizeof ph) != sizeof ph)
			return 0;
		if(ph.p_type == PT_PHDR)
			bias = t->auxv[AT_PHDR] - ph.p_vaddr;
		if(ph.p_type == PT_DYNAMIC)
			dyn = ph.p_vaddr;
	}
	if(dyn == 0)
		return 0;
	for(a = bias+dyn; hwread(t, a, &d, sizeof d) == sizeof d && d.d_tag != DT_NULL; a += sizeof d)
		if(d.d_tag == DT_DEBUG)
			return d.d_un.d_ptr;
	return 0;
}

static void
addobj(Obj **op, int *n, char *path, u64 base)
{
	char *real;

	/* the list names objects as loaded; the maps name them canonically */
	real = realpath(path, NULL);
	if((*n & (*n-1)) == 0)	/* at each power of two: a long list is not copied for each object */
		*op = erealloc(*op, 2*(*n+1)*sizeof(Obj));
	(*op)[*n].path = estrdup(real ? real : path);
	free(real);
	(*op)[*n].base = base;
	(*op)[*n].tlsmod = 0;
	(*op)[*n].tlssize = 0;
	(*n)++;
}

/*
 * Initial objects get TLS module ids in list order, the executable first;
 * dlopen'd ones continue the count while nothing has been dlclosed.
 */
int
hwobjs(Target *t, Obj **op)
{
	char name[4096];
	u64 rd, lm, a;
	int n, i, mod, guard;

	*op = NULL;
	n = 0;
	rd = rdebug(t);
	if(rd == 0 || hwpeek(t, rd+Rmap, &lm) < 0)
		lm = 0;
	for(guard = 0; lm != 0 && guard < Maxobjs; guard++){
		if(hwpeek(t, lm+Lname, &a) < 0 || readstr(t, a, name, sizeof name) < 0)
			break;
		hwpeek(t, lm, &a);
		addobj(op, &n, name[0] ? name : t->exe, a);
		if(hwpeek(t, lm+Lnext, &lm) < 0)
			break;
	}
	if(n == 0)
		addobj(op, &n, t->exe, 0);
	mod = 0;
	for(i = 0; i < n; i++){
		(*op)[i].tlssize = tlssize(t, (*op)[i].path);
		if((*op)[i].tlssize)
			(*op)[i].tlsmod = ++mod;
	}
	return n;
}

/* The address of module modid's TLS block in thread th, or 0. */
u64
hwtlsblock(Target *t, Thread *th, int modid)
{
	u64 dtv, len, val;

	if(th->fsbase == 0 || hwpeek(t, th->fsbase+8, &dtv) < 0 || dtv == 0)
		return 0;
	if(hwpeek(t, dtv-Dtvsz, &len) < 0 || (u64)modid > len)
		return 0;
	if(hwpeek(t, dtv + modid*Dtvsz, &val) < 0 || val == (u64)-1)
		return 0;
	return val;
}
