/* Small files of /proc, read whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "heapwalk.h"
#include "fns.h"

/* The file at path, NUL-terminated, in buf; its length, or -1. */
int
hwreadfile(char *path, char *buf, int n)
{
	int fd, r;

	fd = open(path, O_RDONLY);
	if(fd < 0)
		return -1;
	r = read(fd, buf, n-1);
	close(fd);
	if(r < 0)
		return -1;
	buf[r] = 0;
	return r;
}

/* The state letter of /proc/pid/task/tid/stat; 0 when there is no such thread. */
char
hwtaskstate(int pid, int tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	if(hwreadfile(path, buf, sizeof buf) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if(p == NULL || p[1] == 0)
		return 0;
	return p[2];
}

/* A "Name:\tvalue" number from /proc/pid/task/tid/status; -1 if none. */
long
hwstatus(int pid, int tid, char *name)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	if(hwreadfile(path, buf, sizeof buf) < 0 || (p = strstr(buf, name)) == NULL)
		return -1;
	return strtol(p + strlen(name), NULL, 10);
}
