/*
 * leak -s and -c: a gdb script with one command per leaking site,
 * as Plan 9's leak prints acid's src() lines.  It loads the symbols
 * itself, each object at the address it has in the target, so that
 * runtime pcs work for the executable and shared libraries alike:
 *	leak -s prog | rc | gdb -batch -x /dev/stdin
 * gdb stops a script at its first error, so a site without a line
 * gets `info symbol', which cannot fail, and a signature an echo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include "heapwalk.h"

typedef struct Loaded Loaded;
struct Loaded {
	char	**file;
	int	n;
};

static int
loaded(Loaded *l, char *file)
{
	int i;

	for(i = 0; i < l->n; i++)
		if(strcmp(l->file[i], file) == 0)
			return 1;
	l->file = erealloc(l->file, (l->n+1) * sizeof l->file[0]);
	l->file[l->n++] = file;
	return 0;
}

static void
load(Target *t, Loaded *l, u64 pc, char *cmd)
{
	char *file;
	u64 bias;

	if(!hwsymfile(t, pc, &file, &bias) || loaded(l, file))
		return;
	printf("%s -o 0x%llx %s\n", cmd, (unsigned long long)bias, file);
}

static void
command(Target *t, Site *s)
{
	char src[256];

	if(s->pc == 0)
		printf("echo %s\\n\n", s->name);
	else if(hwsrcline(t, s->pc-1, src, sizeof src))
		printf("list *0x%llx\n", (unsigned long long)s->pc-1);
	else
		printf("info symbol 0x%llx\n", (unsigned long long)s->pc);
}

/* Print the script for the leaked blocks; -c (bybytes) adds sizes. */
void
hwscript(Target *t, Heap *h, int bybytes)
{
	Sites *ss;
	Site *v;
	Block *b;
	Loaded l;
	long i, n, count;
	long long bytes;

	ss = hwsites();
	for(i = 0; i < h->nb; i++){
		b = &h->b[i];
		if(!(b->flags & (Bfree|Binternal|Bmarked)))
			hwsiteadd(t, ss, b, 1);
	}
	v = hwsitelist(t, ss, bybytes, &n);
	hwsitehint(ss, n, "leak");
	printf("# leak -%c %d: %ld site%s, each a comment (%s) and a gdb command\n",
		bybytes ? 'c' : 's', t->pids[0], n, n == 1 ? "" : "s",
		bybytes ? "bytes, blocks, average, site" : "blocks, site");
	printf("set pagination off\nset confirm off\nset listsize 1\n");
	memset(&l, 0, sizeof l);
	load(t, &l, t->auxv[AT_ENTRY], "symbol-file");
	for(i = 0; i < n; i++)
		if(v[i].pc != 0)
			load(t, &l, v[i].pc, "add-symbol-file");
	count = 0;
	bytes = 0;
	for(i = 0; i < n; i++){
		if(bybytes)
			printf("# %lld\t%ld\t%lld\t%s\n", v[i].bytes, v[i].count,
				v[i].bytes / v[i].count, v[i].name);
		else
			printf("# %ld\t%s\n", v[i].count, v[i].name);
		command(t, &v[i]);
		count += v[i].count;
		bytes += v[i].bytes;
	}
	if(bybytes)
		printf("# total %lld bytes in %ld blocks\n", bytes, count);
	free(v);
	free(l.file);
}
