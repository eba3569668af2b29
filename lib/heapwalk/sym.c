/*
 * Symbols of the target through libdwfl: it finds the objects from
 * /proc/PID/maps, and their separate debug files by build-id under
 * /usr/lib/debug or by .gnu_debuglink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <fcntl.h>
#include <unistd.h>
#include <elf.h>
#include <sys/stat.h>
#include <elfutils/libdwfl.h>
#include "heapwalk.h"
#include "fns.h"

struct Syms {
	Dwfl	*dwfl;
	char	*binary;	/* -f: stands for the running executable */
	char	*exe;
};

static char *debugpath = NULL;

/* libstdc++'s demangler, declared here since its header is C++ */
char	*__cxa_demangle(const char*, char*, size_t*, int*);

static Syms *cur;	/* the find_elf callback has no argument of ours */

/* -f binary stands for the main executable; everything else as usual. */
static int
findelf(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr base,
	char **file, Elf **elfp)
{
	if(cur != NULL && cur->binary != NULL && name != NULL && strcmp(name, cur->exe) == 0)
		name = cur->binary;
	return dwfl_linux_proc_find_elf(mod, ud, name, base, file, elfp);
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = findelf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debugpath,
};

/* a core's objects, by the build-ids its notes and memory give, else by the names NT_FILE gives */
static const Dwfl_Callbacks corecallbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debugpath,
};

/* A file to take symbols from: checked before the target is stopped for it. */
int
hwsymcheck(char *binary)
{
	struct stat st;
	char magic[SELFMAG];
	int fd, n;

	if(stat(binary, &st) < 0){
		werrstr("%s: %s", binary, strerror(errno));
		return -1;
	}
	if(S_ISDIR(st.st_mode)){
		werrstr("%s is a directory, not a program", binary);
		return -1;
	}
	if(!S_ISREG(st.st_mode)){
		werrstr("%s is not a regular file", binary);
		return -1;
	}
	fd = open(binary, O_RDONLY);
	if(fd < 0){
		werrstr("%s: %s", binary, strerror(errno));
		return -1;
	}
	n = read(fd, magic, sizeof magic);
	close(fd);
	if(n != SELFMAG || memcmp(magic, ELFMAG, SELFMAG) != 0){
		werrstr("%s is not an ELF file", binary);
		return -1;
	}
	return 0;
}

/* The symbols, closed: their maps are gone. */
void
hwsymclose(Target *t)
{
	if(t->syms == NULL)
		return;
	if(cur == t->syms)
		cur = NULL;
	dwfl_end(t->syms->dwfl);
	free(t->syms->binary);
	free(t->syms);
	t->syms = NULL;
}

/* the objects of a process from its maps, or of a core from its notes and memory */
static int
report(Target *t, Syms *s)
{
	if(t->core == NULL){
		if(dwfl_linux_proc_report(s->dwfl, t->tid) == 0)
			return 0;
		werrstr("libdwfl cannot read the maps of %d: %s", t->pids[0], dwfl_errmsg(-1));
		return -1;
	}
	if(dwfl_core_file_report(s->dwfl, coreelf(t->core), s->binary != NULL ? s->binary : t->exe) >= 0)
		return 0;
	werrstr("libdwfl cannot find the objects of %s: %s", corepath(t->core), dwfl_errmsg(-1));
	return -1;
}

int
hwsymopen(Target *t, char *binary)
{
	Syms *s;
	char *path;

	hwsymclose(t);
	path = NULL;
	if(binary != NULL && (path = realpath(binary, NULL)) == NULL){
		werrstr("cannot use %s for symbols: %s", binary, strerror(errno));
		return -1;
	}
	binary = path;
	s = emalloc(sizeof *s);
	s->binary = binary;	/* libdwfl takes only absolute paths for files */
	s->exe = t->exe;
	cur = s;
	s->dwfl = dwfl_begin(t->core != NULL ? &corecallbacks : &callbacks);
	if(s->dwfl == NULL){
		werrstr("libdwfl: %s", dwfl_errmsg(-1));
		free(s);
		return -1;
	}
	dwfl_report_begin(s->dwfl);
	if(report(t, s) < 0){
		dwfl_end(s->dwfl);
		free(s->binary);
		free(s);
		return -1;
	}
	dwfl_report_end(s->dwfl, NULL, NULL);
	t->syms = s;
	return 0;
}

/*
 * A C++ name as people write it: a symbol (_Z...) or, as RTTI
 * keeps them, a bare type (6Circle).  0 when name is neither.
 */
int
hwdemangle(char *name, char *buf, int n)
{
	char *d;
	int st;

	d = __cxa_demangle(name, NULL, NULL, &st);
	if(d == NULL || st != 0)
		return 0;
	snprintf(buf, n, "%s", d);
	free(d);
	return 1;
}

