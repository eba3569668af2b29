/*
 * C++'s operator delete and delete[], every variant (sized, aligned,
 * nothrow), in libpool.so only: each is free, whatever else it is
 * told, since every block knows its own size and alignment.  The
 * variants are aliases of one function; the arguments they do not
 * have are never read.
 */
#include "fns.h"

Public void
_ZdlPv(void *v)
{
	pfree(mainmem, v);
}

#define Delete(name)	Public void name(void*) __attribute__((alias("_ZdlPv")))

Delete(_ZdaPv);
Delete(_ZdlPvm);
Delete(_ZdaPvm);
Delete(_ZdlPvRKSt9nothrow_t);
Delete(_ZdaPvRKSt9nothrow_t);
Delete(_ZdlPvSt11align_val_t);
Delete(_ZdaPvSt11align_val_t);
Delete(_ZdlPvmSt11align_val_t);
Delete(_ZdaPvmSt11align_val_t);
Delete(_ZdlPvSt11align_val_tRKSt9nothrow_t);
Delete(_ZdaPvSt11align_val_tRKSt9nothrow_t);
