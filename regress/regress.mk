# regress.mk: the regression targets, included by the top Makefile
# or run alone from the repository root:
#	make -f regress/regress.mk regress-targets
# Everything goes to build/regress; see regress/run.

RCFLAGS ?= -O1 -g -pthread -Wall -Wextra -Werror
REGRESS_DIR = build/regress

# every target with a ground truth, one t-NAME.c each
REGRESS_TESTS = small fastbin tcache large mmapped threads cycle tree \
	interior register thread-stack static-tls dlopen mmap-root \
	sigstack freed hammer slow noncontig

REGRESS_BINS = $(REGRESS_TESTS:%=$(REGRESS_DIR)/t-%) $(REGRESS_DIR)/t-static $(REGRESS_DIR)/t-corrupt \
	$(REGRESS_DIR)/lib-dl.so $(REGRESS_DIR)/demo

# targets with known allocation sites, run by regress/run apart
REGRESS_BINS += $(REGRESS_DIR)/t-tagged $(REGRESS_DIR)/t-tagged-pre \
	$(REGRESS_DIR)/t-tagged-stripped $(REGRESS_DIR)/dbg/t-tagged-dbg \
	$(REGRESS_DIR)/lib-tagged.so $(REGRESS_DIR)/t-classes

# lib/image's tests, run by regress/image-check
REGRESS_BINS += $(REGRESS_DIR)/image-test

# kmem's vmlinux argument: symelf makes one from kallsyms, static for the guests' initramfs
REGRESS_BINS += $(REGRESS_DIR)/symelf

# wrong or missing verdicts, run by regress/verdicts
REGRESS_BINS += $(REGRESS_DIR)/t-joined $(REGRESS_DIR)/t-joined-dl $(REGRESS_DIR)/lib-tls.so \
	$(REGRESS_DIR)/t-mprotect $(REGRESS_DIR)/t-stale $(REGRESS_DIR)/t-mainexit \
	$(REGRESS_DIR)/musl-static $(REGRESS_DIR)/musl-dynamic $(REGRESS_DIR)/ownmalloc \
	$(REGRESS_DIR)/foreign

.PHONY: regress-targets regress-list
regress-targets: $(REGRESS_BINS)

# for regress/run
regress-list:
	@echo $(REGRESS_TESTS)

$(REGRESS_DIR):
	mkdir -p $@

$(REGRESS_DIR)/t-%: regress/t-%.c regress/truth.c regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/t-$*.c regress/truth.c $(REGRESS_LIBS)

# lib-dl.so calls truth in the executable; the path is absolute,
# so no rpath is needed
$(REGRESS_DIR)/t-dlopen: $(REGRESS_DIR)/lib-dl.so
$(REGRESS_DIR)/t-dlopen: REGRESS_LIBS = -DLIBDL='"$(abspath $(REGRESS_DIR)/lib-dl.so)"' -rdynamic -ldl

$(REGRESS_DIR)/lib-dl.so: regress/lib-dl.c regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -fPIC -shared -o $@ regress/lib-dl.c

$(REGRESS_DIR)/t-static: regress/t-small.c regress/truth.c regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -static -o $@ regress/t-small.c regress/truth.c

$(REGRESS_DIR)/demo: regress/demo.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/demo.c

# t-tagged: malloc tags from build/libmalloctag.so (built by the
# top Makefile), linked in; t-tagged-pre is the same without it,
# for LD_PRELOAD.  Both find lib-tagged.so by its soname and an rpath.
MTDIR = build
MALLOCTAG = $(MTDIR)/libmalloctag.so
TAGGED_SRC = regress/t-tagged.c regress/truth.c
TAGGED_DEP = $(TAGGED_SRC) regress/truth.h lib/malloctag/malloctag.h $(REGRESS_DIR)/lib-tagged.so
TAGGED_LIBS = $(REGRESS_DIR)/lib-tagged.so -Wl,-rpath,$(abspath $(REGRESS_DIR))

$(REGRESS_DIR)/lib-tagged.so: regress/lib-tagged.c regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -fPIC -shared -Wl,-soname,lib-tagged.so -o $@ regress/lib-tagged.c

$(REGRESS_DIR)/t-tagged: $(TAGGED_DEP) $(MALLOCTAG)
	$(CC) $(RCFLAGS) -o $@ $(TAGGED_SRC) $(TAGGED_LIBS) \
		-L$(MTDIR) -Wl,--no-as-needed -lmalloctag -Wl,-rpath,$(abspath $(MTDIR))

