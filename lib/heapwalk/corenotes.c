/*
 * A core's notes, read into a Target and a Coreinfo: each thread and
 * its registers from NT_PRSTATUS and the xstate or fpregs note after
 * it, auxv from NT_AUXV, the pid from NT_PRPSINFO, the mapped files
 * from NT_FILE.  Every size is checked against the note that holds it.
 */
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Maxfiles = 1<<16,	/* NT_FILE entries: Linux's default max_map_count is 65530 */
	Maxxstate = 1<<16,	/* an xsave area is a few kilobytes: more is no register file */
};

static void
addthread(Target *t, struct elf_prstatus *st)
{
	struct user_regs_struct r;
	Thread *th;

	t->thr = hwgrow(t->thr, t->nthr, sizeof t->thr[0]);
	th = &t->thr[t->nthr++];
	memset(th, 0, sizeof *th);
	memcpy(&r, &st->pr_reg, sizeof r);
	th->tid = st->pr_pid;
	th->state = Tint;
	hwsetregs(th, &r);
}

/* the last thread's vector registers; an xsave area replaces fxsave's */
static void
addvec(Target *t, Cnote *n, int xstate)
{
	Thread *th;

	if(t->nthr == 0 || n->len == 0 || n->len > Maxxstate)
		return;
	th = &t->thr[t->nthr-1];
	if(th->vec != NULL && !xstate)
		return;
	free(th->vec);
	th->vec = emalloc(n->len);
	memcpy(th->vec, n->desc, n->len);
	th->nvec = n->len;
}

static void
addauxv(Target *t, Cnote *n)
{
	u64 *av;
	size_t i;

	av = (u64*)n->desc;
	for(i = 0; i+1 < n->len/8 && av[i] != AT_NULL; i += 2)
		if(av[i] < nelem(t->auxv))
			t->auxv[av[i]] = av[i+1];
}

/*
 * NT_FILE: a count, the page size, count (start, end, page offset)
 * triples, then count file names, each ended by a NUL.
 */
static int
addfiles(Coreinfo *ns, Cnote *n, char *core)
{
	u64 *w, count, page, i;
	char *p, *e;

	if(ns->file != NULL){
		werrstr("%s: it has two NT_FILE notes: not a core the kernel or gcore makes", core);
		return -1;
	}
	w = (u64*)n->desc;
	if(n->len < 16 || (count = w[0]) > Maxfiles || (page = w[1]) == 0 || 16 + count*24 > n->len){
		werrstr("%s: its NT_FILE note is malformed (%zu bytes)", core, n->len);
		return -1;
	}
	p = (char*)(w + 2 + 3*count);
	e = (char*)n->desc + n->len;
	ns->file = emalloc((count+1) * sizeof ns->file[0]);
	for(i = 0; i < count; i++){
		if(p >= e || memchr(p, 0, e-p) == NULL){
			werrstr("%s: its NT_FILE note ends inside the name of file %llu", core,
				(unsigned long long)i);
			return -1;
		}
		/* the kernel names each by its path: an empty one would pass for anonymous memory */
		if(*p == 0){
			werrstr("%s: its NT_FILE note gives file %llu no name", core, (unsigned long long)i);
			return -1;
		}
		ns->file[i] = (Fileent){w[2+3*i], w[3+3*i], w[4+3*i]*page, estrdup(p)};
		ns->nfile++;
		p += strlen(p)+1;
	}
	return 0;
}

/* the notes into t and ns; -1 with errstr if they are not a process's */
int
corereadnotes(Target *t, Coreinfo *ns)
{
	Cnote *n;
	int i, nn, r;
	char *core;

	core = corepath(t->core);
	nn = corenotes(t->core, &n);
	r = 0;
	for(i = 0; i < nn && r == 0; i++){
		if(strcmp(n[i].name, "LINUX") == 0 && n[i].type == NT_X86_XSTATE)
			addvec(t, &n[i], 1);
		if(strcmp(n[i].name, "CORE") != 0)
			continue;
		switch(n[i].type){
		case NT_PRSTATUS:
			ns->nstatus++;
			if(n[i].len == sizeof(struct elf_prstatus))
				addthread(t, (struct elf_prstatus*)n[i].desc);
			break;
		case NT_PRFPREG:
			addvec(t, &n[i], 0);
			break;
		case NT_PRPSINFO:
			if(n[i].len == sizeof(struct elf_prpsinfo))
				ns->pid = ((struct elf_prpsinfo*)n[i].desc)->pr_pid;
			break;
		case NT_AUXV:
			addauxv(t, &n[i]);
			break;
		case NT_FILE:
			r = addfiles(ns, &n[i], core);
			break;
		}
	}
	corenotesfree(n, nn);
	if(r == 0 && (t->nthr == 0 || t->nthr != ns->nstatus)){
		werrstr("%s: %s: not a core of an x86-64 Linux process", core,
			t->nthr == 0 ? "no thread's registers (NT_PRSTATUS)" : "a thread's NT_PRSTATUS is malformed");
		r = -1;
	}
	if(r == 0 && (t->auxv[AT_ENTRY] == 0 || t->auxv[AT_PHDR] == 0)){
		werrstr("%s: no auxiliary vector (NT_AUXV): it cannot tell where the program is", core);
		r = -1;
	}
	return r;
}

void
coreinfofree(Coreinfo *ns)
{
	int i;

	for(i = 0; i < ns->nfile; i++)
		free(ns->file[i].path);
	free(ns->file);
}
