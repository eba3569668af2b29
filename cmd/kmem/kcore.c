/*
 * /proc/kcore: the running kernel as an ELF core, read through
 * lib/heapwalk's core reader.  Its VMCOREINFO note says it is a
 * kernel's and where KASLR put the kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

/* the value of KEY=hex in a VMCOREINFO note's text, or -1 */
static int
vmcoreval(char *info, char *key, u64 *v)
{
	char *p;
	size_t n;

	n = strlen(key);
	for(p = info; p != NULL && *p != 0; p = strchr(p, '\n'), p = p ? p+1 : NULL)
		if(strncmp(p, key, n) == 0 && p[n] == '='){
			*v = strtoull(p+n+1, NULL, 16);
			return 0;
		}
	return -1;
}

/* the value of KEY=decimal, as VMCOREINFO's NUMBER()s are */
int
vmcorenum(char *info, char *key, long long *v)
{
	char *p;
	size_t n;

	n = strlen(key);
	for(p = info; p != NULL && *p != 0; p = strchr(p, '\n'), p = p ? p+1 : NULL)
		if(strncmp(p, key, n) == 0 && p[n] == '='){
			*v = strtoll(p+n+1, NULL, 10);
			return 0;
		}
	return -1;
}

/*
 * path opened if it is a kernel's core that can be read, its
 * VMCOREINFO text in *info, and what was seen said on why; NULL with
 * errstr saying what it is not.
 */
Core*
kcoreopen(char *path, char **info, FILE *why)
{
	Core *c;
	size_t len;
	int nseg;
	u64 off, word;
	Cseg *seg;

	c = coreopen(path);
	if(c == NULL)
		return NULL;
	*info = corenote(c, "VMCOREINFO", 0, &len);
	if(*info == NULL){
		werrstr("%s: an ELF core, but no VMCOREINFO note: not a kernel's", path);
		coreclose(c);
		return NULL;
	}
	(*info)[len] = 0;
	seg = coresegments(c, &nseg);
	if(nseg == 0 || coreread(c, seg[0].vaddr, &word, sizeof word) != sizeof word){
		werrstr("%s: a kernel's core whose memory cannot be read (%s)", path,
			nseg == 0 ? "no PT_LOAD segments" : errstr());
		free(*info);
		coreclose(c);
		return NULL;
	}
	off = 0;
	vmcoreval(*info, "KERNELOFFSET", &off);
	fprintf(why, "kmem: %s: a kernel's core, %d segments, kernel offset %#llx\n",
		path, nseg, (unsigned long long)off);
	return c;
}
