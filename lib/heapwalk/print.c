/*
 * Plan 9's report lines, in address order:
 *	block ADDR SIZE W0 W1 SYM0 SYM1
 * W0 and W1 are the malloc and realloc tags when the block has them,
 * else its first two words; SYMn names what the word points to.
 */
#include <stdio.h>
#include <string.h>
#include "heapwalk.h"
#include "fns.h"

enum { Hexlen = 18 };	/* 0x and 16 digits */

/* w as 0x and 16 hex digits: a million lines want no printf */
static char*
hex(char *p, u64 w)
{
	static char digit[] = "0123456789abcdef";
	int i;

	*p++ = '0';
	*p++ = 'x';
	for(i = 60; i >= 0; i -= 4)
		*p++ = digit[w >> i & 15];
	return p;
}

/* What w points to, as a symbol, or w again in hex. */
static char*
name(char *p, Target *t, u64 w, int n)
{
	if(!hwsymword(t, w, p, n))
		return hex(p, w);
	return p + strlen(p);
}

static void
line(FILE *f, Target *t, Heap *h, Block *b, char *kind)
{
	char buf[4*Hexlen + 2*512 + 32], *p;
	u64 w[2];

	heaptags(h, t, b);
	if(b->flags & Btagged){
		w[0] = b->tag[0];
		w[1] = b->tag[1];
	}else if(hwpeek(t, b->addr, &w[0]) < 0 || hwpeek(t, b->addr+8, &w[1]) < 0)
		w[0] = w[1] = 0;
	p = stpcpy(buf, kind);
	*p++ = ' ';
	p = hex(p, b->addr);
	*p++ = ' ';
	p = hex(p, b->size);
	*p++ = ' ';
	p = hex(p, w[0]);
	*p++ = ' ';
	p = hex(p, w[1]);
	*p++ = ' ';
	p = name(p, t, w[0], 512);
	*p++ = ' ';
	p = name(p, t, w[1], 512);
	*p++ = '\n';
	fwrite(buf, 1, p - buf, f);
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
