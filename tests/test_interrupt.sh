#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gmb-test: needs-kvm
#
# "A run never lies and never loses data": a benchmark stopped by SIGINT or
# SIGTERM must exit 130 promptly and leave result files that parse and say
# what happened. TAP output; exit 0 iff every test point is ok or skipped.
#
# What the runner promises (bench/runner.c): the first signal stops the
# current cell (vCPUs kicked out of KVM_RUN), that repetition's partial
# result is written with status "interrupted", the files are rewritten
# atomically with every finished row and results.json says
# "interrupted": true. So after one signal the expected state is: all rows
# but the last (cell, repetition) "ok", the last one "interrupted" -- or,
# when the signal lands in the instant between two repetitions, every row
# "ok"; both are accepted, nothing else is. A second signal exits at once
# (_exit from the handler): the files present then are whatever the last
# atomic rewrite left, and must still parse.
#
# Cases: SIGINT once a repetition (not the warm-up) is in results.csv;
# two SIGINTs back to back;
# SIGTERM; SIGINT before any repetition finished (results.json holds only
# its context, results.csv does not exist yet).

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=tests/tap.sh
. "$here/tap.sh"
bin=$(gmb_bin)

echo "TAP version 13"
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
require_bin "$bin"
command -v python3 >/dev/null || skip_all "python3 not installed (it parses the result files)"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "/dev/kvm missing or not read/write for uid $(id -u)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_interrupt.XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The checker prints "ok|desc" or "not ok|desc" lines.
# check.py DIR MODE: MODE "graceful" (one signal: final state) or "abort"
# (files as the last atomic rewrite left them; results.csv may be absent).
cat >"$tmp/check.py" <<'EOF'
import csv, json, os, sys

d, mode = sys.argv[1], sys.argv[2]
after_rep = len(sys.argv) > 3 and sys.argv[3] == "rep"
out = []


def res(good, desc):
    out.append(("ok" if good else "not ok") + "|" + desc)


def key(r):
    return (r["backend"], r["driver"], r["channel"], r["variant"],
            str(r["granularity_bytes"]), str(r["repetition"]))


csv_path = os.path.join(d, "results.csv")
json_path = os.path.join(d, "results.json")
groups, rows = [], {}
csv_ok = False
if os.path.exists(csv_path) or mode == "graceful":
    try:
        with open(csv_path, newline="") as f:
            data = list(csv.DictReader(f, strict=True))
        hdr_ok = data == [] or "status" in data[0]
        for r in data:
            if None in r or None in r.values():
                raise ValueError("row with a field count other than the header's")
            k = key(r)
            if not groups or groups[-1] != k:
                groups.append(k)
            rows.setdefault(k, []).append(r)
        csv_ok = hdr_ok
        res(csv_ok, "results.csv parses (%d rows, %d repetitions)" %
            (len(data), len(groups)))
    except Exception as e:
        res(False, "results.csv parses: %s" % e)
else:
    res(True, "results.csv not written yet (abort before the first repetition)")

try:
    with open(json_path) as f:
        doc = json.load(f)
    results = doc["results"]
    res(True, "results.json parses (%d results)" % len(results))
except Exception as e:
    doc, results = None, None
    res(False, "results.json parses: %s" % e)

if mode == "graceful" and doc is not None:
    res(doc["context"].get("interrupted") is True,
        "results.json context.interrupted is true")
    res(doc["context"].get("cells_finished") == len(results),
        "context.cells_finished %r == %d results" %
        (doc["context"].get("cells_finished"), len(results)))

if doc is not None and csv_ok:
    jkeys = [key(r) for r in results]
    if mode == "graceful":
        same = jkeys == groups
    else:
        # the two files are rewritten one after the other: one may be a
        # repetition ahead of the other, never more, and never different
        a, b = (jkeys, groups) if len(jkeys) <= len(groups) else (groups, jkeys)
        same = b[:len(a)] == a and len(b) - len(a) <= 1
    res(same, "results.csv and results.json hold the same repetitions, in order")
    mism = []
    for r in results:
        k = key(r)
        nm = max(1, len(r.get("metrics") or {}))
        st = set(x["status"] for x in rows.get(k, []))
        if k in rows and (len(rows[k]) != nm or st != {r["status"]}):
            mism.append("%s: json %s/%d metrics, csv %s/%d rows" %
                        ("/".join(k), r["status"], nm, sorted(st), len(rows[k])))
    res(not mism, "every repetition has the same status and metrics in both files" +
        (": " + "; ".join(mism[:3]) if mism else ""))

