#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gmb-test: needs-kvm
#
# End to end through the CLI on the real /dev/kvm: `gmembench probe` and a
# small `gmembench run granularity` over every backend. Checks what a user
# relies on: the CSV/JSON exist and parse, every available backend has ok
# rows for both drivers and every granularity, every unavailable backend is
# reported skipped with the same reason `probe` gives, nothing is faked.
# TAP output.

GMB=${GMB:-build/gmembench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

echo "TAP version 13"
if [ ! -c /dev/kvm ]; then
	echo "1..0 # SKIP /dev/kvm absent"
	exit 0
fi
echo "1..19"

"$GMB" probe >"$tmp/probe.txt" 2>&1
check "probe exits 0" "[ $? -eq 0 ]"
check "probe names this kernel" "grep -q \"kernel_release.*$(uname -r)\" '$tmp/probe.txt'"
# each backend: 'available (...)' or 'unavailable: <reason>'
bad=0
for b in inplace dual discard; do
	grep -Eq "^  $b +(available \(VM type|unavailable: .{20,})" "$tmp/probe.txt" || bad=1
done
check "probe reports every backend with a verdict or a reason" "[ $bad -eq 0 ]"
check "probe reports the request channel" "grep -Eq '^  channel +(pio|hypercall) ' '$tmp/probe.txt'"

"$GMB" run granularity -m 2M -g 4K,64K,2M -r 1 -w 1 -o "$tmp/run" -q >"$tmp/run.txt" 2>&1
rc=$?
check "run granularity exits 0 (rc $rc)" "[ $rc -eq 0 ]"
check "results.csv and results.json written" "[ -s '$tmp/run/results.csv' ] && [ -s '$tmp/run/results.json' ]"
check "no temporary files left" "[ -z \"\$(ls '$tmp/run' | grep '\.tmp\.')\" ]"

python3 - "$tmp/run" "$tmp/probe.txt" >"$tmp/py.txt" 2>&1 <<'PY'
import csv, json, re, sys
d, probe = sys.argv[1], open(sys.argv[2]).read()
rows = list(csv.DictReader(open(d + "/results.csv", newline="")))
doc = json.load(open(d + "/results.json"))
avail = {m.group(1): m.group(2) == "available"
         for m in re.finditer(r"^  (inplace|dual|discard) +(available|unavailable)", probe, re.M)}
errs = []
for b, ok in avail.items():
    brow = [r for r in rows if r["backend"] == b]
    if ok:
        for drv in ("guest", "host"):
            for g in ("4096", "65536", "2097152"):
                cell = [r for r in brow if r["driver"] == drv and r["granularity_bytes"] == g
                        and r["warmup"] == "0" and r["status"] == "ok" and r["metric"] == "convert_ns"]
                if not cell or int(cell[0]["count"]) != 2 * (2 * 1024 * 1024 // int(g)) * int(cell[0]["vcpus"]):
                    errs.append("missing/short ok row %s/%s/%s" % (b, drv, g))
    else:
        if not brow or any(r["status"] != "skipped" or len(r["reason"]) < 20 for r in brow):
            errs.append("backend %s should be skipped with a reason" % b)
if any(r["schema_version"] != "1" for r in rows):
    errs.append("schema_version")
if doc["schema_version"] != 1 or len(doc["results"]) == 0:
    errs.append("json document")
if sum(1 for r in doc["results"] if r["status"] == "ok") == 0 and any(avail.values()):
    errs.append("json has no ok cells")
print("\n".join(errs) if errs else "OK")
PY
check "CSV rows: ok cells for available backends, skipped+reason for the others" "grep -qx OK '$tmp/py.txt'"
grep -vx OK "$tmp/py.txt" | sed 's/^/# /'
check "summary printed" "grep -q 'conv/s' '$tmp/run.txt'"
# every metric a row carries is one 'gmembench list metrics' documents
"$GMB" list metrics | awk '/^      [a-z]/ { print $1 }' | sort -u >"$tmp/listed"
python3 -c 'import csv,sys; print("\n".join(sorted({r["metric"] for r in csv.DictReader(open(sys.argv[1])) if r["metric"]})))' \
	"$tmp/run/results.csv" >"$tmp/used"
undoc=$(comm -23 "$tmp/used" "$tmp/listed" | tr '\n' ' ')
check "every metric in results.csv is in 'gmembench list metrics' (undocumented: ${undoc:-none})" "[ -s '$tmp/used' ] && [ -z '$undoc' ]"

# a backend the user asks for that the host lacks: skipped, exit 4 (kselftest)
if grep -Eq '^  inplace +unavailable' "$tmp/probe.txt"; then
	"$GMB" run granularity -b inplace -m 2M -g 4K -r 1 -o "$tmp/skip" -q >"$tmp/skip.txt" 2>&1
	rc=$?
	check "only unavailable backends requested: exit 4 (rc $rc)" "[ $rc -eq 4 ]"
	check "skip row carries the probe's reason" "grep -q 'ENOTTY' '$tmp/skip/results.csv'"
else
	n=$((n + 1)); echo "ok $n # SKIP inplace is available on this host"
	n=$((n + 1)); echo "ok $n # SKIP inplace is available on this host"
fi
"$GMB" run granularity -b discard -m 2M -g 64K -r 2 -w 0 -f csv -o "$tmp/nowarm" -q >/dev/null 2>&1
check "--warmup 0 writes no warm-up rows" "! cut -d, -f14 '$tmp/nowarm/results.csv' | grep -qx 1"

# a wedged or slow cell is cut at --timeout, reported, and the run goes on
start=$(date +%s)
"$GMB" run granularity -b discard -d guest -m 256M -g 4K,256M -r 1 -w 0 -t 1 -f csv -o "$tmp/to" -q >/dev/null 2>&1
rc=$?
took=$(( $(date +%s) - start ))
check "timed-out cell makes the run exit 1 (rc $rc)" "[ $rc -eq 1 ]"
check "timeout row names the limit" "grep -q ',timeout,\"\\{0,1\\}cell exceeded --timeout' '$tmp/to/results.csv'"
check "the next cell still ran (took ${took}s)" "grep -q ',268435456,' '$tmp/to/results.csv' && [ $took -lt 60 ]"

# disk full mid-run: clear error, exit 1, the files keep their last whole version
mkdir -p "$tmp/full"
if unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs '$tmp/full' && '$GMB' run granularity -b discard -m 2M -g 4K,64K -r 3 -o '$tmp/full/out' -q >/dev/null 2>'$tmp/full.err'; echo \$? >'$tmp/full.rc'; python3 -c \"import csv,json; list(csv.DictReader(open('$tmp/full/out/results.csv'))); json.load(open('$tmp/full/out/results.json'))\" && ! ls '$tmp/full/out' | grep -q '\.tmp\.' && touch '$tmp/full.valid'" 2>/dev/null; then
	check "disk full: exit 1 (rc $(cat "$tmp/full.rc"))" "[ \"\$(cat '$tmp/full.rc')\" = 1 ]"
	check "disk full: one clear stop line naming the directory" "grep -q 'stopping: results can no longer be written to' '$tmp/full.err' && grep -q 'No space left on device' '$tmp/full.err'"
	check "disk full: CSV and JSON still parse, no temp files" "[ -e '$tmp/full.valid' ]"
else
	for i in 1 2 3; do n=$((n + 1)); echo "ok $n # SKIP cannot mount a small tmpfs in a private mount namespace (unshare -m)"; done
fi
