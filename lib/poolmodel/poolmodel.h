/*
 * poolmodel: allocator models.  A model recognises its allocator in
 * a target (heapwalk.h), tells whether it is mid-update, and walks
 * it into a Heap.  A process may hold more than one allocator: every
 * model that finds its own walks it into the same Heap, and their
 * blocks are marked together.  Include heapwalk.h first.
 */
typedef struct Model Model;
struct Model {
	char	*name;		/* what was found, e.g. "glibc 2.36 (debug info)" */
	/* Stopped: whether a thread is inside the allocator: Wdone or Wbusy (errstr says). */
	int	(*busy)(Model*, Target*);
	/* Walk the heap, stopped or snapshotted: Wdone, Wodd, or -1 for an error (errstr). */
	int	(*walk)(Model*, Target*, Heap*);
	int	force;		/* last try: walk to the end whatever is mid-update */
	int	tries;		/* stops and walks it took */
	char	**damage;	/* what a walk stepped past: "corrupt at 0x...: why", one each */
	int	ndamage;
	void	*aux;
	void	(*close)(Model*);	/* frees aux */
	Model	*next;		/* another allocator of the same process */
};

/* The refusals' end, when no model fits. */
#define Modelled "not supported: only glibc's malloc and libpool's Plan 9 pool can be examined"

/* What a look found; errstr says where when it is not Wdone. */
enum {
	Wdone,
	Wbusy,	/* a thread inside the allocator, or a lock held: resume a moment and retry */
	Wodd,	/* inconsistent with no thread inside: if it lasts, it is damage */
};

/* A probe recognises one allocator, running or stopped: its model, or NULL with errstr. */
typedef struct Probe Probe;
struct Probe {
	char	*name;
	Model	*(*find)(Target*);
};

/*
 * The common start of leak and umem: open the processes, load their
 * symbols, find the allocators, stop them when consistent, read
 * a snapshot (or, if there can be none, hold them), and walk the heaps.
 * 0, 1 when the result may be inexact, -1 for an error (errstr); the
 * Target and the models in either case, for stats, NULL if none.
 */
int	poolopen(int *pids, int npid, char *binary, Heap*, int retries, int mode, Target**, Model**);
int	poolopencore(char *core, char *binary, Heap*, Target**, Model**);
Model	*poolfind(Target*);	/* not stopped */
void	poolclose(Model*);	/* every model on next, freed */
int	poolwhy(Target*);	/* stopped, poolfind having failed: a better reason in errstr */
char	*poolname(Model*);	/* every model's name, joined */
void	poolstats(FILE*, char *prog, Model*, Target*, long nblock, double allms);
void	poolheld(FILE*, char *prog, Target*);
void	poolgiveup(FILE*, char *prog, Model*, Target*, double allms);
int	pooldamage(FILE*, char *prog, Model*);	/* the damage walked past, a line each: how many */
void	pooldamaged(Model*, char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	poolundamage(Model*);
int	poolretries(void);	/* $LEAK_RETRIES, default 200; -1 when it is not a number */
