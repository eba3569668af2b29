/*
 * leak -s and -c: a gdb script with one command per leaking site,
 * as Plan 9's leak prints acid's src() lines.  It loads the symbols
 * itself, each object at the address it has in the target, so that
 * runtime pcs work for the executable and shared libraries alike:
 *	leak -s prog | rc | gdb -batch -x /dev/stdin
 * gdb stops a script at its first error, so a site without a line
 * gets `info symbol', which cannot fail, and a signature, or a site
 * nothing in gdb can name, an echo.  Names are escaped (esc.c) and
 * paths quoted, so nothing the target chose can end a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <elf.h>
#include "heapwalk.h"
#include "fns.h"

typedef struct Loaded Loaded;
struct Loaded {
	char	**file;
	int	*ok;		/* gdb could be given its name */
	int	n;
};

/*
 * A path as gdb's argument splitting reads it back, and as sh and rc
 * read nothing into: in single quotes, backslashes doubled.  A path
 * with a quote, or with bytes outside printable ASCII, cannot be
 * written so: 0.
 */
static int
gdbpath(char *path, char *buf, int n)
{
	uchar c;
	int k;

	if(path[0] != '/' || n < 3)
		return 0;
	k = 0;
	buf[k++] = '\'';
	for(; *path != 0; path++){
		c = *path;
		if(c < ' ' || c >= 0x7f || c == '\'' || k+4 >= n)
			return 0;
		if(c == '\\')
			buf[k++] = '\\';
		buf[k++] = c;
	}
	buf[k++] = '\'';
	buf[k] = 0;
	return 1;
}

/* Whether the object holding pc is loaded; load it with cmd if not yet. */
static int
load(FILE *f, Target *t, Loaded *l, u64 pc, char *cmd)
{
	char *file, q[3*4096], esc[4096];
	u64 bias;
	int i;

	if(!hwsymfile(t, pc, &file, &bias))
		return 0;
	for(i = 0; i < l->n; i++)
		if(strcmp(l->file[i], file) == 0)
			return l->ok[i];
	l->file = erealloc(l->file, (l->n+1) * sizeof l->file[0]);
	l->ok = erealloc(l->ok, (l->n+1) * sizeof l->ok[0]);
	l->file[l->n] = file;
	l->ok[l->n] = gdbpath(file, q, sizeof q);
	/* the offset last: a line ending in a backslash would go on to the next */
	if(l->ok[l->n])
		fprintf(f, "%s %s -o 0x%llx\n", cmd, q, (unsigned long long)bias);
	else{
		hwesc(file, Etext, esc, sizeof esc);
		fprintf(f, "# not loaded, its name cannot be given to gdb: %s\n", esc);
	}
	return l->ok[l->n++];
}

/*
 * echo the site's name: every byte but letters and digits as gdb's
 * octal escape, so that gdb prints it as the comment gives it and the
 * line means nothing to sh or rc, should it be fed to one.
 */
static void
echo(FILE *f, char *s)
{
	fprintf(f, "echo ");
	for(; *s != 0; s++)
		if(isalnum((uchar)*s))
			fputc(*s, f);
		else
			fprintf(f, "\\%03o", (uchar)*s);
	fprintf(f, "\\n\n");
}

/*
 * The command for a site: its source line, else its symbol, when its
 * object is loaded and gdb can answer; else its name, echoed.
 */
static void
command(FILE *f, Target *t, Loaded *l, Site *s)
{
	char buf[512];

	if(s->pc != 0 && load(f, t, l, s->pc, "add-symbol-file")){
		if(hwsrcline(t, s->pc-1, buf, sizeof buf)){
			fprintf(f, "list *0x%llx\n", (unsigned long long)s->pc-1);
			return;
		}
		if(hwsymname(t, s->pc, buf, sizeof buf)){
			fprintf(f, "info symbol 0x%llx\n", (unsigned long long)s->pc);
			return;
		}
	}
	echo(f, s->name);
}

/* Print the script for the leaked blocks; -c (bybytes) adds sizes. */
void
hwscript(FILE *f, FILE *msg, char *prog, Target *t, Heap *h, int bybytes)
{
	Sites *ss;
	Site *v;
	Block b;
	Loaded l;
	long i, n, count;
	long long bytes;

	ss = hwsites();
	for(i = 0; i < h->nb; i++)
		if(!(heapflags(h, i) & (Bfree|Binternal|Bmarked))){
			heapget(h, i, &b);
			heaptags(h, t, &b);
			hwsiteadd(t, ss, &b, 1);
		}
	v = hwsitelist(t, ss, bybytes, &n);
	hwsitehint(msg, prog, ss, n);
	fprintf(f, "# %s -%c %d: %ld site%s, each a comment (%s) and a gdb command\n",
		prog, bybytes ? 'c' : 's', t->pids[0], n, n == 1 ? "" : "s",
		bybytes ? "bytes, blocks, average, site" : "blocks, site");
	fprintf(f, "set pagination off\nset confirm off\nset listsize 1\n");
	memset(&l, 0, sizeof l);
	load(f, t, &l, t->auxv[AT_ENTRY], "symbol-file");
	count = 0;
	bytes = 0;
	for(i = 0; i < n; i++){
		if(bybytes)
			fprintf(f, "# %lld\t%ld\t%lld\t%s\n", v[i].bytes, v[i].count,
				v[i].bytes / v[i].count, v[i].name);
		else
			fprintf(f, "# %ld\t%s\n", v[i].count, v[i].name);
		command(f, t, &l, &v[i]);
		count += v[i].count;
		bytes += v[i].bytes;
	}
	if(bybytes)
		fprintf(f, "# total %lld bytes in %ld blocks\n", bytes, count);
	free(v);
	free(l.file);
	free(l.ok);
}
