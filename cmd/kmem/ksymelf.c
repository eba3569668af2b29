/*
 * The kernel's own symbols from a vmlinux's .symtab, at their
 * link-time addresses: ksymload moves them where KASLR put the kernel.
 * The file is the user's and may be anything, so every size and index
 * in it is checked against the file before it is used, and each error
 * names the file and what it is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libelf.h>
#include <gelf.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum {
	Maxelfsyms = 1<<21,	/* Debian 6.12's kallsyms has 163000 core symbols: ten times that is no kernel's */
	Maxsections = 1<<16,	/* e_shnum's reach: a vmlinux has under a hundred */
	Maxname = 512,		/* KSYM_NAME_LEN: kallsyms keeps no longer name */
	Maxstrtab = 1<<27,	/* bytes of names, read whole: those symbols' take a few MB */
};

typedef struct Sec Sec;
struct Sec {
	u64	flags;
	u64	addr;
	u32	type;
};

typedef struct Efile Efile;
struct Efile {
	char	*path;
	Elf	*e;
	u64	size;		/* of the file: no offset in it may go further */
	Sec	*sec;
	long	nsec;
};

static int
bad(Efile *f, char *what)
{
	werrstr("%s: %s", f->path, what);
	return -1;
}

/* does [off, off+len) lie in the file? */
static int
infile(Efile *f, u64 off, u64 len)
{
	return off <= f->size && len <= f->size - off;
}

