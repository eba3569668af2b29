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

/* the text after KEY= on a line of a VMCOREINFO note's text, or NULL */
static char*
vmcorefield(char *info, char *key)
{
	char *p;
	size_t n;

	n = strlen(key);
	for(p = info; p != NULL && *p != 0; p = strchr(p, '\n'), p = p ? p+1 : NULL)
		if(strncmp(p, key, n) == 0 && p[n] == '=')
			return p+n+1;
	return NULL;
}

/* KEY=decimal, as VMCOREINFO's NUMBER()s are; -1 if absent */
int
vmcorenum(char *info, char *key, long long *v)
{
	char *p;

	if((p = vmcorefield(info, key)) == NULL)
		return -1;
	*v = strtoll(p, NULL, 10);
	return 0;
}

/* KERNELOFFSET, where KASLR moved the kernel from its link-time addresses; -1 if absent */
int
kerneloffset(char *info, u64 *off)
{
	char *p;

	/* KERNELOFFSET alone is in hex */
	if((p = vmcorefield(info, "KERNELOFFSET")) == NULL)
		return -1;
	*off = strtoull(p, NULL, 16);
	return 0;
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
	if(kerneloffset(*info, &off) < 0)
		off = 0;
	fprintf(why, "kmem: %s: a kernel's core, %d segments, kernel offset %#llx\n",
		path, nseg, (unsigned long long)off);
	return c;
}
