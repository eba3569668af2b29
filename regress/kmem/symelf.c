/*
 * symelf OFFSET <kallsyms >vmlinux: a vmlinux of symbols alone for
 * kmem's kernel argument, made from a kallsyms dump.  Debian's
 * packaged kernel has no symbols, so the tests make their own: each
 * core symbol (no [module]) moved back by OFFSET, where KASLR put the
 * kernel, to its link-time address, in a section whose flags give the
 * kallsyms letter back.  A, the per-CPU offsets, are absolute and not
 * moved.  Locals go before globals, as ELF asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <elf.h>

enum {
	Maxline = 4096,		/* kallsyms's lines are under 600 bytes */
	Linkbase = 0xffffffff80000000ull,	/* any nonzero section address: kmem reads a zero-based section's symbols as per-CPU offsets */
};

/* the sections, in order after the null one */
enum { Stext = 1, Srodata, Sdata, Sbss, Ssymtab, Sstrtab, Sshstrtab, Nsec };

static char shstr[] = "\0.text\0.rodata\0.data\0.bss\0.symtab\0.strtab\0.shstrtab";
static int shname[Nsec] = {0, 1, 7, 15, 21, 26, 34, 42};

typedef struct Buf Buf;
struct Buf {
	char	*p;
	size_t	n, max;
};

static void
put(Buf *b, void *v, size_t n)
{
	if(b->n + n > b->max){
		b->max = 2*(b->n + n);
		if((b->p = realloc(b->p, b->max)) == NULL){
			fprintf(stderr, "symelf: out of memory\n");
			exit(1);
		}
	}
	memmove(b->p + b->n, v, n);
	b->n += n;
}

/* the section and symbol type a kallsyms letter says */
static int
section(int c, int *type)
{
	*type = STT_OBJECT;
	switch(tolower(c)){
	case 't':
	case 'w':
		*type = STT_FUNC;
		return Stext;
	case 'a':
		*type = STT_NOTYPE;
		return SHN_ABS;
	case 'b':
		return Sbss;
	case 'r':
		return Srodata;
	}
	return Sdata;
}

static int
binding(int c)
{
	if(c == 'w' || c == 'W' || c == 'v' || c == 'V')
		return STB_WEAK;
	return isupper(c) ? STB_GLOBAL : STB_LOCAL;
}

/* kallsyms's core lines of one binding (locals, or the rest) into sym and str */
static long
symbols(char **line, long n, unsigned long long off, int locals, Buf *sym, Buf *str)
{
	Elf64_Sym s;
	unsigned long long a;
	char type, name[Maxline], mod[Maxline];
	long i, k;
	int t;

	k = 0;
	for(i = 0; i < n; i++){
		mod[0] = 0;
		if(sscanf(line[i], "%llx %c %s %s", &a, &type, name, mod) < 3 || mod[0] == '[')
			continue;
		if((binding(type) == STB_LOCAL) != locals)
			continue;
		memset(&s, 0, sizeof s);
		s.st_name = str->n;
		s.st_shndx = section(type, &t);
		s.st_info = ELF64_ST_INFO(binding(type), t);
		s.st_value = s.st_shndx == SHN_ABS ? a : a - off;
		put(sym, &s, sizeof s);
		put(str, name, strlen(name)+1);
		k++;
	}
	return k;
}

static Elf64_Shdr
shdr(int i, int type, unsigned long long flags, size_t off, size_t size)
{
	Elf64_Shdr h;

	memset(&h, 0, sizeof h);
	h.sh_name = shname[i];
	h.sh_type = type;
	h.sh_flags = flags;
	h.sh_addr = flags & SHF_ALLOC ? Linkbase : 0;
	h.sh_offset = off;
	h.sh_size = size;
	h.sh_addralign = 8;
	return h;
}

int
main(int argc, char **argv)
{
	char buf[Maxline], **line;
	long n, max, nlocal;
	unsigned long long off;
	Buf sym = {0}, str = {0}, out = {0};
	Elf64_Ehdr eh;
	Elf64_Shdr sh[Nsec];
	Elf64_Sym null;
	size_t at;

	if(argc != 2){
		fprintf(stderr, "usage: symelf OFFSET <kallsyms >vmlinux\n");
		return 2;
	}
	off = strtoull(argv[1], NULL, 0);
	line = NULL;
	n = max = 0;
	while(fgets(buf, sizeof buf, stdin) != NULL){
		if(n == max && (line = realloc(line, (max = 2*max + 1024) * sizeof line[0])) == NULL)
			return 1;
		line[n++] = strdup(buf);
	}
	memset(&null, 0, sizeof null);
	put(&sym, &null, sizeof null);
	put(&str, "", 1);
	nlocal = 1 + symbols(line, n, off, 1, &sym, &str);
	symbols(line, n, off, 0, &sym, &str);

	/* the header, the symbols, their names, the section names, then the section headers */
	at = sizeof eh;
	memset(sh, 0, sizeof sh);
	sh[Stext] = shdr(Stext, SHT_PROGBITS, SHF_ALLOC|SHF_EXECINSTR, at, 0);
	sh[Srodata] = shdr(Srodata, SHT_PROGBITS, SHF_ALLOC, at, 0);
	sh[Sdata] = shdr(Sdata, SHT_PROGBITS, SHF_ALLOC|SHF_WRITE, at, 0);
	sh[Sbss] = shdr(Sbss, SHT_NOBITS, SHF_ALLOC|SHF_WRITE, at, 0);
	sh[Ssymtab] = shdr(Ssymtab, SHT_SYMTAB, 0, at, sym.n);
	sh[Ssymtab].sh_link = Sstrtab;
	sh[Ssymtab].sh_info = nlocal;
	sh[Ssymtab].sh_entsize = sizeof(Elf64_Sym);
	at += sym.n;
	sh[Sstrtab] = shdr(Sstrtab, SHT_STRTAB, 0, at, str.n);
	at += str.n;
	sh[Sshstrtab] = shdr(Sshstrtab, SHT_STRTAB, 0, at, sizeof shstr);
	at += sizeof shstr;
	at = (at + 7) & ~(size_t)7;

	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof eh;
	eh.e_shoff = at;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = Nsec;
	eh.e_shstrndx = Sshstrtab;

	put(&out, &eh, sizeof eh);
	put(&out, sym.p, sym.n);
	put(&out, str.p, str.n);
	put(&out, shstr, sizeof shstr);
	while(out.n < at)
		put(&out, "", 1);
	put(&out, sh, sizeof sh);
	if(fwrite(out.p, 1, out.n, stdout) != out.n || fflush(stdout) != 0){
		fprintf(stderr, "symelf: standard output: write error\n");
		return 1;
	}
	return 0;
}
