/*
 * image-test: lib/image's own tests.
 *
 *	image-test DIR
 * writes each test picture in DIR three ways (NAME.plan9, NAME.plan9z,
 * NAME.png) with its rows as given (NAME.raw), lists them in
 * DIR/manifest (name chan width height, then what the compressed
 * form must achieve), puts the rgbv map in DIR/rgbv, and checks the
 * interface itself (rgbv, bad arguments, wrong row counts, write
 * errors), printing ok or FAIL lines; regress/image-check decodes the
 * pictures.
 *
 *	image-test -b plan9|plan9z|png FILE [WIDTH HEIGHT [PICTURE]]
 * writes an m8 picture, for timing: by default a heap as leak draws
 * it, 512 x 20000; else noise, mixed, coin (two colours at random,
 * the compressor's hardest) or flat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "../lib/image/image.h"

#define nelem(a) (sizeof(a)/sizeof((a)[0]))

typedef struct Gen Gen;
struct Gen {
	u32	seed;
	int	left;		/* pixels to go in the current block */
	int	colour;
	int	kind;		/* mixed: what the current stretch is */
	int	back;		/* mixed: how far back it copies from */
	uchar	ring[2048];	/* mixed: the bytes made so far */
	long	n;
};

typedef struct Pic Pic;
struct Pic {
	char	*name;
	char	*chan;
	int	dx;
	int	dy;
	void	(*fill)(Gen*, uchar*, int, int);
	int	minblocks;	/* the compressed form has at least these */
	double	maxratio;	/* and at most this share of the raw size; 0: any */
};

static char *fmtname[] = { "plan9", "plan9z", "png" };
static int nfail;

static u32
rnd(Gen *g)
{
	g->seed ^= g->seed<<13;
	g->seed ^= g->seed>>17;
	g->seed ^= g->seed<<5;
	return g->seed;
}

/* Incompressible: every byte at random. */
static void
noise(Gen *g, uchar *row, int bpl, int y)
{
	int i;

	(void)y;
	for(i = 0; i < bpl; i++)
		row[i] = rnd(g);
}

/* A colour that changes with x and y, never repeating within a row of 256. */
static void
ramp(Gen *g, uchar *row, int bpl, int y)
{
	int i;

	(void)g;
	for(i = 0; i < bpl; i++)
		row[i] = i*7 + y*13;
}

static void
flat(Gen *g, uchar *row, int bpl, int y)
{
	(void)g;
	(void)y;
	memset(row, 240, bpl);
}

/*
 * A heap as leak -b draws it, in rgbv indices: a header pixel
 * (blue, or red when leaked), then the block's data (dark blue when
 * allocated, dark red when leaked, yellow when free); mostly small
 * blocks, a few large.  Rows cut blocks anywhere, as addresses do.
 */
static void
heap(Gen *g, uchar *row, int bpl, int y)
{
	u32 r;
	int i;

	(void)y;
	for(i = 0; i < bpl; i++){
		if(g->left == 0){
			r = rnd(g);
			g->left = 1 + r%48;
			if(r%97 == 0)
				g->left = 1 + r%5000;
			switch(r>>24 & 7){
			case 0:
				g->colour = 252;
				row[i] = 54;
				break;
			case 1:
				g->colour = 205;
				row[i] = 240;
				break;
			default:
				g->colour = 2;
				row[i] = 54;
				break;
			}
			continue;
		}
		row[i] = g->colour;
		g->left--;
	}
}

/* The same random row again and again: copies from exactly a row back. */
static void
repeat(Gen *g, uchar *row, int bpl, int y)
{
	Gen g0;

	(void)g;
	g0.seed = 7;
	noise(&g0, row, bpl, y);
}

/* A short period, copies overlapping what they make. */
static void
period(Gen *g, uchar *row, int bpl, int y)
{
	static uchar pat[] = { 2, 54, 252, 2, 2, 205, 240 };
	int i;

	(void)g;
	for(i = 0; i < bpl; i++)
		row[i] = pat[(i+y) % nelem(pat)];
}

/* An rgb picture: ramps in r and g, noise in b, runs now and then. */
static void
colours(Gen *g, uchar *row, int bpl, int y)
{
	int i, x;

	for(i = 0; i+2 < bpl; i += 3){
		x = i/3;
		if((y/8 + x/16) % 3 == 0){
			row[i] = row[i+1] = row[i+2] = 0x55;
			continue;
		}
		row[i] = rnd(g);	/* b */
		row[i+1] = y;		/* g */
		row[i+2] = x;		/* r */
	}
}

