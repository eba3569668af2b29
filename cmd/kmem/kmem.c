/*
 * kmem - count the running kernel's allocations, as umem does a
 * process's: `count bytes site`, most first.  The sources are tried
 * in order, and stderr names the one used and what it cannot give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <time.h>
#include <sys/resource.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum { Ok, Err, Usage };

static Src srcs[] = {
	{"allocinfo", "one line per source line (memory allocation profiling)", allocinfo},
	{"slabinfo", "one line per slab cache: for lines per allocation site, boot with "
		"slub_debug=U a kernel that has /proc/kcore", slabinfo},
};

static void
usage(void)
{
	fprintf(stderr, "usage: kmem [-Cls] [kernel]\n");
	exit(Usage);
}

/* KMEM_PROC stands in for /proc, for the tests' made-up kernels */
static char*
procpath(char *file)
{
	static char buf[4096];
	char *root;

	root = getenv("KMEM_PROC");
	snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : "/proc", file);
	return buf;
}

static char*
btfpath(void)
{
	char *btf;

	btf = getenv("KMEM_BTF");
	return btf != NULL && *btf != 0 ? btf : "/sys/kernel/btf/vmlinux";
}

/* what kcore gave: the walk, nothing (the next source is tried), or a refusal */
enum { Walked, Unwalked, Refused };

/*
 * The running kernel's symbols, from kallsyms or the vmlinux asked
 * for, moved where KASLR put the kernel.  A vmlinux that is not this
 * kernel's is a refusal: its names would be wrong, not missing.
 */
static int
kcoresyms(char *path, char *info, Kopt *opt)
{
	u64 off;

	off = 0;
	if(opt->kernel != NULL && kerneloffset(info, &off) < 0){
		fprintf(stderr, "kmem: %s: VMCOREINFO has no KERNELOFFSET: %s's symbols cannot be moved "
			"to where KASLR put the kernel\n", path, opt->kernel);
		return Refused;
	}
	if(ksymload(procpath("kallsyms"), opt->kernel, off, stderr) == 0)
		return Walked;
	if(opt->kernel != NULL){
		fprintf(stderr, "kmem: %s\n", errstr());
		return Refused;
	}
	fprintf(stderr, "kmem: %s: %s\n", path, errstr());
	return Unwalked;
}

/* the slab walk through kcore into s; Unwalked, said, if it cannot be had */
static int
kcore(Ktab *s, Kopt *opt)
{
	char *path, *info;
	Core *c;
	int r;

	path = estrdup(procpath("kcore"));
	r = Unwalked;
	if(access(path, F_OK) != 0)
		fprintf(stderr, "kmem: %s: %s: this kernel was built without CONFIG_PROC_KCORE\n",
			path, strerror(errno));
	else if((c = kcoreopen(path, &info, stderr)) == NULL)
		fprintf(stderr, "kmem: %s\n", errstr());
	else{
		r = kcoresyms(path, info, opt);
		if(r == Walked && slabwalk(c, info, btfpath(), opt, s) < 0){
			fprintf(stderr, "kmem: %s: %s\n", path, errstr());
			sitefree(s);
			r = Unwalked;
		}else if(r == Walked)
			fprintf(stderr, "kmem: from %s: the slab caches\n", path);
		free(info);
		coreclose(c);
	}
	free(path);
	return r;
}

/* the first source that can be read, into s; its index, or -1 */
static int
readsrc(Ktab *s)
{
	FILE *f;
	char *path;
	int i;

	for(i = 0; i < (int)(sizeof srcs/sizeof srcs[0]); i++){
		path = procpath(srcs[i].file);
		f = fopen(path, "r");
		if(f == NULL){
			if(errno != ENOENT)
				fprintf(stderr, "kmem: %s: %s\n", path, strerror(errno));
			continue;
		}
		if(srcs[i].read(f, path, s) < 0){
			fprintf(stderr, "kmem: %s\n", errstr());
			fclose(f);
			sitefree(s);
			continue;
		}
		fclose(f);
		fprintf(stderr, "kmem: from %s: %s\n", path, srcs[i].what);
		return i;
	}
	return -1;
}

/* kmem -l: the slab structures' layout, as this kernel's BTF gives it */
static int
layout(void)
{
	char *btf;

	btf = btfpath();
	if(btflayout(btf) < 0){
		fprintf(stderr, "kmem: %s\n", errstr());
		return Err;
	}
	btfprint(stdout);
	if(hwflush(stdout) < 0){
		fprintf(stderr, "kmem: standard output: %s\n", errstr());
		return Err;
	}
	return Ok;
}

/* KMEM_STATS: how long kmem took and its most memory, for the tests' notes */
static void
stats(struct timespec *t0)
{
	struct timespec t1;
	struct rusage ru;

	if(getenv("KMEM_STATS") == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "kmem: %.0f ms, %ld KB most resident\n",
		(t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6, ru.ru_maxrss);
}

int
main(int argc, char **argv)
{
	struct timespec t0;
	Ktab s;
	int c;
	Kopt opt;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	opt = (Kopt){0};
	while((c = getopt(argc, argv, "Cls")) != -1)
		switch(c){
		case 'C':
			opt.bycache = 1;
			break;
		case 'l':
			return layout();
		case 's':
			opt.stacks = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if(argc > 1)
		usage();
	if(argc == 1 && ksymelf(argv[0]) < 0){
		fprintf(stderr, "kmem: %s\n", errstr());
		return Err;
	}
	if(argc == 1)
		opt.kernel = argv[0];
	s = (Ktab){0};
	switch(kcore(&s, &opt)){
	case Refused:
		return Err;
	case Unwalked:
		if(readsrc(&s) < 0){
			fprintf(stderr, "kmem: no source could be read: run as root, on a kernel with "
				"/proc/kcore, /proc/allocinfo or /proc/slabinfo\n");
			return Err;
		}
		if(opt.stacks)
			fprintf(stderr, "kmem: -s: only the walk through /proc/kcore has stacks: these lines have none\n");
		if(opt.kernel != NULL)
			fprintf(stderr, "kmem: %s: not used: only the walk through /proc/kcore names sites by symbols\n", opt.kernel);
	}
	sitesort(&s);
	if(siteprint(stdout, &s) < 0){
		fprintf(stderr, "kmem: standard output: %s\n", errstr());
		return Err;
	}
	sitefree(&s);
	stats(&t0);
	return Ok;
}
