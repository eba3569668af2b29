/*
 * The layout of the slab allocator's structures, from the running
 * kernel's BTF through libbpf.  Offsets move between kernels (see
 * ../shared/docs/linux-kernel.md), so none is written here: each is
 * looked up by name, through anonymous unions and structs, which is
 * how struct slab and struct page hold most of theirs.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum { Maxdepth = 8 };	/* anonymous members nest two or three deep in struct page */

Layout L;

static Field fields[] = {
	{"kmem_cache", "cpu_slab", &L.cache_cpu_slab, Optional},	/* gone where per-CPU sheaves replaced it */
	{"kmem_cache", "cpu_sheaves", &L.cache_cpu_sheaves, Optional},	/* 6.18 and later */
	{"kmem_cache", "flags", &L.cache_flags, Needed},
	{"kmem_cache", "size", &L.cache_size, Needed},
	{"kmem_cache", "object_size", &L.cache_object_size, Needed},
	{"kmem_cache", "offset", &L.cache_offset, Needed},
	{"kmem_cache", "inuse", &L.cache_inuse, Needed},
	{"kmem_cache", "red_left_pad", &L.cache_red_left_pad, Optional},
	{"kmem_cache", "name", &L.cache_name, Needed},
	{"kmem_cache", "list", &L.cache_list, Needed},
	{"kmem_cache", "random", &L.cache_random, Optional},	/* SLAB_FREELIST_HARDENED */
	{"kmem_cache", "node", &L.cache_node, Optional},	/* to 6.18: an array of pointers */
	{"kmem_cache", "per_node", &L.cache_per_node, Optional},	/* 7.x: of structs, the pointer in each */
	{"kmem_cache_per_node_ptrs", "node", &L.pernode_node, Optional},
	{"kmem_cache_per_node_ptrs", "barn", &L.pernode_barn, Optional},	/* sheaves' */
	{"kmem_cache", "sheaf_capacity", &L.cache_sheaf_capacity, Optional},
	{"slub_percpu_sheaves", "main", &L.pcs_main, Optional},
	{"slub_percpu_sheaves", "spare", &L.pcs_spare, Optional},
	{"slub_percpu_sheaves", "rcu_free", &L.pcs_rcu_free, Optional},
	{"slab_sheaf", "barn_list", &L.sheaf_barn_list, Optional},
	{"slab_sheaf", "size", &L.sheaf_size, Optional},
	{"slab_sheaf", "objects", &L.sheaf_objects, Optional},
	{"node_barn", "sheaves_full", &L.barn_full, Optional},
	{"kmem_cache_node", "partial", &L.node_partial, Needed},
	{"kmem_cache_node", "full", &L.node_full, Optional},	/* SLUB_DEBUG */
	{"kmem_cache_cpu", "freelist", &L.cpu_freelist, Optional},
	{"kmem_cache_cpu", "slab", &L.cpu_slab, Optional},
	{"slab", "slab_list", &L.slab_list, Needed},
	{"slab", "slab_cache", &L.slab_cache, Needed},
	{"slab", "freelist", &L.slab_freelist, Needed},
	{"slab", "counters", &L.slab_counters, Optional},
	{"slab", "inuse", &L.slab_inuse, Optional},
	{"slab", "objects", &L.slab_objects, Optional},
	{"page", "flags", &L.page_flags, Needed},
	{"page", "page_type", &L.page_type, Optional},	/* 6.12 and later mark slab pages here */
	{"track", "addr", &L.track_addr, Needed},
	{"track", "handle", &L.track_handle, Optional},	/* STACKDEPOT */
	{"handle_parts", "slabindex", &L.depot_slabindex, Optional},	/* to 6.7 */
	{"handle_parts", "pool_index", &L.depot_pool, Optional},	/* 6.8 to 6.9 */
	{"handle_parts", "pool_index_plus_1", &L.depot_poolplus1, Optional},	/* 6.10 and later */
	{"handle_parts", "offset", &L.depot_offset, Optional},
	{"stack_record", "size", &L.record_size, Optional},
	{"stack_record", "handle", &L.record_handle, Optional},
	{"stack_record", "entries", &L.record_entries, Optional},
};

/* member name of struct id at *bit (and its width, 0 if whole), through anonymous members */
static int
member(struct btf *b, u32 id, char *name, u32 base, Off *o, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;
	const char *n;
	int i;

	t = btf__type_by_id(b, btf__resolve_type(b, id));
	if(t == NULL || !btf_is_composite(t) || depth > Maxdepth)
		return -1;
	m = btf_members(t);
	for(i = 0; i < btf_vlen(t); i++, m++){
		n = btf__name_by_offset(b, m->name_off);
		if(n != NULL && strcmp(n, name) == 0){
			o->bit = base + btf_member_bit_offset(t, i);
			o->width = btf_member_bitfield_size(t, i);
			o->size = btf__resolve_size(b, m->type);
			return 0;
		}
		if((n == NULL || *n == 0) && member(b, m->type, name, base + btf_member_bit_offset(t, i), o, depth+1) == 0)
			return 0;
	}
	return -1;
}

