/*
 * An ELF core file as memory: its PT_LOAD segments, read by address,
 * and its notes, found by name and type.  /proc/kcore (for kmem) and
 * gcore's and the kernel's core files (for leak) are read this way.
 * The file is untrusted: every header is checked against the file
 * before it is used, and a read never goes past a segment's bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gelf.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Maxsegs = 1<<16,	/* kcore has tens; a core a few per mapping.  More is a forged header */
	Maxnotes = 64<<20,	/* a note segment larger than 64 MB is not a real core's */
};

struct Core {
	int	fd;
	Elf	*elf;
	char	*path;
	Cseg	*seg;		/* PT_LOADs, sorted by vaddr, not overlapping */
	int	nseg;
	u64	size;		/* of the file, for segments that claim more */
};

static int
segcmp(const void *a, const void *b)
{
	const Cseg *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* the segments that map memory, checked and sorted */
static int
coresegs(Core *c, size_t nph)
{
	GElf_Phdr ph;
	size_t i;

	c->seg = emalloc(nph * sizeof c->seg[0]);
	for(i = 0; i < nph; i++){
		if(gelf_getphdr(c->elf, i, &ph) == NULL){
			werrstr("%s: program header %zu: %s", c->path, i, elf_errmsg(-1));
			return -1;
		}
		if(ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if(ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_filesz > ph.p_memsz
		|| ph.p_offset + ph.p_filesz < ph.p_offset){
			werrstr("%s: segment %zu at %#llx: sizes wrap or file size %#llx exceeds memory size %#llx",
				c->path, i, (unsigned long long)ph.p_vaddr,
				(unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
			return -1;
		}
		c->seg[c->nseg++] = (Cseg){ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, ph.p_flags};
	}
	qsort(c->seg, c->nseg, sizeof c->seg[0], segcmp);
	for(i = 1; i < (size_t)c->nseg; i++)
		if(c->seg[i].vaddr < c->seg[i-1].vaddr + c->seg[i-1].memsz){
			werrstr("%s: segments at %#llx and %#llx overlap", c->path,
				(unsigned long long)c->seg[i-1].vaddr, (unsigned long long)c->seg[i].vaddr);
			return -1;
		}
	return 0;
}

/* a regular file's size; /proc/kcore's is made up, and a pipe has none: 0 */
static u64
filesize(int fd)
{
	struct stat st;

	if(fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return st.st_size;
}

static Core*
corefail(Core *c)
{
	coreclose(c);
	return NULL;
}

Core*
coreopen(char *path)
{
	Core *c;
	GElf_Ehdr eh;
	size_t nph;

	elf_version(EV_CURRENT);
	c = emalloc(sizeof *c);
	c->path = estrdup(path);
	c->fd = open(path, O_RDONLY|O_CLOEXEC);
	if(c->fd < 0){
		werrstr("%s: %s", path, strerror(errno));
		return corefail(c);
	}
	/* ELF_C_READ, not mmap: /proc/kcore claims a size of terabytes */
	c->elf = elf_begin(c->fd, ELF_C_READ, NULL);
	if(c->elf == NULL || elf_kind(c->elf) != ELF_K_ELF || gelf_getehdr(c->elf, &eh) == NULL){
		werrstr("%s: not an ELF file", path);
		return corefail(c);
	}
	if(eh.e_type != ET_CORE || eh.e_machine != EM_X86_64 || gelf_getclass(c->elf) != ELFCLASS64){
		werrstr("%s: not an x86-64 ELF core file (type %d, machine %d)", path, eh.e_type, eh.e_machine);
		return corefail(c);
	}
	if(elf_getphdrnum(c->elf, &nph) != 0 || nph > Maxsegs){
		werrstr("%s: bad program header count", path);
		return corefail(c);
	}
	if(coresegs(c, nph) < 0)
		return corefail(c);
	c->size = filesize(c->fd);
	return c;
}

void
coreclose(Core *c)
{
	if(c == NULL)
		return;
	if(c->elf != NULL)
		elf_end(c->elf);
	if(c->fd >= 0)
		close(c->fd);
	free(c->seg);
	free(c->path);
	free(c);
}

/* the segment holding addr, or NULL */
static Cseg*
segof(Core *c, u64 addr)
{
	int lo, hi, m;

	lo = 0;
	hi = c->nseg;
	while(lo < hi){
		m = (lo+hi)/2;
		if(addr < c->seg[m].vaddr)
			hi = m;
		else if(addr >= c->seg[m].vaddr + c->seg[m].memsz)
			lo = m+1;
		else
			return &c->seg[m];
	}
	return NULL;
}

/*
 * n bytes at addr into buf: the count read, short at the end of
 * what the file holds.  Bytes a segment has in memory but not in the
 * file (a core that left them out) are not invented: the read stops.
 */
long
coreread(Core *c, u64 addr, void *buf, long n)
{
	Cseg *s;
	u64 off, have;
	long got, k;
	char *why;

	got = 0;
	why = NULL;
	while(got < n && why == NULL){
		s = segof(c, addr+got);
		if(s == NULL){
			why = "is not in the core's memory";
			break;
		}
		off = addr+got - s->vaddr;
		have = off < s->filesz ? s->filesz - off : 0;
		k = n-got;
		if((u64)k > have)
			k = have;
		if(k > 0)
			k = pread(c->fd, (char*)buf+got, k, s->offset+off);
		if(k <= 0)
			why = "is in the core's memory, but not in its file: the core was cut short or left it out";
		else
			got += k;
	}
	if(why != NULL)
		werrstr("%s: address %#llx %s", c->path, (unsigned long long)(addr+got), why);
	return got;
}

Cseg*
coresegments(Core *c, int *n)
{
	*n = c->nseg;
	return c->seg;
}

/*
 * Each note in the file's order, to fn, which returns nonzero to stop
 * there.  Bounded: a note segment is at most Maxnotes bytes, and
 * libelf's gelf_getnote checks every note's sizes against it.
 */
static int
eachnote(Core *c, int (*fn)(void*, GElf_Nhdr*, char*, uchar*), void *arg)
{
	GElf_Phdr ph;
	GElf_Nhdr nh;
	Elf_Data *d;
	size_t i, nph, off, next, noff, doff;

	if(elf_getphdrnum(c->elf, &nph) != 0)
		return 0;
	for(i = 0; i < nph; i++){
		if(gelf_getphdr(c->elf, i, &ph) == NULL || ph.p_type != PT_NOTE || ph.p_filesz > Maxnotes)
			continue;
		d = elf_getdata_rawchunk(c->elf, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if(d == NULL)
			continue;
		for(off = 0; (next = gelf_getnote(d, off, &nh, &noff, &doff)) != 0; off = next)
			if(fn(arg, &nh, (char*)d->d_buf+noff, (uchar*)d->d_buf+doff))
				return 1;
	}
	return 0;
}

typedef struct Want Want;
struct Want {
	char	*name;
	u32	type;
	Cnote	*all;		/* corenotes: every note */
	int	n;
	int	a;
};

static int
namedis(GElf_Nhdr *nh, char *name, char *want)
{
	return nh->n_namesz == strlen(want)+1 && memcmp(name, want, nh->n_namesz) == 0;
}

static Cnote
copynote(GElf_Nhdr *nh, char *name, uchar *desc)
{
	Cnote n;

	memset(&n, 0, sizeof n);
	if(nh->n_namesz > 0)
		memmove(n.name, name, nh->n_namesz < sizeof n.name ? nh->n_namesz : sizeof n.name - 1);
	n.type = nh->n_type;
	n.len = nh->n_descsz;
	n.desc = emalloc(n.len+1);
	memmove(n.desc, desc, n.len);
	return n;
}

static int
first(void *arg, GElf_Nhdr *nh, char *name, uchar *desc)
{
	Want *w;

	w = arg;
	if(!namedis(nh, name, w->name) || (w->type != 0 && nh->n_type != w->type))
		return 0;
	w->all = emalloc(sizeof w->all[0]);
	w->all[0] = copynote(nh, name, desc);
	return 1;
}

/* the first note NAME of TYPE (0: any), copied; its length in *len */
void*
corenote(Core *c, char *name, u32 type, size_t *len)
{
	Want w;
	void *p;

	memset(&w, 0, sizeof w);
	w.name = name;
	w.type = type;
	if(!eachnote(c, first, &w)){
		werrstr("%s: no %s note", c->path, name);
		return NULL;
	}
	p = w.all[0].desc;
	*len = w.all[0].len;
	free(w.all);
	return p;
}

static int
every(void *arg, GElf_Nhdr *nh, char *name, uchar *desc)
{
	Want *w;

	w = arg;
	if(w->n == w->a){
		w->a = w->a ? 2*w->a : 64;
		w->all = erealloc(w->all, w->a * sizeof w->all[0]);
	}
	w->all[w->n++] = copynote(nh, name, desc);
	return 0;
}

/* every note, in order, copied: how many; corenotesfree frees them */
int
corenotes(Core *c, Cnote **np)
{
	Want w;

	memset(&w, 0, sizeof w);
	eachnote(c, every, &w);
	*np = w.all;
	return w.n;
}

void
corenotesfree(Cnote *n, int nn)
{
	int i;

	for(i = 0; i < nn; i++)
		free(n[i].desc);
	free(n);
}

/* bytes the file holds: segments claiming more were cut short */
u64
coresize(Core *c)
{
	return c->size;
}

/* the bytes the headers say the file holds: more than coresize when it was cut short */
u64
coreneeds(Core *c)
{
	GElf_Phdr ph;
	size_t i, nph;
	u64 end;

	end = 0;
	if(elf_getphdrnum(c->elf, &nph) != 0)
		return 0;
	for(i = 0; i < nph; i++)
		if(gelf_getphdr(c->elf, i, &ph) != NULL && ph.p_filesz > 0 && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	return end;
}

Elf*
coreelf(Core *c)
{
	return c->elf;
}

char*
corepath(Core *c)
{
	return c->path;
}
