/*
 * /proc/allocinfo (kernels with CONFIG_MEM_ALLOC_PROFILING): bytes
 * and live calls per source line, `file:line [module] func:name`.
 * The calls are the live allocations, so they are the count.
 */
#include <stdio.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

int
allocinfo(FILE *f, char *path, Ktab *s)
{
	char buf[Maxline];
	long long bytes, calls;
	int line, toolong, at;

	line = 1;
	if(kgetline(f, buf, sizeof buf, &toolong) == NULL || strncmp(buf, "allocinfo - version: 1.", 23) != 0){
		werrstr("%s: line 1: not allocinfo version 1", path);
		return -1;
	}
	while(kgetline(f, buf, sizeof buf, &toolong) != NULL){
		line++;
		if(toolong){
			werrstr("%s: line %d: longer than %d bytes", path, line, Maxline);
			return -1;
		}
		if(buf[0] == '#')
			continue;
		at = 0;
		if(sscanf(buf, "%lld %lld %n", &bytes, &calls, &at) != 2 || at == 0
		|| bytes < 0 || calls < 0 || buf[at] == 0){
			werrstr("%s: line %d: not bytes calls site", path, line);
			return -1;
		}
		if(calls > 0 && siteadd(s, NULL, buf+at, NULL, calls, bytes) < 0)
			return -1;
	}
	return 0;
}
