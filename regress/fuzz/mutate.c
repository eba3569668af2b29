/*
 * Mutations aimed at what the models read.  Most inputs are a core
 * whose ELF header and program headers are left as they are, so that
 * the core still opens and the walk gets as far as the heap; what
 * changes is inside a segment that leak reads and trusts least: the
 * notes (threads, auxv, NT_FILE) and the writable PT_LOADs, which hold
 * the heaps, the chunk headers, bins and tcaches, main_arena and mp_,
 * the pool's arenas and blocks, and the roots.  Some mutations are
 * libFuzzer's own, on the whole input, headers and all.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <elf.h>

size_t	LLVMFuzzerMutate(uint8_t*, size_t, size_t);
size_t	LLVMFuzzerCustomMutator(uint8_t*, size_t, size_t, unsigned int);

enum {
	Maxregions = 256,	/* segments looked at: more is no core of a small target */
	Wholeone = 8,		/* one mutation in this many is libFuzzer's on the whole input */
	Maxwindow = 256,	/* bytes libFuzzer mutates in place inside a segment */
	Maxtries = 32,		/* looks for a word that is not 0: a heap is mostly zeros */
	Maxsteps = 4,		/* mutations one call makes */
	Maxdelta = 64,		/* a size or pointer nudged by at most this many words */
};

typedef struct Region Region;
struct Region {
	size_t	off;
	size_t	len;
};

static uint64_t rnd;

static uint64_t
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* the notes and the writable segments' bytes, as the program headers say, within the input */
static int
regions(uint8_t *d, size_t n, Region *r)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i, k;

	if(n < sizeof eh)
		return 0;
	memcpy(&eh, d, sizeof eh);
	if(memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_phentsize != sizeof ph || eh.e_phoff > n)
		return 0;
	k = 0;
	for(i = 0; i < eh.e_phnum && k < Maxregions; i++){
		if(eh.e_phoff + (i+1)*sizeof ph > n)
			break;
		memcpy(&ph, d + eh.e_phoff + i*sizeof ph, sizeof ph);
		if(ph.p_filesz < 8 || ph.p_offset >= n || ph.p_filesz > n - ph.p_offset)
			continue;
		if(ph.p_type == PT_NOTE || (ph.p_type == PT_LOAD && (ph.p_flags & PF_W)))
			r[k++] = (Region){ph.p_offset, ph.p_filesz};
	}
	return k;
}

/* an aligned word of r, one that is not 0 if a few looks find one */
static size_t
word(uint8_t *d, Region *r)
{
	uint64_t w;
	size_t at;
	int i;

	at = r->off;
	for(i = 0; i < Maxtries; i++){
		at = r->off + (next() % (r->len/8)) * 8;
		memcpy(&w, d+at, 8);
		if(w != 0)
			break;
	}
	return at;
}

/* what heap metadata is made of: sizes and flag bits, pointers, counts */
static void
wordmut(uint8_t *d, Region *r)
{
	uint64_t w, v;
	size_t at;
	long delta;

	at = word(d, r);
	memcpy(&w, d+at, 8);
	delta = (long)(next() % (2*Maxdelta+1)) - Maxdelta;
	switch(next() % 8){
	case 0: w += delta*8; break;			/* a size or pointer, a few words off */
	case 1: w += delta*16; break;			/* by chunks' alignment */
	case 2: w ^= 1ULL << (next() % 64); break;	/* a flag bit, or a high bit */
	case 3: w ^= 1ULL << (next() % 4); break;	/* glibc's size bits */
	case 4: w = 0; break;
	case 5: w = ~0ULL >> (next() % 64); break;	/* huge */
	case 6: memcpy(&w, d+word(d, r), 8); break;	/* another word of the segment: a pointer into it */
	case 7:						/* swap with another */
		at = word(d, r);
		memcpy(&v, d+at, 8);
		memcpy(d+at, &w, 8);
		at = word(d, r);
		memcpy(&w, d+at, 8);
		memcpy(d+at, &v, 8);
		break;
	}
	memcpy(d+at, &w, 8);
}

/* libFuzzer's mutations on a window of r, the input's size kept */
static void
windowmut(uint8_t *d, Region *r)
{
	uint8_t buf[Maxwindow];
	size_t at, n, k;

	n = r->len < Maxwindow ? r->len : Maxwindow;
	at = word(d, r);
	if(at + n > r->off + r->len)
		at = r->off + r->len - n;
	memcpy(buf, d+at, n);
	k = LLVMFuzzerMutate(buf, n, n);
	memcpy(d+at, buf, k < n ? k : n);
}

size_t
LLVMFuzzerCustomMutator(uint8_t *d, size_t n, size_t max, unsigned int seed)
{
	Region r[Maxregions];
	int i, k, steps;

	rnd = seed | 1;
	k = regions(d, n, r);
	if(k == 0 || next() % Wholeone == 0)
		return LLVMFuzzerMutate(d, n, max);
	steps = 1 + next() % Maxsteps;
	for(i = 0; i < steps; i++){
		if(next() % 2)
			wordmut(d, &r[next() % k]);
		else
			windowmut(d, &r[next() % k]);
	}
	return n;
}
