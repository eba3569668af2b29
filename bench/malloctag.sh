#!/bin/sh
# bench/malloctag.sh [O]: the cost of O/libmalloctag.so (O default build).
# Runs bench/malloctag.c with 1 and with 8 threads, under plain glibc and
# preloaded, alternating so that both see the same machine, REPS times
# each (default 11); compares the best times and the bytes held per live
# block.  The time compared is the CPU time of the workload's threads:
# on a busy machine wall time mostly measures the neighbours (best wall
# times are shown too).  OPS (default 10000000) is the total operations,
# shared among the threads.
#
# The bar, for the workload that fills its blocks: time ratio <= 1.10,
# no more than 16 bytes more per live block.  The same with only the
# blocks' first and last bytes written (touch) is shown for what it is,
# the allocator alone, and not held to the bar.
cd "$(dirname "$0")/.." || exit 1
o=${1:-build}
lib=$(pwd)/$o/libmalloctag.so
reps=${REPS:-11}
ops=${OPS:-10000000}
[ -f "$lib" ] || { echo "bench/malloctag.sh: no $lib; run make first" >&2; exit 1; }
mkdir -p build/bench
cc -O2 -g -pthread -o build/bench/malloctag bench/malloctag.c || exit 1
t=$(mktemp -d)
trap 'rm -rf $t' EXIT

# run THREADS OPS MODE: one line per run in $t/plain and $t/tagged: cpu wall live bytes
run() {
	: >$t/plain
	: >$t/tagged
	i=0
	while [ $i -lt $reps ]; do
		build/bench/malloctag $1 $2 $3 >$t/out || exit 1
		awk '{print $4, $2, $6, $8}' $t/out >>$t/plain
		LD_PRELOAD=$lib build/bench/malloctag $1 $2 $3 >$t/out || exit 1
		awk '{print $4, $2, $6, $8}' $t/out >>$t/tagged
		i=$((i+1))
	done
}

# best and median cpu, best wall, live blocks, bytes per block
stats() {
	w=$(sort -n -k2 $1 | awk 'NR==1 {print $2}')
	sort -n $1 | awk -v w=$w '{t[NR]=$1; l=$3; b=$4}
		END {printf "%.4f %.4f %.4f %d %.2f\n", t[1], t[int((NR+1)/2)], w, l, b/l}'
}

row() {
	printf '%-6s %-8s %-7s %9s %9s %9s %8s %12s\n' "$@"
}

fail=0
echo "libmalloctag cost: $ops operations on blocks of 8..1024 bytes, best and median of $reps runs"
row mode threads lib cpu-best cpu-med wall-best live bytes/block
for mode in fill touch; do
	for n in 1 8; do
		run $n $((ops / n)) $mode
		set -- $(stats $t/plain)
		pb=$1 pm=$2 pw=$3 pp=$5
		row $mode $n glibc $1 $2 $3 $4 $5
		set -- $(stats $t/tagged)
		tb=$1 tm=$2 tw=$3 tp=$5
		row $mode $n tagged $1 $2 $3 $4 $5
		r=$(echo "scale=3; $tb/$pb" | bc)
		echo "$mode $n thread(s): time ratio $r (best cpu)," \
			"$(echo "scale=3; $tm/$pm" | bc) (median cpu)," \
			"$(echo "scale=3; $tw/$pw" | bc) (best wall);" \
			"$(echo "scale=2; $tp-$pp" | bc) more bytes per live block"
		[ $mode = touch ] ||
		[ $(echo "$r <= 1.10 && $tp-$pp <= 16" | bc) = 1 ] || fail=1
	done
done
if [ $fail = 0 ]; then
	echo "fill: within the bar (time ratio <= 1.10, <= 16 bytes more per block)"
else
	echo "fill: over the bar (time ratio <= 1.10, <= 16 bytes more per block)"
fi
exit $fail
