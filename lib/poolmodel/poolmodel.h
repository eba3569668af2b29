/*
 * poolmodel: allocator models.  A model recognises its allocator
 * in a stopped target (heapwalk.h) and walks it into a Heap.
 * Include heapwalk.h first.
 */
typedef struct Pool Pool;
struct Pool {
	char	*name;		/* what was found, e.g. "glibc 2.36 (debug info)" */
	/* Copy and walk the heap: Wdone, Wbusy, Wodd, or -1 for an error (errstr). */
	int	(*walk)(Pool*, Target*, Heap*);
	int	force;	/* last try: walk to the end whatever is mid-update */
	int	tries;	/* walks the last poolwalk took */
	void	*aux;
};

/* What a walk found; errstr says where when it is not Wdone. */
enum {
	Wdone,
	Wbusy,	/* a thread inside the allocator, or a lock held: resume a moment and retry */
	Wodd,	/* inconsistent with no thread inside: if it lasts, it is damage */
};

Pool	*poolfind(Target*);
int	poolwalk(Pool*, Target*, Heap*, int retries);	/* 0, -1, or 1 for inexact */
void	poolstats(FILE*, char *prog, Pool*, Target*, long nblock, double heldms, double allms);
int	poolretries(void);	/* $LEAK_RETRIES, default 200; -1 when it is not a number */
