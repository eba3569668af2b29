/*
 * Reading the target's memory.  process_vm_readv in large batches,
 * /proc/PID/mem when that is refused.  Never written.
 * Snapshots (Seg) hold copies of the heap so the walk and the marking
 * run on local memory after the target is let go.  Reads outside them
 * go through a few cached windows, so that a streaming walk (umem)
 * costs a syscall per window, not per word, in bounded memory.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/uio.h>
#include "heapwalk.h"
#include "fns.h"

enum {
	Readwin = 1<<20,	/* a Reader's window */
	Batch = 1<<20,
	Page = 4096,
	Nwin = 16,
	Winsz = 128<<10,
};

typedef struct Win Win;
struct Win {
	u64	base;
	long	n;		/* bytes read; 0: empty */
	uchar	buf[Winsz];
};

static long
vmread(Target *t, u64 addr, void *buf, long n)
{
	struct iovec l, r;

	l.iov_base = buf;
	l.iov_len = n;
	r.iov_base = (void*)addr;
	r.iov_len = n;
	return process_vm_readv(t->rpid, &l, 1, &r, 1, 0);
}

/*
 * One read that may come back short; -1 only when nothing could be read.
 * process_vm_readv cannot read what the program made inaccessible
 * (PROT_NONE): /proc/PID/mem, a debugger's reader, can.
 */
static long
read1(Target *t, u64 addr, void *buf, long n)
{
	long r;

	if(t->core != NULL)
		return hwcoreread(t, addr, buf, n);
	/* atomic: marking reads from several threads */
	if(!__atomic_load_n(&t->novm, __ATOMIC_RELAXED)){
		r = vmread(t, addr, buf, n);
		if(r >= 0)
			return r;
		if(errno != EFAULT)
			__atomic_store_n(&t->novm, 1, __ATOMIC_RELAXED);
		else if(hwmapat(t, addr) == NULL)
			return -1;	/* nothing there: no second try */
	}
	r = pread(t->snap ? t->snapfd : t->memfd, buf, n, addr);
	return r > 0 ? r : -1;
}

/*
 * Read n bytes; pages that cannot be read (guard pages, holes)
 * read as zeros.  Returns the bytes really read.
 */
long
hwread(Target *t, u64 addr, void *buf, long n)
{
	uchar *p;
	long got, r, m;

	p = buf;
	got = 0;
	while(n > 0){
		m = n < Batch ? n : Batch;
		r = read1(t, addr, p, m);
		if(r <= 0){
			/* skip to the next page */
			m = Page - (addr & (Page-1));
			if(m > n)
				m = n;
			memset(p, 0, m);
			r = 0;
		}else
			m = r;
		got += r;
		p += m;
		addr += m;
		n -= m;
	}
	return got;
}

static Seg*
segat(Target *t, u64 addr)
{
	int lo, hi, m;

	lo = 0;
	hi = t->nseg;
	while(lo < hi){
		m = (lo+hi)/2;
		if(addr < t->seg[m].start)
			hi = m;
		else if(addr >= t->seg[m].end)
			lo = m+1;
		else
			return &t->seg[m];
	}
	return NULL;
}

/*
 * The bytes from addr up to end, or as many as one snapshot holds
 * of them, in *n; NULL when no snapshot holds addr.  A block that
 * mprotect split lies in several.
 */
uchar*
hwptrpart(Target *t, u64 addr, u64 end, u64 *n)
{
	Seg *s;

	s = segat(t, addr);
	if(s == NULL || end <= addr)
		return NULL;
	*n = (end < s->end ? end : s->end) - addr;
	return s->buf + (addr - s->start);
}

/* A pointer to n bytes at addr inside a snapshot, or NULL. */
uchar*
hwptr(Target *t, u64 addr, u64 n)
{
	Seg *s;

	s = segat(t, addr);
	if(s == NULL || addr+n > s->end || addr+n < addr)
		return NULL;
	return s->buf + (addr - s->start);
}