$(REGRESS_DIR)/t-tagged-pre: $(TAGGED_DEP)
	$(CC) $(RCFLAGS) -o $@ $(TAGGED_SRC) $(TAGGED_LIBS)

# t-tagged-stripped: stripped, its debug info kept apart in debug/,
# where nothing looks by default: only -f, a textfile or debuginfod
# (by the build-id all three share) name its sites.  t-tagged-dbg:
# the same in dbg/ with the debug file beside it, found by .gnu_debuglink.
$(REGRESS_DIR)/t-tagged-stripped: $(REGRESS_DIR)/t-tagged
	mkdir -p $(REGRESS_DIR)/debug
	objcopy --only-keep-debug $< $(REGRESS_DIR)/debug/t-tagged.debug
	strip --strip-all -o $@ $<
	objcopy --add-gnu-debuglink=$(REGRESS_DIR)/debug/t-tagged.debug $@

$(REGRESS_DIR)/dbg/t-tagged-dbg: $(REGRESS_DIR)/t-tagged-stripped
	mkdir -p $(REGRESS_DIR)/dbg
	cp $(REGRESS_DIR)/debug/t-tagged.debug $(REGRESS_DIR)/dbg/t-tagged.debug
	cp $< $@

# untagged C++; truth.c stays C
$(REGRESS_DIR)/t-classes: regress/t-classes.cc regress/truth.c regress/truth.h | $(REGRESS_DIR)
	$(CXX) $(RCFLAGS) -o $@ regress/t-classes.cc -x c regress/truth.c -x none

# libmalloctag's own tests, each printing "N passed, N failed":
# malloctag-test runs with LD_PRELOAD=build/libmalloctag.so,
# malloctag-test-linked and malloctag-cxx as they are (linked, rpath).
# -rdynamic so that dladdr can name the functions tags point into.
MTLIB = build/libmalloctag.so
MTTESTS = $(REGRESS_DIR)/malloctag-test $(REGRESS_DIR)/malloctag-test-linked $(REGRESS_DIR)/malloctag-cxx
MTLINK = -Lbuild -lmalloctag -Wl,-rpath,$(abspath build)
regress-targets: $(MTTESTS)

# mtcheck.c, their ok/FAIL lines and dladdr naming, stays C.
MTDEP = regress/mtcheck.c regress/mtcheck.h lib/malloctag/malloctag.h

$(REGRESS_DIR)/malloctag-test: regress/malloctag-test.c $(MTDEP) | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -rdynamic -Ilib/malloctag -o $@ regress/malloctag-test.c regress/mtcheck.c -ldl

$(REGRESS_DIR)/malloctag-test-linked: regress/malloctag-test.c $(MTDEP) $(MTLIB) | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -DLINKED -rdynamic -Ilib/malloctag -o $@ regress/malloctag-test.c regress/mtcheck.c $(MTLINK) -ldl

$(REGRESS_DIR)/malloctag-cxx: regress/malloctag-cxx.cc $(MTDEP) $(MTLIB) | $(REGRESS_DIR)
	$(CXX) $(RCFLAGS) -rdynamic -Ilib/malloctag -o $@ regress/malloctag-cxx.cc -x c regress/mtcheck.c -x none $(MTLINK) -ldl

