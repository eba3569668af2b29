/*
 * demo: a program with two plain leaks, for the README.
 *
 *	build/regress/demo &
 *	leak demo
 *
 * sum builds a list and loses its head: all four nodes leak.
 * greet's second call drops the first greeting: one string leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Node Node;
struct Node
{
	Node	*next;
	int	v;
};

char	*greeting;

static Node*
push(Node *l, int v)
{
	Node *n;

	n = malloc(sizeof *n);
	n->next = l;
	n->v = v;
	return n;
}

/* adds 1..n the long way round, and never frees the list */
static __attribute__((noinline)) int
sum(int n)
{
	Node *l;
	int s;

	l = NULL;
	while(n > 0)
		l = push(l, n--);
	s = 0;
	for(; l != NULL; l = l->next)
		s += l->v;
	return s;
}

static void
greet(char *who)
{
	greeting = strdup(who);
}

/* a server's idle loop; its frame covers what sum left on the stack */
static void
idle(void)
{
	volatile char frame[512];

	memset((char*)frame, 0, sizeof frame);
	for(;;)
		pause();
}

int
main(void)
{
	greet("hello");
	greet("glenda");
	printf("%s: 1+2+3+4 = %d\n", greeting, sum(4));
	printf("demo: pid %d; leak it\n", getpid());
	fflush(stdout);
	idle();
}
