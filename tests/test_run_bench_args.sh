#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_bench.sh's command line, TAP output; needs no KVM. Every rejected
# command line must exit 2 at once (a timeout catches the old busy loop)
# with one line on stderr, before anything is installed, built, probed or
# created: apt-get, dpkg-query, make and modprobe are replaced by stubs on
# PATH that record any call, and the result dirs are checked to stay as
# they were. Accepted ones are checked with --dry-run, which prints the
# plan: relative paths resolve against the caller's directory. The
# preset's workloads must be exactly `gmembench list workloads`. The gate
# (bench/compare_gate.sh, what run_bench.sh runs after the matrix) is run
# on hand-made result dirs: same build 0, 10x slower 1, a truncated
# results.csv stops it with compare's message and exit 2.

# The check helpers are only ever called through check "$@"; the sh -c
# programs get their values as arguments, so their $1... stay unexpanded.
# shellcheck disable=SC2317,SC2016

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
script=$repo/run_bench.sh
gate=$repo/bench/compare_gate.sh
GMB=${GMB:-build/gmembench}
case "$GMB" in /*) ;; *) GMB=$repo/$GMB ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_run_bench_args.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=tests/tap.sh
. "$here/tap.sh"

# stubs: any call is a failure of the "nothing before the checks" rule
mkdir -p "$tmp/stubs" "$tmp/caller/base/granularity"
for c in apt-get dpkg-query make modprobe; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 1\n' "$c" "$tmp" >"$tmp/stubs/$c"
	chmod +x "$tmp/stubs/$c"
done
: >"$tmp/calls"
printf 'x\r\n' >"$tmp/caller/base/granularity/results.csv"

results_before=$(ls -a "$repo/results" 2>/dev/null)

# rb ARGS...: run_bench.sh from $tmp/caller with the stubs; sets rc, out, err
rb() {
	(cd "$tmp/caller" && PATH="$tmp/stubs:$PATH" timeout 10 bash "$script" "$@") \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

one_line() {	# one_line TEXT: exactly one line
	[ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]
}

# reject DESC MESSAGE ARGS...: exit 2, stderr is exactly MESSAGE, nothing run
reject() {
	desc=$1 msg=$2
	shift 2
	: >"$tmp/calls"
	rb "$@"
	if [ "$rc" -eq 2 ] && [ "$err" = "run_bench.sh: $msg" ] &&
	   one_line "$err" && [ ! -s "$tmp/calls" ] && [ ! -e "$tmp/caller/out" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "  # rc $rc, stderr: $err"
		echo "  # calls: $(cat "$tmp/calls")"
	fi
}

echo "TAP version 13"
echo "1..33"

for o in --preset --workloads --out --compare-with --modes; do
	reject "$o as the last argument: usage error, no busy loop" \
		"option '$o' needs a value (see --help)" --no-install "$o"
done
reject "an option where a value belongs" \
	"option '--out' needs a value, got the option '--preset' (see --help)" \
	--out --preset quick
reject "--opt= with an empty value" \
	"option '--workloads' needs a non-empty value" --workloads=
reject "a flag given a value" "option '--reload-kvm' takes no value" \
	--reload-kvm=yes
reject "unknown option" "unknown option '--fast' (see --help)" --fast
reject "unknown preset" \
	"--preset: unknown preset 'huge' (accepted: quick, standard, full)" \
	--out out --preset huge
reject "unknown workload, checked before install and build" \
	"--workloads: unknown workload 'nosuch' (accepted: granularity, layouts, pinned, invalidation, contention, bounce, footprint)" \
	--workloads granularity,nosuch --out out
reject "empty workload name" "--workloads: empty name in 'granularity,'" \
	--workloads granularity,
reject "unknown mode, before the probe" \
	"--modes: unknown mode 'fast' (accepted: inplace, dual)" \
	--modes inplace,fast --reload-kvm --out out
reject "--modes without --reload-kvm, before the probe" \
	"--modes needs --reload-kvm: switching modes reloads kvm.ko (every VM must be gone)" \
	--modes inplace,dual --out out
reject "--compare-with relative to the caller, not the script (bench/ is the script's)" \
	"--compare-with: '$tmp/caller/bench' is not a directory" --compare-with bench
mkdir "$tmp/caller/empty"
reject "--compare-with a dir without results" \
	"--compare-with: '$tmp/caller/empty' holds no <workload>/results.csv (expected a run_bench.sh result dir)" \
	--compare-with empty
mkdir "$tmp/caller/base2" && cp -r "$tmp/caller/base/granularity" "$tmp/caller/base2/"
reject "--out is the baseline" \
	"--out and --compare-with are the same directory: the run would overwrite its baseline" \
	--compare-with base2 --out ./base2/../base2
touch "$tmp/caller/afile"
reject "--out is a file" "--out: '$tmp/caller/afile' exists and is not a directory" \
	--out afile
check "no rejected command line left a result dir behind" \
	[ "$(ls -a "$repo/results" 2>/dev/null)" = "$results_before" ]

: >"$tmp/calls"
rb --help
check "--help: exit 0, usage, nothing run" \
	sh -c '[ "$1" -eq 0 ] && echo "$2" | grep -q -- "--dry-run" && [ ! -s "$3" ]' \
	sh "$rc" "$out" "$tmp/calls"

rb --dry-run --compare-with base --out rel --workloads=granularity,contention
check "--dry-run accepts the line: exit 0" [ "$rc" -eq 0 ]
check "--out relative to the caller's directory" \
	sh -c 'echo "$1" | grep -qxF "out: $2/caller/rel"' sh "$out" "$tmp"
check "--compare-with relative to the caller's directory" \
	sh -c 'echo "$1" | grep -qxF "compare-with: $2/caller/base"' sh "$out" "$tmp"
check "--dry-run created nothing and ran nothing" \
	sh -c '[ ! -e "$1/caller/rel" ] && [ ! -s "$1/calls" ]' sh "$tmp"

# the preset's matrix and the binary's registry name the same workloads
if [ -x "$GMB" ]; then
	"$GMB" list workloads | awk '/^  [^ ]/ { print $1 }' | sort >"$tmp/registry"
	for p in quick standard full; do
		rb --dry-run --preset "$p"
		echo "$out" | sed -n 's/^workloads: //p' | tr ',' '\n' | sort >"$tmp/matrix"
		check "$p preset runs exactly 'gmembench list workloads'" \
			cmp -s "$tmp/matrix" "$tmp/registry"
	done
else
	for _ in quick standard full; do skip "$GMB not built"; done
fi

# ---- the gate, on hand-made result dirs ----

# wl_csv DIR WORKLOAD SCALE [CUT]: 3 repetitions of one cell; latencies
# times SCALE, rates divided by it; CUT bytes cut off the end
wl_csv() {
	mkdir -p "$1/$2"
	{
		printf 'schema_version,run_id,workload,backend,driver,channel,variant,granularity_bytes,region_bytes,vcpus,repetition,warmup,status,reason,metric,p50_ns,p99_ns,conversions_per_s\r\n'
		for r in 0 1 2; do
			printf '1,run,%s,discard,host,-,-,65536,4194304,1,%d,0,ok,,convert_ns,%d,%d,%s\r\n' \
				"$2" "$r" $(( (1000 + r * 7) * $3 )) $(( (4000 + r * 11) * $3 )) \
				"$(awk -v s="$3" -v r="$r" 'BEGIN { printf "%.1f", (50000 + r * 300) / s }')"
		done
	} >"$1/$2/results.csv"
	if [ -n "${4:-}" ]; then
		head -c "-$4" "$1/$2/results.csv" >"$1/$2/cut" && mv "$1/$2/cut" "$1/$2/results.csv"
	fi
}

# gate BASE CAND: sets rc, out, err
run_gate() {
	sh "$gate" "$GMB" "$1" "$2" "$tmp/summary.md" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

if [ -x "$GMB" ]; then
	wl_csv "$tmp/g/base" a_wl 1
	wl_csv "$tmp/g/base" b_wl 1
	wl_csv "$tmp/g/base" c_wl 1
	wl_csv "$tmp/g/same" a_wl 1
	wl_csv "$tmp/g/same" b_wl 1
	run_gate "$tmp/g/base" "$tmp/g/same"
	check "gate: same results exit 0" [ "$rc" -eq 0 ]
	check "gate: a workload of base missing from cand is named" \
		sh -c 'echo "$1" | grep -qF "(c_wl: in $2 but not in this run)"' sh "$out" "$tmp/g/base"

	wl_csv "$tmp/g/slow" a_wl 1
	wl_csv "$tmp/g/slow" b_wl 10
	run_gate "$tmp/g/base" "$tmp/g/slow"
	check "gate: 10x slower at 3 repetitions exits 1, names the workload" \
		sh -c '[ "$1" -eq 1 ] && echo "$2" | grep -qx "REGRESSION in b_wl"' sh "$rc" "$out"

	wl_csv "$tmp/g/cut" a_wl 1 30
	wl_csv "$tmp/g/cut" b_wl 10
	run_gate "$tmp/g/base" "$tmp/g/cut"
	check "gate: a truncated results.csv stops the gate with exit 2" [ "$rc" -eq 2 ]
	check "gate: compare's message names the file and line" \
		sh -c 'echo "$1" | grep -qF "gmembench compare: $2/a_wl/results.csv:4: "' sh "$err" "$tmp/g/cut"
	check "gate: nothing compared after the stop" [ ! -e "$tmp/g/cut/b_wl/compare.md" ]
else
	for _ in 1 2 3 4 5 6; do skip "$GMB not built"; done
fi

[ "$failed" -eq 0 ]
