# leak, umem, kmem.  `make` builds into build/; see README for the rest.
CC ?= cc
CFLAGS ?= -O2 -g
override CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
LDLIBS = -ldw -lelf -lstdc++ -lz -lpthread
PREFIX ?= /usr/local
O ?= build

HEAPWALK = $(patsubst %.c,$(O)/%.o,$(wildcard lib/heapwalk/*.c))
POOLMODEL = $(patsubst %.c,$(O)/%.o,$(wildcard lib/poolmodel/*.c))
IMAGE = $(patsubst %.c,$(O)/%.o,$(wildcard lib/image/*.c))
KMEM = $(patsubst %.c,$(O)/%.o,$(wildcard cmd/kmem/*.c))
CMDS = $(O)/leak $(O)/umem $(O)/kmem
MTSRC = $(wildcard lib/malloctag/*.c)

all: $(CMDS) $(O)/libmalloctag.so $(O)/libpool.so $(O)/libpool.a

$(O)/%.o: %.c lib/heapwalk/heapwalk.h lib/poolmodel/poolmodel.h lib/image/image.h lib/pool/pool.h $(wildcard lib/*/fns.h lib/*/pt.h lib/*/pl.h cmd/*/dat.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libheapwalk.a: $(HEAPWALK)
	$(AR) rcs $@ $^

$(O)/libpoolmodel.a: $(POOLMODEL)
	$(AR) rcs $@ $^

$(O)/libimage.a: $(IMAGE)
	$(AR) rcs $@ $^

LIBS = $(O)/libpoolmodel.a $(O)/libheapwalk.a $(O)/libimage.a

$(O)/leak: $(O)/cmd/leak/leak.o $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/umem: $(O)/cmd/umem/umem.o $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/kmem: $(KMEM) $(O)/libheapwalk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

# kmem alone, for a minimal initramfs: no loader, no libraries
kmem-static: $(O)/kmem-static
$(O)/kmem-static: $(KMEM) $(O)/libheapwalk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^ -lbpf -lelf -lz

# libmalloctag.so takes malloc's place in other programs (lib/malloctag).
# Never sanitized, not even in the ASan build: it must load into any
# program, and under ASan the malloc beneath it would be ASan's, whose
# blocks are not glibc's chunks, so there would be no trailer to write.
MTCFLAGS = $(filter-out -fsanitize% -fno-sanitize%,$(CFLAGS)) -fPIC -fvisibility=hidden -fno-plt

$(O)/libmalloctag.so: $(MTSRC) lib/malloctag/malloctag.h lib/malloctag/fns.h lib/malloctag/caller.h
	@mkdir -p $(dir $@)
	$(CC) $(MTCFLAGS) -shared -Wl,-z,now $(filter-out -fsanitize%,$(LDFLAGS)) -o $@ $(MTSRC) -lgcc_s -ldl

# lib/pool: Plan 9's pool allocator.  libpool.so is all of it, malloc's
# and operator new's names included, tagging with lib/malloctag's caller
# code; libpool.a is the pool and the p* family without them, for a
# program that keeps glibc's malloc beside a pool.  Never sanitized, as
# libmalloctag.so is not: libpool.so must load into any program, and
# regress/regress.mk compiles the sources under ASan itself.  The .a's
# objects are .os, apart from the program's .o (mk would find both
# rules for a .o).
POOLCORE = $(addprefix lib/pool/,tree.c block.c arena.c alloc.c check.c flags.c mainmem.c tag.c)
POOLSOSRC = $(POOLCORE) $(addprefix lib/pool/,libc.c delete.c layerpc.c) \
	$(addprefix lib/malloctag/,caller.c layer.c fork.c new.c rules.c)
POOLAOBJ = $(patsubst lib/pool/%.c,$(O)/libpool/%.os,$(POOLCORE) lib/pool/callpc.c)
POOLHDR = lib/pool/pool.h lib/pool/fns.h lib/malloctag/caller.h

$(O)/libpool.so: $(POOLSOSRC) $(POOLHDR)
	@mkdir -p $(dir $@)
	$(CC) $(MTCFLAGS) -shared -Wl,-z,now -Wl,-Bsymbolic-functions $(filter-out -fsanitize%,$(LDFLAGS)) -o $@ $(POOLSOSRC) -lgcc_s -ldl

$(O)/libpool/%.os: lib/pool/%.c $(POOLHDR)
	@mkdir -p $(dir $@)
	$(CC) $(MTCFLAGS) -c -o $@ $<

$(O)/libpool.a: $(POOLAOBJ)
	$(AR) rcs $@ $^

.SECONDARY:

-include regress/regress.mk

# The bundled demo: start it, run leak on it, let it go.
demo: all regress-targets
	@sh regress/demo.sh $(O)

check: all regress-targets
	regress/run -L $(O)/leak

# lib/pool's own suite (regress/pool-check), a minute or less
check-pool: all pool-targets
	regress/pool-check

# The suite with leak built under AddressSanitizer and UBSan.
check-asan:
	$(MAKE) O=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" all
	$(MAKE) regress-targets
	ASAN_OPTIONS=detect_leaks=0 regress/run -L build-asan/leak

# leak beside umem, LeakSanitizer, valgrind, gcore and one read pass
# (bench/README).  Not part of check: it takes minutes.
BENCHCFLAGS = $(CFLAGS) -fno-omit-frame-pointer

$(O)/bench/graph: bench/graph.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCHCFLAGS) -o $@ $< -lpthread

$(O)/bench/graph-lsan: bench/graph.c
	@mkdir -p $(dir $@)
	clang $(filter-out -fsanitize% -fno-sanitize%,$(BENCHCFLAGS)) -DLSAN -fsanitize=leak -o $@ $< -lpthread

$(O)/bench/readpass: bench/readpass.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCHCFLAGS) -o $@ $<

bench: all $(O)/bench/graph $(O)/bench/graph-lsan $(O)/bench/readpass
	O=$(O) sh bench/run

# libmalloctag.so preloaded against plain glibc: time and memory
bench-malloctag: $(O)/libmalloctag.so
	sh bench/malloctag.sh $(O)

# libpool.so against plain glibc, operations per second (bench/pool.sh)
bench-pool: $(O)/libpool.so
	sh bench/pool.sh $(O)

# The fuzzer of core files (regress/fuzz/README): libheapwalk and
# libpoolmodel built again by clang, for libFuzzer's coverage and
# under ASan and UBSan, in a build directory of their own, then linked
# with libFuzzer (-Wno-gnu-designator: clang names Plan 9's "[i] x"
# designators, which gcc takes as they are).  make fuzz-run fuzzes
# each model FUZZTIME seconds, one after the other.
FUZZO = build-fuzz
FUZZCFLAGS = -O1 -g -Wno-gnu-designator -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZSRC = $(wildcard regress/fuzz/*.c)
FUZZTIME ?= 600

fuzz: $(O)/fuzz-core

$(O)/fuzz-core: $(FUZZSRC) regress/fuzz/fuzz.h FORCE
	$(MAKE) O=$(FUZZO) CC=clang CFLAGS="$(FUZZCFLAGS) -fsanitize=fuzzer-no-link" \
		$(FUZZO)/libpoolmodel.a $(FUZZO)/libheapwalk.a
	@mkdir -p $(dir $@)
	clang $(FUZZCFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer -o $@ \
		$(FUZZSRC) $(FUZZO)/libpoolmodel.a $(FUZZO)/libheapwalk.a $(LDLIBS)

fuzz-run: fuzz regress-targets
	sh regress/fuzz/run -t $(FUZZTIME) $(O)/fuzz-core glibc pool

FORCE:

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	cp $(CMDS) $(DESTDIR)$(PREFIX)/bin/
	cp doc/leak.1 $(DESTDIR)$(PREFIX)/share/man/man1/leak.1
	ln -sf leak.1 $(DESTDIR)$(PREFIX)/share/man/man1/umem.1
	ln -sf leak.1 $(DESTDIR)$(PREFIX)/share/man/man1/kmem.1
	mkdir -p $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man3
	cp $(O)/libmalloctag.so $(DESTDIR)$(PREFIX)/lib/
	cp lib/malloctag/malloctag.h $(DESTDIR)$(PREFIX)/include/
	cp doc/malloctag.3 $(DESTDIR)$(PREFIX)/share/man/man3/malloctag.3
	for f in setmalloctag setrealloctag getmalloctag getrealloctag; do \
		ln -sf malloctag.3 $(DESTDIR)$(PREFIX)/share/man/man3/$$f.3; done
	cp $(O)/libpool.so $(O)/libpool.a $(DESTDIR)$(PREFIX)/lib/
	cp lib/pool/pool.h $(DESTDIR)$(PREFIX)/include/
	cp doc/pool.3 $(DESTDIR)$(PREFIX)/share/man/man3/pool.3
	for f in poolalloc poolallocalign poolfree poolrealloc poolmsize poolcheck poolblockcheck \
		pooldump poolmmap pmalloc pmallocz pcalloc prealloc pmallocalign pfree pmsize malloctopoolblock; do \
		ln -sf pool.3 $(DESTDIR)$(PREFIX)/share/man/man3/$$f.3; done

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all kmem-static demo check check-pool check-asan fuzz fuzz-run FORCE bench bench-malloctag bench-pool install clean
