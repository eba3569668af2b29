/*
 * a held block whose only reference is in r15 while the target
 * waits.  The pointer is kept xor'd with a key in memory, and
 * truthreadyreg decodes it into r15 in the wait loop itself.
 * On SIGUSR1, truth also checks that r15 came back unchanged.
 */
#include "truth.h"

/* high bits make enc a non-canonical address, never a pointer */
ulong	key = 0xc3c3c3c3c3c3c3c3UL;
ulong	enc;

static noinline void
setup(void)
{
	leakalloc(77);
	enc = (ulong)heldalloc(77) ^ key;
	leakalloc(77);
}

int
main(void)
{
	setup();
	truthreadyreg(enc, key);
}
