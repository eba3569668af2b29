#!/bin/sh
# bench/pool.sh [O]: O/libpool.so (O default build) against plain glibc,
# for the record.  The workload is bench/malloctag.c's (blocks of
# 8..1024 bytes, mostly small, filled, freed at random, one in eight
# realloc'd, one in 32 kept), with 1 and with 4 threads; each way is run
# REPS times (default 5), alternating, and the best wall time counts.
# OPS (default 4000000) is the total of operations, shared among the
# threads.  Prints each side's operations per second and their ratio.
cd "$(dirname "$0")/.." || exit 1
o=${1:-build}
lib=$(pwd)/$o/libpool.so
reps=${REPS:-5}
ops=${OPS:-4000000}
[ -f "$lib" ] || { echo "bench/pool.sh: no $lib; run make first" >&2; exit 1; }
mkdir -p build/bench
cc -O2 -g -pthread -o build/bench/malloctag bench/malloctag.c || exit 1
t=$(mktemp -d)
trap 'rm -rf $t' EXIT

# best THREADS [VAR=value]: the best wall time of reps runs
best() {
	n=$1
	shift
	i=0
	: >$t/times
	while [ $i -lt $reps ]; do
		env "$@" build/bench/malloctag $n $((ops / n)) >$t/out || exit 1
		awk '{print $2}' $t/out >>$t/times
		i=$((i+1))
	done
	sort -n $t/times | head -n 1
}

echo "libpool against glibc: $ops operations on blocks of 8..1024 bytes, best wall time of $reps runs"
printf '%-8s %14s %14s %8s\n' threads glibc-ops/s pool-ops/s ratio
for n in 1 4; do
	g=$(best $n X=1)
	p=$(best $n LD_PRELOAD=$lib)
	printf '%-8s %14.0f %14.0f %8.2f\n' $n $(echo "$ops/$g; $ops/$p; $g/$p" | bc -l)
done
