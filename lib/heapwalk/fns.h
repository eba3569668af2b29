/* heapwalk's internal functions, shared between its files. */
Thread	*guardadd(Target*, int tid);
void	guardinstall(Target*);
void	guarddetach(Target*);
