/*
 * libpool.so's tag pcs: the first caller outside the allocation layer,
 * found by lib/malloctag's caller code, compiled into the library too
 * (caller.c, layer.c, fork.c).
 */
#include "../malloctag/caller.h"
#include "fns.h"

uintptr_t
tagpc(uintptr_t pc)
{
	return callerpc(pc);
}

void
tagprefork(void)
{
	unwindprefork();
}

void
tagparent(void)
{
	unwindparent();
}

void
tagchild(void)
{
	unwindchild();
}
