/*
 * The writer common to every format: arguments, the count of rows,
 * and the first error, which sticks so that a failed write is
 * reported however many calls come after it.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "image.h"
#include "fns.h"

static Imgfmt *fmts[] = {
	[Fplan9] = &imgfmtplan9,
	[Fplan9z] = &imgfmtplan9z,
	[Fpng] = &imgfmtpng,
};

static int
chanbpp(char *chan)
{
	if(strcmp(chan, "m8") == 0)
		return 1;
	if(strcmp(chan, "r8g8b8") == 0)
		return 3;
	return 0;
}

Imgw*
imgopen(FILE *f, int format, char *chan, int dx, int dy)
{
	Imgw *w;
	int bpp;

	if(f == NULL || chan == NULL || (bpp = chanbpp(chan)) == 0
	|| format < 0 || format >= (int)(sizeof fmts/sizeof fmts[0])
	|| dx <= 0 || dy <= 0 || dx > Imgmaxdx || dy > Imgmaxdy){
		errno = EINVAL;
		return NULL;
	}
	if((w = calloc(1, sizeof *w)) == NULL)
		return NULL;
	w->f = f;
	w->fmt = fmts[format];
	w->chan = bpp == 1 ? "m8" : "r8g8b8";
	w->bpp = bpp;
	w->dx = dx;
	w->dy = dy;
	w->bpl = dx*bpp;
	if(w->fmt->start(w) < 0){
		imgfail(w, EIO);
		w->fmt->end(w);
		errno = w->err;
		free(w);
		return NULL;
	}
	return w;
}

int
imgrow(Imgw *w, uchar *row)
{
	if(w == NULL){
		errno = EINVAL;
		return -1;
	}
	if(row == NULL || w->y >= w->dy)
		imgfail(w, EINVAL);
	else if(w->err == 0 && w->fmt->row(w, row) < 0)
		imgfail(w, EIO);
	if(w->err){
		errno = w->err;
		return -1;
	}
	w->y++;
	return 0;
}

/* A row of rgbv indices, in whichever channel the image has. */
int
imgrgbvrow(Imgw *w, uchar *idx)
{
	u32 c;
	int x;

	if(w == NULL || idx == NULL || w->bpp == 1)
		return imgrow(w, idx);
	if(w->conv == NULL && (w->conv = malloc(w->bpl)) == NULL){
		errno = ENOMEM;
		return imgfail(w, ENOMEM);
	}
	for(x = 0; x < w->dx; x++){
		c = imgrgbv(idx[x]);
		w->conv[3*x] = c;
		w->conv[3*x+1] = c >> 8;
		w->conv[3*x+2] = c >> 16;
	}
	return imgrow(w, w->conv);
}

int
imgclose(Imgw *w)
{
	int err;

	if(w == NULL){
		errno = EINVAL;
		return -1;
	}
	if(w->y != w->dy)
		imgfail(w, EINVAL);
	w->fmt->end(w);
	if(w->err == 0 && fflush(w->f) != 0)
		imgfail(w, errno);
	err = w->err;
	free(w->conv);
	free(w);
	if(err){
		errno = err;
		return -1;
	}
	return 0;
}

/* Note the first failure; every write after it is refused. */
int
imgfail(Imgw *w, int err)
{
	if(w->err == 0)
		w->err = err ? err : EIO;
	return -1;
}

int
imgput(Imgw *w, void *p, long n)
{
	if(w->err)
		return -1;
	if(n > 0 && fwrite(p, 1, n, w->f) != (size_t)n)
		return imgfail(w, errno);
	return 0;
}
