/*
 * Plan 9's rgbv colour map, the one m8 pictures index.  An index's
 * top four bits are r, red's top two bits, and v, a brightness step;
 * its low four are green's and blue's top two bits, gg bb, plus v-r,
 * mod 16.  The largest of r, g, b (den) becomes 17*(4*den+v) and the
 * others their share of it; with all three zero the entry is grey 17*v.
 */
#include "image.h"

u32
imgrgbv(int c)
{
	int r, g, b, v, f, den, num;

	c &= 0xFF;
	r = c>>6;
	v = c>>4 & 3;
	f = (c-v+r) & 15;
	g = f>>2;
	b = f&3;
	den = r;
	if(g > den)
		den = g;
	if(b > den)
		den = b;
	if(den == 0)
		return 17*v * 0x010101u;
	num = 17*(4*den+v);
	return (u32)(r*num/den)<<16 | (u32)(g*num/den)<<8 | (u32)(b*num/den);
}

/* The entry from a colour's top bits: exact for every colour in the map. */
static int
guess(int r, int g, int b)
{
	int m, v;

	m = r;
	if(g > m)
		m = g;
	if(b > m)
		m = b;
	v = m>>4 & 3;
	r >>= 6;
	g >>= 6;
	b >>= 6;
	return (r<<2 | v)<<4 | (((g<<2 | b)+v-r) & 15);
}

/* The entry for rgb, or if none is exactly rgb the nearest (by squared distance). */
int
imgrgbvindex(u32 rgb)
{
	int r, g, b, i, dr, dg, db, d, best, bestd;
	u32 c;

	r = rgb>>16 & 0xFF;
	g = rgb>>8 & 0xFF;
	b = rgb & 0xFF;
	i = guess(r, g, b);
	if(imgrgbv(i) == (rgb & 0xFFFFFF))
		return i;
	best = 0;
	bestd = 1<<30;
	for(i = 0; i < 256; i++){
		c = imgrgbv(i);
		dr = (int)(c>>16) - r;
		dg = (int)(c>>8 & 0xFF) - g;
		db = (int)(c & 0xFF) - b;
		d = dr*dr + dg*dg + db*db;
		if(d < bestd){
			bestd = d;
			best = i;
		}
	}
	return best;
}