/* an enumerator's value, for flags the kernel numbers by enum (_SLAB_STORE_USER on 6.12) */
static int
enumval(struct btf *b, char *name, long long *v)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	u32 id, n;
	int i;

	n = btf__type_cnt(b);
	for(id = 1; id < n; id++){
		t = btf__type_by_id(b, id);
		if(!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for(i = 0; i < btf_vlen(t); i++, e++)
			if(strcmp(btf__name_by_offset(b, e->name_off), name) == 0){
				*v = e->val;
				return 0;
			}
	}
	return -1;
}

/* a struct's id, or a union's (the stack depot's handle_parts is one) */
static int
composite(struct btf *b, char *name)
{
	int id;

	id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
	return id >= 0 ? id : btf__find_by_name_kind(b, name, BTF_KIND_UNION);
}

static long long
structsize(struct btf *b, char *name)
{
	int id;

	id = composite(b, name);
	return id < 0 ? -1 : btf__resolve_size(b, id);
}

/* L from the BTF at path; -1 naming the first needed field missing */
int
btflayout(char *path)
{
	struct btf *b;
	Field *f;
	int id;
	long long v;

	/* libbpf's own messages would come out unprefixed: ours name the file */
	libbpf_set_print(NULL);
	b = btf__parse(path, NULL);
	if(b == NULL){
		werrstr("%s: cannot read BTF: %s", path,
			errno == ENOENT || errno == EACCES ? strerror(errno) : "neither raw BTF nor an ELF file with a .BTF section");
		return -1;
	}
	for(f = fields; f < fields + nelem(fields); f++){
		*f->off = (Off){Absent, 0, 0};
		id = composite(b, f->type);
		if((id < 0 || member(b, id, f->member, 0, f->off, 0) < 0) && f->need == Needed){
			werrstr("%s: no struct %s.%s: not a SLUB kernel kmem knows", path, f->type, f->member);
			btf__free(b);
			return -1;
		}
	}
	if(L.cache_node.bit == Absent && (L.cache_per_node.bit == Absent || L.pernode_node.bit == Absent)){
		werrstr("%s: struct kmem_cache has neither node nor per_node[].node: not a SLUB kernel kmem knows", path);
		btf__free(b);
		return -1;
	}
	L.page_sizeof = structsize(b, "page");
	L.pernode_sizeof = structsize(b, "kmem_cache_per_node_ptrs");
	L.pcs_sizeof = structsize(b, "slub_percpu_sheaves");
	/* SLAB_STORE_USER: a #define (0x10000) before 6.9, then 1 << _SLAB_STORE_USER */
	L.store_user = enumval(b, "_SLAB_STORE_USER", &v) == 0 ? 1ULL << v : 0x10000;
	/* SLAB_KMALLOC likewise: 0x1000 before 6.9 */
	L.kmalloc = enumval(b, "_SLAB_KMALLOC", &v) == 0 ? 1ULL << v : 0x1000;
	L.track_sizeof = structsize(b, "track");
	btf__free(b);
	return 0;
}

/* a field of a struct read into b (n bytes) */
u64
fld(uchar *b, long n, Off o)
{
	u64 v;
	long at;
	int sz;

	if(o.bit == Absent)
		return 0;
	at = o.bit/8;
	/* a bitfield's bytes: those its bits touch, at most 8 for a width up to 57 */
	sz = o.width ? (o.bit%8 + o.width + 7) / 8 : o.size;
	if(sz > 8 || at + sz > n)
		return 0;
	v = 0;
	memmove(&v, b+at, sz);
	if(o.width)
		return (v >> (o.bit%8)) & ((1ULL << o.width) - 1);
	return sz == 8 ? v : v & ((1ULL << 8*sz) - 1);
}

/* the layout, one field a line, for kmem -l */
void
btfprint(FILE *out)
{
	Field *f;

	for(f = fields; f < fields + nelem(fields); f++){
		if(f->off->bit == Absent){
			fprintf(out, "%s.%s absent\n", f->type, f->member);
			continue;
		}
		if(f->off->width != 0)
			fprintf(out, "%s.%s bit %lld width %d\n", f->type, f->member, f->off->bit, f->off->width);
		else
			fprintf(out, "%s.%s %lld size %lld\n", f->type, f->member, f->off->bit/8, f->off->size);
	}
	fprintf(out, "sizeof page %lld\nSLAB_STORE_USER %#llx\n", L.page_sizeof, (unsigned long long)L.store_user);
}