/* The cached window holding the word at addr, read on a miss. */
static uchar*
winptr(Target *t, u64 addr)
{
	Win *w;
	Map *m;
	u64 base;

	if(t->win == NULL)
		t->win = emalloc(Nwin * sizeof t->win[0]);
	w = &t->win[(addr / Winsz) % Nwin];
	if(w->n == 0 || addr < w->base || addr + 8 > w->base + w->n){
		/* from the window's start, or its mapping's, which a read may not cross below */
		base = addr & ~(u64)(Winsz-1);
		if((m = hwmapat(t, addr)) != NULL && base < m->start)
			base = m->start;
		w->base = base;
		w->n = read1(t, base, w->buf, Winsz);
		if(w->n < 0)
			w->n = 0;
	}
	if(addr + 8 > w->base + w->n)
		return NULL;
	return w->buf + (addr - w->base);
}

int
hwpeek(Target *t, u64 addr, u64 *w)
{
	uchar *p;

	p = hwptr(t, addr, 8);
	if(p == NULL && (addr & 7) == 0)
		p = winptr(t, addr);
	if(p != NULL){
		memcpy(w, p, 8);
		return 0;
	}
	if(read1(t, addr, w, 8) != 8)
		return -1;
	return 0;
}

u64
hwword(Target *t, u64 addr)
{
	u64 w;

	if(hwpeek(t, addr, &w) < 0)
		return 0;
	return w;
}

/* A byte of the target, through the word holding it. */
int
hwbyte(Target *t, u64 addr)
{
	return hwword(t, addr & ~7ULL) >> (8*(addr & 7)) & 0xff;
}

/*
 * A pointer to the bytes at addr, as many of them up to want as can
 * be had at once in *got: from a copy, or from the reader's window,
 * read anew when addr lies outside it.  NULL when addr cannot be
 * read, *got then being the bytes to skip, to the next page.
 */
uchar*
hwreadat(Target *t, Reader *r, u64 addr, u64 want, u64 *got)
{
	uchar *p;
	long n;

	if((p = hwptrpart(t, addr, addr + want, got)) != NULL)
		return p;
	if(addr < r->base || addr >= r->base + r->n){
		if(r->buf == NULL)
			r->buf = emalloc(Readwin);
		r->base = addr;
		n = read1(t, addr, r->buf, Readwin);
		r->n = n > 0 ? n : 0;
		if(n <= 0){
			*got = Page - (addr & (Page-1));
			if(*got > want)
				*got = want;
			return NULL;
		}
	}
	*got = r->base + r->n - addr;
	if(*got > want)
		*got = want;
	return r->buf + (addr - r->base);
}

void
hwreaderfree(Reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

/* Copy [start,end) unless a snapshot already covers it. */
Seg*
hwsnap(Target *t, u64 start, u64 end)
{
	Seg *s;
	int i;

	s = segat(t, start);
	if(s != NULL && end <= s->end)
		return s;
	/* a forged core can claim a mapping of terabytes: it holds no more than its bytes */
	if(t->core != NULL && end - start > t->corebytes){
		werrstr("the mapping at 0x%llx claims 0x%llx bytes, more than the core and its files hold",
			(unsigned long long)start, (unsigned long long)(end-start));
		return NULL;
	}
	for(i = 0; i < t->nseg && t->seg[i].start < start; i++)
		;
	t->seg = erealloc(t->seg, (t->nseg+1)*sizeof t->seg[0]);
	memmove(&t->seg[i+1], &t->seg[i], (t->nseg-i)*sizeof t->seg[0]);
	t->nseg++;
	s = &t->seg[i];
	s->start = start;
	s->end = end;
	s->buf = malloc(end-start);
	if(s->buf == NULL){
		memmove(&t->seg[i], &t->seg[i+1], (t->nseg-i-1)*sizeof t->seg[0]);
		t->nseg--;
		werrstr("out of memory copying 0x%llx bytes at 0x%llx",
			(unsigned long long)(end-start), (unsigned long long)start);
		return NULL;
	}
	hwread(t, start, s->buf, end-start);
	return s;
}

/* The target runs again: what the windows hold is stale. */
void
hwdropwins(Target *t)
{
	free(t->win);
	t->win = NULL;
}

/* The target is about to run: nothing read so far holds. */
void
hwdropsnaps(Target *t)
{
	int i;

	hwdropwins(t);
	for(i = 0; i < t->nseg; i++)
		free(t->seg[i].buf);
	free(t->seg);
	t->seg = NULL;
	t->nseg = 0;
}
