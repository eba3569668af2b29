/*
 * truth: see truth.h.  No stdio and no malloc here: stdio buffers
 * are malloc'd and would disturb the heap the targets lay out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include "truth.h"
#include "../lib/pool/pool.h"

enum {
	Nheld	= 4096,
	Scrub	= 64*1024,	/* bytes of dead stack zeroed before waiting */
};

/* non-canonical high bits: an encoded pointer is never a pointer */
#define Key	0xa5a5a5a5a5a5a5a5UL

typedef struct Held Held;
struct Held
{
	ulong	enc;	/* address ^ Key */
	ulong	n;
	ulong	sum;
};

static int	fd = -1;
static int	exitmode;
static int	chunks = 1;	/* blocks are glibc's chunks: not under valgrind */
static int	vecmode;	/* 0 sse, 1 avx, 2 avx512: what truthspin zeroes */
static Held	held[Nheld];
static int	nheld;
static int	nparked;
static int	seed;
static int	regmode;
static ulong	regenc, regkey;
static int	(*check)(void);
ulong	(*truthmsize)(void*) = (ulong(*)(void*))malloc_usable_size;

/*
 * A pool block's usable bytes, read from its header (pool.h), as
 * libpool's malloc_usable_size gives them, but without its making
 * them all the block's data: leak reports the size asked for.
 */
ulong
truthpoolsize(void *p)
{
	ulong *w;
	char *b;

	for(w = p; w[-1] == ALIGN_MAGIC; w--)
		;
	b = (char*)w - Pooltagged;
	return b + ((Bhdr*)b)->size - sizeof(Btail) - (char*)p;
}

/* never returns: r15 = enc^key, every other register zeroed, pause forever */
void	truthspin(ulong enc, ulong key, int vec) __attribute__((noreturn));

__asm__(
	".text\n"
	".globl truthspin\n"
	".hidden truthspin\n"
	".type truthspin,@function\n"
	"truthspin:\n"
	"	mov %rdi, %r15\n"
	"	xor %rsi, %r15\n"
	"	cmp $2, %edx\n"
	"	jne 1f\n"
	"	.irp r,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vpxord %zmm\\r, %zmm\\r, %zmm\\r\n"
	"	.endr\n"
	"1:	cmp $1, %edx\n"
	"	jb 2f\n"
	"	vzeroall\n"
	"	jmp 3f\n"
	"2:	.irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	pxor %xmm\\r, %xmm\\r\n"
	"	.endr\n"
	"3:	xor %eax, %eax\n"
	"	xor %ebx, %ebx\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	xor %esi, %esi\n"
	"	xor %edi, %edi\n"
	"	xor %ebp, %ebp\n"
	"	.irp r,8,9,10,11,12,13,14\n"
	"	xor %r\\r, %r\\r\n"
	"	.endr\n"
	"4:	mov $34, %eax\n"	/* SYS_pause */
	"	syscall\n"
	"	jmp 4b\n"
	".size truthspin, .-truthspin\n"
);

void
truthsay(char *s)
{
	if(write(1, s, strlen(s)) < 0)
		_exit(1);
}

static char*
puthex(char *s, ulong v)
{
	int i;

	*s++ = '0';
	*s++ = 'x';
	for(i = 60; i >= 0; i -= 4)
		*s++ = "0123456789abcdef"[(v>>i) & 0xf];
	return s;
}

static char*
putstr(char *s, char *t)
{
	while(*t)
		*s++ = *t++;
	return s;
}

static char*
putdec(char *s, ulong v)
{
	char buf[24];
	int n;

	n = 0;
	do
		buf[n++] = '0' + v%10;
	while((v /= 10) != 0);
	while(n > 0)
		*s++ = buf[--n];
	return s;
}

/* one write per line, so threads' lines never mix (O_APPEND) */
static void
record(char *what, void *p, ulong n, char *kind)
{
	char buf[128], *s;

	if(fd < 0)
		return;
	s = putstr(buf, what);
	*s++ = ' ';
	s = puthex(s, (ulong)p);
	*s++ = ' ';
	s = puthex(s, n);
	*s++ = ' ';
	s = puthex(s, truthmsize(p));
	if(kind != nil){
		*s++ = ' ';
		s = putstr(s, kind);
	}
	*s++ = '\n';
	if(write(fd, buf, s-buf) != s-buf)
		_exit(1);
}

/* WHAT ADDR TEXT[:LINE]; a line < 0 is left out */
static void
note(char *what, void *p, char *text, int line)
{
	char buf[512], *s, *e;

	if(fd < 0)
		return;
	e = buf + sizeof buf - 32;	/* room for :LINE\n */
	s = putstr(buf, what);
	*s++ = ' ';
	s = puthex(s, (ulong)p);
	*s++ = ' ';
	while(*text != 0){
		if(s >= e){
			/* a cut name would be a wrong truth */
			truthsay("truth: name too long\n");
			_exit(1);
		}
		*s++ = *text++;
	}
	if(line >= 0){
		*s++ = ':';
		s = putdec(s, line);
	}
	*s++ = '\n';
	if(write(fd, buf, s-buf) != s-buf)
		_exit(1);
}

static ulong
sum(unsigned char *p, ulong n)
{
	ulong h;

	h = 0xcbf29ce484222325UL;
	while(n-- > 0)
		h = (h ^ *p++) * 0x100000001b3UL;
	return h;
}

void
truthleak(void *p, ulong n)
{
	record("leak", p, n, nil);
}