# lib/image's tests, decoded and compared by regress/image-check
IMAGESRC = $(wildcard lib/image/*.c)

$(REGRESS_DIR)/symelf: regress/kmem/symelf.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -static -o $@ regress/kmem/symelf.c

$(REGRESS_DIR)/image-test: regress/image-test.c $(IMAGESRC) lib/image/image.h lib/image/fns.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/image-test.c $(IMAGESRC) -lz

# regress/verdicts: t-joined-dl is t-joined with a dlopen'd library's
# dynamic TLS touched by every thread
$(REGRESS_DIR)/lib-tls.so: regress/lib-tls.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -fPIC -shared -o $@ regress/lib-tls.c

$(REGRESS_DIR)/t-joined-dl: regress/t-joined.c regress/truth.c regress/truth.h $(REGRESS_DIR)/lib-tls.so | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -DLIBTLS='"$(abspath $(REGRESS_DIR)/lib-tls.so)"' -o $@ regress/t-joined.c regress/truth.c -ldl

# t-stale: tagged, like t-tagged
$(REGRESS_DIR)/t-stale: regress/t-stale.c regress/truth.c regress/truth.h $(MALLOCTAG) | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/t-stale.c regress/truth.c \
		-L$(MTDIR) -Wl,--no-as-needed -lmalloctag -Wl,-rpath,$(abspath $(MTDIR))

# allocators leak refuses: musl's (musl-gcc, from ./deps' musl-tools),
# a program's own, and valgrind's (foreign, run under valgrind)
MUSLCC = musl-gcc

$(REGRESS_DIR)/musl-static: regress/foreign.c | $(REGRESS_DIR)
	$(MUSLCC) $(RCFLAGS) -static -o $@ regress/foreign.c

$(REGRESS_DIR)/musl-dynamic: regress/foreign.c | $(REGRESS_DIR)
	$(MUSLCC) $(RCFLAGS) -o $@ regress/foreign.c

$(REGRESS_DIR)/foreign $(REGRESS_DIR)/ownmalloc: $(REGRESS_DIR)/%: regress/%.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/$*.c
# the server tests (regress/servers): a forked child with a grown
# heap, run apart from the generic truth tests since leak looks at
# the child, not the process started
regress-targets: $(REGRESS_DIR)/t-fork

# regress/errors' targets: one that made itself non-dumpable, one with
# a CLONE_VM child (both with a truth), and one that execs itself in a
# loop (none: it never settles); regress/snapshot's, one with a seccomp filter
ERRORBINS = $(REGRESS_DIR)/t-nodump $(REGRESS_DIR)/t-clonevm $(REGRESS_DIR)/t-exec \
	$(REGRESS_DIR)/t-seccomp
regress-targets: $(ERRORBINS)

$(REGRESS_DIR)/t-exec: regress/t-exec.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/t-exec.c

# t-evil and lib-evil.so (regress/inject): built with placeholder
# names, which regress/evilnames.py then overwrites with hostile ones
# (the .raw files keep the placeholders).  lib-evil.so is dlopen'd by
# the path t-evil is given, so it has no rpath or soname to keep.
EVIL = regress/evilnames.py
EVILH = $(REGRESS_DIR)/evil.h
regress-targets: $(REGRESS_DIR)/t-evil $(REGRESS_DIR)/lib-evil.so

$(EVILH): $(EVIL) | $(REGRESS_DIR)
	python3 $(EVIL) header >$@.tmp && mv $@.tmp $@

$(REGRESS_DIR)/t-evil.raw: regress/t-evil.c $(EVILH) regress/truth.c regress/truth.h $(MALLOCTAG)
	$(CC) $(RCFLAGS) -I$(REGRESS_DIR) -o $@ regress/t-evil.c regress/truth.c \
		-L$(MTDIR) -Wl,--no-as-needed -lmalloctag -Wl,-rpath,$(abspath $(MTDIR))

$(REGRESS_DIR)/t-evil: $(REGRESS_DIR)/t-evil.raw $(EVIL)
	python3 $(EVIL) patch $< $@ EVILDATA EVILCODE EVILFUNC EVILFILE EVILCLASS

$(REGRESS_DIR)/lib-evil.raw: regress/lib-evil.c $(EVILH) regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -I$(REGRESS_DIR) -fPIC -shared -o $@ regress/lib-evil.c

$(REGRESS_DIR)/lib-evil.so: $(REGRESS_DIR)/lib-evil.raw $(EVIL)
	python3 $(EVIL) patch $< $@ EVILLIBFUNC EVILLIBFILE

# the signal tests' targets and driver, run by regress/signals;
# no truth file, so no truth.c
SIGBINS = $(REGRESS_DIR)/t-rtcount $(REGRESS_DIR)/t-syscalls $(REGRESS_DIR)/sigdrive
regress-targets: $(SIGBINS)

$(REGRESS_DIR)/t-rtcount $(REGRESS_DIR)/t-syscalls $(REGRESS_DIR)/sigdrive: $(REGRESS_DIR)/%: regress/%.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ $<

# regress/trial: programs as users write them.  trial-tcbig has a
# truth; trial-kv and its load trial-kvload, trial-manythreads and
# trial-churn are plain programs (see their heads).
TRIALBINS = $(REGRESS_DIR)/trial-tcbig $(REGRESS_DIR)/trial-kv $(REGRESS_DIR)/trial-kvload \
	$(REGRESS_DIR)/trial-manythreads $(REGRESS_DIR)/trial-churn
regress-targets: $(TRIALBINS)

$(REGRESS_DIR)/trial-tcbig: regress/trial-tcbig.c regress/truth.c regress/truth.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/trial-tcbig.c regress/truth.c

$(REGRESS_DIR)/trial-manythreads $(REGRESS_DIR)/trial-churn: $(REGRESS_DIR)/trial-%: regress/trial-%.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/trial-$*.c

$(REGRESS_DIR)/trial-kv $(REGRESS_DIR)/trial-kvload: $(REGRESS_DIR)/trial-%: regress/trial-%.cc | $(REGRESS_DIR)
	$(CXX) $(RCFLAGS) -o $@ regress/trial-$*.cc

# the pool model's targets (regress/pool): t-poolcorrupt runs with
# build/libpool.so preloaded; t-poolmixed links build/libpool.a beside
# glibc's malloc, and t-poolmixed-stripped, without symbols, has its
# pool found by magic.  lib/pool comes from the top Makefile.
POOLLIB = build/libpool.a
POOLTARGETS = $(REGRESS_DIR)/t-poolcorrupt $(REGRESS_DIR)/t-poolmixed $(REGRESS_DIR)/t-poolmixed-stripped
regress-targets: $(POOLTARGETS)

$(REGRESS_DIR)/t-poolcorrupt: regress/t-poolcorrupt.c regress/truth.c regress/truth.h lib/pool/pool.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/t-poolcorrupt.c regress/truth.c

$(REGRESS_DIR)/t-poolmixed: regress/t-poolmixed.c regress/truth.c regress/truth.h lib/pool/pool.h $(POOLLIB) | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/t-poolmixed.c regress/truth.c $(POOLLIB) -lpthread

$(REGRESS_DIR)/t-poolmixed-stripped: $(REGRESS_DIR)/t-poolmixed
	strip --strip-all -o $@ $<

# lib/pool's tests, run by regress/pool-check: pool-test.c preloaded
# with build/libpool.so (pool-test), linked with build/libpool.a
# (pool-test-a), and with libpool.a's sources compiled in under ASan
# and UBSan (pool-test-asan); malloctag-cxx.cc linked with -lpool
# (pool-cxx).  -rdynamic so that dladdr can name what tags point into.
POOLDIR = build
POOLASRC = $(filter-out %/libc.c %/delete.c %/layerpc.c,$(wildcard lib/pool/*.c))
POOLTESTS = $(REGRESS_DIR)/pool-test $(REGRESS_DIR)/pool-test-a $(REGRESS_DIR)/pool-test-asan $(REGRESS_DIR)/pool-cxx
POOLDEP = regress/pool-test.c $(MTDEP) lib/pool/pool.h
POOLINC = -Ilib/pool -Ilib/malloctag
POOLASAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
.PHONY: pool-targets
pool-targets: $(POOLTESTS) $(REGRESS_DIR)/trial-kv $(REGRESS_DIR)/trial-kvload
regress-targets: $(POOLTESTS)

$(REGRESS_DIR)/pool-test: $(POOLDEP) | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -rdynamic $(POOLINC) -o $@ regress/pool-test.c regress/mtcheck.c -ldl

$(REGRESS_DIR)/pool-test-a: $(POOLDEP) $(POOLDIR)/libpool.a | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -DPONLY -rdynamic $(POOLINC) -o $@ regress/pool-test.c regress/mtcheck.c $(POOLDIR)/libpool.a -ldl

$(REGRESS_DIR)/pool-test-asan: $(POOLDEP) $(POOLASRC) lib/pool/fns.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) $(POOLASAN) -DPONLY -rdynamic $(POOLINC) -o $@ regress/pool-test.c regress/mtcheck.c $(POOLASRC) -ldl

$(REGRESS_DIR)/pool-cxx: regress/malloctag-cxx.cc $(MTDEP) $(POOLDIR)/libpool.so | $(REGRESS_DIR)
	$(CXX) $(RCFLAGS) -rdynamic -Ilib/malloctag -o $@ regress/malloctag-cxx.cc -x c regress/mtcheck.c -x none \
		-L$(POOLDIR) -lpool -Wl,-rpath,$(abspath $(POOLDIR)) -ldl

# regress/faults' targets, with a truth: threads that come and go,
# that fork, a process that exits while leak looks, and 2000 threads
FAULTBINS = $(REGRESS_DIR)/t-churn $(REGRESS_DIR)/t-forker $(REGRESS_DIR)/t-exit $(REGRESS_DIR)/t-manythreads
regress-targets: $(FAULTBINS)
