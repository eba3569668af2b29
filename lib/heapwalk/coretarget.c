/*
 * A process's core file (gcore's, or the kernel's) as a Target: a
 * process that is held for ever and never runs.  Its threads and
 * registers come from the NT_PRSTATUS notes and the xstate or fpregs
 * note after each, auxv from NT_AUXV, its maps from the PT_LOAD
 * segments named by NT_FILE, and its memory from the segments, or,
 * for file pages a core leaves out (text, as coredump_filter has it
 * by default), from the files themselves.
 *
 * A core names none of its anonymous mappings, so [heap], [stack] and
 * [vdso], which the models and roots look for, are found as the
 * kernel places them.  Memory a core should hold but does not (cut
 * short, or private anonymous memory coredump_filter left out) is an
 * error: a report made without it would be a guess.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <elf.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include <gelf.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Maxfiles = 1<<16,	/* NT_FILE entries: Linux's default max_map_count is 65530 */
	Brkrandom = 1<<30,	/* the brk heap starts this far past the program at most (x86-64's
				 * arch_randomize_brk: 1 GB on recent kernels, 32 MB on older) */
	Maxxstate = 1<<16,	/* an xsave area is a few kilobytes: more is no register file */
	Pagesize = 4096,
	Firstgrow = 16,
	Maxpath = 4096,		/* PATH_MAX: a name in a message */
};

/* a file whose mapping the core left out, read in its place */
typedef struct Backing Backing;
struct Backing {
	u64	start;
	u64	end;
	u64	off;		/* the file's offset at start */
	int	fd;		/* -1: the file is not here */
};

typedef struct Fileent Fileent;
struct Fileent {
	u64	start;
	u64	end;
	u64	off;
	char	*path;
};

/* what the notes say, gathered before the maps are made */
typedef struct Notes Notes;
struct Notes {
	Fileent	*file;
	int	nfile;
	int	pid;
	int	nstatus;
};

/* room for one more in an array of n, grown by doubling: a core's thousands stay linear */
static void*
grow(void *p, int n, size_t size)
{
	if(n == 0)
		return erealloc(p, Firstgrow * size);
	if(n >= Firstgrow && (n & (n-1)) == 0)
		return erealloc(p, 2 * (size_t)n * size);
	return p;
}

/*
 * A file a core names, opened to read: a regular file only.  The core
 * chose the name: O_NONBLOCK so that a FIFO cannot hold the open.
 */
