/*
 * The trailer's one version-dependent fact, and Plan 9's calls
 * to read and set the tags in it.
 */
#include <gnu/libc-version.h>
#include "fns.h"

atomic_int mmhdr;

/*
 * An mmapped chunk's usable size is its size less 16 up to glibc 2.42,
 * less 8 from 2.43.  gnu_get_libc_version returns a constant string and
 * never allocates, so this is safe inside malloc; threads that race here
 * store the same value.
 */
int
findmmhdr(void)
{
	const char *s;
	int major, minor, m;

	s = gnu_get_libc_version();
	major = minor = 0;
	for(; *s >= '0' && *s <= '9'; s++)
		major = 10*major + *s - '0';
	if(*s == '.')
		for(s++; *s >= '0' && *s <= '9'; s++)
			minor = 10*minor + *s - '0';
	m = major > 2 || (major == 2 && minor >= 43) ? 8 : 16;
	atomic_store_explicit(&mmhdr, m, memory_order_relaxed);
	return m;
}

static u64*
tagsof(void *v)
{
	if(v == NULL)
		return NULL;
	return trailer(v, usable(v));
}

Public void
setmalloctag(void *v, uintptr_t pc)
{
	u64 *t;

	if((t = tagsof(v)) != NULL)
		t[0] = (t[0] & ~Pcmask) | (pc & Pcmask);
}

Public void
setrealloctag(void *v, uintptr_t pc)
{
	u64 *t;

	if((t = tagsof(v)) != NULL)
		t[1] = (t[1] & ~Pcmask) | (pc & Pcmask);
}

Public uintptr_t
getmalloctag(void *v)
{
	u64 *t;

	if((t = tagsof(v)) == NULL)
		return 0;
	return t[0] & Pcmask;
}

Public uintptr_t
getrealloctag(void *v)
{
	u64 *t;

	if((t = tagsof(v)) == NULL)
		return 0;
	return t[1] & Pcmask;
}
