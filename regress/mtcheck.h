/*
 * mtcheck: what libmalloctag's tests (malloctag-test.c, and
 * malloctag-cxx.cc, which compiles this as C) share: ok/FAIL lines,
 * the "N passed, N failed" summary, and naming where a tag points.
 * The tests are linked -rdynamic so that dladdr can name their
 * functions; in and where tell the test's own code by exebase, which
 * mtinit sets.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int	mtinit(void);	/* -1, having said why, if the test cannot run */
int	mtdone(void);	/* the summary; main's exit status */
int	check(int c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char*	where(uintptr_t pc);
int	in(uintptr_t pc, const char *fn);
int	tagin(void *v, const char *fn, const char *what);

#ifdef __cplusplus
}
#endif
