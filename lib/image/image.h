/*
 * image: write a picture a row at a time as Plan 9's image(6),
 * uncompressed or compressed, or as PNG.  Only one row (and, when
 * compressing, one block) is held, so a picture may be very tall.
 *
 *	w = imgopen(f, Fplan9z, "m8", 512, dy);
 *	for(y = 0; y < dy; y++)
 *		imgrow(w, row);
 *	if(imgclose(w) < 0)
 *		error: errno says why
 *
 * Errors (bad arguments, a failed write, the wrong number of rows)
 * return NULL or -1 with errno set; after one, every later call fails
 * too.  The FILE stays the caller's: imgclose flushes it, never closes it.
 */
#include <stdio.h>
#include <stdint.h>

/* as heapwalk.h has them; C11 lets the same typedef come twice */
typedef uint8_t uchar;
typedef uint32_t u32;

enum {
	Fplan9,		/* image(6), uncompressed */
	Fplan9z,	/* image(6), compressed */
	Fpng,		/* PNG: m8 as a palette of rgbv, r8g8b8 as RGB */
};

typedef struct Imgw Imgw;

/*
 * chan is "m8" (a byte per pixel, an index into rgbv) or "r8g8b8"
 * (three bytes per pixel, stored b, g, r as image(6) keeps them);
 * a row is width pixels in that layout.
 */
Imgw	*imgopen(FILE *f, int format, char *chan, int width, int height);
int	imgrow(Imgw*, uchar *row);
int	imgclose(Imgw*);

/* Plan 9's rgbv colour map: index -> 0xRRGGBB, and back (nearest) */
u32	imgrgbv(int index);
int	imgrgbvindex(u32 rgb);

/*
 * Inside the library; callers need none of what follows.
 */
enum {
	Imgmaxdx = 1<<20,
	Imgmaxdy = 1<<30,
};

typedef struct Imgfmt Imgfmt;
struct Imgfmt {
	int	(*start)(Imgw*);	/* the header; allocate aux */
	int	(*row)(Imgw*, uchar*);
	int	(*end)(Imgw*);		/* the trailer, unless failed already; free aux */
};

struct Imgw {
	FILE	*f;
	Imgfmt	*fmt;
	char	*chan;
	int	bpp;		/* bytes per pixel */
	int	dx;
	int	dy;
	int	bpl;		/* bytes per row */
	int	y;		/* rows taken so far */
	int	err;		/* errno of the first failure, 0 while none */
	void	*aux;		/* the format's own state */
};

extern Imgfmt imgfmtplan9, imgfmtplan9z, imgfmtpng;

/* image.c: write n bytes, or note the failure */
int	imgput(Imgw*, void*, long n);
int	imgfail(Imgw*, int err);

/* compress.c: image(6)'s code for one block, a row at a time */
typedef struct Lz Lz;
Lz	*lzopen(int bpl);
void	lzblock(Lz*);
int	lzrow(Lz*, uchar *row, uchar *code);
int	lzmax(int bpl);
void	lzclose(Lz*);
