/* Processes by name, and whether several pids are one address space. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/syscall.h>
#include "heapwalk.h"
#include "fns.h"

/* comm is cut at 15 bytes, so the first word of the command line decides. */
static int
named(int pid, char *name)
{
	char path[64], buf[4096];

	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	if(hwreadfile(path, buf, sizeof buf) > 0 && strcmp(basename(buf), name) == 0)
		return 1;
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	if(hwreadfile(path, buf, sizeof buf) <= 0)
		return 0;
	buf[strcspn(buf, "\n")] = 0;
	return strcmp(buf, name) == 0;
}

static int
bypid(const void *a, const void *b)
{
	return *(int*)a - *(int*)b;
}

int
hwpidsbyname(char *name, int **pids)
{
	DIR *d;
	struct dirent *e;
	int n, pid;

	*pids = NULL;
	n = 0;
	d = opendir("/proc");
	if(d == NULL){
		werrstr("cannot read /proc");
		return -1;
	}
	while((e = readdir(d)) != NULL){
		pid = atoi(e->d_name);
		if(pid <= 0 || pid == getpid() || !named(pid, name))
			continue;
		*pids = erealloc(*pids, (n+1)*sizeof(int));
		(*pids)[n++] = pid;
	}
	closedir(d);
	if(n > 1)
		qsort(*pids, n, sizeof(int), bypid);
	return n;
}

enum { KcmpVm = 1 };

/* A pid as given: all digits, and no larger than a pid can be. */
int
hwparsepid(char *s, int *pid)
{
	char *e;
	long n;

	errno = 0;
	n = strtol(s, &e, 10);
	if(*s < '0' || *s > '9' || *e != 0 || errno != 0 || n <= 0 || n > INT_MAX){
		werrstr("%s is not a pid", s);
		return -1;
	}
	*pid = n;
	return 0;
}

/* Another process in the same address space: kcmp, or identical maps when kcmp is missing. */
int
hwvmsame(int a, int b)
{
	char pa[64], pb[64];
	static char ba[1<<16], bb[1<<16];
	long r;

	r = syscall(SYS_kcmp, a, b, KcmpVm, 0, 0);
	if(r >= 0)
		return r == 0;
	snprintf(pa, sizeof pa, "/proc/%d/maps", a);
	snprintf(pb, sizeof pb, "/proc/%d/maps", b);
	if(hwreadfile(pa, ba, sizeof ba) < 0 || hwreadfile(pb, bb, sizeof bb) < 0)
		return 0;
	return strcmp(ba, bb) == 0;
}

int
hwsamevm(int *pids, int npid)
{
	int i;

	for(i = 1; i < npid; i++)
		if(!hwvmsame(pids[0], pids[i])){
			werrstr("processes %d and %d do not share an address space; examine each separately",
				pids[0], pids[i]);
			return 0;
		}
	return 1;
}