static int
openfile(char *path)
{
	struct stat st;
	int fd;

	if((fd = open(path, O_RDONLY|O_CLOEXEC|O_NONBLOCK|O_NOCTTY)) < 0)
		return -1;
	if(fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)){
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * libdwfl opens each file a core names, to match it to its mapping:
 * a core that names a device or a FIFO, which a process cannot have
 * mapped as code (or, for a device, which opening may act on), is
 * refused before that.  /dev/zero and /dev/null are what programs map.
 */
static int
safefiles(Notes *ns, char *core)
{
	struct stat st;
	char esc[Maxpath];
	int i;

	for(i = 0; i < ns->nfile; i++){
		if(stat(ns->file[i].path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
			continue;
		if(strcmp(ns->file[i].path, "/dev/zero") == 0 || strcmp(ns->file[i].path, "/dev/null") == 0)
			continue;
		hwesc(ns->file[i].path, Emsg, esc, sizeof esc);
		werrstr("%s: its NT_FILE names %s, which is not a regular file: leak opens the files a "
			"core names for their symbols, and will not open that one", core, esc);
		return -1;
	}
	return 0;
}

static Target*
fail(Target *t)
{
	hwclose(t);
	return NULL;
}

static void
addthread(Target *t, struct elf_prstatus *st)
{
	struct user_regs_struct r;
	Thread *th;

	t->thr = grow(t->thr, t->nthr, sizeof t->thr[0]);
	th = &t->thr[t->nthr++];
	memset(th, 0, sizeof *th);
	memcpy(&r, &st->pr_reg, sizeof r);
	th->tid = st->pr_pid;
	th->state = Tint;
	th->live = 1;
	th->ngpr = sizeof r / sizeof(u64);
	memcpy(th->gpr, &r, sizeof r);
	th->pc = r.rip;
	th->sp = r.rsp;
	th->fsbase = r.fs_base;
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
addfiles(Notes *ns, Cnote *n, char *core)
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
		ns->file[i] = (Fileent){w[2+3*i], w[3+3*i], w[4+3*i]*page, estrdup(p)};
		ns->nfile++;
		p += strlen(p)+1;
	}
	return 0;
}

static int
readnotes(Target *t, Notes *ns)
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

/* a core cut short (by a full disk, or RLIMIT_CORE) lacks its notes, its memory or both */
static int
cut(Target *t)
{
	u64 size, need;

	size = coresize(t->core);
	need = coreneeds(t->core);
	if(need <= size)
		return 0;
	werrstr("%s: the core was cut short (a full disk, or RLIMIT_CORE): it holds %llu bytes, "
		"its headers describe %llu", corepath(t->core), (unsigned long long)size,
		(unsigned long long)need);
	return -1;
}

static Fileent*
fileat(Notes *ns, u64 addr)
{
	int i;

	for(i = 0; i < ns->nfile; i++)
		if(addr >= ns->file[i].start && addr < ns->file[i].end)
			return &ns->file[i];
	return NULL;
}

/* a file's inode, or, for one no longer here, a stand-in that is the same for each of its maps */
static u64
inodeof(char *path)
{
	struct stat st;
	u64 h;

	if(stat(path, &st) == 0)
		return st.st_ino;
	for(h = 5381; *path; path++)
		h = h*33 + (uchar)*path;
	return h | 1;
}

static int
protof(u32 flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

static Map*
newmap(Target *t, u64 start, u64 end, int prot)
{
	Map *m;

	t->map = grow(t->map, t->nmap, sizeof t->map[0]);
	m = &t->map[t->nmap++];
	memset(m, 0, sizeof *m);
	m->start = start;
	m->end = end;
	m->prot = prot;
	return m;
}

static void
addmap(Target *t, Cseg *s, Notes *ns)
{
	Fileent *f;
	Map *m;

	m = newmap(t, s->vaddr, s->vaddr + s->memsz, protof(s->flags));
	if((f = fileat(ns, s->vaddr)) != NULL){
		m->off = f->off + (s->vaddr - f->start);
		m->path = estrdup(f->path);
		m->inode = inodeof(f->path);
	}else
		m->path = estrdup("");
}

/*
 * The protection of a file's mapping a core holds no segment for, as
 * gcore leaves out what was never written: its ELF segment's, else
 * read-only.  Written mappings (relro made read-only, data) have
 * segments of their own with the protection they had.
 */
static int
fileprot(char *path, u64 off)
{
	GElf_Phdr ph;
	Elf *e;
	size_t i, n;
	int fd, prot;

	prot = PROT_READ;
	if((fd = openfile(path)) < 0)
		return prot;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if(e != NULL && elf_kind(e) == ELF_K_ELF && elf_getphdrnum(e, &n) == 0)
		for(i = 0; i < n; i++)
			if(gelf_getphdr(e, i, &ph) != NULL && ph.p_type == PT_LOAD
			&& off >= (ph.p_offset & ~(u64)(Pagesize-1)) && off < ph.p_offset + ph.p_filesz){
				prot = protof(ph.p_flags);
				break;
			}
	elf_end(e);
	close(fd);
	return prot;
}

/* whether addr is in one of the n maps, sorted, that segments made */
static int
insegment(Map *map, int n, u64 addr)
{
	int lo, hi, m;

	lo = 0;
	hi = n;
	while(lo < hi){
		m = (lo+hi)/2;
		if(addr < map[m].start)
			hi = m;
		else if(addr >= map[m].end)
			lo = m+1;
		else
			return 1;
	}
	return 0;
}

/* NT_FILE's mappings that have no segment: their bytes are the file's */
static void
addfilemaps(Target *t, Notes *ns)
{
	Fileent *f;
	Map *m;
	int i, nseg;

	nseg = t->nmap;	/* the segments' maps, in order, for insegment */
	for(i = 0; i < ns->nfile; i++){
		f = &ns->file[i];
		if(f->end <= f->start || insegment(t->map, nseg, f->start))
			continue;
		m = newmap(t, f->start, f->end, fileprot(f->path, f->off));
		m->off = f->off;
		m->path = estrdup(f->path);
		m->inode = inodeof(f->path);
	}
}

/* NT_FILE's mappings against each other and the segments: a forged note can make them overlap */
static int
disjoint(Target *t, char *core)
{
	int i;

	for(i = 1; i < t->nmap; i++)
		if(t->map[i].start < t->map[i-1].end){
			werrstr("%s: its mappings at %#llx and %#llx overlap (NT_FILE and the segments disagree)",
				core, (unsigned long long)t->map[i-1].start, (unsigned long long)t->map[i].start);
			return -1;
		}
	return 0;
}

static int
mapcmp(const void *a, const void *b)
{
	const Map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
isanon(Map *m)
{
	return m->path[0] == 0;
}

/*
 * The brk heap: anonymous read-write memory the kernel starts within
 * Brkrandom past the end of the program's bss (a static program's
 * too), with what follows it without a gap.  The bss's own anonymous
 * part lies right after the program's file mappings: it is the heap
 * only when nothing else is, as when brk was not randomised and the
 * two are one mapping.
 */
static Map*
heapmap(Target *t)
{
	Map *m, *bss;
	u64 end;
	int i;

	end = 0;
	for(i = 0; i < t->nmap; i++)
		if(strcmp(t->map[i].path, t->exe) == 0)
			end = t->map[i].end;
	bss = NULL;
	for(i = 0; i < t->nmap && end != 0; i++){
		m = &t->map[i];
		if(m->start < end || m->start - end > Brkrandom || !isanon(m)
		|| (m->prot & (PROT_READ|PROT_WRITE)) != (PROT_READ|PROT_WRITE))
			continue;
		if(m->start != end)
			return m;
		bss = m;
		end = m->end;
	}
	return bss;
}

static void
nameheap(Target *t)
{
	Map *m;
	int i, j;

	if((m = heapmap(t)) == NULL)
		return;
	free(m->path);
	m->path = estrdup("[heap]");
	i = m - t->map;
	for(j = i+1; j < t->nmap && t->map[j].start == t->map[j-1].end && isanon(&t->map[j])
	&& t->map[j].prot == m->prot; j++){
		m->end = t->map[j].end;
		free(t->map[j].path);
	}
	memmove(m+1, &t->map[j], (t->nmap-j) * sizeof *m);
	t->nmap -= j-(i+1);
}

static void
rename1(Target *t, u64 addr, char *name)
{
	Map *m;

	if(addr == 0 || (m = hwmapat(t, addr)) == NULL || !isanon(m))
		return;
	free(m->path);
	m->path = estrdup(name);
}

/* the main thread's stack, as /proc/PID/maps names it, and the vdso */
static void
namespecial(Target *t, int pid)
{
	int i;

	for(i = 0; i < t->nthr; i++)
		if(t->thr[i].tid == pid)
			rename1(t, t->thr[i].sp, "[stack]");
	rename1(t, t->auxv[AT_SYSINFO_EHDR], "[vdso]");
}

/* whether the file of addr's mapping can be read in its place */
static int
backed(Target *t, u64 addr)
{
	int i;

	for(i = 0; i < t->nback; i++)
		if(addr >= t->back[i].start && addr < t->back[i].end)
			return t->back[i].fd >= 0;
	return 0;
}

/*
 * Whether the core holds what a report needs: every writable
 * mapping's bytes, but where a file that is here holds them (a
 * private mapping never written, a shared one).  Anonymous memory
 * shared, which maps show as /dev/zero (deleted), has no such file.
 */
static int
whole(Target *t)
{
	Cseg *s;
	Map *m;
	int i, n;

	s = coresegments(t->core, &n);
	for(i = 0; i < n; i++){
		m = hwmapat(t, s[i].vaddr);
		if(s[i].filesz >= s[i].memsz || m == NULL || !(m->prot & PROT_WRITE) || backed(t, s[i].vaddr))
			continue;
		werrstr("%s: the writable memory at %#llx-%#llx is not in the core (%s): "
			"without it the report would be a guess; dump with coredump_filter's "
			"bits 0 and 1 set (echo 0x33 >/proc/PID/coredump_filter), or use gcore",
			corepath(t->core), (unsigned long long)s[i].vaddr,
			(unsigned long long)(s[i].vaddr+s[i].memsz),
			s[i].filesz == 0 ? "left out: MADV_DONTDUMP, or coredump_filter" : "cut short");
		return -1;
	}
	return 0;
}

/* the files of the file mappings, to read what the core left out from */
static void
openbacking(Target *t)
{
	Map *m;
	int i;

	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(m->path[0] != '/')
			continue;
		t->back = grow(t->back, t->nback, sizeof t->back[0]);
		t->back[t->nback++] = (Backing){m->start, m->end, m->off, openfile(m->path)};
	}
}

static int
findexe(Target *t, char *core)
{
	Map *m;

	m = hwmapat(t, t->auxv[AT_ENTRY]);
	if(m == NULL || m->path[0] != '/'){
		werrstr("%s: no file mapping holds the program's entry point %#llx (NT_FILE)", core,
			(unsigned long long)t->auxv[AT_ENTRY]);
		return -1;
	}
	t->exe = estrdup(m->path);
	return 0;
}

static void
freenotes(Notes *ns)
{
	int i;

	for(i = 0; i < ns->nfile; i++)
		free(ns->file[i].path);
	free(ns->file);
}

/* The process a core file holds, as if held; NULL with errstr. */
Target*
hwopencore(char *path)
{
	Target *t;
	Notes ns;
	Cseg *s;
	int i, n, r;

	memset(&ns, 0, sizeof ns);
	n = 0;
	t = hwnewtarget(&n, 1);
	if((t->core = coreopen(path)) == NULL || cut(t) < 0)
		return fail(t);
	r = readnotes(t, &ns);
	if(r == 0)
		r = safefiles(&ns, path);
	s = coresegments(t->core, &n);
	for(i = 0; r == 0 && i < n; i++)
		addmap(t, &s[i], &ns);
	if(r == 0){
		addfilemaps(t, &ns);
		qsort(t->map, t->nmap, sizeof t->map[0], mapcmp);
		r = disjoint(t, path);
	}
	freenotes(&ns);
	if(r < 0 || findexe(t, path) < 0)
		return fail(t);
	openbacking(t);
	if(whole(t) < 0)
		return fail(t);
	t->pids[0] = ns.pid != 0 ? ns.pid : t->thr[0].tid;
	t->tid = t->rpid = t->pids[0];
	t->nlive = t->nthr;
	nameheap(t);
	namespecial(t, t->pids[0]);
	return t;
}

/* the bytes of a file mapping at addr that the core left out */
static long
backread(Target *t, u64 addr, void *buf, long n)
{
	Backing *b;
	int i;

	for(i = 0; i < t->nback; i++){
		b = &t->back[i];
		if(addr < b->start || addr >= b->end || b->fd < 0)
			continue;
		if((u64)n > b->end - addr)
			n = b->end - addr;
		return pread(b->fd, buf, n, b->off + (addr - b->start));
	}
	return -1;
}

/* as read1: what could be read at addr, -1 for nothing */
long
hwcoreread(Target *t, u64 addr, void *buf, long n)
{
	long got, k;

	got = 0;
	while(got < n){
		got += coreread(t->core, addr+got, (char*)buf+got, n-got);
		if(got == n)
			break;
		k = backread(t, addr+got, (char*)buf+got, n-got);
		if(k <= 0)
			break;
		got += k;
	}
	return got > 0 ? got : -1;
}

void
hwcoreclose(Target *t)
{
	int i;

	for(i = 0; i < t->nback; i++)
		if(t->back[i].fd >= 0)
			close(t->back[i].fd);
	free(t->back);
	t->back = NULL;
	t->nback = 0;
	coreclose(t->core);
	t->core = NULL;
}

/* Whether arg is a core file: an ELF file of type ET_CORE. */
int
hwiscore(char *arg)
{
	Elf64_Ehdr eh;
	struct stat st;
	int fd, n;

	if(stat(arg, &st) < 0 || !S_ISREG(st.st_mode) || (fd = open(arg, O_RDONLY|O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, &eh, sizeof eh);
	close(fd);
	return n == sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_type == ET_CORE;
}
