/*
 * trial-churn [-j] [-r rounds] [secs]: threads that come and go.
 * Each of Nspawn spawners creates detached (or, with -j, joined)
 * threads one after another; each thread mallocs and frees Nblocks
 * blocks rounds times (default 1), so it gets a tcache in some arena,
 * and ends, so its tcache and stack go back to glibc.  The heap is
 * never damaged: any "heap corrupted" from leak is wrong.  (Its
 * tcaches fit exactly; trial-tcbig makes the one that does not.)
 * Prints "ready"; runs for at most secs seconds (default 60).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	Nspawn = 4,	/* threads creating threads */
	Nblocks = 16,	/* blocks each short thread allocates */
};

static int joined, nrounds = 1;
static volatile int stop;

static void *
shortlived(void *arg)
{
	void *b[Nblocks];
	int i;

	int r;

	(void)arg;
	for(r = 0; r < nrounds; r++){
		for(i = 0; i < Nblocks; i++){
			b[i] = malloc(16 + 24*i);
			memset(b[i], i, 16 + 24*i);
		}
		for(i = 0; i < Nblocks; i++)
			free(b[i]);
	}
	return NULL;
}

static void *
spawner(void *arg)
{
	pthread_attr_t a;
	pthread_t t;

	(void)arg;
	pthread_attr_init(&a);
	if(!joined)
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	while(!stop){
		if(pthread_create(&t, &a, shortlived, NULL) != 0){
			usleep(1000);
			continue;
		}
		if(joined)
			pthread_join(t, NULL);
		else
			usleep(100);	/* let detached ones end: bounded thread count */
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[Nspawn];
	int i, secs;

	secs = 60;
	for(i = 1; i < argc; i++){
		if(strcmp(argv[i], "-j") == 0)
			joined = 1;
		else if(strcmp(argv[i], "-r") == 0 && i+1 < argc)
			nrounds = atoi(argv[++i]);
		else
			secs = atoi(argv[i]);
	}
	for(i = 0; i < Nspawn; i++)
		pthread_create(&t[i], NULL, spawner, NULL);
	printf("ready\n");
	fflush(stdout);
	sleep(secs);
	stop = 1;
	for(i = 0; i < Nspawn; i++)
		pthread_join(t[i], NULL);
	return 0;
}
