/*
 * lib-tagged.so, linked to t-tagged: eight leaked blocks and one
 * held, all malloc'd on one line here, so their site is in the
 * library.  The truth calls resolve to the executable's.
 */
#include "truth.h"
#include <stdlib.h>

void	*libkeep;

void	libtagged(void);

void
libtagged(void)
{
	void *p;
	int i;

	for(i = 0; i < 9; i++){
		p = malloc(72); SITE(p);
		if(p == nil)
			abort();
		truthfill(p, 72);
		if(i < 8)
			truthleak(p, 72);
		else{
			libkeep = p;
			truthheld(p, 72);
		}
	}
}
