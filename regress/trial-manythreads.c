/*
 * trial-manythreads [nthreads [nbusy [secs]]]: many threads, most idle
 * in a condition wait, nbusy busy with malloc and free.  Each thread
 * holds one block on its stack (live: leak must not report it) and
 * loses one (its first word Lostmagic, its second the thread's number).
 * Prints "ready" once every thread has done both; ends after secs
 * seconds (default 60) or on SIGUSR1.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	Lostmagic = 0x74736f6c,	/* "lost" */
	Heldmagic = 0x646c6568,	/* "held" */
	Stack = 64*1024,	/* small stacks: thousands of threads fit */
	Busyblocks = 32,	/* a busy thread's working set */
};

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int nready, quit, nbusy;
static volatile sig_atomic_t usr1;

static void
onusr1(int s)
{
	(void)s;
	usr1 = 1;
}

static void
lose(long id)
{
	long *p;

	p = malloc(48);
	p[0] = Lostmagic;
	p[1] = id;
	asm volatile("" : : "r"(p) : "memory");	/* keep the stores */
}

static void *
thread(void *arg)
{
	long id, i, *held, *b[Busyblocks];

	id = (long)arg;
	held = malloc(64);
	held[0] = Heldmagic;
	held[1] = id;
	lose(id);
	memset(b, 0, sizeof b);
	pthread_mutex_lock(&lk);
	nready++;
	if(id >= nbusy){
		while(!quit)
			pthread_cond_wait(&cv, &lk);
		pthread_mutex_unlock(&lk);
	}else{
		pthread_mutex_unlock(&lk);
		for(i = 0; !quit; i++){
			free(b[i % Busyblocks]);
			b[i % Busyblocks] = malloc(16 + (i*7) % 500);
			if(i % 1000 == 0)
				usleep(100);
		}
		for(i = 0; i < Busyblocks; i++)
			free(b[i]);
	}
	asm volatile("" : : "r"(held) : "memory");	/* live until here */
	free(held);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_attr_t a;
	pthread_t *t;
	int n, i, secs;

	n = argc > 1 ? atoi(argv[1]) : 1000;
	nbusy = argc > 2 ? atoi(argv[2]) : 8;
	secs = argc > 3 ? atoi(argv[3]) : 60;
	signal(SIGUSR1, onusr1);
	t = calloc(n, sizeof *t);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, Stack);
	for(i = 0; i < n; i++)
		if(pthread_create(&t[i], &a, thread, (void*)(long)i) != 0){
			fprintf(stderr, "trial-manythreads: thread %d: cannot create\n", i);
			return 1;
		}
	for(;;){
		pthread_mutex_lock(&lk);
		i = nready;
		pthread_mutex_unlock(&lk);
		if(i == n)
			break;
		usleep(1000);
	}
	printf("ready\n");
	fflush(stdout);
	for(i = 0; i < secs*10 && !usr1; i++)
		usleep(100000);
	pthread_mutex_lock(&lk);
	quit = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&lk);
	for(i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("ok\n");
	return 0;
}
