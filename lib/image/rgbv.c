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