/*
 * Stretches of noise, of one byte, and of copies from up to 1100
 * bytes back, so that copies meet every distance around the 1024
 * limit, rows' ends and blocks' starts.
 */
static void
mixed(Gen *g, uchar *row, int bpl, int y)
{
	u32 r;
	int i;

	(void)y;
	for(i = 0; i < bpl; i++){
		if(g->left == 0){
			r = rnd(g);
			g->left = 1 + r%70;
			g->kind = r>>8 & 3;
			g->back = 1 + (r>>12)%1100;
			g->colour = r>>24;
		}
		g->left--;
		switch(g->kind){
		case 0:
			row[i] = rnd(g);
			break;
		case 1:
			row[i] = g->colour;
			break;
		default:
			row[i] = g->back <= g->n ? g->ring[(g->n-g->back) % sizeof g->ring] : 0;
			break;
		}
		g->ring[g->n++ % sizeof g->ring] = row[i];
	}
}

static Pic pics[] = {
	{ "one-m8", "m8", 1, 1, flat, 1, 0 },
	{ "one-rgb", "r8g8b8", 1, 1, colours, 1, 0 },
	{ "odd-m8", "m8", 37, 23, ramp, 1, 0 },
	{ "odd-rgb", "r8g8b8", 37, 23, colours, 1, 0 },
	{ "column", "m8", 1, 5000, heap, 1, 0 },	/* a copy cannot cross rows: 2 bytes a row */
	{ "flat", "m8", 301, 300, flat, 1, 0.07 },
	{ "heap", "m8", 512, 700, heap, 1, 0.12 },
	{ "heap-odd", "m8", 333, 777, heap, 1, 0.12 },
	{ "period", "m8", 250, 90, period, 1, 0.1 },
	{ "noise-m8", "m8", 97, 50, noise, 1, 0 },
	{ "tall-noise", "m8", 64, 4000, noise, 40, 0 },
	{ "tall-heap", "m8", 512, 6000, heap, 3, 0.12 },
	{ "repeat-1024", "m8", 1024, 40, repeat, 1, 0.1 },
	{ "repeat-1025", "m8", 1025, 40, repeat, 1, 0 },
	{ "noise-rgb", "r8g8b8", 100, 100, noise, 5, 0 },
	{ "rgb", "r8g8b8", 123, 211, colours, 1, 0 },
	{ "wide-m8", "m8", 4001, 6, noise, 6, 0 },
	{ "wide-rgb", "r8g8b8", 2100, 5, noise, 5, 0 },
	{ "mixed", "m8", 203, 900, mixed, 10, 0 },
	{ "mixed-rgb", "r8g8b8", 71, 300, mixed, 3, 0 },
};

static void
ok(char *name, int good, char *why)
{
	if(good)
		printf("ok api/%s\n", name);
	else{
		printf("FAIL api/%s: %s\n", name, why);
		nfail++;
	}
}

