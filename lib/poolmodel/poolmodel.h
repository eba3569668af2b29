/*
 * poolmodel: allocator models.  A model recognises its allocator
 * in a stopped target (heapwalk.h) and walks it into a Heap.
 * Include heapwalk.h first.
 */
typedef struct Pool Pool;
struct Pool {
	char	*name;		/* what was found, e.g. "glibc 2.36 (debug info)" */
	/*
	 * Copy and walk the heap.  0: done; -1: error (errstr);
	 * 1: caught mid-update (errstr says where): resume a moment and retry.
	 */
	int	(*walk)(Pool*, Target*, Heap*);
	int	force;	/* last try: walk to the end whatever is mid-update */
	int	tries;	/* walks the last poolwalk took */
	void	*aux;
};

Pool	*poolfind(Target*);
int	poolwalk(Pool*, Target*, Heap*, int retries);
int	poolretries(void);	/* $LEAK_RETRIES, default 200 */
