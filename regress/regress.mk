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

REGRESS_BINS = $(REGRESS_TESTS:%=$(REGRESS_DIR)/t-%) $(REGRESS_DIR)/t-static \
	$(REGRESS_DIR)/lib-dl.so $(REGRESS_DIR)/demo

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
