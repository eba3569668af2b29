/*
 * A process's core file (gcore's, or the kernel's) as a Target: a
 * process that is held for ever and never runs.  corenotes.c reads
 * its threads, registers, auxv and files, coremaps.c makes its maps;
 * its memory is the segments', or, for file pages a core leaves out
 * (text, as coredump_filter has it by default), the files' own.
 * Memory a core should hold but does not (cut short, or private
 * anonymous memory coredump_filter left out) is an error: a report
 * made without it would be a guess.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <elf.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include "heapwalk.h"
#include "fns.h"

/* a file whose mapping the core left out, read in its place */
typedef struct Backing Backing;
struct Backing {
	u64	start;
	u64	end;
	u64	off;		/* the file's offset at start */
	int	fd;		/* -1: the file is not here */
};

static Target*
fail(Target *t)
{
	hwclose(t);
	return NULL;
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

/* the error for writable memory s, which the core does not hold */
static int
missing(Target *t, Cseg *s)
{
	werrstr("%s: the writable memory at %#llx-%#llx is not in the core (%s): "
		"without it the report would be a guess; dump with coredump_filter's "
		"bits 0 and 1 set (echo 0x33 >/proc/PID/coredump_filter), or use gcore",
		corepath(t->core), (unsigned long long)s->vaddr, (unsigned long long)(s->vaddr+s->memsz),
		s->filesz == 0 ? "left out: MADV_DONTDUMP, or coredump_filter" : "cut short");
	return -1;
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
 * Read-only anonymous memory the core leaves out was never written,
 * so holds nothing: it is made unreadable, that no walk reads it a
 * page at a time.  Only a forged core holds part of such a mapping.
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
		if(s[i].filesz >= s[i].memsz || m == NULL || backed(t, s[i].vaddr))
			continue;
		if(m->prot & PROT_WRITE)
			return missing(t, &s[i]);
		if(m->path[0] == '/')
			continue;
		if(s[i].filesz > 0){
			werrstr("%s: the memory at %#llx-%#llx is in the core only in part: "
				"not a core the kernel or gcore writes", corepath(t->core),
				(unsigned long long)s[i].vaddr, (unsigned long long)(s[i].vaddr+s[i].memsz));
			return -1;
		}
		m->prot = 0;
	}
	return 0;
}

/* the files of the file mappings, to read what the core left out from; corebytes, all they hold */
static void
openbacking(Target *t)
{
	struct stat st;
	Backing *b;
	Map *m;
	int i;

	t->corebytes = coresize(t->core);
	for(i = 0; i < t->nmap; i++){
		m = &t->map[i];
		if(m->path[0] != '/')
			continue;
		t->back = hwgrow(t->back, t->nback, sizeof t->back[0]);
		b = &t->back[t->nback++];
		*b = (Backing){m->start, m->end, m->off, coreopenfile(m->path)};
		if(b->fd >= 0 && fstat(b->fd, &st) == 0)
			t->corebytes += st.st_size;
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

/* The process a core file holds, as if held; NULL with errstr. */
Target*
hwopencore(char *path)
{
	Target *t;
	Coreinfo ns;
	int n, r;

	memset(&ns, 0, sizeof ns);
	n = 0;
	t = hwnewtarget(&n, 1);
	if((t->core = coreopen(path)) == NULL || cut(t) < 0)
		return fail(t);
	r = corereadnotes(t, &ns);
	if(r == 0)
		r = coremaps(t, &ns, path);
	coreinfofree(&ns);
	if(r < 0 || findexe(t, path) < 0)
		return fail(t);
	openbacking(t);
	if(whole(t) < 0)
		return fail(t);
	t->pids[0] = ns.pid != 0 ? ns.pid : t->thr[0].tid;
	t->tid = t->rpid = t->pids[0];
	t->nlive = t->nthr;
	corenamemaps(t);
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

/*
 * Whether a command's argument names a core file: an ELF file of type
 * ET_CORE, or any path (a '/' in it), which hwopencore then explains.
 */
int
hwiscore(char *arg)
{
	Elf64_Ehdr eh;
	struct stat st;
	int fd, n;

	if(strchr(arg, '/') != NULL)
		return 1;
	if(stat(arg, &st) < 0 || !S_ISREG(st.st_mode) || (fd = open(arg, O_RDONLY|O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, &eh, sizeof eh);
	close(fd);
	return n == sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_type == ET_CORE;
}
