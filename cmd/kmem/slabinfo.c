/*
 * /proc/slabinfo (version 2.x): one row per cache, its objects in
 * use and their size.  The kernel keeps no sites there, so the site
 * is the cache's name.
 */
#include <stdio.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

int
slabinfo(FILE *f, char *path, Ktab *s)
{
	char buf[Maxline], name[Maxline];
	long long active, total, size;
	int line, toolong;

	line = 1;
	if(kgetline(f, buf, sizeof buf, &toolong) == NULL || strncmp(buf, "slabinfo - version: 2.", 22) != 0){
		werrstr("%s: line 1: not slabinfo version 2", path);
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
		if(sscanf(buf, "%s %lld %lld %lld", name, &active, &total, &size) != 4
		|| active < 0 || active > total || size <= 0){
			werrstr("%s: line %d: not name active total size", path, line);
			return -1;
		}
		if(active > 0 && siteadd(s, NULL, name, NULL, active, active*size) < 0)
			return -1;
	}
	return 0;
}
