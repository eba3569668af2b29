/*
 * Text from the target made safe to print: symbol, class and file
 * names, paths.  Every byte outside printable ASCII, and the
 * backslash, becomes \xNN (lowercase hex), so no name can end a
 * line, forge one, or hide a byte, and the text reads back exactly.
 * In a word (a field of a block line) the space is escaped too; in an
 * error message, meant only for people, the backslash is left alone,
 * so a message made of messages is not escaped twice.
 */
#include "heapwalk.h"
#include "fns.h"

enum { Esclen = 4 };	/* \xNN */

static int
plain(uchar c, int how)
{
	if(c == ' ')
		return how != Eword;
	if(c == '\\')
		return how == Emsg;
	return c > ' ' && c < 0x7f;
}

/* s escaped into buf, cut at a whole character; the length written. */
int
hwesc(char *s, int how, char *buf, int n)
{
	static char hex[] = "0123456789abcdef";
	uchar c;
	int k;

	k = 0;
	for(; *s != 0; s++){
		c = *s;
		if(plain(c, how)){
			if(k+1 >= n)
				break;
			buf[k++] = c;
			continue;
		}
		if(k+Esclen >= n)
			break;
		buf[k++] = '\\';
		buf[k++] = 'x';
		buf[k++] = hex[c>>4];
		buf[k++] = hex[c&15];
	}
	if(n > 0)
		buf[k] = 0;
	return k;
}
