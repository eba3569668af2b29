/*
 * POOL_FLAGS: mainmem's flags from the environment, a comma-separated
 * list of pool.h's names (POOL_ANTAGONISM) or the same without the
 * prefix, in either case (antagonism).  A name we do not know ends the
 * program, naming it and the valid ones: a debugging run that silently
 * ran without its checks would be worse.  This runs inside malloc:
 * nothing here allocates.
 */
#include <string.h>
#include <unistd.h>
#include "fns.h"

typedef struct Flag Flag;
struct Flag {
	char	*name;
	int	flag;
};

static Flag flagtab[] = {
	{"ANTAGONISM",	POOL_ANTAGONISM},
	{"PARANOIA",	POOL_PARANOIA},
	{"VERBOSITY",	POOL_VERBOSITY},
	{"DEBUGGING",	POOL_DEBUGGING},
	{"LOGGING",	POOL_LOGGING},
	{"TOLERANCE",	POOL_TOLERANCE},
	{"NOREUSE",	POOL_NOREUSE},
};

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* whether s[0:n] names f, with POOL_ or without, in any case */
static int
names(char *s, int n, char *f)
{
	int i;

	if(n > 5 && strncasecmp(s, "POOL_", 5) == 0){
		s += 5;
		n -= 5;
	}
	for(i = 0; i < n; i++)
		if(f[i] == 0 || upper(s[i]) != f[i])
			return 0;
	return f[n] == 0;
}

/* a bounded, NUL-ended append */
static void
add(char *buf, int size, char *s, int n)
{
	int l;

	l = strlen(buf);
	while(n-- > 0 && *s != 0 && l < size-1)
		buf[l++] = *s++;
	buf[l] = 0;
}

/* s[0:n] as it can be printed: what it cannot be is shown as ? */
static void
addsafe(char *buf, int size, char *s, int n)
{
	char c;

	if(n > 64)
		n = 64;
	for(; n > 0; n--, s++){
		c = *s >= ' ' && *s < 0x7F ? *s : '?';
		add(buf, size, &c, 1);
	}
}

static void
unknown(char *s, int n)
{
	char buf[512];
	unsigned i;

	buf[0] = 0;
	add(buf, sizeof buf, "pool: POOL_FLAGS: unknown flag '", 100);
	addsafe(buf, sizeof buf, s, n);
	add(buf, sizeof buf, "'; the flags are", 100);
	for(i = 0; i < sizeof flagtab/sizeof flagtab[0]; i++){
		add(buf, sizeof buf, i == 0 ? " POOL_" : ", POOL_", 10);
		add(buf, sizeof buf, flagtab[i].name, 20);
	}
	add(buf, sizeof buf, ", separated by commas (or in lower case without POOL_)\n", 100);
	if(write(2, buf, strlen(buf)) < 0){
		/* nowhere else to say it */
	}
	_exit(1);
}

int
poolenvflags(char *s)
{
	int flags, n;
	unsigned i;

	flags = 0;
	while(s != NULL && *s != 0){
		n = strcspn(s, ",");
		if(n > 0){
			for(i = 0; i < sizeof flagtab/sizeof flagtab[0]; i++)
				if(names(s, n, flagtab[i].name))
					break;
			if(i == sizeof flagtab/sizeof flagtab[0])
				unknown(s, n);
			flags |= flagtab[i].flag;
		}
		s += n;
		if(*s == ',')
			s++;
	}
	return flags;
}
