#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plots/render.sh end to end, TAP output. A synthetic but realistic
# results.csv (schema v1: discard backend, drivers guest and host, 4K/64K/2M,
# three repetitions plus a warm-up, seven metrics, skipped inplace and dual
# rows whose reasons hold commas, quotes and a newline) is rendered; then
# the images are checked as files (PNG signature and IHDR size, SVG header)
# and the extracted data against medians computed here, independently.
# Then one synthetic run per workload with its own plot (invalidation,
# pinned, bounce, layouts, footprint with its time series, contention at
# 1, 2 and 4 vCPUs in three directories merged by one render.sh call), each
# plot checked the same way and its numbers against values derived here.
# Exit 0 if every test passed or skipped, 1 otherwise.

# The check helpers are only ever called through check "$@".
# shellcheck disable=SC2317

here=$(cd "$(dirname "$0")" && pwd)
render=$here/../plots/render.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_plots.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=tests/tap.sh
. "$here/tap.sh"

not() {	# not COMMAND...: succeeds when COMMAND fails
	! "$@"
}

PLOTS='latency_vs_granularity latency_cdf phases backend_ratio throughput'
nplots=5
# test points of the per-workload section (one per check or wl_plot there)
nwl=43

# The CSV writing both generators share (awk): q() quotes a field as the
# sinks do; row(a) prints a[cols[1..ncol]] as one CRLF line, the columns
# reversed when order is "reversed".
csv_awk='
	function q(s) {
		if (s ~ /[",\r\n]/) {
			gsub(/"/, "\"\"", s)
			return "\"" s "\""
		}
		return s
	}
	function row(a,    i, line) {
		line = ""
		if (order == "reversed")
			for (i = ncol; i >= 1; i--)
				line = line (i < ncol ? "," : "") q(a[cols[i]])
		else
			for (i = 1; i <= ncol; i++)
				line = line (i > 1 ? "," : "") q(a[cols[i]])
		printf "%s\r\n", line
	}
'

# gen_csv FILE ORDER BACKENDS [nodir]: ORDER=schema writes the schema's
# column order, ORDER=reversed the same rows with the columns reversed
# (render.sh must look fields up by header name). BACKENDS lists the backends
# that ran ("discard", or "discard inplace dual"); "nodir" leaves out the
# per-direction metrics to_private_ns and to_shared_ns (as an older CSV
# would), so latency_vs_granularity falls back to convert_ns. inplace is
# made exactly 2x faster
# than the others. Without inplace/dual those get status rows instead. Rows are CRLF terminated as the schema
# says. Per cell the three repetitions scale a base latency by 1.10, 0.95
# and 1.00, so the median is exactly the base and neither the first, the
# middle nor the mean; the warm-up is 100x slower so a leak shows. The
# guest 4K rows carry a reason with commas and quotes, so a naive split
# would shift their numbers.
gen_csv() {
	awk -v order="$2" -v backends="$3" -v nodir="${4:-}" "$csv_awk"'
	function base_row(be, drv, gran) {
		split("", v)
		v["schema_version"] = 1; v["run_id"] = "20240101-120000-test"
		v["workload"] = "granularity"; v["backend"] = be; v["driver"] = drv
		v["channel"] = (drv == "guest") ? "hypercall" : "-"
		v["variant"] = "-"; v["vm_type"] = (be == "discard") ? 0 : 1; v["granularity_bytes"] = gran
		v["region_bytes"] = 67108864; v["vcpus"] = 1; v["iterations"] = 4
		v["status"] = "ok"; v["reason"] = ""
	}
	BEGIN {
		ncol = split("schema_version run_id workload backend driver channel variant vm_type granularity_bytes region_bytes vcpus iterations repetition warmup status reason metric count min_ns p50_ns p90_ns p99_ns p999_ns p9999_ns max_ns mean_ns stddev_ns cv conversions bytes_converted eagain_total retries_total guest_pages_touched wall_ns conversions_per_s bytes_per_s", cols, " ")
		for (i = 1; i <= ncol; i++)
			h[cols[i]] = cols[i]
		row(h)
		nm = split("convert_ns punch_ns exit_roundtrip_ns touch_private_ns touch_shared_ns to_private_ns to_shared_ns", met, " ")
		split("1.0 0.1 0.3 0.05 0.04 1.0 0.15", mshare, " ")
		if (nodir != "")
			nm -= 2
		split("1.10 0.95 1.00", scale, " ")
		split("4096 65536 2097152", gr, " ")
		split("guest host", dr, " ")
		nb = split(backends, bes, " ")
		for (k = 1; k <= nb; k++)
		for (d = 1; d <= 2; d++)
		for (g = 1; g <= 3; g++)
		for (r = -1; r <= 2; r++)
		for (m = 1; m <= nm; m++) {
			gran = gr[g]
			base_row(bes[k], dr[d], gran)
			bf = (bes[k] == "inplace") ? 0.5 : 1
			# ~2.5 us + 0.35 ns/byte, host driver 1.5x: made-up but
			# shaped like a real run so the plots look like one.
			b = int((2500 + gran * 0.35) * (d == 2 ? 1.5 : 1) * mshare[m] * bf)
			s = (r < 0) ? 100 : scale[r + 1]
			v["repetition"] = r; v["warmup"] = (r < 0) ? 1 : 0
			v["metric"] = met[m]
			if (d == 1 && g == 1)
				v["reason"] = "2 EAGAIN, \"retried\", recovered"
			v["count"] = 4 * 67108864 / gran
			v["min_ns"] = int(b * s * 0.6); v["p50_ns"] = int(b * s)
			v["p90_ns"] = int(b * s * 1.4); v["p99_ns"] = int(b * s * 3)
			v["p999_ns"] = int(b * s * 6); v["p9999_ns"] = int(b * s * 11)
			v["max_ns"] = int(b * s * 25); v["mean_ns"] = b * s * 1.2
			v["stddev_ns"] = b * s * 0.5; v["cv"] = 0.5 / 1.2
			v["conversions"] = v["count"]
			v["bytes_converted"] = v["count"] * gran
			v["eagain_total"] = 0; v["retries_total"] = 0
			v["guest_pages_touched"] = v["count"] * gran / 4096
			cb = int((2500 + gran * 0.35) * (d == 2 ? 1.5 : 1) * bf) * s * 1.2
			v["wall_ns"] = sprintf("%.0f", v["count"] * cb)
			v["conversions_per_s"] = sprintf("%.6f", 1e9 / cb)
			v["bytes_per_s"] = sprintf("%.6f", 1e9 / cb * gran)
			row(v)
		}
		if (nb > 1)
			exit
		# Backends the host could not run: one status row each, no metric.
		base_row("inplace", "guest", 4096)
		v["repetition"] = 0; v["warmup"] = 0; v["status"] = "skipped"
		v["reason"] = "kernel lacks GUEST_MEMFD_FLAG_MMAP, \"inplace\" needs it (see KVM_CAP_GUEST_MEMFD_FLAGS, 6.18+)"
		row(v)
		base_row("dual", "host", 4096)
		v["repetition"] = 0; v["warmup"] = 0; v["status"] = "error"
		v["reason"] = "KVM_SET_MEMORY_ATTRIBUTES: EINVAL,\nsee dmesg, \"attrs\" field"
		row(v)
	}' >"$1"
}

# Independent expectations: p50 of convert_ns (and to_private_ns) at 4K for
# the guest driver is the base, int(2500 + 4096 * 0.35) = 3933; p99 is
# int(3933 * 3) = 11799. to_shared_ns: int(3933.6 * 0.15) = 590, p99 1770.
exp_p50=3933
exp_p99=11799
exp_sh_p50=590
exp_sh_p99=1770

mkdir -p "$tmp/run" "$tmp/rev"
gen_csv "$tmp/run/results.csv" schema discard
gen_csv "$tmp/rev/results.csv" reversed discard
mkdir -p "$tmp/three"
gen_csv "$tmp/three/results.csv" schema "discard inplace dual" nodir
mkdir -p "$tmp/two"
gen_csv "$tmp/two/results.csv" schema "dual discard"
cat >"$tmp/run/results.json" <<'EOF'
{
  "schema_version": 1,
  "host": {
    "hostname": "testbox-7",
    "kernel_release": "6.18.0-gmem-test"
  }
}
EOF

echo "1..$((nplots * 4 + 23 + nwl))"

# --- usage errors and the missing-gnuplot skip ---------------------------
"$render" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
rc=$?
check "missing results dir exits 2 (got $rc)" [ "$rc" -eq 2 ]
check "missing results dir is named on stderr" grep -q "$tmp/nonexistent" "$tmp/err"

"$render" >/dev/null 2>&1
rc=$?
check "no argument exits 2 (got $rc)" [ "$rc" -eq 2 ]
"$render" "$tmp/run" --format jpeg >/dev/null 2>&1
rc=$?
check "unknown --format exits 2 (got $rc)" [ "$rc" -eq 2 ]

mkdir -p "$tmp/empty"
"$render" "$tmp/empty" >/dev/null 2>"$tmp/err"
rc=$?
check "dir without results.csv exits 2 (got $rc)" [ "$rc" -eq 2 ]

# A PATH holding only the tools render.sh uses, none of them gnuplot.
mkdir -p "$tmp/bin"
for t in awk sort mkdir rm uname cat sed grep; do
	p=$(command -v "$t") && ln -s "$p" "$tmp/bin/$t"
done
PATH=$tmp/bin "$render" "$tmp/run" >/dev/null 2>"$tmp/err"
rc=$?
check "gnuplot absent exits 4 (got $rc)" [ "$rc" -eq 4 ]

# A gnuplot that fails must make render.sh fail, whatever else rendered.
mkdir -p "$tmp/badbin"
printf '#!/bin/sh\nexit 1\n' >"$tmp/badbin/gnuplot"
chmod +x "$tmp/badbin/gnuplot"
PATH=$tmp/badbin:$PATH "$render" "$tmp/run" --format png >/dev/null 2>"$tmp/err"
rc=$?
check "failing gnuplot exits 1 (got $rc)" [ "$rc" -eq 1 ]
rm -rf "$tmp/run/plots"

if ! command -v gnuplot >/dev/null 2>&1; then
	i=0
	while [ "$i" -lt $((nplots * 4 + 16 + nwl)) ]; do
		skip "gnuplot not installed"
		i=$((i + 1))
	done
	exit $((failed > 0))
fi

# --- a full render --------------------------------------------------------
"$render" "$tmp/run" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "render.sh exits 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/err"

# be32 FILE OFFSET: the big-endian 32-bit integer at OFFSET.
be32() {
	od -A n -t u1 -j "$2" -N 4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'
}
png_ok() {
	f=$1
	[ -s "$f" ] || return 1
	# \x89 P N G \r \n \x1a \n, then the IHDR chunk: width at 16, height at 20.
	sig=$(od -A n -t x1 -N 8 "$f" | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || return 1
	[ "$(od -A n -c -j 12 -N 4 "$f" | tr -d ' \n')" = IHDR ] || return 1
	w=$(be32 "$f" 16)
	h=$(be32 "$f" 20)
	[ "$w" -ge 640 ] && [ "$h" -ge 400 ]
}
svg_ok() {
	[ -s "$1" ] || return 1
	sed -n 1p "$1" | grep -q -e '^<?xml' -e '^<svg' || return 1
	grep -q '</svg>' "$1"
}
for p in $PLOTS; do
	f=$tmp/run/plots/$p.png
	check "$p.png is a PNG >= 640x400 ($(be32 "$f" 16 2>/dev/null)x$(be32 "$f" 20 2>/dev/null))" png_ok "$f"
	check "$p.svg is an SVG document" svg_ok "$tmp/run/plots/$p.svg"
	check "$p: title names host, kernel and backend" \
		grep -q 'testbox-7, kernel 6.18.0-gmem-test; backend: discard' "$tmp/run/plots/$p.svg"
	check "$p.png listed on stdout" grep -qx "$tmp/run/plots/$p.png" "$tmp/out"
done

# --- the numbers behind the plots ----------------------------------------
d=$tmp/run/plots/data
check "median across repetitions: guest 4K to_private_ns p50=$exp_p50 p99=$exp_p99" \
	grep -qx "4096 $exp_p50 $exp_p99 0 4K 0" "$d/latency_vs_granularity.dat"
check "median across repetitions: guest 4K to_shared_ns p50=$exp_sh_p50 p99=$exp_sh_p99" \
	grep -qx "4096 $exp_sh_p50 $exp_sh_p99 0 4K 1" "$d/latency_vs_granularity.dat"
check "latency_vs_granularity: convert_ns (both directions mixed) not drawn when per-direction metrics exist" \
	not grep -q 'convert_ns\| 2$' "$d/latency_vs_granularity.dat"
# Warm-up rows are 100x: any value that large means they leaked in.
max50=$(awk '/^[0-9]/ && $2 > m { m = $2 } END { printf "%d\n", m }' "$d/latency_vs_granularity.dat" 2>/dev/null)
check "warm-up repetitions excluded (largest p50 $max50 < 2e6)" [ "$max50" -lt 2000000 ]
check "skipped/error rows make no series (2 series x 2 directions: discard/guest, discard/host)" \
	[ "$(grep -c '^"discard/' "$d/latency_vs_granularity.dat")" -eq 4 ]
check "one backend: ratio is host over guest, 1.5 at 4K" \
	grep -q '^4K 1\.5' "$d/backend_ratio.dat"

# Columns in another order must give the very same data; there the quoted
# reasons come before status, so a bad split also garbles the skip list.
"$render" "$tmp/rev" >/dev/null 2>"$tmp/err"
rc=$?
check "reversed column order renders (got $rc) with identical data" \
	cmp -s "$d/latency_vs_granularity.dat" "$tmp/rev/plots/data/latency_vs_granularity.dat"
check "reversed column order: title lists inplace skipped and dual error" \
	grep -q 'backend: discard (not ok: inplace:skipped,dual:error)' "$tmp/rev/plots/phases.svg"

# Only status rows (every backend skipped): nothing to plot is exit 3.
mkdir -p "$tmp/none"
grep -v ',ok,' "$tmp/run/results.csv" >"$tmp/none/results.csv"
"$render" "$tmp/none" >/dev/null 2>"$tmp/err"
rc=$?
check "no status=ok rows exits 3 (got $rc)" [ "$rc" -eq 3 ]

# Three backends: the ratio plotted must be inplace over dual, per driver.
"$render" "$tmp/three" --format png >/dev/null 2>"$tmp/err"
rc=$?
check "three backends render (got $rc)" [ "$rc" -eq 0 ]
r=$tmp/three/plots/data/backend_ratio.dat
# shellcheck disable=SC2016
check "three backends: ratio columns are inplace/dual per driver first, 0.5 at 4K" \
	awk 'NR == 1 { split($0, h, "\""); ok = (h[2] == "inplace/dual guest, vm_type 1/1" && h[4] == "inplace/dual host, vm_type 1/1") }
	$1 == "4K" { four = ($2 > 0.499 && $2 < 0.501 && $3 > 0.499 && $3 < 0.501) }
	END { exit !(ok && four) }' "$r"

# dual (vm_type 1) and discard (vm_type 0): the pair is made across VM
# types, which the legend names, and no series label carries vm_type.
"$render" "$tmp/two" --format png >/dev/null 2>"$tmp/err"
rc=$?
check "dual and discard render (got $rc)" [ "$rc" -eq 0 ]
# shellcheck disable=SC2016
check "dual and discard: discard/dual per driver across vm_type 0/1, 1 at 4K" \
	awk 'NR == 1 { split($0, h, "\""); ok = (h[2] == "discard/dual guest, vm_type 0/1" && h[4] == "discard/dual host, vm_type 0/1") }
	$1 == "4K" { four = ($2 > 0.999 && $2 < 1.001 && $3 > 0.999 && $3 < 1.001) }
	END { exit !(ok && four) }' "$tmp/two/plots/data/backend_ratio.dat"
check "dual and discard: series labels do not name vm_type" \
	not grep -q vm_type "$tmp/two/plots/data/latency_vs_granularity.dat"
check "no per-direction metrics: latency_vs_granularity falls back to convert_ns (dir 2)" \
	grep -qx "4096 $exp_p50 $exp_p99 0 4K 2" "$tmp/three/plots/data/latency_vs_granularity.dat"

# --- one run per workload: the workload plots --------------------------
# gen_wl FILE WORKLOAD VCPUS [ORDER]: a run of WORKLOAD on the discard
# backend (driver "-"), three repetitions plus a warm-up, metrics
# convert_ns, to_private_ns and to_shared_ns, and the workload's counters.
# As above, repetitions scale every value by 1.10, 0.95 and 1.00 (the
# median is the base) and the warm-up by 100. The bases are made up, chosen
# so each expectation below can be worked out by hand.
gen_wl() {
	awk -v wl="$2" -v vcpus="$3" -v order="${4:-schema}" "$csv_awk"'
	function g(x) { return sprintf("%.10g", x) }
	# counters of one cell at scale s (a repetition scale, 100 for the warm-up)
	function counters(var, gran, s) {
		if (wl == "invalidation" && var == "counters") {
			big = (gran == 2097152)
			return "hw_dtlb_supported=0;tlb_flush_count=99;tlb_flush_per_conv=" g((big ? 600 : 12.5) * s) \
				";tlb_remote_flush_per_conv=" g((big ? 40 : 0.5) * s) \
				";kvm_unmap_hva_range_per_conv=" g((big ? 320 : 8) * s) \
				";mmu_zap_page_per_conv=0;tdp_spte_changed_per_conv=" g((big ? 3 : 0) * s) \
				";page_faults_per_conv=" g((big ? 100 : 2) * s)
		}
		if (wl == "invalidation")
			return "refault_ratio=" g(1.5 * s) ";tlb_flush_per_conv=" g(5000 * s)
		if (wl == "pinned") {
			if (gran == 65536)	# 3 of 16 pages in each of 64 chunks
				return "pinned_pages=192;pin_sets_count=64;pinned_checked_pages=192;pinned_still_old_data_pages=144;pinned_mapping_zero_pages=192;eagain_rate_pct=0"
			return "pinned_pages=204;pin_sets_count=4;pinned_checked_pages=204;pinned_still_old_data_pages=204;pinned_mapping_zero_pages=204;eagain_rate_pct=0"
		}
		if (wl == "bounce")
			return "rounds_count=64;copy_bytes_per_s=" g((gran == 65536 ? 4e8 : 7e8) * s) ";memcpy_bytes_per_s=" g((gran == 65536 ? 8e8 : 6e8) * s) ";window_bytes=" gran
		if (wl == "footprint")
			return "peak_gmem_bytes=8388608;samples_count=3"
		if (wl == "contention")
			return "threads_count=" vcpus
		return ""
	}
	# conversions_per_s of one cell (the base, before scaling)
	function cps(var, gran) {
		if (wl == "contention")	# shared_gmem scales, overlap collapses
			return var == "shared_gmem" ? (vcpus == 1 ? 1000000 : vcpus == 2 ? 1500000 : 2000000) : 100000 / vcpus
		if (wl == "bounce")
			return gran == 65536 ? 12000 : 600
		return 1e9 / (2000 + gran * 0.3)
	}
	# to_private_ns p50 base
	function priv(var, gran) {
		if (wl == "layouts")
			return var == "none" ? 300 : var == "all" ? (gran == 65536 ? 20000 : 600000) : (gran == 65536 ? 10000 : 300000)
		return int(2000 + gran * 0.3)
	}
	BEGIN {
		ncol = split("schema_version run_id workload backend driver channel variant vm_type granularity_bytes region_bytes vcpus iterations repetition warmup status reason metric count min_ns p50_ns p90_ns p99_ns p999_ns p9999_ns max_ns mean_ns stddev_ns cv conversions bytes_converted eagain_total retries_total guest_pages_touched wall_ns conversions_per_s bytes_per_s counters", cols, " ")
		for (i = 1; i <= ncol; i++)
			h[cols[i]] = cols[i]
		row(h)
		if (wl == "invalidation") nv = split("counters refault", vars, " ")
		else if (wl == "pinned") nv = split("vmsplice iouring", vars, " ")
		else if (wl == "layouts") nv = split("none all alternate", vars, " ")
		else if (wl == "contention") nv = split("shared_gmem overlap", vars, " ")
		else nv = split("-", vars, " ")
		ng = split(wl == "contention" ? "65536" : "65536 2097152", gr, " ")
		if (wl == "footprint") ng = split("65536", gr, " ")
		split("1.10 0.95 1.00", scale, " ")
		for (k = 1; k <= nv; k++)
		for (j = 1; j <= ng; j++)
		for (r = -1; r <= 2; r++)
		for (m = 1; m <= 3; m++) {
			split("", a)
			gran = gr[j]; sc = (r < 0) ? 100 : scale[r + 1]
			a["schema_version"] = 1; a["run_id"] = "20240101-120000-" wl vcpus
			a["workload"] = wl; a["backend"] = "discard"; a["driver"] = "-"
			a["channel"] = "-"; a["variant"] = vars[k]; a["vm_type"] = 0
			a["granularity_bytes"] = gran; a["region_bytes"] = 4194304
			a["vcpus"] = vcpus; a["iterations"] = 1; a["repetition"] = r
			a["warmup"] = (r < 0); a["status"] = "ok"; a["reason"] = ""
			a["metric"] = (m == 1) ? "convert_ns" : (m == 2) ? "to_private_ns" : "to_shared_ns"
			b = priv(vars[k], gran) * (m == 3 ? 0.1 : 1)
			a["count"] = 100; a["min_ns"] = g(b * sc * 0.6); a["p50_ns"] = g(b * sc)
			a["p90_ns"] = g(b * sc * 1.4); a["p99_ns"] = g(b * sc * 3)
			a["p999_ns"] = g(b * sc * 6); a["p9999_ns"] = g(b * sc * 6)
			a["max_ns"] = g(b * sc * 9); a["mean_ns"] = g(b * sc * 1.2)
			a["stddev_ns"] = g(b * sc * 0.5); a["cv"] = 0.4
			a["conversions"] = 128; a["bytes_converted"] = 128 * gran
			a["eagain_total"] = 0; a["retries_total"] = 0
			a["guest_pages_touched"] = 128 * gran / 4096
			a["conversions_per_s"] = g(cps(vars[k], gran) * sc)
			a["wall_ns"] = g(128 / (cps(vars[k], gran) * sc) * 1e9)
			a["bytes_per_s"] = g(cps(vars[k], gran) * sc * gran)
			a["counters"] = counters(vars[k], gran, sc)
			row(a)
		}
	}' >"$1"
}

for w in invalidation pinned bounce layouts footprint; do
	mkdir -p "$tmp/wl_$w"
	gen_wl "$tmp/wl_$w/results.csv" "$w" 2
done
# Three contention runs differing in vcpus only; the 4-vCPU one with its
# columns reversed: directories are merged by column name.
for v in 1 2 4; do
	mkdir -p "$tmp/c$v"
	gen_wl "$tmp/c$v/results.csv" contention "$v" "$([ "$v" = 4 ] && echo reversed || echo schema)"
done
# footprint time series: rep 0 is plotted; the warm-up and rep 1 (10x the
# memory) must not be. Sum at 20 ms: gmem 8 MiB + shared 1 MiB = 9 MiB.
fp=$tmp/wl_footprint
printf 't_ns,gmem_bytes,shared_bytes,rss_bytes,mem_available_bytes\n0,0,0,4194304,1000000000\n10000000,4194304,0,8388608,990000000\n20000000,8388608,1048576,13631488,980000000\n' >"$fp/footprint-discard-64K-0.csv"
awk -F, 'NR == 1 { print; next } { print $1 "," $2 * 10 "," $3 * 10 "," $4 * 10 "," $5 }' \
	"$fp/footprint-discard-64K-0.csv" >"$fp/footprint-discard-64K-1.csv"
cp "$fp/footprint-discard-64K-1.csv" "$fp/footprint-discard-64K-warmup.csv"

# near FILE AWK_COND: some line of FILE satisfies AWK_COND (fields $1...).
near() {
	awk "$2 { found = 1 } END { exit !found }" "$1"
}
renders() {	# renders WHAT FORMAT DIR...: render.sh exits 0; out, err and rc kept
	what=$1 fmt=$2
	shift 2
	"$render" "$@" --format "$fmt" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$what (got $rc)" [ "$rc" -eq 0 ]
}

wl_plot() {	# wl_plot DIR NAME: the PNG is valid and listed on stdout
	check "$2.png is a PNG >= 640x400 ($(be32 "$1/plots/$2.png" 16 2>/dev/null)x$(be32 "$1/plots/$2.png" 20 2>/dev/null))" \
		png_ok "$1/plots/$2.png"
}

# invalidation: events per conversion, median across repetitions; a counter
# 0 everywhere (mmu_zap_page) has no column, one 0 in some cells
# (tdp_spte_changed, 0 at 64K) a gap there, and both are named in the note.
renders "invalidation run renders" both "$tmp/wl_invalidation"
wl_plot "$tmp/wl_invalidation" invalidation_counters
d=$tmp/wl_invalidation/plots/data
check "invalidation_counters: columns in the fixed order, all-zero mmu_zap_page_per_conv dropped" \
	grep -qx 'group tlb_flush_per_conv tlb_remote_flush_per_conv kvm_unmap_hva_range_per_conv tdp_spte_changed_per_conv page_faults_per_conv' "$d/invalidation_counters.dat"
check "invalidation_counters: 64K row is the medians 12.5 0.5 8, a gap for the 0, then 2" \
	grep -qx '"discard 64K" 12.5 0.5 8 ? 2' "$d/invalidation_counters.dat"
check "invalidation_counters: 2M row 600 40 320 3 100" \
	grep -qx '"discard 2M" 600 40 320 3 100' "$d/invalidation_counters.dat"
check "invalidation_counters: part=refault counters (tlb_flush_per_conv=5000) left out" \
	not grep -q 5000 "$d/invalidation_counters.dat"
# (the note is wrapped into lines of ~100 characters: its text joined first)
check "invalidation_counters: note names both zero counters" \
	sh -c 'sed -e "s/<[^>]*>//g" "$1" | tr -s " \n\t" "   " |
	grep -q "mmu_zap_page_per_conv, tdp_spte_changed_per_conv (1 of 2 cells)"' \
	sh "$tmp/wl_invalidation/plots/invalidation_counters.svg"
check "series label carries the variant (discard/counters, discard/refault)" \
	grep -q '^"discard/refault to_private"' "$d/latency_vs_granularity.dat"

# pinned: fraction = pinned_pages / pin_sets_count / (granularity / 4096)
# x 100, worked out here from the counters written above.
renders "pinned run renders" both "$tmp/wl_pinned"
wl_plot "$tmp/wl_pinned" eagain_vs_pinned
wl_plot "$tmp/wl_pinned" pinned_freed
d=$tmp/wl_pinned/plots/data
f64=$(awk 'BEGIN { printf "%.9g", 192 / 64 / (65536 / 4096) * 100 }')
f2m=$(awk 'BEGIN { printf "%.9g", 204 / 4 / (2097152 / 4096) * 100 }')
check "eagain_vs_pinned: 64K pinned fraction $f64 %, EAGAIN 0" \
	near "$d/eagain_vs_pinned.dat" "\$4 == \"64K\" && (\$1 - $f64)^2 < 1e-6 && \$2 == 0"
check "eagain_vs_pinned: 2M pinned fraction $f2m %" \
	near "$d/eagain_vs_pinned.dat" "\$4 == \"2M\" && (\$1 - $f2m)^2 < 1e-6"
check "eagain_vs_pinned: one series per mechanism" \
	[ "$(grep -c '^"discard/' "$d/eagain_vs_pinned.dat")" -eq 2 ]
check "eagain_vs_pinned: all discard, so the subtitle says discard never returns EAGAIN" \
	grep -q 'discard never returns EAGAIN' "$tmp/wl_pinned/plots/eagain_vs_pinned.svg"
kept=$(awk 'BEGIN { printf "%.9g", 144 / 192 * 100 }')
check "pinned_freed: 64K keeps $kept % alive (144 of 192), mapping reads zero for all" \
	near "$d/pinned_freed.dat" "/vmsplice 64K/ && (\$3 - $kept)^2 < 1e-6 && \$4 == 100"

# bounce: MB/s are the counters / 1e6, conversions_per_s the column.
renders "bounce run renders" png "$tmp/wl_bounce"
wl_plot "$tmp/wl_bounce" bounce_throughput
check "bounce_throughput: 64K window 400 MB/s copy, 800 MB/s memcpy, 12000 conversions/s" \
	grep -qx '65536 400 800 12000 0 64K' "$tmp/wl_bounce/plots/data/bounce_throughput.dat"
check "bounce_throughput: 2M window 700 MB/s, 600 MB/s, 600/s" \
	grep -qx '2097152 700 600 600 0 2M' "$tmp/wl_bounce/plots/data/bounce_throughput.dat"

# layouts: to_private_ns p50 per layout x granularity.
renders "layouts run renders" png "$tmp/wl_layouts"
wl_plot "$tmp/wl_layouts" layouts
check "layouts: header lists the granularities" \
	grep -qx 'group 64K 2M' "$tmp/wl_layouts/plots/data/layouts.dat"
check "layouts: all-allocated layout 20000 ns at 64K, 600000 ns at 2M" \
	grep -qx '"discard/all" 20000 600000' "$tmp/wl_layouts/plots/data/layouts.dat"

# footprint: rep 0 only, in MiB against ms, with the guest memory (4 MiB
# region x 2 vCPUs = 8 MiB).
renders "footprint run renders" both "$tmp/wl_footprint"
wl_plot "$tmp/wl_footprint" footprint
check "footprint.svg is an SVG document" svg_ok "$tmp/wl_footprint/plots/footprint.svg"
d=$tmp/wl_footprint/plots/data
# shellcheck disable=SC2016 # awk fields, not shell
check "footprint: 20 ms sample of rep 0 is gmem 8, shared 1, sum 9, rss 13 MiB, guest 8 MiB" \
	near "$d/footprint.dat" '$1 == 20 && $2 == 8 && $3 == 1 && $4 == 9 && $5 == 13 && $6 == 8'
# shellcheck disable=SC2016 # awk fields, not shell
check "footprint: the warm-up and rep 1 (10x) not plotted" \
	not near "$d/footprint.dat" '$2 > 8'
check "footprint: subtitle says what to look for" \
	grep -q 'dual transiently doubles' "$tmp/wl_footprint/plots/footprint.svg"
# A series whose gmem_bytes could not be measured (empty field: dual at 4K
# on a kernel that cannot map its guest_memfd) and no other panel: gaps,
# not zeros, the panel says so, and a column without any number renders.
mkdir -p "$tmp/wl_fp_na"
cp "$tmp/wl_footprint/results.csv" "$tmp/wl_fp_na/"
printf 't_ns,gmem_bytes,shared_bytes,rss_bytes,mem_available_bytes\n0,,4194304,4194304,1000000000\n10000000,,4194304,8388608,990000000\n' \
	>"$tmp/wl_fp_na/footprint-dual-4K-0.csv"
renders "footprint with gmem_bytes unavailable renders" svg "$tmp/wl_fp_na"
check "footprint: unavailable gmem_bytes named in the panel title" \
	grep -q 'dual 4K: gmem n/a' "$tmp/wl_fp_na/plots/footprint.svg"
# shellcheck disable=SC2016 # awk fields, not shell
check "footprint: unavailable gmem_bytes are gaps (?) in gmem and the sum, shared 4 MiB" \
	awk '$1 == 10 { ok = ($2 == "?" && $3 == 4 && $4 == "?") } END { exit !ok }' \
	"$tmp/wl_fp_na/plots/data/footprint.dat"

# vcpu scaling: one run alone skips it, three directories merged give one
# line per mode over 1, 2, 4 vCPUs (medians across repetitions).
"$render" "$tmp/c2" --format png >"$tmp/out" 2>"$tmp/err"
check "one contention run: vcpu_scaling skipped with a note" \
	grep -q 'skipping vcpu_scaling: only one vcpus value (2)' "$tmp/err"
check "one contention run: no vcpu_scaling.png" not test -e "$tmp/c2/plots/vcpu_scaling.png"
renders "three contention runs merged render" png "$tmp/c2" "$tmp/c1" "$tmp/c4"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/err"
wl_plot "$tmp/c2" vcpu_scaling
d=$tmp/c2/plots/data
# shellcheck disable=SC2016
check "vcpu_scaling: shared_gmem 1000000, 1500000, 2000000 at 1, 2, 4 vCPUs (4 from the reversed CSV)" \
	awk '/^"/ { s = $1 } s == "\"discard/shared_gmem\"" && /^[0-9]/ { v = v " " $1 ":" $2 }
	END { exit v != " 1:1000000 2:1500000 4:2000000" }' "$d/vcpu_scaling.dat"
o4=$(awk 'BEGIN { printf "%.10g", 100000 / 4 }')
check "vcpu_scaling: overlap at 4 vCPUs is 100000/4 = $o4" \
	near "$d/vcpu_scaling.dat" "\$1 == 4 && \$2 == $o4"
check "merged runs: latency series labelled by vcpus" \
	grep -q '^"discard/overlap/vcpus=4 to_private"' "$d/latency_vs_granularity.dat"
check "merged runs: plots listed in the first directory only" \
	not grep -q "$tmp/c1/" "$tmp/out"
"$render" "$tmp/c2" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
rc=$?
check "merge with a missing directory exits 2 (got $rc)" [ "$rc" -eq 2 ]
check "merge with a missing directory names it on stderr" \
	grep -q "$tmp/nonexistent" "$tmp/err"

[ "$failed" -eq 0 ]
exit $?
