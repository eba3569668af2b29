/*
 * image(6), both forms.  The header is five fields of eleven
 * characters, right-justified, each followed by a blank: the channel
 * string and the rectangle.  The compressed form puts "compressed\n"
 * before it and sends the rows in blocks of whole rows, each block
 * headed by two more such fields: the y just past its last row and
 * the number of code bytes that follow.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "image.h"
#include "fns.h"

enum {
	Ncblock = 6000,	/* the readers' usual bound on a block's code */
};

typedef struct Blk Blk;
struct Blk {
	Lz	*lz;
	uchar	*code;		/* the block's code so far */
	int	ncode;
	int	maxcode;	/* what readers will take in one block */
	uchar	*rowcode;	/* one row's code, before it joins a block */
};

static int
header(Imgw *w)
{
	char buf[5*12+1];

	snprintf(buf, sizeof buf, "%11s %11d %11d %11d %11d ", w->chan, 0, 0, w->dx, w->dy);
	return imgput(w, buf, 5*12);
}

static int
start(Imgw *w)
{
	return header(w);
}

static int
row(Imgw *w, uchar *p)
{
	return imgput(w, p, w->bpl);
}

static int
end(Imgw *w)
{
	(void)w;
	return 0;
}

Imgfmt imgfmtplan9 = { start, row, end };

/*
 * Readers take up to 6000 bytes of code in a block, or twice a row's
 * bytes when that is more (libdraw's _compblocksize).  A row's code
 * is at most a 128th more than the row, so one row always fits.
 */
static int
zstart(Imgw *w)
{
	Blk *b;

	if((b = calloc(1, sizeof *b)) == NULL)
		return imgfail(w, errno);
	w->aux = b;
	b->maxcode = 2*w->bpl > Ncblock ? 2*w->bpl : Ncblock;
	b->code = malloc(b->maxcode);
	b->rowcode = malloc(lzmax(w->bpl));
	b->lz = lzopen(w->bpl);
	if(b->code == NULL || b->rowcode == NULL || b->lz == NULL)
		return imgfail(w, ENOMEM);
	if(imgput(w, "compressed\n", 11) < 0)
		return -1;
	return header(w);
}

/* Send the block, whose rows end at y, and start another. */
static int
flush(Imgw *w, Blk *b, int y)
{
	char buf[2*12+1];

	snprintf(buf, sizeof buf, "%11d %11d ", y, b->ncode);
	if(imgput(w, buf, 2*12) < 0 || imgput(w, b->code, b->ncode) < 0)
		return -1;
	b->ncode = 0;
	lzblock(b->lz);
	return 0;
}

/*
 * A row that does not fit ends the block before it, and is coded
 * again: its first code referred to the old block's data.
 */
static int
zrow(Imgw *w, uchar *p)
{
	Blk *b;
	int n;

	b = w->aux;
	n = lzrow(b->lz, p, b->rowcode);
	if(b->ncode+n > b->maxcode){
		if(flush(w, b, w->y) < 0)
			return -1;
		n = lzrow(b->lz, p, b->rowcode);
	}
	memcpy(b->code+b->ncode, b->rowcode, n);
	b->ncode += n;
	return 0;
}

static int
zend(Imgw *w)
{
	Blk *b;
	int r;

	b = w->aux;
	if(b == NULL)
		return 0;
	r = 0;
	if(b->ncode > 0)
		r = flush(w, b, w->y);
	lzclose(b->lz);
	free(b->code);
	free(b->rowcode);
	free(b);
	w->aux = NULL;
	return r;
}

Imgfmt imgfmtplan9z = { zstart, zrow, zend };
