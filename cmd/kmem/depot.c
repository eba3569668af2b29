/*
 * Stacks from the kernel's stack depot, for -s.  A track keeps a
 * 32-bit handle: its bitfields (union handle_parts, from BTF) name a
 * pool, in an array the kernel calls stack_slabs or stack_pools, and
 * a record's offset in the pool.  The record repeats its own handle,
 * which tells a record from memory the kernel has reused since.
 * Older kernels keep the array itself, newer ones a pointer to it
 * (its length set at boot); BTF has no types for static variables, so
 * the first record whose handle is its own tells which.
 */
#include <stdio.h>
#include <string.h>
#include "../../lib/heapwalk/heapwalk.h"
#include "dat.h"

enum {
	Depotalign = 4,		/* a handle's offset counts 16-byte units (DEPOT_STACK_ALIGN, the same since 4.x) */
	Maxpool = 1<<17,	/* the widest pool index, 6.10's pool_index_plus_1, is 17 bits */
	Recordbuf = 64,		/* a record's header: under 40 bytes in 6.1 and 7.x */
};

enum { Unknown, Array, Pointer };	/* what the pool symbol is */

static Core *kc;
static u64 pools;	/* stack_pools or stack_slabs */
static int form;
static Off poolidx;
static int plus1;	/* the index is pool_index_plus_1: 0 is no stack */

/* the depot of the kernel behind c; -1, said, if it has none kmem knows */
int
depotinit(Core *c)
{
	kc = c;
	pools = ksym("stack_pools");
	if(pools == 0)
		pools = ksym("stack_slabs");
	plus1 = L.depot_poolplus1.bit != Absent;
	poolidx = plus1 ? L.depot_poolplus1 : L.depot_pool.bit != Absent ? L.depot_pool : L.depot_slabindex;
	if(pools == 0 || poolidx.bit == Absent || L.depot_offset.bit == Absent || L.track_handle.bit == Absent
	|| L.record_size.bit == Absent || L.record_handle.bit == Absent || L.record_entries.bit == Absent){
		werrstr("this kernel keeps no stack depot kmem knows (no stack_pools or stack_slabs in its "
			"symbols, or no union handle_parts and struct stack_record in its BTF): built without CONFIG_STACKDEPOT?");
		return -1;
	}
	return 0;
}

/* the pool and offset bits of a handle, which a record's copy must match */
static u64
handlekey(u32 h)
{
	uchar b[8];

	memset(b, 0, sizeof b);
	memmove(b, &h, sizeof h);
	return fld(b, sizeof b, poolidx) << 32 | fld(b, sizeof b, L.depot_offset);
}

/* the record of pool i at offset off, if it is there and has handle h */
static u64
record(int how, u64 i, u64 off, u32 h, uchar *rec)
{
	u64 pool, array;
	long n;

	array = pools;
	if(how == Pointer && coreread(kc, pools, &array, 8) != 8)
		return 0;
	if(coreread(kc, array + 8*i, &pool, 8) != 8 || pool == 0)
		return 0;
	n = L.record_entries.bit/8;
	if(n > Recordbuf || coreread(kc, pool + off, rec, n) != n)
		return 0;
	if(handlekey(fld(rec, Recordbuf, L.record_handle)) != handlekey(h))
		return 0;
	return pool + off;
}

/*
 * The frames of the stack with handle h into pc[max]: how many, 0 for
 * no stack, or -1 when the record is not there or not h's.
 */
int
depotstack(u32 h, u64 *pc, int max)
{
	uchar b[8], rec[Recordbuf];
	u64 i, off, at;
	u32 n;

	if(h == 0)
		return 0;
	memset(b, 0, sizeof b);
	memmove(b, &h, sizeof h);
	i = fld(b, sizeof b, poolidx);
	if(plus1 && i == 0)
		return 0;
	i -= plus1;
	off = fld(b, sizeof b, L.depot_offset) << Depotalign;
	if(i >= Maxpool)
		return -1;
	at = 0;
	if(form != Pointer && (at = record(Array, i, off, h, rec)) != 0)
		form = Array;
	else if(form != Array && (at = record(Pointer, i, off, h, rec)) != 0)
		form = Pointer;
	if(at == 0)
		return -1;
	n = fld(rec, sizeof rec, L.record_size);
	if(n > (u32)max || coreread(kc, at + L.record_entries.bit/8, pc, 8*n) != 8*n)
		return -1;
	return n;
}
