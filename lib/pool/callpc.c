/*
 * libpool.a's tag pcs: the immediate caller.  A program linked with
 * it calls pmalloc and the rest itself, and its malloc stays glibc's,
 * so no block is made by the layer on anyone's behalf.
 */
#include "fns.h"

uintptr_t
tagpc(uintptr_t pc)
{
	return pc;
}

void
tagprefork(void)
{
}

void
tagparent(void)
{
}

void
tagchild(void)
{
}
