/*
 * exit [CODE]: end a qemu guest with status CODE (default 0), for
 * regress/kmem's /init.  qemu's isa-debug-exit device at port 0xf4
 * makes qemu exit with (CODE<<1)|1 when CODE is written to it; built
 * static, it runs in the bare initramfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int
main(int argc, char **argv)
{
	unsigned code;

	code = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	if(ioperm(0xf4, 4, 1) < 0){
		perror("exit: ioperm 0xf4");
		return 1;
	}
	outl(code, 0xf4);
	fprintf(stderr, "exit: isa-debug-exit did not stop the machine (no -device isa-debug-exit?)\n");
	return 1;
}