if csv_ok and groups:
    st = [rows[k][0]["status"] for k in groups]
    if mode == "graceful":
        good = all(s == "ok" for s in st[:-1]) and st[-1] in ("ok", "interrupted")
        res(good, "finished repetitions ok, the last one %s (statuses: %s)" %
            (st[-1], ",".join(st)))
        if after_rep:
            res(st.count("ok") >= 1,
                "the repetition finished before the signal is in the files, ok")
        if st[-1] == "interrupted":
            res(all(r["reason"].startswith("interrupted by signal") for r in rows[groups[-1]]),
                "the interrupted repetition's reason says 'interrupted by signal'")
    else:
        # the first signal may have got its interrupted row out already
        good = all(s == "ok" for s in st[:-1]) and st[-1] in ("ok", "interrupted")
        res(good, "every row written before the abort is ok (%s)" % ",".join(st))

tmps = [f for f in os.listdir(d) if ".tmp." in f]
res(not tmps, "no leftover temp files" + (": " + ", ".join(tmps) if tmps else ""))

print("\n".join(out))
EOF

# run_checker DIR MODE NAME [rep]: turn the checker's lines into test points
run_checker() {
	python3 "$tmp/check.py" "$1" "$2" "${4:-}" >"$tmp/checks" 2>&1 ||
		echo "not ok|checker crashed: $(tail -1 "$tmp/checks")" >>"$tmp/checks"
	while IFS='|' read -r st desc; do
		case $st in
		ok)	ok "$3: $desc" ;;
		"not ok") not_ok "$3: $desc" ;;
		*)	not_ok "$3: checker output '$st$desc'" ;;
		esac
	done <"$tmp/checks"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# start DIR: the benchmark in the background, its pid in $pid
start() {
	"$bin" run granularity -b discard -m 64M -r 20 -o "$1" -q \
		>"$1.stdout" 2>"$1.stderr" &
	pid=$!
}

# rep_done FILE: FILE holds a row of a finished repetition (column 13,
# repetition, >= 0: the warm-up's rows are -1 and written only on failure)
rep_done() {
	[ -e "$1" ] && awk -F, 'NR > 1 && $13 >= 0 { found = 1 } END { exit !found }' "$1"
}

# wait_for FILE SECONDS [rep]: 0 once FILE exists (with "rep": once it holds
# a finished repetition), 1 on timeout or early exit
wait_for() {
	deadline=$(($(now_ms) + $2 * 1000))
	while if [ "${3:-}" = rep ]; then ! rep_done "$1"; else [ ! -e "$1" ]; fi; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
	return 0
}

# reap LIMIT_S: wait for $pid (killing it after LIMIT_S), sets rc, took_ms
reap() {
	t0=$(now_ms)
	( sleep "$1"; kill -KILL "$pid" 2>/dev/null ) &
	watchdog=$!
	wait "$pid"
	rc=$?
	took_ms=$(($(now_ms) - t0))
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	pid=
}

# one_signal NAME SIG WAIT_FILE SETTLE_S [rep]
one_signal() {
	dir=$tmp/$1
	start "$dir"
	if ! wait_for "$dir/$3" 120 "${5:-}"; then
		not_ok "$1: $3 appeared within 120 s (run output: $(tail -1 "$dir.stderr"))"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		return
	fi
	sleep "$4"
	kill -"$2" "$pid"
	reap 30
	check "$1: SIG$2 exits 130 (got $rc)" [ "$rc" -eq 130 ]
	check "$1: exited within 10 s of the signal (${took_ms} ms)" [ "$took_ms" -le 10000 ]
	check "$1: stderr says it was interrupted and where the results are" \
		grep -q "^results: $dir/\$" "$dir.stderr"
	run_checker "$dir" graceful "$1" "${5:-}"
}

# --- one SIGINT after the first repetition --------------------------------
one_signal sigint INT results.csv 0.5 rep

# --- SIGTERM behaves like SIGINT ---------------------------------------------
one_signal sigterm TERM results.csv 0.5 rep

# --- SIGINT before any repetition finished ---------------------------------
# results.json is written (context only) before the first cell starts
one_signal early INT results.json 0.2

# --- two SIGINTs back to back: the second aborts at once -------------------
dir=$tmp/abort
start "$dir"
if wait_for "$dir/results.csv" 120 rep; then
	sleep 0.5
	t0=$(now_ms)
	kill -INT "$pid"
	kill -INT "$pid"
	reap 30
	took_ms=$(($(now_ms) - t0))
	check "abort: two SIGINTs exit 130 (got $rc)" [ "$rc" -eq 130 ]
	check "abort: exited within 2 s (${took_ms} ms)" [ "$took_ms" -le 2000 ]
	run_checker "$dir" abort abort
else
	not_ok "abort: results.csv appeared within 120 s (run output: $(tail -1 "$dir.stderr"))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
fi

echo "1..$n"
[ "$failed" -eq 0 ]
