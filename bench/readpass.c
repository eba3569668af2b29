/*
 * readpass: one read of a process's whole heap, the floor under any
 * check that must look at every word of it.
 *	readpass pid
 * Reads every private rw anonymous mapping and [heap] of /proc/PID/maps
 * with process_vm_readv, many ranges to a call, into one buffer that is
 * overwritten, and prints "BYTES SECONDS": the bytes in those mappings
 * and the time from opening maps to the last read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/uio.h>

typedef unsigned long ulong;

enum {
	Batch = 64<<20,		/* bytes one call reads: large, so calls cost nothing beside the copy */
	Niov = 1024,		/* IOV_MAX: ranges one call can take */
	Page = 4096,
	Linemax = 4096,
};

static char *buf;
static struct iovec remote[Niov];
static int nremote;
static ulong inbatch, total, unread;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec/1e9;
}

/* Read the batch; a range that cannot be read is skipped a page at a time, and counted. */
static void
flush(int pid)
{
	struct iovec local;
	ssize_t n;
	int i;

	while(nremote > 0){
		local.iov_base = buf;
		local.iov_len = inbatch;
		n = process_vm_readv(pid, &local, 1, remote, nremote, 0);
		if(n <= 0){
			/* the first range fails at its start: drop a page of it */
			n = remote[0].iov_len < Page ? remote[0].iov_len : Page;
			unread += n;
		}
		inbatch -= n;
		for(i = 0; i < nremote && (ulong)n >= remote[i].iov_len; i++)
			n -= remote[i].iov_len;
		memmove(remote, remote+i, (nremote-i) * sizeof remote[0]);
		nremote -= i;
		if(nremote > 0){
			remote[0].iov_base = (char*)remote[0].iov_base + n;
			remote[0].iov_len -= n;
		}
	}
	inbatch = 0;
}

static void
add(int pid, ulong lo, ulong hi)
{
	ulong n;

	total += hi - lo;
	while(lo < hi){
		if(nremote == Niov || inbatch == Batch)
			flush(pid);
		n = hi - lo;
		if(n > Batch - inbatch)
			n = Batch - inbatch;
		remote[nremote].iov_base = (void*)lo;
		remote[nremote].iov_len = n;
		nremote++;
		inbatch += n;
		lo += n;
	}
}

int
main(int argc, char **argv)
{
	char path[64], line[Linemax], perm[8], name[Linemax];
	ulong lo, hi, off, ino;
	double t;
	FILE *f;
	int pid;

	if(argc != 2 || (pid = atoi(argv[1])) <= 0){
		fprintf(stderr, "usage: readpass pid\n");
		return 2;
	}
	if((buf = malloc(Batch)) == NULL){
		perror("readpass: malloc");
		return 1;
	}
	t = now();
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	if((f = fopen(path, "r")) == NULL){
		perror(path);
		return 1;
	}
	while(fgets(line, sizeof line, f) != NULL){
		name[0] = 0;
		if(sscanf(line, "%lx-%lx %7s %lx %*s %lu %4095s", &lo, &hi, perm, &off, &ino, name) < 5)
			continue;
		if(strcmp(perm, "rw-p") != 0)
			continue;
		if(name[0] == 0 || strcmp(name, "[heap]") == 0)
			add(pid, lo, hi);
	}
	fclose(f);
	flush(pid);
	t = now() - t;
	if(unread > 0)
		fprintf(stderr, "readpass: %lu bytes could not be read\n", unread);
	printf("%lu %.3f\n", total, t);
	return 0;
}
