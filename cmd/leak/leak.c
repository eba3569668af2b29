/*
 * leak - find the blocks a live process can no longer reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"
#include "../../lib/image/image.h"

enum { Ok, Err, Usage, Inexact };

enum {
	Maxpix = 1<<24,		/* -b: res grows rather than the picture */
	Maxres = 1<<30,		/* bytes a pixel covers; hwpicture doubles res up to here */
	Maxwidth = 1<<16,
};

static int aflag, bflag, cflag, dflag, sflag;
static char *binary, *res, *width, *type;

static void
usage(void)
{
	fprintf(stderr, "usage: leak [-abcds] [-f binary] [-r res] [-x width] [-t type] pid ... | name | core [binary]\n");
	exit(Usage);
}

static void
fatal(char *what)
{
	fprintf(stderr, "leak: %s%s%s\n", what ? what : "", what ? ": " : "", errstr());
	exit(Err);
}

/* Quote a word so that both rc and sh read it back unchanged. */
static void
quote(char *s)
{
	char *p;

	for(p = s; *p; p++)
		if(!isalnum((uchar)*p) && strchr("/._-+,:=%@", *p) == NULL)
			break;
	if(*p == 0 && p > s){
		printf("%s", s);
		return;
	}
	if(strchr(s, '\'') != NULL){
		fprintf(stderr, "leak: cannot quote %s for both rc and sh\n", s);
		exit(Err);
	}
	printf("'%s'", s);
}

/* The processes of one address space among pids[0..n): moved to the front, counted. */
static int
samespace(int *pids, int n)
{
	int i, j, k;

	k = 1;
	for(i = 1; i < n; i++)
		if(hwvmsame(pids[0], pids[i])){
			j = pids[k];
			pids[k++] = pids[i];
			pids[i] = j;
		}
	return k;
}

static void
command(char *argv0, int *pids, int n)
{
	char flags[8], *p;
	int i;

	p = flags;
	*p++ = '-';
	if(aflag) *p++ = 'a';
	if(bflag) *p++ = 'b';
	if(cflag) *p++ = 'c';
	if(dflag) *p++ = 'd';
	if(sflag) *p++ = 's';
	*p = 0;
	quote(argv0);
	if(p > flags+1)
		printf(" %s", flags);
	if(binary){ printf(" -f "); quote(binary); }
	if(res){ printf(" -r "); quote(res); }
	if(width){ printf(" -x "); quote(width); }
	if(type){ printf(" -t "); quote(type); }
	for(i = 0; i < n; i++)
		printf(" %d", pids[i]);
	printf("\n");
}

/*
 * leak NAME: print the commands that run leak on every process of that
 * name, one per address space, since one leak examines one.
 */
static void
byname(char *argv0, char *name)
{
	int *pids, n, k;

	n = hwpidsbyname(name, &pids);
	if(n < 0)
		fatal(NULL);
	if(n == 0){
		werrstr("no processes named %s", name);
		fatal(NULL);
	}
	for(; n > 0; pids += k, n -= k){
		k = samespace(pids, n);
		command(argv0, pids, k);
	}
	if(hwflush(stdout) < 0)
		fatal("standard output");
	exit(Ok);
}

/* A positive number no larger than max, all digits: -r and -x. */
static int
count(char *s, long max)
{
	char *e;
	long n;

	n = strtol(s, &e, 10);
	return *s >= '0' && *s <= '9' && *e == 0 && n > 0 && n <= max;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1e3 + ts.tv_nsec/1e6;
}

static long
nblocks(Heap *h)
{
	long i, n;

	n = 0;
	for(i = 0; i < h->nb; i++)
		if(!(heapflags(h, i) & (Bfree|Binternal)))
			n++;
	return n;
}

/* -t: the picture's form and channel */
typedef struct Type Type;
struct Type {
	char	*name;
	int	fmt;
	char	*chan;
};
static Type types[] = {
	{"m8", Fplan9, "m8"},
	{"r8g8b8", Fplan9, "r8g8b8"},
	{"compressed", Fplan9z, "m8"},
	{"compressed,r8g8b8", Fplan9z, "r8g8b8"},
	{"png", Fpng, "m8"},
	{"png,r8g8b8", Fpng, "r8g8b8"},
};

