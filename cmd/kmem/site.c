/*
 * The site table: rows added as a source reads them, merged by name
 * and sorted by count, most first, then printed in umem's format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

/*
 * A row named by text from the kernel, escaped: cache (if not NULL) as
 * one word, so that -C's lines keep their fields, then name to the end.
 */
int
siteadd(Ktab *s, char *cache, char *name, long long count, long long bytes)
{
	char buf[Maxline];
	int n;

	if(s->n >= Maxsites){
		werrstr("more than %d sites", Maxsites);
		return -1;
	}
	if(s->n == s->max){
		s->max = s->max ? 2*s->max : 256;
		s->v = erealloc(s->v, s->max * sizeof s->v[0]);
	}
	n = 0;
	if(cache != NULL){
		n = hwesc(cache, Eword, buf, sizeof buf - 1);
		buf[n++] = ' ';
	}
	hwesc(name, Etext, buf+n, sizeof buf - n);
	s->v[s->n++] = (Ksite){count, bytes, estrdup(buf)};
	return 0;
}

static int
byname(const void *a, const void *b)
{
	return strcmp(((Ksite*)a)->name, ((Ksite*)b)->name);
}

static int
bycount(const void *a, const void *b)
{
	const Ksite *x = a, *y = b;

	if(x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if(x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* one row per name, then most blocks first */
void
sitesort(Ktab *s)
{
	long i, k;

	if(s->n == 0)
		return;
	qsort(s->v, s->n, sizeof s->v[0], byname);
	k = 0;
	for(i = 1; i < s->n; i++){
		if(strcmp(s->v[i].name, s->v[k].name) == 0){
			s->v[k].count += s->v[i].count;
			s->v[k].bytes += s->v[i].bytes;
			free(s->v[i].name);
			continue;
		}
		s->v[++k] = s->v[i];
	}
	s->n = k+1;
	qsort(s->v, s->n, sizeof s->v[0], bycount);
}

int
siteprint(FILE *f, Ktab *s)
{
	long i;

	for(i = 0; i < s->n; i++)
		fprintf(f, "%6lld %11lld %s\n", s->v[i].count, s->v[i].bytes, s->v[i].name);
	return hwflush(f);
}

void
sitefree(Ktab *s)
{
	long i;

	for(i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	*s = (Ktab){0};
}

/* a line without its newline, or NULL at the end; *toolong if cut */
char*
kgetline(FILE *f, char *buf, int n, int *toolong)
{
	size_t k;

	*toolong = 0;
	if(fgets(buf, n, f) == NULL)
		return NULL;
	k = strlen(buf);
	if(k > 0 && buf[k-1] == '\n')
		buf[k-1] = 0;
	else if(k == (size_t)n-1)
		*toolong = 1;
	return buf;
}
