/*
 * lib-tls.so, dlopen'd by t-joined-dl: a __thread buffer in dynamic
 * TLS, which glibc mallocs for each thread on its first touch.  It
 * holds no pointers: the block is glibc's, and must stay unreported.
 */
#include <string.h>

enum { Ntls = 3000 };

static __thread char tbuf[Ntls];

void	tlstouch(int);

void
tlstouch(int v)
{
	memset(tbuf, 0xa0 | (v & 0x1f), sizeof tbuf);
	__asm__ volatile("" :: "r"(tbuf) : "memory");
}