/*
 * The symbol holding addr, as the object names it (C++ names
 * mangled), and addr's offset in it.  Most words are data or
 * heap pointers: only files have symbols.
 */
char*
hwsymat(Target *t, u64 addr, u64 *offp)
{
	Dwfl_Module *mod;
	GElf_Off off;
	GElf_Sym sym;
	const char *name;
	Map *m;

	m = hwmapat(t, addr);
	if(t->syms == NULL || m == NULL || m->inode == 0)
		return NULL;
	mod = dwfl_addrmodule(t->syms->dwfl, addr);
	if(mod == NULL)
		return NULL;
	name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
	if(name == NULL || name[0] == 0)
		return NULL;
	if(sym.st_size != 0 && off >= sym.st_size)
		return NULL;
	*offp = off;
	return (char*)name;
}

/*
 * "sym+0x1a": demangled for people, or as the object names it when
 * the name must stay one word (Plan 9's block lines); escaped either
 * way, since the object chose the name.
 */
static int
symname(Target *t, u64 addr, char *buf, int n, int dem)
{
	char *name, d[512];
	u64 off;
	int k;

	name = hwsymat(t, addr, &off);
	if(name == NULL)
		return 0;
	if(dem && hwdemangle(name, d, sizeof d))
		name = d;
	k = hwesc(name, dem ? Etext : Eword, buf, n);
	if(off != 0 && k < n)
		snprintf(buf+k, n-k, "+0x%llx", (unsigned long long)off);
	return 1;
}

int
hwsymname(Target *t, u64 addr, char *buf, int n)
{
	return symname(t, addr, buf, n, 1);
}

int
hwsymword(Target *t, u64 addr, char *buf, int n)
{
	return symname(t, addr, buf, n, 0);
}

/*
 * The source line of the code at pc, as file (its base name) and line,
 * from the object's DWARF or its separate debug file; one word.
 */
int
hwsrcline(Target *t, u64 pc, char *buf, int n)
{
	Dwfl_Module *mod;
	Dwfl_Line *l;
	const char *file;
	char *b;
	int line, k;

	if(t->syms == NULL || (mod = dwfl_addrmodule(t->syms->dwfl, pc)) == NULL)
		return 0;
	l = dwfl_module_getsrc(mod, pc);
	if(l == NULL)
		return 0;
	file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	if(file == NULL || line <= 0)
		return 0;
	b = strrchr(file, '/');
	k = hwesc(b ? b+1 : (char*)file, Eword, buf, n);
	if(k < n)
		snprintf(buf+k, n-k, ":%d", line);
	return 1;
}

/*
 * Where pc lies when no symbol names it: "object+0xoff", the object's
 * base name and pc less its load bias, the address addr2line takes.
 */
int
hwobjoff(Target *t, u64 pc, char *buf, int n)
{
	Dwfl_Module *mod;
	Dwarf_Addr start, bias;
	const char *name;
	char *b;
	int k;

	if(t->syms == NULL || (mod = dwfl_addrmodule(t->syms->dwfl, pc)) == NULL)
		return 0;
	name = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	if(name == NULL || name[0] == 0)
		return 0;
	if(dwfl_module_getelf(mod, &bias) == NULL)
		bias = start;	/* no file: its first mapping stands for vaddr 0 */
	b = strrchr(name, '/');
	k = hwesc(b ? b+1 : (char*)name, Eword, buf, n);
	if(k < n)
		snprintf(buf+k, n-k, "+0x%llx", (unsigned long long)(pc - bias));
	return 1;
}

/* The file a module was loaded from and its load bias, for a debugger. */
int
hwsymfile(Target *t, u64 pc, char **file, u64 *bias)
{
	Dwfl_Module *mod;
	Dwarf_Addr b;
	const char *main, *name;

	if(t->syms == NULL || (mod = dwfl_addrmodule(t->syms->dwfl, pc)) == NULL)
		return 0;
	if(dwfl_module_getelf(mod, &b) == NULL)
		return 0;
	name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &main, NULL);
	/* a core's program, opened by libdwfl as it was told, keeps only its module name */
	if(main == NULL && t->core != NULL && name != NULL && name[0] == '/')
		main = name;
	if(main == NULL)
		return 0;
	*file = (char*)main;
	*bias = b;
	return 1;
}

/* The module whose file name matches the glob objpat; NULL pattern: the executable. */
typedef struct Find Find;
struct Find {
	char		*pat;
	char		*exe;
	char		*path;	/* or the module loaded from this file */
	Dwfl_Module	*mod;
};

