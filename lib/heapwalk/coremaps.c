/*
 * A core's maps, as /proc/PID/maps would have given them: a map per
 * PT_LOAD segment, named by NT_FILE, and one for each mapping of a
 * file gcore wrote no segment for.  A core names none of its anonymous
 * mappings, so [heap], [stack] and [vdso], which the models and roots
 * look for, are found as the kernel places them.
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
	Brkrandom = 1<<30,	/* the brk heap starts this far past the program at most (x86-64's
				 * arch_randomize_brk: 1 GB on recent kernels, 32 MB on older) */
	Pagesize = 4096,
	Maxpath = 4096,		/* PATH_MAX: a name in a message */
};

/*
 * A file a core names, opened to read: a regular file only.  The core
 * chose the name: O_NONBLOCK so that a FIFO cannot hold the open.
 */
int
coreopenfile(char *path)
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
safefiles(Coreinfo *ns, char *core)
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

static Fileent*
fileat(Coreinfo *ns, u64 addr)
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

	t->map = hwgrow(t->map, t->nmap, sizeof t->map[0]);
	m = &t->map[t->nmap++];
	memset(m, 0, sizeof *m);
	m->start = start;
	m->end = end;
	m->prot = prot;
	return m;
}

static void
addmap(Target *t, Cseg *s, Coreinfo *ns)
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
	if((fd = coreopenfile(path)) < 0)
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

/*
 * Where a mapping of the file at off must end: no later than the
 * file's last page, past which the process could read nothing either
 * (SIGBUS).  A core can name any file with any size, and roots copy
 * each writable mapping whole.  0 when the file is too short for any
 * of it; end as it is when the file is not here, as it reads as nothing.
 */
static u64
fileend(char *path, u64 start, u64 end, u64 off)
{
	struct stat st;
	u64 n;

	if(stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return end;
	if((u64)st.st_size <= off)
		return 0;
	n = ((u64)st.st_size - off + Pagesize-1) & ~(u64)(Pagesize-1);
	return n < end - start ? start + n : end;
}

/* NT_FILE's mappings that have no segment: their bytes are the file's */
static void
addfilemaps(Target *t, Coreinfo *ns)
{
	Fileent *f;
	Map *m;
	u64 end;
	int i, nseg;

	nseg = t->nmap;	/* the segments' maps, in order, for insegment */
	for(i = 0; i < ns->nfile; i++){
		f = &ns->file[i];
		if(f->end <= f->start || insegment(t->map, nseg, f->start))
			continue;
		if((end = fileend(f->path, f->start, f->end, f->off)) == 0)
			continue;
		m = newmap(t, f->start, end, fileprot(f->path, f->off));
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

/* the maps of a core, in order, checked against each other; -1 with errstr */
int
coremaps(Target *t, Coreinfo *ns, char *core)
{
	Cseg *s;
	int i, n;

	if(safefiles(ns, core) < 0)
		return -1;
	s = coresegments(t->core, &n);
	for(i = 0; i < n; i++){
		if(((s[i].vaddr | s[i].memsz) & (Pagesize-1)) != 0){
			werrstr("%s: the segment at %#llx of %#llx bytes is not in whole pages: "
				"not a process's core", core, (unsigned long long)s[i].vaddr,
				(unsigned long long)s[i].memsz);
			return -1;
		}
		addmap(t, &s[i], ns);
	}
	addfilemaps(t, ns);
	qsort(t->map, t->nmap, sizeof t->map[0], mapcmp);
	return disjoint(t, core);
}

/* [heap], [stack] and [vdso], once the program and the pid are known */
void
corenamemaps(Target *t)
{
	nameheap(t);
	namespecial(t, t->pids[0]);
}
