/*
 * truth: ground truth for the leak regression targets.
 *
 * Every block a target allocates is recorded, as soon as its fate
 * is known, as one line appended to the file named by $LEAK_TRUTH:
 *
 *	leak ADDR REQ USABLE		unreachable: leak must report it
 *	held ADDR REQ USABLE		reachable: leak must not report it
 *	free ADDR REQ USABLE [KIND]	freed: never a block
 *	ready				set up; the target now waits
 *
 * Numbers are 0x%016lx; the last line for an address wins, since
 * an address can be freed and reused.  KIND says where free put
 * the chunk (tcache, fast, unsorted, small, large, mmap, realloc).
 *
 * Targets that know where their blocks come from say so too, for
 * the block's final address (one line each, which may come before
 * or after its leak or held line):
 *
 *	site ADDR FILE:LINE	the malloc tag's source line
 *	resite ADDR FILE:LINE	the realloc tag's source line
 *	sig ADDR NAME		what an untagged block is taken for: a
 *				C++ type as __cxa_demangle prints it, the
 *				symbol its first word points to, or
 *				size N (N its usable size); NAME is the
 *				rest of the line and may hold spaces
 *
 * FILE is a base name.  SITE(p) and RESITE(p) record the line they
 * are on, so the allocation call goes on the same line:
 *	p = strdup(s); SITE(p);
 *
 * Only text is kept.  A raw copy of a leaked pointer anywhere in
 * memory would be a root and make the block reachable, so the
 * held table below keeps its pointers xor'd with a key, and the
 * wait loop runs with every register zeroed.
 *
 * On SIGUSR1 the target checks that its held blocks are unchanged,
 * prints ok and exits 0.  With LEAK_TRUTH_EXIT=1 it exits 0 right
 * after ready instead (for valgrind).
 */

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long ulong;

#define nil ((void*)0)
#define noinline __attribute__((noinline))

/* recording; the caller has filled or built the block */
void	truthleak(void *p, ulong n);
void	truthheld(void *p, ulong n);	/* checksummed, checked on SIGUSR1 */
void	truthlive(void *p, ulong n);	/* held, but its contents change */
void	truthfree(void *p, ulong n, char *kind);	/* call before free */
void	truthsite(void *p, char *file, int line);
void	truthresite(void *p, char *file, int line);
void	truthsig(void *p, char *name);

#define	SITE(p)	truthsite((p), (char*)__FILE_NAME__, __LINE__)
#define	RESITE(p)	truthresite((p), (char*)__FILE_NAME__, __LINE__)

/* the usable size recorded: malloc_usable_size, or another allocator's for its blocks */
extern ulong	(*truthmsize)(void*);
ulong	truthpoolsize(void*);	/* a pool block's, from its header */

/* malloc, fill with a non-pointer pattern, record */
void*	heldalloc(ulong n);
void	leakalloc(ulong n);
void	freealloc(ulong n, char *kind);
void	truthfill(void *p, ulong n);

/* waiting */
void	truthscrub(void);
void	truthcheck(int (*f)(void));
void	truthawait(int nthread);
void	truthready(void) __attribute__((noreturn));
void	truthreadyreg(ulong enc, ulong key) __attribute__((noreturn));
void	truthpark(void) __attribute__((noreturn));
void	truthsay(char *s);

#ifdef __cplusplus
}
#endif
