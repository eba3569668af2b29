/*
 * a glibc program with an allocator of its own: malloc, free,
 * calloc and realloc bump a pointer through a static array, and
 * glibc itself calls them.  glibc's heap stays empty, so leak must
 * refuse, saying which object defines malloc, not report nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	Arena	= 1<<20,
	Align	= 16,
	N	= 8,
};

static _Alignas(Align) char	arena[Arena];
static size_t	used;
void	*volatile keep[N];

void*
malloc(size_t n)
{
	char *p;

	/* a header of Align bytes, its last word the size */
	n = (n + Align-1) & ~(size_t)(Align-1);
	if(n > Arena - Align - used)
		return NULL;
	p = arena + used + Align;
	used += Align + n;
	((size_t*)p)[-1] = n;
	return p;
}

void
free(void *v)
{
	(void)v;
}

void*
calloc(size_t n, size_t m)
{
	void *p;

	if(m != 0 && n > (size_t)-1/m)
		return NULL;
	p = malloc(n*m);
	if(p != NULL)
		memset(p, 0, n*m);
	return p;
}

void*
realloc(void *v, size_t n)
{
	size_t old;
	void *p;

	p = malloc(n);
	if(p == NULL || v == NULL)
		return p;
	old = ((size_t*)v)[-1];
	memcpy(p, v, old < n ? old : n);
	return p;
}

int
main(void)
{
	void *volatile p;
	int i;

	for(i = 0; i < N; i++){
		p = malloc(24 + 40*i);
		memset(p, 0xa5, 24 + 40*i);
		if(i%2 == 0)
			keep[i] = p;
	}
	p = NULL;
	if(write(1, "ready\n", 6) != 6)
		return 1;
	for(;;)
		pause();
}
