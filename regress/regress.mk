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

$(REGRESS_DIR)/image-test: regress/image-test.c $(IMAGESRC) lib/image/image.h lib/image/fns.h | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ regress/image-test.c $(IMAGESRC) -lz

# the signal tests' targets and driver, run by regress/signals;
# no truth file, so no truth.c
SIGBINS = $(REGRESS_DIR)/t-rtcount $(REGRESS_DIR)/t-syscalls $(REGRESS_DIR)/sigdrive
regress-targets: $(SIGBINS)

$(REGRESS_DIR)/t-rtcount $(REGRESS_DIR)/t-syscalls $(REGRESS_DIR)/sigdrive: $(REGRESS_DIR)/%: regress/%.c | $(REGRESS_DIR)
	$(CC) $(RCFLAGS) -o $@ $<