static FILE*
create(char *dir, char *name, char *ext)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
	if((f = fopen(path, "w")) == NULL){
		fprintf(stderr, "image-test: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

/* Write a picture in every format at once, a row at a time, and as raw rows. */
static int
writepic(char *dir, Pic *p)
{
	Imgw *w[nelem(fmtname)];
	FILE *f[nelem(fmtname)], *raw;
	uchar *row;
	Gen g;
	int i, y, bpl, r;
	char ext[16];

	bpl = p->dx * (strcmp(p->chan, "m8") == 0 ? 1 : 3);
	row = malloc(bpl);
	memset(&g, 0, sizeof g);
	g.seed = 0x2545F491;
	raw = create(dir, p->name, ".raw");
	for(i = 0; i < (int)nelem(fmtname); i++){
		snprintf(ext, sizeof ext, ".%s", fmtname[i]);
		f[i] = create(dir, p->name, ext);
		if((w[i] = imgopen(f[i], i, p->chan, p->dx, p->dy)) == NULL){
			printf("FAIL %s.%s: imgopen: %s\n", p->name, fmtname[i], strerror(errno));
			return -1;
		}
	}
	r = 0;
	for(y = 0; y < p->dy; y++){
		p->fill(&g, row, bpl, y);
		fwrite(row, 1, bpl, raw);
		for(i = 0; i < (int)nelem(fmtname); i++)
			if(w[i] != NULL && imgrow(w[i], row) < 0){
				printf("FAIL %s.%s: imgrow %d: %s\n", p->name, fmtname[i], y, strerror(errno));
				r = -1;
			}
	}
	for(i = 0; i < (int)nelem(fmtname); i++){
		if(imgclose(w[i]) < 0){
			printf("FAIL %s.%s: imgclose: %s\n", p->name, fmtname[i], strerror(errno));
			r = -1;
		}
		fclose(f[i]);
	}
	if(fclose(raw) != 0)
		r = -1;
	free(row);
	return r;
}

static void
testrgbv(char *dir)
{
	static struct { int i; u32 rgb; } known[] = {
		{ 54, 0x0000FF }, { 240, 0xFF0000 }, { 205, 0xCC0000 },
		{ 2, 0x000088 }, { 252, 0xFFFF00 }, { 255, 0xFFFFFF }, { 0, 0 },
	};
	FILE *f;
	int i, good;

	good = 1;
	for(i = 0; i < (int)nelem(known); i++)
		good &= imgrgbv(known[i].i) == known[i].rgb;
	ok("rgbv-known", good, "an entry is not Plan 9's");
	f = create(dir, "rgbv", "");
	for(i = 0; i < 256; i++)
		fprintf(f, "%06x\n", imgrgbv(i));
	fclose(f);
}

static int
refused(FILE *f, int fmt, char *chan, int dx, int dy)
{
	Imgw *w;

	errno = 0;
	if((w = imgopen(f, fmt, chan, dx, dy)) != NULL){
		imgclose(w);
		return 0;
	}
	return errno == EINVAL;
}

static void
testargs(void)
{
	FILE *f;
	int good;

	f = fopen("/dev/null", "w");
	good = refused(NULL, Fplan9, "m8", 1, 1)
		&& refused(f, Fplan9, NULL, 1, 1)
		&& refused(f, -1, "m8", 1, 1)
		&& refused(f, Fpng+1, "m8", 1, 1)
		&& refused(f, Fplan9, "k8", 1, 1)
		&& refused(f, Fplan9, "", 1, 1)
		&& refused(f, Fplan9, "r8g8b8x", 1, 1)
		&& refused(f, Fplan9z, "m8", 0, 1)
		&& refused(f, Fplan9z, "m8", 1, 0)
		&& refused(f, Fpng, "m8", -5, 1)
		&& refused(f, Fpng, "m8", 1, -5)
		&& refused(f, Fpng, "m8", Imgmaxdx+1, 1)
		&& refused(f, Fpng, "m8", 1, Imgmaxdy+1)
		&& !refused(f, Fpng, "r8g8b8", Imgmaxdx, 1);
	ok("bad-args", good, "imgopen took a bad argument or refused a good one");
	ok("null", imgrow(NULL, NULL) < 0 && imgclose(NULL) < 0, "NULL writer taken");
	fclose(f);
}

/* Each format refuses too few rows, too many, and a NULL row. */
static void
testrows(void)
{
	FILE *f;
	Imgw *w;
	uchar row[10];
	int fmt, good, few, many, null;

	memset(row, 2, sizeof row);
	f = fopen("/dev/null", "w");
	few = many = null = 1;
	for(fmt = Fplan9; fmt <= Fpng; fmt++){
		w = imgopen(f, fmt, "m8", 10, 3);
		good = w != NULL && imgrow(w, row) == 0 && imgrow(w, row) == 0;
		errno = 0;
		few &= good && imgclose(w) < 0 && errno == EINVAL;

		w = imgopen(f, fmt, "m8", 10, 2);
		good = w != NULL && imgrow(w, row) == 0 && imgrow(w, row) == 0;
		many &= good && imgrow(w, row) < 0 && imgrow(w, row) < 0 && imgclose(w) < 0;

		w = imgopen(f, fmt, "m8", 10, 1);
		null &= w != NULL && imgrow(w, NULL) < 0 && imgrow(w, row) < 0 && imgclose(w) < 0;
	}
	ok("too-few-rows", few, "imgclose took a short picture");
	ok("too-many-rows", many, "imgrow took a row past the bottom");
	ok("null-row", null, "imgrow took a NULL row");
	fclose(f);
}

/*
 * /dev/full: the failure shows at a row (the noise outgrows stdio's
 * buffer and zlib's) and sticks to the end.  Unbuffered, the header's
 * write fails and imgopen says so.
 */
static void
testfull(void)
{
	FILE *f;
	Imgw *w;
	uchar row[512];
	Gen g;
	int fmt, y, failed, good, unbuf;

	g.seed = 5;
	good = unbuf = 1;
	for(fmt = Fplan9; fmt <= Fpng; fmt++){
		if((f = fopen("/dev/full", "w")) == NULL){
			ok("write-error", 0, "no /dev/full");
			return;
		}
		w = imgopen(f, fmt, "m8", 512, 2000);
		failed = 0;
		for(y = 0; w != NULL && y < 2000; y++){
			noise(&g, row, sizeof row, y);
			if(imgrow(w, row) < 0)
				failed = 1;
			else if(failed)
				good = 0;	/* a row taken after a failure */
		}
		errno = 0;
		good &= w != NULL && failed && imgclose(w) < 0 && errno == ENOSPC;
		fclose(f);

		f = fopen("/dev/full", "w");
		setvbuf(f, NULL, _IONBF, 0);
		errno = 0;
		unbuf &= imgopen(f, fmt, "m8", 10, 10) == NULL && errno == ENOSPC;
		fclose(f);
	}
	ok("write-error", good, "a write error went unreported");
	ok("write-error-header", unbuf, "a failed header went unreported");
}

/* Two colours at random: short matches everywhere, the chains' worst. */
static void
coin(Gen *g, uchar *row, int bpl, int y)
{
	int i;

	(void)y;
	for(i = 0; i < bpl; i++)
		row[i] = rnd(g)>>7 & 1 ? 2 : 252;
}

static struct {
	char	*name;
	void	(*fill)(Gen*, uchar*, int, int);
} fills[] = {
	{ "heap", heap },
	{ "noise", noise },
	{ "mixed", mixed },
	{ "coin", coin },
	{ "flat", flat },
};

static int
bench(char *fmt, char *file, int dx, int dy, char *kind)
{
	FILE *f;
	Imgw *w;
	uchar *row;
	Gen g;
	int i, k, y;

	for(i = 0; i < (int)nelem(fmtname); i++)
		if(strcmp(fmt, fmtname[i]) == 0)
			break;
	for(k = 0; k < (int)nelem(fills); k++)
		if(strcmp(kind, fills[k].name) == 0)
			break;
	if(i == nelem(fmtname) || k == nelem(fills) || (f = fopen(file, "w")) == NULL){
		fprintf(stderr, "image-test: bad format, picture or file\n");
		return 1;
	}
	if((w = imgopen(f, i, "m8", dx, dy)) == NULL){
		fprintf(stderr, "image-test: imgopen: %s\n", strerror(errno));
		return 1;
	}
	row = malloc(dx);
	memset(&g, 0, sizeof g);
	g.seed = 0x2545F491;
	for(y = 0; y < dy; y++){
		fills[k].fill(&g, row, dx, y);
		imgrow(w, row);
	}
	if(imgclose(w) < 0 || fclose(f) != 0){
		fprintf(stderr, "image-test: %s: %s\n", file, strerror(errno));
		return 1;
	}
	free(row);
	return 0;
}

int
main(int argc, char **argv)
{
	FILE *man;
	Pic *p;

	if(argc >= 4 && argc <= 7 && argc != 5 && strcmp(argv[1], "-b") == 0)
		return bench(argv[2], argv[3], argc > 5 ? atoi(argv[4]) : 512, argc > 5 ? atoi(argv[5]) : 20000,
			argc > 6 ? argv[6] : "heap");
	if(argc != 2){
		fprintf(stderr, "usage: image-test DIR\n       image-test -b plan9|plan9z|png FILE [WIDTH HEIGHT [heap|noise|mixed|coin|flat]]\n");
		return 2;
	}
	man = create(argv[1], "manifest", "");
	for(p = pics; p < pics+nelem(pics); p++){
		if(writepic(argv[1], p) < 0)
			nfail++;
		fprintf(man, "%s %s %d %d %d %g\n", p->name, p->chan, p->dx, p->dy, p->minblocks, p->maxratio);
	}
	fclose(man);
	testrgbv(argv[1]);
	testargs();
	testrows();
	testfull();
	return nfail ? 1 : 0;
}
