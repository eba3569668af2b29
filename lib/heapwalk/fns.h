/* heapwalk's internal functions, shared between its files. */
Thread	*guardadd(Target*, int tid);
void	guardinstall(Target*);
void	guarddetach(Target*);

/* esc.c: text from the target, made safe to print */
enum {
	Etext,		/* a name that runs to the end of its line: spaces stay */
	Eword,		/* one field of a line: spaces escaped */
	Emsg,		/* an error message: backslashes stay */
};
int	hwesc(char *s, int how, char *buf, int n);

/* attach.c, whynot.c */
char	hwtaskstate(int pid, int tid);
void	hwwhynot(int pid, int tid);
long	hwtracer(int pid, int tid);
void	guardenter(void);
void	guardleave(void);
