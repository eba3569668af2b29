/*
 * poolmodel: allocator models.  A model recognises its allocator in
 * a target (heapwalk.h), tells whether it is mid-update, and walks
 * it into a Heap.  Include heapwalk.h first.
 */
typedef struct Pool Pool;
struct Pool {
	char	*name;		/* what was found, e.g. "glibc 2.36 (debug info)" */
	/* Stopped: whether a thread is inside the allocator: Wdone or Wbusy (errstr says). */
	int	(*busy)(Pool*, Target*);
	/* Walk the heap, stopped or snapshotted: Wdone, Wodd, or -1 for an error (errstr). */
	int	(*walk)(Pool*, Target*, Heap*);
	int	force;	/* last try: walk to the end whatever is mid-update */
	int	tries;	/* stops and walks it took */
	void	*aux;
};

/* What a look found; errstr says where when it is not Wdone. */
enum {
	Wdone,
	Wbusy,	/* a thread inside the allocator, or a lock held: resume a moment and retry */
	Wodd,	/* inconsistent with no thread inside: if it lasts, it is damage */
};

/*
 * The common start of leak and umem: open the processes, load their
 * symbols, find the allocator, stop them when it is consistent, read
 * a snapshot (or, if there can be none, hold them), and walk the heap.
 * 0, 1 when the result may be inexact, -1 for an error (errstr); the
 * Target and Pool in either case, for stats, NULL if none was opened.
 */
int	poolopen(int *pids, int npid, char *binary, Heap*, int retries, int mode, Target**, Pool**);
Pool	*poolfind(Target*);	/* not stopped */
int	poolwhy(Target*);	/* stopped, poolfind having failed: a better reason in errstr */
void	poolstats(FILE*, char *prog, Pool*, Target*, long nblock, double allms);
void	poolheld(FILE*, char *prog, Target*);
void	poolgiveup(FILE*, char *prog, Pool*, Target*, double allms);
int	poolretries(void);	/* $LEAK_RETRIES, default 200; -1 when it is not a number */
