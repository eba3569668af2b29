/*
 * Plan 9's report lines, in address order:
 *	block ADDR SIZE W0 W1 SYM0 SYM1
 * W0 and W1 are the malloc and realloc tags when the block has them,
 * else its first two words; SYMn names what the word points to.
 */
#include <stdio.h>
#include <string.h>
#include "heapwalk.h"

static void
name(Target *t, u64 w, char *buf, int n)
{
	if(!hwsymword(t, w, buf, n))
		snprintf(buf, n, "0x%016llx", (unsigned long long)w);
}

static void
line(Target *t, Block *b, char *kind)
{
	u64 w[2];
	uchar *p;
	char s0[512], s1[512];

	if(b->flags & Btagged){
		w[0] = b->tag[0];
		w[1] = b->tag[1];
	}else if((p = hwptr(t, b->addr, 16)) != NULL)
		memcpy(w, p, 16);
	else
		w[0] = w[1] = 0;
	name(t, w[0], s0, sizeof s0);
	name(t, w[1], s1, sizeof s1);
	printf("%s 0x%016llx 0x%016llx 0x%016llx 0x%016llx %s %s\n", kind,
		(unsigned long long)b->addr, (unsigned long long)b->size,
		(unsigned long long)w[0], (unsigned long long)w[1], s0, s1);
}

/* Print the blocks asked for; return how many were leaked. */
int
hwprint(Target *t, Heap *h, int what)
{
	Block *b;
	long i;
	int n;

	n = 0;
	for(i = 0; i < h->nb; i++){
		b = &h->b[i];
		if(b->flags & Binternal)
			continue;
		if(b->flags & Bfree){
			if(what & Pfree)
				line(t, b, "free");
			continue;
		}
		if(!(b->flags & Bmarked))
			n++;
		if((what & Pall) || ((what & Pleaked) && !(b->flags & Bmarked)))
			line(t, b, "block");
	}
	return n;
}
