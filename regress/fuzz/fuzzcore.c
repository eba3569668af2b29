/*
 * fuzz-core: libFuzzer's target.  Each input is taken for a core file
 * and goes through what `leak CORE` does (open, find the allocators,
 * walk, roots, mark, print) and what `umem CORE` does (the walk
 * streamed into sites), in this process, then everything is freed:
 * a run of millions must not grow.  Any crash, sanitizer report, leak
 * or hang is a bug in the library; so is a walk said to be sound
 * (leak's exit status 0) whose heap is not (check.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int*, char***);
int	LLVMFuzzerTestOneInput(const uint8_t*, size_t);

enum { Pathlen = 64 };

static FILE *null;	/* where the reports go: only that printing them is safe matters */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* leak's knobs, and no debuginfod server asked for each input's build-ids */
	unsetenv("DEBUGINFOD_URLS");
	unsetenv("LEAK_RETRIES");
	unsetenv("LEAK_SNAPSHOT");
	unsetenv("LEAK_HEURISTIC");
	unsetenv("LEAK_STATS");
	if((null = fopen("/dev/null", "w")) == NULL){
		perror("fuzz-core: /dev/null");
		exit(1);
	}
	return 0;
}

static int
damage(Model *m)
{
	int n;

	for(n = 0; m != NULL; m = m->next)
		n += m->ndamage;
	return n;
}

/* leak CORE, leak -a -d CORE: a report only where leak would print one */
static void
leak(char *path)
{
	Target *t;
	Model *pool;
	Heap heap;
	Roots *roots;
	int r, sound;

	memset(&heap, 0, sizeof heap);
	r = poolopencore(path, NULL, &heap, &t, &pool);
	if(r >= 0){
		sound = r == 0 && damage(pool) == 0;
		if(sound && heapsound(stderr, t, &heap) < 0){
			fprintf(stderr, "fuzz-core: %s: a walk without damage gave an unsound heap\n", poolname(pool));
			abort();
		}
		pooldamage(null, "leak", pool);
		roots = hwroots(t, &heap);
		hwrelease(t);
		hwprint(null, t, &heap, Pall|Pfree);
		hwmark(t, &heap, roots);
		hwprint(null, t, &heap, Pleaked);
		hwfreeroots(roots);
	}
	heapfree(&heap);
	if(t != NULL)
		hwclose(t);
	poolclose(pool);
}

/* umem CORE: the walk streamed, the sites named */
static void
umem(char *path)
{
	Target *t;
	Model *pool;
	Heap heap;
	Sites *ss;
	Site *v;
	long n;

	ss = hwsites();
	hwsitecount(&heap, ss);
	if(poolopencore(path, NULL, &heap, &t, &pool) >= 0){
		v = hwsitelist(t, ss, 0, &n);
		free(v);
	}
	heapfree(&heap);
	if(t != NULL)
		hwclose(t);
	poolclose(pool);
	hwsitesfree(ss);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[Pathlen];
	int fd;

	if((fd = memfd_create("core", MFD_CLOEXEC)) < 0 || write(fd, data, size) != (ssize_t)size){
		perror("fuzz-core: memfd");
		exit(1);
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	leak(path);
	umem(path);
	close(fd);
	return 0;
}
