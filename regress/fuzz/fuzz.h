/*
 * The fuzzer of core files: fuzzcore.c runs leak's and umem's paths
 * on each input, check.c holds a report to what a sound heap is, and
 * mutate.c aims mutations at what the models read.
 * Include heapwalk.h first.
 */
int	heapsound(FILE*, Target*, Heap*);	/* 0, or -1 having said on FILE what is wrong */
