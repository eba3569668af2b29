/*
 * What the models say of themselves as a whole: their names, and the
 * damage a walk found and stepped past (a model that can walk on past
 * a bad block, as pool's can, keeps going and says where).
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include "../heapwalk/heapwalk.h"
#include "poolmodel.h"

enum {
	Maxdamage = 1000,	/* lines kept: a heap overwritten wholesale says enough by then */
	Namelen = 1024,
};

/* "glibc 2.36 (debug info)", or with another allocator beside it, "... and pool (mainmem)" */
char*
poolname(Model *m)
{
	static char buf[Namelen];
	int n;

	buf[0] = 0;
	for(n = 0; m != NULL && n < Namelen; m = m->next)
		n += snprintf(buf+n, Namelen-n, "%s%s", n ? " and " : "", m->name);
	return buf;
}

void
pooldamaged(Model *m, char *fmt, ...)
{
	char buf[512];
	va_list arg;

	if(m->ndamage == Maxdamage)
		return;
	va_start(arg, fmt);
	vsnprintf(buf, sizeof buf, fmt, arg);
	va_end(arg);
	if((m->ndamage & 15) == 0)
		m->damage = erealloc(m->damage, (m->ndamage+16)*sizeof m->damage[0]);
	m->damage[m->ndamage++] = estrdup(buf);
}

void
poolundamage(Model *m)
{
	while(m->ndamage > 0)
		free(m->damage[--m->ndamage]);
	free(m->damage);
	m->damage = NULL;
}

/* Each model's damage, a line each, as prog's messages. */
int
pooldamage(FILE *f, char *prog, Model *m)
{
	int i, n;

	n = 0;
	for(; m != NULL; m = m->next){
		for(i = 0; i < m->ndamage; i++)
			fprintf(f, "%s: %s\n", prog, m->damage[i]);
		if(m->ndamage == Maxdamage)
			fprintf(f, "%s: and more damage, not listed\n", prog);
		n += m->ndamage;
	}
	return n;
}
