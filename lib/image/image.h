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

enum {
	Imgmaxdx = 1<<20,	/* imgopen refuses wider */
	Imgmaxdy = 1<<30,	/* or taller */
};

/*
 * chan is "m8" (a byte per pixel, an index into rgbv) or "r8g8b8"
 * (three bytes per pixel, stored b, g, r as image(6) keeps them);
 * a row is width pixels in that layout.
 */
Imgw	*imgopen(FILE *f, int format, char *chan, int width, int height);
int	imgrow(Imgw*, uchar *row);
int	imgrgbvrow(Imgw*, uchar *idx);	/* a row of rgbv indices, in the image's channel */
int	imgclose(Imgw*);

/* Plan 9's rgbv colour map: index -> 0xRRGGBB */
u32	imgrgbv(int index);