static Type*
picturetype(char *name)
{
	unsigned i;

	for(i = 0; i < nelem(types); i++)
		if(strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

static int
put(void *w, uchar *row)
{
	return imgrgbvrow(w, row);
}

static char *regname[] = { [Rheap] "main heap", [Rarena] "arena heap", [Rmmap] "mmapped chunks", [Rpool] "pool arena" };

/*
 * -b: the picture, to standard output, in the form -t gives.
 * On standard error, where each region's rows begin.
 */
static int
picture(Heap *h)
{
	Picture p;
	Imgw *w;
	Type *ty;
	FILE *f;
	int i;
	char *t;

	ty = picturetype(type ? type : "m8");
	if(hwpicture(h, res ? atoi(res) : 8, width ? atoi(width) : 512, Maxpix, &p) < 0)
		fatal("-b");
	if(res && p.res != atoi(res))
		fprintf(stderr, "leak: -b: res %s would make more than %d pixels; using res %d\n",
			res, Maxpix, p.res);
	for(i = 0; i < p.nreg; i++)
		fprintf(stderr, "leak: -b: row %llu: 0x%llx-0x%llx %s\n",
			(unsigned long long)p.first[i], (unsigned long long)p.reg[i].start,
			(unsigned long long)p.reg[i].end, regname[p.reg[i].kind]);
	if((t = getenv("LEAK_BLOCKS")) != NULL && (f = fopen(t, "w")) != NULL){
		hwdrawdump(h, f);
		fclose(f);
	}
	w = imgopen(stdout, ty->fmt, ty->chan, p.width, p.height);
	if(w == NULL){
		fprintf(stderr, "leak: -b: %s\n", strerror(errno));
		return Err;
	}
	if(hwdraw(h, &p, put, w) < 0 || imgclose(w) < 0){
		fprintf(stderr, "leak: -b: the picture: write error: %s\n", strerror(errno));
		return Err;
	}
	return Ok;
}

/* leak's start: the processes, or the core file when core is set */
static int
open1(char *core, int *pids, int npid, Heap *h, int retries, int mode, Target **tp, Model **pp)
{
	if(core != NULL)
		return poolopencore(core, binary, h, tp, pp);
	if(!hwsamevm(pids, npid))
		fatal(NULL);
	return poolopen(pids, npid, binary, h, retries, mode, tp, pp);
}

static int
leak(char *core, int *pids, int npid, int retries, int mode)
{
	Target *t;
	Model *pool;
	Heap heap;
	Roots *roots;
	double t0;
	int r, damaged;

	t0 = now();
	memset(&heap, 0, sizeof heap);
	r = open1(core, pids, npid, &heap, retries, mode, &t, &pool);
	poolheld(stderr, "leak", t);
	if(r < 0){
		poolgiveup(stderr, "leak", pool, t, now()-t0);
		fatal(pool != NULL ? poolname(pool) : NULL);
	}
	if(r > 0)
		fprintf(stderr, "leak: %s: the report may be inexact: %s\n", poolname(pool), errstr());
	damaged = pooldamage(stderr, "leak", pool);
	roots = hwroots(t, &heap);
	hwrelease(t);	/* held, what marking needs is copied by now */
	if(!aflag)
		hwmark(t, &heap, roots);
	if(bflag){
		if(picture(&heap) != Ok)
			return Err;
	}else if(sflag || cflag)
		hwscript(stdout, stderr, "leak", t, &heap, cflag);
	else
		hwprint(stdout, t, &heap, (aflag ? Pall : 0) | (dflag ? Pfree : 0) | (!aflag && !dflag ? Pleaked : 0));
	if(hwflush(stdout) < 0){
		poolgiveup(stderr, "leak", pool, t, now()-t0);
		fatal("standard output");
	}
	if(getenv("LEAK_STATS") != NULL)
		hwrootstats(stderr, "leak", roots);
	poolstats(stderr, "leak", pool, t, nblocks(&heap), now()-t0);
	hwclose(t);
	if(damaged)
		return Err;
	return r > 0 ? Inexact : Ok;
}

int
main(int argc, char **argv)
{
	char *argv0, *core;
	int *pids, i, c, retries, mode;

	argv0 = argv[0];
	core = NULL;
	while((c = getopt(argc, argv, "abcdsf:r:x:t:")) != -1)
		switch(c){
		case 'a': aflag = 1; break;
		case 'b': bflag = 1; break;
		case 'c': cflag = 1; break;
		case 'd': dflag = 1; break;
		case 's': sflag = 1; break;
		case 'f': binary = optarg; break;
		case 'r': res = optarg; break;
		case 'x': width = optarg; break;
		case 't': type = optarg; break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if(argc < 1)
		usage();
	if(bflag + cflag + sflag > 1){
		fprintf(stderr, "leak: can only use one of -b, -c or -s\n");
		exit(Usage);
	}
	if((res && !count(res, Maxres)) || (width && !count(width, Maxwidth))){
		fprintf(stderr, "leak: -r and -x want positive numbers (width at most 65536)\n");
		exit(Usage);
	}
	if(type && picturetype(type) == NULL){
		fprintf(stderr, "leak: -t %s: want m8, r8g8b8, compressed, compressed,r8g8b8, png or png,r8g8b8\n", type);
		exit(Usage);
	}
	if((retries = poolretries()) < 0 || (mode = hwsnapmode()) < 0){
		fprintf(stderr, "leak: %s\n", errstr());
		exit(Usage);
	}
	/* leak core [binary]: the binary as -f gives it */
	if((argc == 1 || argc == 2) && hwiscore(argv[0])){
		if(argc == 2 && binary != NULL)
			usage();
		if(argc == 2)
			binary = argv[1];
		core = argv[0];
	}
	if(binary != NULL && hwsymcheck(binary) < 0)
		fatal(argc == 2 && core != NULL ? "binary" : "-f");
	/* an argument that is not all digits is a name, though it begin with one */
	if(core == NULL && argc == 1 && strspn(argv[0], "0123456789") != strlen(argv[0]))
		byname(argv0, argv[0]);
	if(fcntl(1, F_GETFD) < 0){
		fprintf(stderr, "leak: standard output: write error: %s\n", strerror(EBADF));
		exit(Err);
	}
	if(core != NULL)
		return leak(core, NULL, 0, retries, mode);
	pids = emalloc(argc * sizeof pids[0]);
	for(i = 0; i < argc; i++)
		if(hwparsepid(argv[i], &pids[i]) < 0){
			fprintf(stderr, "leak: %s\n", errstr());
			exit(Usage);
		}
	return leak(NULL, pids, argc, retries, mode);
}
