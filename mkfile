# The same build with Plan 9's mk (9base: /usr/lib/plan9/bin/mk).
CC=cc
CFLAGS=-O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
LDLIBS=-ldw -lelf -lstdc++ -lz -lpthread
O=build
HDR=cmd/kmem/dat.h lib/heapwalk/heapwalk.h lib/heapwalk/fns.h lib/poolmodel/poolmodel.h lib/poolmodel/pt.h lib/poolmodel/pl.h lib/pool/pool.h lib/image/image.h lib/image/fns.h
HWSRC=`{ls lib/heapwalk/*.c}
PMSRC=`{ls lib/poolmodel/*.c}
IMSRC=`{ls lib/image/*.c}
HWOBJ=${HWSRC:%.c=$O/%.o}
PMOBJ=${PMSRC:%.c=$O/%.o}
IMOBJ=${IMSRC:%.c=$O/%.o}
KMSRC=`{ls cmd/kmem/*.c}
KMOBJ=${KMSRC:%.c=$O/%.o}
CMDS=$O/leak $O/umem $O/kmem
MTSRC=`{ls lib/malloctag/*.c}
MTCFLAGS=$CFLAGS -fPIC -fvisibility=hidden -fno-plt

all:V: $CMDS $O/libmalloctag.so $O/libpool.so $O/libpool.a

$O/%.o: %.c $HDR
	mkdir -p $O/lib/heapwalk $O/lib/poolmodel $O/lib/image $O/cmd/leak $O/cmd/umem $O/cmd/kmem
	$CC $CFLAGS -c -o $target $stem.c

$O/libheapwalk.a: $HWOBJ
	ar rcs $target $prereq

$O/libpoolmodel.a: $PMOBJ
	ar rcs $target $prereq

$O/libimage.a: $IMOBJ
	ar rcs $target $prereq

$O/leak: $O/cmd/leak/leak.o $O/libpoolmodel.a $O/libheapwalk.a $O/libimage.a
	$CC $CFLAGS -o $target $prereq $LDLIBS

$O/umem: $O/cmd/umem/umem.o $O/libpoolmodel.a $O/libheapwalk.a $O/libimage.a
	$CC $CFLAGS -o $target $prereq $LDLIBS

$O/kmem: $KMOBJ $O/libheapwalk.a
	$CC $CFLAGS -o $target $prereq -lbpf -lelf -lz

# kmem alone, for a minimal initramfs: no loader, no libraries
kmem-static:V: $O/kmem-static
$O/kmem-static: $KMOBJ $O/libheapwalk.a
	$CC $CFLAGS -static -o $target $prereq -lbpf -lelf -lz

# Plan 9's malloc tags for other programs; see the Makefile
$O/libmalloctag.so: $MTSRC lib/malloctag/malloctag.h lib/malloctag/fns.h lib/malloctag/caller.h
	mkdir -p $O
	$CC $MTCFLAGS -shared -Wl,-z,now -o $target $MTSRC -lgcc_s -ldl

# Plan 9's pool allocator, libpool.so and libpool.a; see the Makefile
POOLCORE=lib/pool/tree.c lib/pool/block.c lib/pool/arena.c lib/pool/alloc.c lib/pool/check.c lib/pool/flags.c lib/pool/mainmem.c lib/pool/tag.c
POOLSOSRC=$POOLCORE lib/pool/libc.c lib/pool/delete.c lib/pool/layerpc.c lib/malloctag/caller.c lib/malloctag/layer.c lib/malloctag/fork.c lib/malloctag/new.c lib/malloctag/rules.c
POOLASRC=$POOLCORE lib/pool/callpc.c
POOLAOBJ=${POOLASRC:lib/pool/%.c=$O/libpool/%.os}
POOLHDR=lib/pool/pool.h lib/pool/fns.h lib/malloctag/caller.h

$O/libpool.so: $POOLSOSRC $POOLHDR
	mkdir -p $O
	$CC $MTCFLAGS -shared -Wl,-z,now -Wl,-Bsymbolic-functions -o $target $POOLSOSRC -lgcc_s -ldl

$O/libpool/%.os: lib/pool/%.c $POOLHDR
	mkdir -p $O/libpool
	$CC $MTCFLAGS -c -o $target lib/pool/$stem.c

$O/libpool.a: $POOLAOBJ
	ar rcs $target $prereq

# leak beside umem, LeakSanitizer, valgrind, gcore and one read pass; see the Makefile
BENCHCFLAGS=$CFLAGS -fno-omit-frame-pointer

$O/bench/graph: bench/graph.c
	mkdir -p $O/bench
	$CC $BENCHCFLAGS -o $target bench/graph.c -lpthread

$O/bench/graph-lsan: bench/graph.c
	mkdir -p $O/bench
	clang $BENCHCFLAGS -DLSAN -fsanitize=leak -o $target bench/graph.c -lpthread

$O/bench/readpass: bench/readpass.c
	mkdir -p $O/bench
	$CC $BENCHCFLAGS -o $target bench/readpass.c

bench:V: all $O/bench/graph $O/bench/graph-lsan $O/bench/readpass
	O=$O sh bench/run

# libpool.so against plain glibc, operations per second
bench-pool:V: $O/libpool.so
	sh bench/pool.sh $O

# The fuzzer of core files, regress/fuzz/README; see the Makefile
FUZZO=build-fuzz
FUZZCFLAGS=-O1 -g -Wno-gnu-designator -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZTIME=600
FUZZSRC=`{ls regress/fuzz/*.c}

fuzz:V: $O/fuzz-core
$O/fuzz-core: $FUZZSRC regress/fuzz/fuzz.h $HWSRC $PMSRC $HDR
	mk O=$FUZZO CC=clang "CFLAGS=$FUZZCFLAGS -fsanitize=fuzzer-no-link -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE" $FUZZO/libpoolmodel.a $FUZZO/libheapwalk.a
	mkdir -p $O
	clang $FUZZCFLAGS -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer -o $target $FUZZSRC $FUZZO/libpoolmodel.a $FUZZO/libheapwalk.a $LDLIBS

fuzz-run:V: fuzz
	make regress-targets
	sh regress/fuzz/run -t $FUZZTIME $O/fuzz-core glibc pool

clean:V:
	rm -rf $O $FUZZO
