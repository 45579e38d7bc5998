#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compare_gate.sh GMB BASE CAND [SUMMARY]: the regression gate of
# run_bench.sh, on its own so it can be tested without KVM.
#
# BASE and CAND are run_bench.sh result dirs. Every workload dir of CAND
# with a results.csv is compared with BASE's of the same name by
# `GMB compare` (its report into CAND/<wl>/compare.md and compare.csv,
# printed, and appended to SUMMARY when given). Workloads on one side only
# are named.
# Exit: 0 no regression; 1 a regression or a failed cell; 2 a comparison
# was impossible (bad or incomparable input): compare's message is
# printed and the gate stops there, the remaining workloads unjudged.

[ $# -ge 3 ] || { echo "usage: compare_gate.sh GMB BASE CAND [SUMMARY]" >&2; exit 2; }
gmb=$1 base=$2 cand=$3 summary=${4:-/dev/null}
status=0

for dir in "$cand"/*/; do
	dir=${dir%/}
	wl=$(basename "$dir")
	[ -s "$dir/results.csv" ] || continue
	if [ ! -s "$base/$wl/results.csv" ]; then
		echo "($wl: not in $base, not compared)" | tee -a "$summary"
		continue
	fi
	"$gmb" compare "$base/$wl" "$dir" --csv "$dir/compare.csv" \
		--format markdown >"$dir/compare.md" 2>"$dir/compare.err"
	rc=$?
	cat "$dir/compare.md"
	cat "$dir/compare.md" >>"$summary"
	case $rc in
	0) cat "$dir/compare.err" >&2 ;;
	1) cat "$dir/compare.err" >&2
	   echo "REGRESSION in $wl"
	   status=1 ;;
	*) cat "$dir/compare.err" >&2
	   echo "run_bench.sh: $wl: not comparable (compare exit $rc, see above): gate stopped" >&2
	   echo "$wl: not comparable: $(cat "$dir/compare.err")" >>"$summary"
	   exit 2 ;;
	esac
done
for dir in "$base"/*/; do
	dir=${dir%/}
	wl=$(basename "$dir")
	[ -s "$dir/results.csv" ] && [ ! -s "$cand/$wl/results.csv" ] &&
		echo "($wl: in $base but not in this run)" | tee -a "$summary"
done
exit $status
