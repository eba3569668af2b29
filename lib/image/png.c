/*
 * PNG through zlib: m8 as 8-bit palette (colour type 3) with the whole
 * rgbv map, r8g8b8 as 8-bit RGB (colour type 2).  Each row goes out
 * unfiltered (filter byte 0), straight into deflate; each time its
 * output buffer fills it becomes an IDAT chunk.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <zlib.h>
#include "image.h"
#include "fns.h"

enum {
	Nidat = 32*1024,	/* the most an IDAT holds */
};

typedef struct Png Png;
struct Png {
	z_stream	z;
	int	zok;		/* z initialised */
	uchar	*line;		/* filter byte and the row in PNG's order */
	uchar	out[Nidat];
};

static void
put32(uchar *p, u32 v)
{
	p[0] = v>>24;
	p[1] = v>>16;
	p[2] = v>>8;
	p[3] = v;
}

static int
chunk(Imgw *w, char *type, uchar *data, u32 n)
{
	uchar b[8];
	uLong crc;

	put32(b, n);
	memcpy(b+4, type, 4);
	crc = crc32(0, b+4, 4);
	if(n > 0)	/* crc32 of no buffer is its initial value, not crc */
		crc = crc32(crc, data, n);
	if(imgput(w, b, 8) < 0 || imgput(w, data, n) < 0)
		return -1;
	put32(b, crc);
	return imgput(w, b, 4);
}

static int
header(Imgw *w)
{
	uchar ihdr[13], plte[3*256];
	u32 c;
	int i;

	if(imgput(w, "\x89PNG\r\n\x1a\n", 8) < 0)
		return -1;
	put32(ihdr, w->dx);
	put32(ihdr+4, w->dy);
	ihdr[8] = 8;			/* bits per sample or index */
	ihdr[9] = w->bpp == 1 ? 3 : 2;	/* palette or RGB */
	ihdr[10] = 0;			/* deflate */
	ihdr[11] = 0;			/* per-row filters */
	ihdr[12] = 0;			/* not interlaced */
	if(chunk(w, "IHDR", ihdr, sizeof ihdr) < 0)
		return -1;
	if(w->bpp != 1)
		return 0;
	for(i = 0; i < 256; i++){
		c = imgrgbv(i);
		plte[3*i] = c>>16;
		plte[3*i+1] = c>>8;
		plte[3*i+2] = c;
	}
	return chunk(w, "PLTE", plte, sizeof plte);
}

static int
start(Imgw *w)
{
	Png *p;

	if((p = calloc(1, sizeof *p)) == NULL)
		return imgfail(w, errno);
	w->aux = p;
	if((p->line = malloc(1+w->bpl)) == NULL)
		return imgfail(w, ENOMEM);
	if(deflateInit(&p->z, Z_DEFAULT_COMPRESSION) != Z_OK)
		return imgfail(w, ENOMEM);
	p->zok = 1;
	p->z.next_out = p->out;
	p->z.avail_out = Nidat;
	return header(w);
}

/* Feed deflate; an IDAT for each buffer it fills, and at the end the rest. */
static int
deflateout(Imgw *w, Png *p, int flush)
{
	int r;

	for(;;){
		r = deflate(&p->z, flush);
		if(r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return imgfail(w, EIO);
		if(p->z.avail_out == 0 || (r == Z_STREAM_END && p->z.avail_out < Nidat)){
			if(chunk(w, "IDAT", p->out, Nidat-p->z.avail_out) < 0)
				return -1;
			p->z.next_out = p->out;
			p->z.avail_out = Nidat;
		}
		if(flush == Z_FINISH ? r == Z_STREAM_END : p->z.avail_in == 0)
			return 0;
	}
}

static int
row(Imgw *w, uchar *row)
{
	Png *p;
	uchar *l;
	int x;

	p = w->aux;
	l = p->line;
	l[0] = 0;
	if(w->bpp == 1)
		memcpy(l+1, row, w->dx);
	else
		for(x = 0; x < w->dx; x++){	/* b,g,r to r,g,b */
			l[1+3*x] = row[3*x+2];
			l[1+3*x+1] = row[3*x+1];
			l[1+3*x+2] = row[3*x];
		}
	p->z.next_in = l;
	p->z.avail_in = 1+w->bpl;
	return deflateout(w, p, Z_NO_FLUSH);
}

static int
end(Imgw *w)
{
	Png *p;
	int r;

	p = w->aux;
	if(p == NULL)
		return 0;
	r = 0;
	if(w->err == 0 && (deflateout(w, p, Z_FINISH) < 0 || chunk(w, "IEND", NULL, 0) < 0))
		r = -1;
	if(p->zok)
		deflateEnd(&p->z);
	free(p->line);
	free(p);
	w->aux = NULL;
	return r;
}

Imgfmt imgfmtpng = { start, row, end };
