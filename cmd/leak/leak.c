/*
 * leak - find the blocks a live process can no longer reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <time.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "../../lib/poolmodel/poolmodel.h"
#include "../../lib/image/image.h"

enum { Ok, Err, Usage, Inexact };

enum { Maxpix = 1<<24 };	/* -b: res grows rather than the picture */

static int aflag, bflag, cflag, dflag, sflag;
static char *binary, *res, *width, *type;

static void
usage(void)
{
	fprintf(stderr, "usage: leak [-abcds] [-f binary] [-r res] [-x width] [-t type] pid ... | name\n");
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

/* leak NAME: print the command that runs leak on every process of that name. */
static void
byname(char *argv0, char *name)
{
	int *pids, n, i;
	char flags[8], *p;

	n = hwpidsbyname(name, &pids);
	if(n < 0)
		fatal(NULL);
	if(n == 0){
		fprintf(stderr, "leak: no processes named %s\n", name);
		exit(Err);
	}
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
	exit(Ok);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec*1e3 + ts.tv_nsec/1e6;
}

/* LEAK_STATS: how long the target was held, for people who must know. */
static void
stats(Target *t, Pool *p, Heap *h, double t0, double t1, double t2)
{
	if(getenv("LEAK_STATS") == NULL)
		return;
	fprintf(stderr, "leak: %d threads held for %.1f ms, %d walks; %ld blocks; %.1f ms in all; %s\n",
		t->nthr, t1-t0, p->tries, h->nb, t2-t0, p->name);
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

static char *regname[] = { [Rheap] "main heap", [Rarena] "arena heap", [Rmmap] "mmapped chunks" };

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
		fprintf(stderr, "leak: -b: writing the picture: %s\n", strerror(errno));
		return Err;
	}
	return Ok;
}

static int
leak(int *pids, int npid)
{
	Target *t;
	Pool *pool;
	Heap heap;
	Roots *roots;
	double t0, t1;
	int r;

	if(binary != NULL && access(binary, R_OK) < 0){
		fprintf(stderr, "leak: -f %s: %s\n", binary, strerror(errno));
		exit(Err);
	}
	if(!hwsamevm(pids, npid))
		fatal(NULL);
	t0 = now();
	t = hwattach(pids, npid);
	if(t == NULL)
		fatal(NULL);
	if(hwsymopen(t, binary) < 0 || (pool = poolfind(t)) == NULL){
		hwdetach(t);
		fatal(NULL);
	}
	memset(&heap, 0, sizeof heap);
	r = poolwalk(pool, t, &heap, poolretries());
	if(r < 0){
		hwdetach(t);
		fatal(pool->name);
	}
	if(r > 0)
		fprintf(stderr, "leak: %s: the report may be inexact: %s\n", pool->name, errstr());
	roots = hwroots(t, &heap);
	hwdetach(t);
	t1 = now();
	if(!aflag)
		hwmark(t, &heap, roots);
	if(bflag){
		if(picture(&heap) != Ok)
			return Err;
	}else if(sflag || cflag)
		hwscript(t, &heap, cflag);
	else
		hwprint(t, &heap, (aflag ? Pall : 0) | (dflag ? Pfree : 0) | (!aflag && !dflag ? Pleaked : 0));
	if(fflush(stdout) != 0)
		return Err;
	stats(t, pool, &heap, t0, t1, now());
	return r > 0 ? Inexact : Ok;
}

int
main(int argc, char **argv)
{
	char *argv0;
	int *pids, i, c;

	argv0 = argv[0];
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
	if((res && atoi(res) <= 0) || (width && (atoi(width) <= 0 || atoi(width) > 1<<16))){
		fprintf(stderr, "leak: -r and -x want positive numbers (width at most 65536)\n");
		exit(Usage);
	}
	if(type && picturetype(type) == NULL){
		fprintf(stderr, "leak: -t %s: want m8, r8g8b8, compressed, compressed,r8g8b8, png or png,r8g8b8\n", type);
		exit(Usage);
	}
	if(argc == 1 && !isdigit((uchar)argv[0][0]))
		byname(argv0, argv[0]);
	pids = malloc(argc * sizeof pids[0]);
	for(i = 0; i < argc; i++){
		pids[i] = atoi(argv[i]);
		if(pids[i] <= 0 || strspn(argv[i], "0123456789") != strlen(argv[i])){
			fprintf(stderr, "leak: %s is not a pid\n", argv[i]);
			exit(Usage);
		}
	}
	return leak(pids, argc);
}
