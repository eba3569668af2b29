/* heapwalk's internal functions, shared between its files. */
Thread	*guardadd(Target*, int tid);
void	guardinstall(Target*);
void	guardrunning(int);
void	guarddetach(Target*);