/* ELF's magic number, and room for an ELF64 header */
static int
magic(Efile *f, int fd)
{
	char id[SELFMAG];

	if(pread(fd, id, SELFMAG, 0) != SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return bad(f, "not an ELF file");
	if(f->size < sizeof(Elf64_Ehdr))
		return bad(f, "truncated: shorter than an ELF64 header");
	return 0;
}

/* an x86-64 kernel: 64-bit, little-endian, linked, with its section headers in the file */
static int
header(Efile *f)
{
	GElf_Ehdr eh;
	char *id;
	size_t n;

	id = elf_getident(f->e, &n);
	if(elf_kind(f->e) != ELF_K_ELF || id == NULL || n < EI_NIDENT)
		return bad(f, "not an ELF file");
	if(id[EI_CLASS] != ELFCLASS64)
		return bad(f, "a 32-bit ELF file, not an x86-64 kernel");
	if(gelf_getehdr(f->e, &eh) == NULL)
		return bad(f, "truncated: shorter than an ELF header");
	if(id[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64){
		werrstr("%s: an ELF file for machine %d, not an x86-64 kernel", f->path, eh.e_machine);
		return -1;
	}
	if(eh.e_type != ET_EXEC)
		return bad(f, "not a linked kernel (a module's .ko or an object file?): its ELF type is not ET_EXEC");
	if(eh.e_shentsize != sizeof(Elf64_Shdr) && eh.e_shnum != 0)
		return bad(f, "its section headers are not ELF64's size");
	if(!infile(f, eh.e_shoff, (u64)eh.e_shnum * sizeof(Elf64_Shdr)))
		return bad(f, "truncated: its section headers end past the end of the file");
	return 0;
}

/* every section's flags, address and type, for the symbols' type letters */
static int
sections(Efile *f)
{
	size_t n;
	Elf_Scn *s;
	GElf_Shdr sh;
	long i;

	if(elf_getshdrnum(f->e, &n) < 0)
		return bad(f, "its section headers cannot be read");
	if(n > Maxsections){
		werrstr("%s: %zu sections, more than the %d any vmlinux could have", f->path, n, Maxsections);
		return -1;
	}
	f->sec = emalloc((n ? n : 1) * sizeof f->sec[0]);
	f->nsec = n;
	for(i = 0; i < f->nsec; i++){
		if((s = elf_getscn(f->e, i)) == NULL || gelf_getshdr(s, &sh) == NULL)
			return bad(f, "truncated: a section header cannot be read");
		f->sec[i] = (Sec){sh.sh_flags, sh.sh_addr, sh.sh_type};
	}
	return 0;
}

/* sh's bytes, checked to lie in the file */
static Elf_Data*
secdata(Efile *f, Elf_Scn *s, GElf_Shdr *sh, char *what)
{
	Elf_Data *d;

	if(sh->sh_type != SHT_NOBITS && !infile(f, sh->sh_offset, sh->sh_size)){
		werrstr("%s: truncated: its %s ends past the end of the file", f->path, what);
		return NULL;
	}
	d = elf_getdata(s, NULL);
	if(d == NULL || d->d_buf == NULL || d->d_size != sh->sh_size){
		werrstr("%s: its %s cannot be read: %s", f->path, what, elf_errmsg(-1));
		return NULL;
	}
	return d;
}

/*
 * The letter kallsyms would give sym, as nm does from its section; 0
 * for one kallsyms would not list.  A zero-based section is the per-CPU
 * area: its symbols are offsets, which KASLR does not move, as kallsyms's
 * absolute ones ('A').
 */
static char
symtype(Efile *f, GElf_Sym *sym)
{
	int bind, type;
	Sec *x;
	char c;

	bind = GELF_ST_BIND(sym->st_info);
	type = GELF_ST_TYPE(sym->st_info);
	if(type == STT_SECTION || type == STT_FILE || sym->st_shndx == SHN_UNDEF)
		return 0;
	if(sym->st_shndx == SHN_ABS)
		return bind == STB_LOCAL ? 'a' : 'A';
	if(sym->st_shndx >= f->nsec)
		return 0;
	x = &f->sec[sym->st_shndx];
	if(!(x->flags & SHF_ALLOC))
		return 0;
	if(x->addr == 0)
		return bind == STB_LOCAL ? 'a' : 'A';
	if(type == STT_FUNC || x->flags & SHF_EXECINSTR)
		c = 't';
	else if(x->type == SHT_NOBITS)
		c = 'b';
	else if(x->flags & SHF_WRITE)
		c = 'd';
	else
		c = 'r';
	if(bind == STB_WEAK)
		return c == 't' ? 'W' : 'V';
	return bind == STB_LOCAL ? c : c - 'a' + 'A';
}

/* the name at off in the string table, if it is one kallsyms could print: no space, no control byte */
static char*
symname(Elf_Data *str, u64 off)
{
	char *p, *e;
	u64 n;

	if(off >= str->d_size)
		return NULL;
	p = (char*)str->d_buf + off;
	n = str->d_size - off < Maxname ? str->d_size - off : Maxname;
	e = memchr(p, 0, n);
	if(e == NULL || e == p)
		return NULL;
	for(; p < e; p++)
		if((uchar)*p <= ' ' || *p == 0x7f)
			return NULL;
	return (char*)str->d_buf + off;
}

/* the .symtab's symbols into ksym.c's table; how many */
static long
symbols(Efile *f, Elf_Scn *s, GElf_Shdr *sh)
{
	Elf_Scn *ss;
	GElf_Shdr ssh;
	Elf_Data *d, *str;
	GElf_Sym sym;
	long i, n, nsym;
	char type, *name;

	if(sh->sh_entsize != sizeof(Elf64_Sym))
		return bad(f, "its symbol table's entries are not ELF64's size");
	n = sh->sh_size / sizeof(Elf64_Sym);
	if(sh->sh_size > (u64)Maxelfsyms * sizeof(Elf64_Sym)){
		werrstr("%s: a symbol table of %llu bytes, more than the %d symbols any kernel has",
			f->path, (unsigned long long)sh->sh_size, Maxelfsyms);
		return -1;
	}
	if(sh->sh_link == 0 || sh->sh_link >= f->nsec || f->sec[sh->sh_link].type != SHT_STRTAB)
		return bad(f, "its symbol table names no string table");
	ss = elf_getscn(f->e, sh->sh_link);
	if(ss == NULL || gelf_getshdr(ss, &ssh) == NULL)
		return bad(f, "its symbols' string table cannot be read");
	if(ssh.sh_size > Maxstrtab){
		werrstr("%s: a string table of %llu bytes, more than the %d of any kernel's names",
			f->path, (unsigned long long)ssh.sh_size, Maxstrtab);
		return -1;
	}
	if((d = secdata(f, s, sh, "symbol table")) == NULL || (str = secdata(f, ss, &ssh, "string table")) == NULL)
		return -1;
	nsym = 0;
	for(i = 1; i < n; i++){
		if(gelf_getsym(d, i, &sym) == NULL)
			return bad(f, "a symbol cannot be read");
		if((type = symtype(f, &sym)) == 0 || (name = symname(str, sym.st_name)) == NULL)
			continue;
		ksymadd(sym.st_value, type, estrdup(name));
		nsym++;
	}
	return nsym;
}

/* the .symtab, which strip removes: the dynamic symbols are no kernel's */
static int
symtab(Efile *f)
{
	Elf_Scn *s;
	GElf_Shdr sh;
	long i, n;

	for(i = 1; i < f->nsec; i++)
		if(f->sec[i].type == SHT_SYMTAB)
			break;
	if(i == f->nsec)
		return bad(f, "no symbol table (stripped): Debian's vmlinux in linux-image-*-dbg has one");
	if((s = elf_getscn(f->e, i)) == NULL || gelf_getshdr(s, &sh) == NULL)
		return bad(f, "its symbol table's section header cannot be read");
	if((n = symbols(f, s, &sh)) < 0)
		return -1;
	if(n == 0 || ksym("_text") == 0)
		return bad(f, "its symbols have no _text: not a kernel's");
	return 0;
}

/* path's symbols into the table, at link-time addresses; -1 with errstr naming what path is not */
int
ksymelf(char *path)
{
	Efile f;
	struct stat st;
	int fd, r;

	f = (Efile){.path = path};
	elf_version(EV_CURRENT);
	if((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0){
		werrstr("%s: %s", path, strerror(errno));
		if(fd >= 0)
			close(fd);
		return -1;
	}
	if(!S_ISREG(st.st_mode)){
		close(fd);
		return bad(&f, "not a regular file");
	}
	f.size = st.st_size;
	f.e = NULL;
	if((r = magic(&f, fd)) == 0 && (f.e = elf_begin(fd, ELF_C_READ, NULL)) == NULL){
		werrstr("%s: a damaged ELF file (truncated?): %s", path, elf_errmsg(-1));
		r = -1;
	}
	if(r == 0)
		r = header(&f) < 0 || sections(&f) < 0 || symtab(&f) < 0 ? -1 : 0;
	elf_end(f.e);
	free(f.sec);
	close(fd);
	return r;
}
