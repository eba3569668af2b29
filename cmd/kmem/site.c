/*
 * The site table: rows added as a source reads them, merged by name
 * and sorted by count, most first, then printed in umem's format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

/* the frames of a stack, each escaped, indented and on its own line */
static char*
frames(char *stack)
{
	char *p, *v, frame[Maxline], line[Maxline];
	long n, len, k;

	v = estrdup("");
	len = 0;
	for(p = stack; *p != 0; p += k + (p[k] == '\n')){
		k = strcspn(p, "\n");
		snprintf(frame, sizeof frame, "%.*s", (int)k, p);
		n = snprintf(line, sizeof line, "%*s", Indent, "");
		n += hwesc(frame, Etext, line+n, sizeof line - n);
		v = erealloc(v, len + n + 2);
		memmove(v+len, line, n);
		len += n;
		v[len++] = '\n';
		v[len] = 0;
	}
	return v;
}

/*
 * A row named by text from the kernel, escaped: cache (if not NULL) as
 * one word, so that -C's lines keep their fields, then name to the end.
 * A stack (or NULL) is frames, one a line, each escaped on its own and
 * printed under the row, indented as alloc_traces does.
 */
int
siteadd(Ktab *s, char *cache, char *name, char *stack, long long count, long long bytes)
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
	s->v[s->n++] = (Ksite){count, bytes, estrdup(buf), stack != NULL ? frames(stack) : NULL};
	return 0;
}

/* rows are the same if their names and stacks are */
static int
byname(const void *a, const void *b)
{
	const Ksite *x = a, *y = b;
	int r;

	r = strcmp(x->name, y->name);
	if(r != 0 || x->stack == y->stack)
		return r;
	if(x->stack == NULL || y->stack == NULL)
		return x->stack == NULL ? -1 : 1;
	return strcmp(x->stack, y->stack);
}

static int
bycount(const void *a, const void *b)
{
	const Ksite *x = a, *y = b;

	if(x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if(x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return byname(x, y);
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
		if(byname(&s->v[i], &s->v[k]) == 0){
			s->v[k].count += s->v[i].count;
			s->v[k].bytes += s->v[i].bytes;
			free(s->v[i].name);
			free(s->v[i].stack);
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

	for(i = 0; i < s->n; i++){
		fprintf(f, "%6lld %11lld %s\n", s->v[i].count, s->v[i].bytes, s->v[i].name);
		if(s->v[i].stack != NULL)
			fputs(s->v[i].stack, f);
	}
	return hwflush(f);
}

void
sitefree(Ktab *s)
{
	long i;

	for(i = 0; i < s->n; i++){
		free(s->v[i].name);
		free(s->v[i].stack);
	}
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
