/*
 * Allocation sites: blocks counted by where they came from, for
 * umem and leak -s/-c.  A tagged block's site is its malloc tag.
 * An untagged block gets a signature, always in brackets so it is
 * never taken for a tag: the C++ class its vtable belongs to, else
 * the symbol its first word points to, else its size.
 * Memory grows with the sites, not with the blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heapwalk.h"
#include "fns.h"

enum { Sigbit = 1ULL<<63 };	/* keys with it name a signature, not a pc */

typedef struct Ent Ent;
struct Ent {
	u64	key;
	void	*val;
};

/* open addressing, u64 keys; key 0 is never used */
typedef struct Tab Tab;
struct Tab {
	Ent	*e;
	long	n;
	long	size;
};

struct Sites {
	Tab	sites;		/* key: pc or Sigbit|interned name; val: Site* */
	Tab	words;		/* first words and sizes already named: val: interned name */
	Tab	names;		/* string hash: val: a list of interned names */
	int	tagged;
};

typedef struct Name Name;
struct Name {
	Name	*next;
	char	s[1];
};

static u64
mix(u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static Ent*
slot(Tab *t, u64 key)
{
	Ent *e, *old;
	long i, n;

	if(2*(t->n+1) > t->size){
		old = t->e;
		n = t->size;
		t->size = n ? 2*n : 256;
		t->e = emalloc(t->size * sizeof t->e[0]);
		memset(t->e, 0, t->size * sizeof t->e[0]);
		t->n = 0;
		for(i = 0; i < n; i++)
			if(old[i].key != 0)
				*slot(t, old[i].key) = old[i];
		free(old);
	}
	for(i = mix(key) & (t->size-1); ; i = (i+1) & (t->size-1)){
		e = &t->e[i];
		if(e->key == key)
			return e;
		if(e->key == 0){
			e->key = key;
			t->n++;
			return e;
		}
	}
}

static Ent*
look(Tab *t, u64 key)
{
	Ent *e;
	long i;

	if(t->size == 0)
		return NULL;
	for(i = mix(key) & (t->size-1); ; i = (i+1) & (t->size-1)){
		e = &t->e[i];
		if(e->key == key)
			return e;
		if(e->key == 0)
			return NULL;
	}
}

static char*
intern(Sites *ss, char *s)
{
	Ent *e;
	Name *n;
	u64 h;
	char *p;

	h = 1469598103934665603ULL;	/* FNV-1a */
	for(p = s; *p; p++)
		h = (h ^ (uchar)*p) * 1099511628211ULL;
	e = slot(&ss->names, h | 1);
	for(n = e->val; n != NULL; n = n->next)
		if(strcmp(n->s, s) == 0)
			return n->s;
	n = emalloc(sizeof *n + strlen(s));
	strcpy(n->s, s);
	n->next = e->val;
	e->val = n;
	return n->s;
}

/* "[what name]", the name escaped: the target chose it. */
static void
bracket(char *what, char *name, char *buf, int n)
{
	char esc[512];

	hwesc(name, Etext, esc, sizeof esc);
	snprintf(buf, n, "[%s %s]", what, esc);
}

/* A C++ object's class, by its vtable's symbol or, stripped, its RTTI. */
static int
classof(Target *t, u64 vptr, char *buf, int n)
{
	char *sym, str[256], dem[512];
	u64 off, ti, tn;

	sym = hwsymat(t, vptr, &off);
	if(sym != NULL && strncmp(sym, "_ZTV", 4) == 0 && hwdemangle(sym, dem, sizeof dem)){
		if(strncmp(dem, "vtable for ", 11) == 0){
			bracket("class", dem+11, buf, n);
			return 1;
		}
	}
	if(sym != NULL)
		return 0;
	/* vptr[-1] is the type_info; its second word the mangled type */
	if(hwpeek(t, vptr-8, &ti) < 0 || hwmapat(t, ti) == NULL || hwmapat(t, ti)->inode == 0)
		return 0;
	if(hwpeek(t, ti+8, &tn) < 0 || hwmapat(t, tn) == NULL || hwmapat(t, tn)->inode == 0)
		return 0;
	hwread(t, tn, str, sizeof str);	/* what cannot be read reads as zeros */
	str[sizeof str - 1] = 0;
	if(!(str[0] >= '1' && str[0] <= '9') && str[0] != 'N')
		return 0;	/* a class is a source name or a nested name */
	if(!hwdemangle(str, dem, sizeof dem))
		return 0;
	bracket("class", dem, buf, n);
	return 1;
}

/* The signature of a word that points into a file, or NULL. */
static char*
wordsig(Target *t, Sites *ss, u64 w)
{
	Ent *e;
	Map *m;
	char buf[600], *sym, dem[512];
	u64 off;

	m = hwmapat(t, w);
	if(m == NULL || m->inode == 0)
		return NULL;
	e = look(&ss->words, w);
	if(e != NULL)
		return e->val;
	if(!classof(t, w, buf, sizeof buf)){
		sym = hwsymat(t, w, &off);
		if(sym == NULL)
			buf[0] = 0;
		else
			bracket("points to", hwdemangle(sym, dem, sizeof dem) ? dem : sym, buf, sizeof buf);
	}
	e = slot(&ss->words, w);
	e->val = buf[0] ? intern(ss, buf) : NULL;
	return e->val;
}

static char*
sizesig(Sites *ss, u64 usable)
{
	Ent *e;
	char buf[64];

	e = slot(&ss->words, usable | Sigbit);
	if(e->val == NULL){
		snprintf(buf, sizeof buf, "[size %llu]", (unsigned long long)usable);
		e->val = intern(ss, buf);
	}
	return e->val;
}

char*
hwsignature(Target *t, Sites *ss, Block *b)
{
	u64 w;
	char *s;

	if(b->usable >= 8 && hwpeek(t, b->addr, &w) == 0 && (s = wordsig(t, ss, w)) != NULL)
		return s;
	return sizesig(ss, b->usable);
}

Sites*
hwsites(void)
{
	Sites *ss;

	ss = emalloc(sizeof *ss);
	memset(ss, 0, sizeof *ss);
	return ss;
}

/* Count an allocated block (sign 1), or take one back (-1). */
void
hwsiteadd(Target *t, Sites *ss, Block *b, int sign)
{
	Ent *e;
	Site *s;
	u64 key;
	char *sig;

	sig = NULL;
	if(b->flags & Btagged){
		key = b->tag[0];	/* code, so never 0 (pttag.c) */
		ss->tagged = 1;
	}else{
		sig = hwsignature(t, ss, b);
		key = (u64)(uintptr_t)sig | Sigbit;
	}
	e = slot(&ss->sites, key);
	if(e->val == NULL){
		s = emalloc(sizeof *s);
		memset(s, 0, sizeof *s);
		s->pc = (b->flags & Btagged) ? b->tag[0] : 0;
		s->name = sig;
		e->val = s;
	}
	s = e->val;
	s->count += sign;
	s->bytes += sign * (long long)b->size;
}

void
hwsitereset(Sites *ss)
{
	long i;

	for(i = 0; i < ss->sites.size; i++)
		if(ss->sites.e[i].key != 0){
			free(ss->sites.e[i].val);
			ss->sites.e[i].key = 0;
			ss->sites.e[i].val = NULL;
		}
	ss->sites.n = 0;
	ss->tagged = 0;
}

static void
visit(Heap *h, Block *b, int sign)
{
	if(b->flags & (Bfree|Binternal))
		return;
	hwsiteadd(h->t, h->arg, b, sign);
}

static void
reset(Heap *h)
{
	hwsitereset(h->arg);
}

/* Make h count the blocks a model walks into ss as they come, keeping none. */
void
hwsitecount(Heap *h, Sites *ss)
{
	memset(h, 0, sizeof *h);
	h->visit = visit;
	h->reset = reset;
	h->arg = ss;
}

/* Once, on standard error: untagged blocks make poor sites, and the cure. */
void
hwsitehint(FILE *f, char *prog, Sites *ss, long nsite)
{
	if(nsite > 0 && !ss->tagged)
		fprintf(f, "%s: the blocks carry no malloc tags, so sites are signatures; "
			"for the lines that allocated them, run the program with "
			"LD_PRELOAD=libmalloctag.so (see malloctag(3))\n", prog);
}

/*
 * "func+0x1a file.c:12"; "object+0x1c6bd" in a stripped object;
 * the pc alone when nothing names it.
 */
void
hwsitename(Target *t, u64 pc, char *buf, int n)
{
	char sym[512], src[256];
	int k;

	if(hwsymname(t, pc, sym, sizeof sym) || hwobjoff(t, pc, sym, sizeof sym))
		k = snprintf(buf, n, "%s", sym);
	else
		k = snprintf(buf, n, "0x%llx", (unsigned long long)pc);
	if(k < n && pc != 0 && hwsrcline(t, pc-1, src, sizeof src))
		snprintf(buf+k, n-k, " %s", src);
}

static int bybytes;

static int
sitecmp(const void *a, const void *b)
{
	const Site *x, *y;

	x = a;
	y = b;
	if(bybytes && x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if(x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if(!bybytes && x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The sites with blocks, named, most blocks (or bytes) first. */
Site*
hwsitelist(Target *t, Sites *ss, int bytes, long *np)
{
	Site *v, *s;
	char buf[1024];
	long i, n;

	v = emalloc((ss->sites.n+1) * sizeof v[0]);
	n = 0;
	for(i = 0; i < ss->sites.size; i++){
		if(ss->sites.e[i].key == 0)
			continue;
		s = ss->sites.e[i].val;
		if(s->count <= 0)
			continue;
		if(s->name == NULL){
			hwsitename(t, s->pc, buf, sizeof buf);
			s->name = intern(ss, buf);
		}
		v[n++] = *s;
	}
	bybytes = bytes;
	qsort(v, n, sizeof v[0], sitecmp);
	*np = n;
	return v;
}

/* For a caller that counts more than once (the fuzzer): the sites and their names, freed. */
void
hwsitesfree(Sites *ss)
{
	Name *n, *next;
	long i;

	hwsitereset(ss);
	for(i = 0; i < ss->names.size; i++)
		for(n = ss->names.e[i].val; n != NULL; n = next){
			next = n->next;
			free(n);
		}
	free(ss->sites.e);
	free(ss->words.e);
	free(ss->names.e);
	free(ss);
}
