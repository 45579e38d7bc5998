#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gmb-test: needs-kvm
#
# `gmembench compare` on real results: a run compared with itself passes
# (exit 0), the same run with every latency made 30% slower (and its
# throughput 30% lower) is a regression (exit 1), fewer than 9 repetitions
# warn, incomparable input exits 2. TAP output.

GMB=${GMB:-build/gmembench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }

echo "TAP version 13"
if [ ! -c /dev/kvm ]; then
	echo "1..0 # SKIP /dev/kvm absent"
	exit 0
fi
echo "1..9"
"$GMB" run granularity -b discard -d host -m 2M -g 64K,2M -r 9 -w 1 -f csv -q -o "$tmp/base" >/dev/null 2>&1
check "base run (9 repetitions) succeeded" "[ -s '$tmp/base/results.csv' ]"

"$GMB" compare "$tmp/base" "$tmp/base" >"$tmp/self.txt" 2>"$tmp/self.err"
check "a run compared with itself: exit 0" "[ $? -eq 0 ]"
check "no regression marked against itself" "grep -q '^0 regressions' '$tmp/self.txt' && ! grep -q ' regression$' '$tmp/self.txt'"

# the deliberately slowed candidate: same rows, latencies x1.3, rates /1.3
python3 - "$tmp/base/results.csv" "$tmp/slow" <<'PY'
import csv, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
rows = list(csv.DictReader(open(src, newline="")))
with open(out + "/results.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys(), lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        if r["status"] == "ok" and r["metric"]:
            for k in ("min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns"):
                r[k] = str(int(int(r[k]) * 1.3))
            r["conversions_per_s"] = repr(float(r["conversions_per_s"]) / 1.3)
        w.writerow(r)
PY
"$GMB" compare "$tmp/base" "$tmp/slow" --csv "$tmp/cmp.csv" >"$tmp/slow.txt" 2>"$tmp/slow.err"
rc=$?
check "30% slower candidate: exit 1 (rc $rc)" "[ $rc -eq 1 ]"
check "report marks regressions with significance" "grep -q 'regression' '$tmp/slow.txt' && grep -q '\*' '$tmp/slow.txt'"
check "comparison CSV written with verdicts" "grep -q ',regression' '$tmp/cmp.csv'"

"$GMB" run granularity -b discard -d host -m 2M -g 64K -r 3 -w 0 -f csv -q -o "$tmp/few" >/dev/null 2>&1
"$GMB" compare "$tmp/few" "$tmp/few" >/dev/null 2>"$tmp/few.err"
check "fewer than 9 repetitions: warning" "grep -q 'fewer than 9 repetitions' '$tmp/few.err'"

"$GMB" compare "$tmp/base" "$tmp/nonexistent" >/dev/null 2>&1
check "missing candidate: exit 2" "[ $? -eq 2 ]"
"$GMB" run layouts -b discard -m 2M -g 64K -r 1 -w 0 -f csv -q -o "$tmp/other" >/dev/null 2>&1
"$GMB" compare "$tmp/base" "$tmp/other" >/dev/null 2>&1
check "different workloads (no common cell): exit 2" "[ $? -eq 2 ]"
