#!/bin/sh
# make demo: start the leaking demo program, run leak on it, let it go.
O=${1:-build}
out=$(mktemp)
trap 'kill $pid 2>/dev/null; rm -f $out' EXIT
$O/regress/demo >$out &
pid=$!
i=0
until grep -q 'pid' $out; do
	i=$((i+1))
	[ $i -gt 100 ] && { echo "demo did not start" >&2; exit 1; }
	sleep 0.05
done
cat $out
echo "\$ leak $pid"
$O/leak $pid
echo "\$ leak demo"
(cd $O && PATH=.:$PATH ./leak demo)
echo "\$ leak -a $pid | wc -l"
$O/leak -a $pid | wc -l
echo "\$ leak -b -t png -r 2 -x 128 $pid > $O/demo.png"
$O/leak -b -t png -r 2 -x 128 $pid >$O/demo.png
