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
line(FILE *f, Target *t, Heap *h, Block *b, char *kind)
{
	u64 w[2];
	char s0[512], s1[512];

	heaptags(h, t, b);
	if(b->flags & Btagged){
		w[0] = b->tag[0];
		w[1] = b->tag[1];
	}else if(hwpeek(t, b->addr, &w[0]) < 0 || hwpeek(t, b->addr+8, &w[1]) < 0)
		w[0] = w[1] = 0;
	name(t, w[0], s0, sizeof s0);
	name(t, w[1], s1, sizeof s1);
	fprintf(f, "%s 0x%016llx 0x%016llx 0x%016llx 0x%016llx %s %s\n", kind,
		(unsigned long long)b->addr, (unsigned long long)b->size,
		(unsigned long long)w[0], (unsigned long long)w[1], s0, s1);
}

/* Print the blocks asked for to f; return how many were leaked. */
long
hwprint(FILE *f, Target *t, Heap *h, int what)
{
	Block b;
	long i, n;
	int fl;

	n = 0;
	for(i = 0; i < h->nb; i++){
		fl = heapflags(h, i);
		if(fl & Binternal)
			continue;
		if(fl & Bfree){
			if(what & Pfree){
				heapget(h, i, &b);
				line(f, t, h, &b, "free");
			}
			continue;
		}
		if(!(fl & Bmarked))
			n++;
		if((what & Pall) || ((what & Pleaked) && !(fl & Bmarked))){
			heapget(h, i, &b);
			line(f, t, h, &b, "block");
		}
	}
	return n;
}