void
truthlive(void *p, ulong n)
{
	record("held", p, n, nil);
}

void
truthheld(void *p, ulong n)
{
	int i;

	record("held", p, n, nil);
	i = __atomic_fetch_add(&nheld, 1, __ATOMIC_SEQ_CST);
	if(i >= Nheld)
		return;	/* reported by onusr1 */
	held[i].enc = (ulong)p ^ Key;
	held[i].n = n;
	held[i].sum = sum(p, n);
}

enum { Ismmapped = 2 };	/* in glibc's chunk size word, below the block */

/*
 * free unmaps an mmapped chunk, whatever its size, so it goes to no
 * bin: under GLIBC_TUNABLES=glibc.malloc.mmap_threshold=0 every
 * block of the main arena is one
 */
void
truthfree(void *p, ulong n, char *kind)
{
	if(kind != nil && chunks && (((volatile ulong*)p)[-1] & Ismmapped) != 0)
		kind = "mmap";
	record("free", p, n, kind);
}

void
truthsite(void *p, char *file, int line)
{
	note("site", p, file, line);
}

void
truthresite(void *p, char *file, int line)
{
	note("resite", p, file, line);
}

void
truthsig(void *p, char *name)
{
	note("sig", p, name, -1);
}

/* bytes 0xa0..0xbf: no aligned word of the fill is a user address */
void
truthfill(void *p, ulong n)
{
	int s;

	s = __atomic_fetch_add(&seed, 1, __ATOMIC_RELAXED);
	memset(p, 0xa0 | (s & 0x1f), n);
}

static void*
xmalloc(ulong n)
{
	void *p;

	p = malloc(n);
	if(p == nil){
		truthsay("truth: out of memory\n");
		_exit(1);
	}
	truthfill(p, n);
	return p;
}

void*
heldalloc(ulong n)
{
	void *p;

	p = xmalloc(n);
	truthheld(p, n);
	return p;
}

void
leakalloc(ulong n)
{
	truthleak(xmalloc(n), n);
}

void
freealloc(ulong n, char *kind)
{
	void *p;

	p = xmalloc(n);
	truthfree(p, n, kind);
	free(p);
}

/* zero the dead frames the setup code left below us */
noinline void
truthscrub(void)
{
	volatile ulong buf[Scrub/sizeof(ulong)];
	ulong i;

	for(i = 0; i < Scrub/sizeof(ulong); i++)
		buf[i] = 0;
	__asm__ volatile("" :: "r"(buf) : "memory");	/* a use */
}

void
truthcheck(int (*f)(void))
{
	check = f;
}

void
truthawait(int nthread)
{
	while(__atomic_load_n(&nparked, __ATOMIC_SEQ_CST) < nthread)
		usleep(1000);
}

void
truthready(void)
{
	truthreadyreg(0, 0);
}

void
truthreadyreg(ulong enc, ulong key)
{
	regenc = enc;
	regkey = key;
	regmode = (enc^key) != 0;
	truthscrub();
	if(fd >= 0 && write(fd, "ready\n", 6) != 6)
		_exit(1);
	if(exitmode)
		exit(0);
	truthspin(regenc, regkey, vecmode);
}

void
truthpark(void)
{
	truthscrub();
	__atomic_add_fetch(&nparked, 1, __ATOMIC_SEQ_CST);
	truthspin(0, 0, vecmode);
}

static int
heldok(void)
{
	char buf[64], *s;
	int i, n, bad;
	Held *h;

	n = nheld;
	if(n > Nheld){
		truthsay("truth: too many held blocks\n");
		return 0;
	}
	bad = 0;
	for(i = 0; i < n; i++){
		h = &held[i];
		if(sum((void*)(h->enc ^ Key), h->n) == h->sum)
			continue;
		s = putstr(buf, "truth: held block changed ");
		s = puthex(s, h->enc ^ Key);
		*s++ = '\n';
		*s = 0;
		truthsay(buf);
		bad = 1;
	}
	return !bad;
}

/* leak must restore the registers it found */
static int
regok(ucontext_t *uc)
{
	if(!regmode || gettid() != getpid())
		return 1;
	if((ulong)uc->uc_mcontext.gregs[REG_R15] == (regenc^regkey))
		return 1;
	truthsay("truth: r15 changed\n");
	return 0;
}

static void
onusr1(int sig, siginfo_t *si, void *uc)
{
	int ok;

	(void)sig;
	(void)si;
	ok = regok(uc);
	ok &= heldok();
	if(check != nil)
		ok &= check();
	if(!ok){
		truthsay("FAIL\n");
		_exit(1);
	}
	truthsay("ok\n");
	_exit(0);
}

static void __attribute__((constructor))
truthinit(void)
{
	struct sigaction sa;
	char *s;

	s = getenv("LEAK_TRUTH");
	if(s != nil && *s != 0)
		fd = open(s, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0666);
	s = getenv("LEAK_TRUTH_EXIT");
	exitmode = s != nil && strcmp(s, "1") == 0;
	/* valgrind's blocks have no header: the word below is a redzone it reports reading; pool's, a tag */
	s = getenv("LD_PRELOAD");
	chunks = s == nil || (strstr(s, "vgpreload") == nil && strstr(s, "libpool") == nil);
	if(s != nil && strstr(s, "libpool") != nil)
		truthmsize = truthpoolsize;
	__builtin_cpu_init();
	if(__builtin_cpu_supports("avx512f"))
		vecmode = 2;
	else if(__builtin_cpu_supports("avx"))
		vecmode = 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onusr1;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, nil);
}
