/*
 * malloctag: Plan 9's malloc tags for any glibc program.
 *
 * libmalloctag.so (LD_PRELOAD, or linked with -lmalloctag) replaces
 * malloc and its relatives, and stays glibc's ptmalloc underneath:
 * each request is made 16 bytes larger, and the last 16 usable bytes
 * of the chunk hold a trailer.  With p the block, u glibc's usable
 * size of its chunk (from the chunk header) and n the size asked for:
 *
 *	p+u-16:	(check << 48) | mallocpc	(pc: low 48 bits)
 *	p+u-8:	(slack << 48) | reallocpc	(0 if never realloc'd)
 *
 *	slack = min(u - 16 - n, 0xffff); when it is 0xffff the
 *		word at p+u-24, inside the slack, holds all of it
 *		(a memalign'd mmapped chunk keeps up to its alignment)
 *	check = malloctagcheck(p, slack), below
 *
 * A block is tagged when its trailer's check matches (leak also wants
 * the pcs to be in executable mappings); blocks from
 * before the library took over are not, and every call copes.
 * A pc is a return address, as getcallerpc gives, of the first caller
 * outside libc, ld.so, libstdc++, libgcc_s and this library, so that
 * strdup's block names the line that called strdup.
 * doc/malloctag.md gives the layout in full; malloctag(3) the rest.
 */
#include <stdint.h>

/* plan9port's u.h has its own */
#ifndef getcallerpc
#define getcallerpc(x)	((uintptr_t)__builtin_return_address(0))
#endif

/* The trailer, for those who read it from outside (leak's ptmalloc model). */
enum {
	Mtagmagic = 0x7A61,
	Mtaglongslack = 0xffff,	/* the slack is in the word at p+u-24 */
};

/*
 * Ties a trailer to its block and its slack.  Never 0 or 0xffff, the
 * top bits of pointers and small numbers, so that data rarely passes.
 */
static inline unsigned
malloctagcheck(uintptr_t p, unsigned slack)
{
	unsigned c;

	c = (Mtagmagic ^ (p >> 4) ^ slack) & 0xffff;
	if(c == 0 || c == 0xffff)
		c = Mtagmagic;
	return c;
}

#ifdef __cplusplus
extern "C" {
#endif

/* set* do nothing to an untagged block; get* return 0 for one */
void	setmalloctag(void *v, uintptr_t pc);
void	setrealloctag(void *v, uintptr_t pc);
uintptr_t	getmalloctag(void *v);
uintptr_t	getrealloctag(void *v);

#ifdef __cplusplus
}
#endif