static int
matchmod(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
	Find *f;
	char *b, *dup;
	int ok;

	(void)ud;
	(void)start;
	f = arg;
	if(name == NULL)
		return DWARF_CB_OK;
	if(f->path != NULL)
		ok = strcmp(name, f->path) == 0;
	else if(f->pat == NULL)
		ok = strcmp(name, f->exe) == 0;
	else{
		dup = estrdup((char*)name);
		b = basename(dup);
		ok = fnmatch(f->pat, b, 0) == 0;
		free(dup);
	}
	if(!ok)
		return DWARF_CB_OK;
	f->mod = mod;
	return DWARF_CB_ABORT;
}

static Dwfl_Module*
findmod(Target *t, char *objpat)
{
	Find f;

	if(t->syms == NULL)
		return NULL;
	f.pat = objpat;
	f.exe = t->exe;
	f.path = NULL;
	f.mod = NULL;
	dwfl_getmodules(t->syms->dwfl, matchmod, &f, 0);
	return f.mod;
}

/*
 * Look up a symbol by name in the first object matching objpat.
 * A TLS symbol gives its offset in the object's TLS block.
 */
int
hwsymlookup(Target *t, char *objpat, char *name, u64 *addr, u64 *size, int *tls)
{
	Dwfl_Module *mod;
	GElf_Sym sym;
	GElf_Addr a;
	const char *s;
	int i, n;

	mod = findmod(t, objpat);
	if(mod == NULL)
		return -1;
	n = dwfl_module_getsymtab(mod);
	for(i = 1; i < n; i++){
		s = dwfl_module_getsym_info(mod, i, &sym, &a, NULL, NULL, NULL);
		if(s == NULL || strcmp(s, name) != 0 || sym.st_shndx == SHN_UNDEF)
			continue;
		*tls = GELF_ST_TYPE(sym.st_info) == STT_TLS;
		*addr = *tls ? sym.st_value : a;
		if(size != NULL)
			*size = sym.st_size;
		return 0;
	}
	return -1;
}

/* Whether the object loaded from path defines the global function name, as the dynamic linker sees. */
int
hwdefines(Target *t, char *path, char *name)
{
	Find f;
	GElf_Sym sym;
	GElf_Addr a;
	const char *s;
	int i, n, bind;

	if(t->syms == NULL)
		return 0;
	memset(&f, 0, sizeof f);
	f.path = path;
	dwfl_getmodules(t->syms->dwfl, matchmod, &f, 0);
	if(f.mod == NULL)
		return 0;
	n = dwfl_module_getsymtab(f.mod);
	for(i = 1; i < n; i++){
		s = dwfl_module_getsym_info(f.mod, i, &sym, &a, NULL, NULL, NULL);
		if(s == NULL || strcmp(s, name) != 0 || sym.st_shndx == SHN_UNDEF)
			continue;
		bind = GELF_ST_BIND(sym.st_info);
		if((bind == STB_GLOBAL || bind == STB_WEAK) && GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			return 1;
	}
	return 0;
}

/* The lowest start and highest end of the named functions found in objpat. */
int
hwsymrange(Target *t, char *objpat, char **names, u64 *lo, u64 *hi)
{
	Dwfl_Module *mod;
	GElf_Sym sym;
	GElf_Addr a;
	const char *s;
	int i, j, n, found;

	mod = findmod(t, objpat);
	if(mod == NULL)
		return -1;
	*lo = ~0ULL;
	*hi = 0;
	found = 0;
	n = dwfl_module_getsymtab(mod);
	for(i = 1; i < n; i++){
		s = dwfl_module_getsym_info(mod, i, &sym, &a, NULL, NULL, NULL);
		if(s == NULL || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
			continue;
		for(j = 0; names[j] != NULL; j++)
			if(strcmp(s, names[j]) == 0)
				break;
		if(names[j] == NULL)
			continue;
		found++;
		if(a < *lo)
			*lo = a;
		if(a + sym.st_size > *hi)
			*hi = a + sym.st_size;
	}
	return found ? 0 : -1;
}

/*
 * The end of the last function in objpat that ends at or below addr:
 * static functions that have no symbol lie between it and addr.
 */
u64
hwsymbefore(Target *t, char *objpat, u64 addr)
{
	Dwfl_Module *mod;
	GElf_Sym sym;
	GElf_Addr a;
	u64 best;
	int i, n;

	mod = findmod(t, objpat);
	if(mod == NULL)
		return addr;
	best = 0;
	n = dwfl_module_getsymtab(mod);
	for(i = 1; i < n; i++){
		if(dwfl_module_getsym_info(mod, i, &sym, &a, NULL, NULL, NULL) == NULL)
			continue;
		if(GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
			continue;
		if(a + sym.st_size <= addr && a + sym.st_size > best)
			best = a + sym.st_size;
	}
	return best ? best : addr;
}
