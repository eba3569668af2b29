/*
 * image(6)'s compression, a block at a time.  The code is a run of
 * literals (a byte 128+n-1, then n bytes, 1 <= n <= 128) or a copy
 * (two bytes, (n-3)<<2 | (d-1)>>8 and (d-1)&255: n bytes from d back,
 * 3 <= n <= 34, 1 <= d <= 1024, never before the block's start).
 * Readers decode a row at a time and refuse a code that runs past the
 * end of a row, so ours stop there; a copy may come from earlier rows.
 *
 * Matches are found through chains of earlier offsets whose next
 * three bytes hash alike.  Only Nchain of them are tried, so a row
 * costs time in proportion to its length whatever it holds.
 */
#include <stdlib.h>
#include <string.h>
#include "image.h"
#include "fns.h"

enum {
	Nmatch = 3,	/* shortest copy */
	Nrun = 34,	/* longest copy */
	Nmem = 1024,	/* farthest copy */
	Ndump = 128,	/* longest run of literals */
	Hbits = 12,
	Nhash = 1<<Hbits,
	Nchain = 32,	/* offsets tried for one match */
	Nslack = 16384,	/* room for rows before the history is moved down */
};

struct Lz {
	int	bpl;
	uchar	*buf;		/* the block's recent data, then the row being coded */
	int	cap;
	int	base;		/* block offset of buf[0] */
	int	n;		/* bytes in buf */
	int	ins;		/* next block offset to enter in the chains */
	int	head[Nhash];	/* hash -> latest offset+1, 0 for none */
	int	prev[Nmem];	/* offset%Nmem -> the one before with its hash, +1 */
};

Lz*
lzopen(int bpl)
{
	Lz *z;

	if((z = calloc(1, sizeof *z)) == NULL)
		return NULL;
	z->bpl = bpl;
	z->cap = Nmem+bpl+Nslack;
	if((z->buf = malloc(z->cap)) == NULL){
		free(z);
		return NULL;
	}
	return z;
}

void
lzclose(Lz *z)
{
	if(z == NULL)
		return;
	free(z->buf);
	free(z);
}

/* Start a block: nothing before it may be copied. */
void
lzblock(Lz *z)
{
	z->base = 0;
	z->n = 0;
	z->ins = 0;
	memset(z->head, 0, sizeof z->head);
}

/* The most code a row can take: all literals. */
int
lzmax(int bpl)
{
	return bpl + (bpl+Ndump-1)/Ndump;
}

static unsigned
hash(uchar *p)
{
	return ((u32)(p[0]<<16 | p[1]<<8 | p[2]) * 2654435761u) >> (32-Hbits);
}

/* Enter the offsets before end in the chains, those whose three bytes are here. */
static void
enter(Lz *z, int end)
{
	unsigned h;
	int top;

	top = z->base+z->n-(Nmatch-1);
	if(end > top)
		end = top;
	for(; z->ins < end; z->ins++){
		h = hash(z->buf+(z->ins-z->base));
		z->prev[z->ins%Nmem] = z->head[h];
		z->head[h] = z->ins+1;
	}
}

/*
 * The longest copy for buf[i], at most max bytes; *dist gets its
 * distance.  The chain runs from newer to older, so it ends at the
 * first offset too far back.  A copy may overlap what it makes.
 */
static int
match(Lz *z, int i, int max, int *dist)
{
	uchar *s, *t;
	int p, q, k, best, tries;

	s = z->buf+i;
	p = z->base+i;
	best = 0;
	tries = Nchain;
	for(q = z->head[hash(s)]-1; q >= 0 && p-q <= Nmem && tries-- > 0; q = z->prev[q%Nmem]-1){
		t = z->buf+(q-z->base);
		if(t[best] != s[best])
			continue;
		for(k = 0; k < max && s[k] == t[k]; k++)
			;
		if(k > best){
			best = k;
			*dist = p-q;
			if(k == max)
				break;
		}
	}
	return best;
}

static uchar*
dump(uchar *o, uchar *p, int n)
{
	if(n > 0){
		*o++ = 128+n-1;
		memcpy(o, p, n);
		o += n;
	}
	return o;
}

/* Make room for a row, keeping the last Nmem bytes for copies. */
static void
slide(Lz *z)
{
	int k;

	if(z->n+z->bpl > z->cap){
		k = z->n-Nmem;
		memmove(z->buf, z->buf+k, Nmem);
		z->base += k;
		z->n = Nmem;
	}
}

/* Code a row after the block's earlier ones; return the code's length. */
int
lzrow(Lz *z, uchar *row, uchar *code)
{
	uchar *o;
	int i, e, lit, n, max, d;

	slide(z);
	i = z->n;
	memcpy(z->buf+i, row, z->bpl);
	z->n += z->bpl;
	e = z->n;
	o = code;
	lit = i;
	d = 0;
	while(i < e){
		n = 0;
		if(e-i >= Nmatch){
			enter(z, z->base+i);
			max = e-i < Nrun ? e-i : Nrun;
			n = match(z, i, max, &d);
		}
		if(n < Nmatch){
			if(++i-lit == Ndump){
				o = dump(o, z->buf+lit, Ndump);
				lit = i;
			}
			continue;
		}
		o = dump(o, z->buf+lit, i-lit);
		*o++ = (n-Nmatch)<<2 | (d-1)>>8;
		*o++ = (d-1)&0xFF;
		i += n;
		lit = i;
	}
	o = dump(o, z->buf+lit, i-lit);
	enter(z, z->base+e);
	return o-code;
}
