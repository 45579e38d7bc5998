#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# render.sh RESULTS_DIR [RESULTS_DIR...] [--format png|svg|both]
#
# Turns RESULTS_DIR/results.csv (schema v1) into plots in RESULTS_DIR/plots/.
# Step 1: one awk pass (plots/tidy.awk, with the CSV reader plots/csv.awk)
# reduces the CSV to a tidy table (plots/data/tidy.dat): one line per cell,
# each latency percentile being the median across the repetitions (rows
# with status=ok and warmup=0 only), and the `counters` column to
# plots/data/counters.dat (one line per cell and counter, median across
# repetitions too). Step 2: per plot, a small awk program (plots/<name>.awk)
# shapes those tables into <name>.dat and one gnuplot script
# (plots/<name>.gp) draws it. This script only orchestrates: arguments, the
# PLOTS table, skips, titles, gnuplot calls. The .dat files are kept next
# to the images so a plot can be checked against its numbers or redrawn by
# hand. A plot whose data the run lacks is skipped with one line on stderr
# ("render.sh: skipping <name>: <why>").
#
# Several RESULTS_DIRs: their results.csv files are concatenated, each read
# by its own header (so their column orders may differ), as if one run had
# produced all rows; rows of the same cell in two directories count as more
# repetitions of it. The plots go to the first directory's plots/. This is
# how separate runs make a scaling plot, e.g. the same workload run with
# -v 1, -v 2 and -v 4 into three directories:
#     plots/render.sh out/v1 out/v2 out/v4
# Series labels then carry "vcpus=N" (every axis that varies across the rows
# is named), and footprint-*.csv series are looked for in every directory.
# Directory names must not contain a newline.
#
# Exit: 0 at least one plot rendered and none failed; 1 gnuplot failed;
# 2 usage error; 3 nothing could be plotted (no usable rows, or the CSV lacks
# a needed column); 4 gnuplot not installed (a skip, as in kselftest).

# The dat_* functions are only ever called through the PLOTS table.
# shellcheck disable=SC2317

prog=render.sh

# Adding a plot = one plots/<name>.gp plus one "name:function" line here; the
# function (see below) runs the awk program, usually plots/<name>.awk, that
# shapes the tidy tables into the .dat the script reads.
PLOTS='
latency_vs_granularity:dat_tidy_awk
latency_cdf:dat_latency_cdf
phases:dat_phases
backend_ratio:dat_backend_ratio
throughput:dat_tidy_awk
invalidation_counters:dat_invalidation_counters
footprint:dat_footprint
eagain_vs_pinned:dat_eagain_vs_pinned
pinned_freed:dat_pinned_freed
vcpu_scaling:dat_vcpu_scaling
bounce_throughput:dat_bounce_throughput
layouts:dat_tidy_awk
'

# Per-phase metrics for phases.gp, in the order a conversion goes through them;
# host_touch_ns is the host driver's counterpart of the guest touches.
PHASES='attr_ioctl_ns punch_ns exit_roundtrip_ns touch_private_ns touch_shared_ns host_touch_ns'

# Event counters of the invalidation workload (part=counters) that
# invalidation_counters.gp draws first, in this order; any other *_per_conv
# counter follows them.
INVAL_COUNTERS='tlb_flush_per_conv tlb_remote_flush_per_conv kvm_unmap_hva_range_per_conv mmu_zap_page_per_conv tdp_spte_changed_per_conv page_faults_per_conv'

# The page size behind the pinned fraction: the pinned workload counts 4 KiB
# pages whatever the granularity.
PAGE_BYTES=4096

nl='
'

usage() {
	echo "usage: $prog RESULTS_DIR [RESULTS_DIR...] [--format png|svg|both]  (e.g. make plots RESULTS=results/<run-id>)" >&2
	exit 2
}

dirs=
format=both
while [ $# -gt 0 ]; do
	case $1 in
	--format)
		[ $# -ge 2 ] || usage
		format=$2
		shift 2
		;;
	--format=*)
		format=${1#--format=}
		shift
		;;
	-h | --help)
		usage
		;;
	-*)
		echo "$prog: unknown option '$1'" >&2
		usage
		;;
	*)
		case $1 in
		*"$nl"*)
			echo "$prog: a results directory name holds a newline" >&2
			exit 2
			;;
		esac
		dirs=$dirs${dirs:+$nl}$1
		shift
		;;
	esac
done

[ -n "$dirs" ] || usage
case $format in
png) terms=pngcairo ;;
svg) terms=svg ;;
both) terms="pngcairo${nl}svg" ;;	# one per line: see IFS below
*)
	echo "$prog: --format must be png, svg or both, not '$format'" >&2
	exit 2
	;;
esac
# From here on an unquoted $dirs or $csvs splits at newlines only, and
# never globs, so names with blanks or '*' survive.
IFS=$nl
set -f
ndirs=0
csvs=
for d in $dirs; do
	if [ ! -d "$d" ]; then
		echo "$prog: $d: no such results directory" >&2
		exit 2
	fi
	if [ ! -r "$d/results.csv" ]; then
		echo "$prog: $d/results.csv: not found or not readable" >&2
		exit 2
	fi
	csvs=$csvs${csvs:+$nl}$d/results.csv
	ndirs=$((ndirs + 1))
done
results=${dirs%%"$nl"*}
csv=$results/results.csv
[ "$ndirs" -eq 1 ] || csv="$csv (+$((ndirs - 1)) more)"
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "$prog: gnuplot not installed (need gnuplot-nox >= 5.4); skipping plots" >&2
	exit 4
fi

# The .gp scripts live beside this one; common.gp is found through
# GNUPLOT_LIB so they need no path of their own.
case $0 in
*/*) script_dir=${0%/*} ;;
*) script_dir=. ;;
esac
GNUPLOT_LIB=$script_dir${GNUPLOT_LIB:+:$GNUPLOT_LIB}
export GNUPLOT_LIB

plot_dir=$results/plots
data_dir=$plot_dir/data
mkdir -p "$data_dir" || exit 1
tidy=$data_dir/tidy.dat
ctrs=$data_dir/counters.dat
meta=$data_dir/meta.txt

# ---------------------------------------------------------------------------
# Step 1: results.csv(s) -> tidy.dat, counters.dat (+ meta.txt: run_id,
# backends). Their columns are described in plots/tidy.awk.
# ---------------------------------------------------------------------------
tidy_body=$data_dir/tidy.body
: >"$ctrs.body" || exit 1	# awk creates it only when a cell has counters
# shellcheck disable=SC2086 # $csvs: one word per line (IFS above)
awk -v meta="$meta" -v ctrs="$ctrs.body" -f "$script_dir/csv.awk" -f "$script_dir/sort.awk" -f "$script_dir/tidy.awk" \
	$csvs >"$tidy_body"
rc=$?
case $rc in
0) ;;
5)
	echo "$prog: $csv: no rows with status=ok and warmup=0; nothing to plot" >&2
	rm -f "$tidy_body" "$ctrs.body"
	exit 3
	;;
*)
	rm -f "$tidy_body" "$ctrs.body"
	exit 3
	;;
esac
{
	echo '# sidx series backend driver extra granularity_bytes gran metric reps count min_ns p50_ns p90_ns p99_ns p999_ns p9999_ns max_ns conversions_per_s bytes_per_s workload variant vcpus region_bytes vm_type'
	sort -k1,1n -k6,6n -k8,8 "$tidy_body"
} >"$tidy" || exit 1
{
	echo '# sidx series backend driver variant workload vcpus region_bytes granularity_bytes gran counter value reps'
	sort -k1,1n -k9,9n "$ctrs.body"
} >"$ctrs" || exit 1
rm -f "$tidy_body" "$ctrs.body"

# ---------------------------------------------------------------------------
# Step 2 helpers: "dat_<plot> TIDY OUT PLOT" writes OUT and returns 0, or returns 1
# with skip_why set when the run has no data for that plot. They may set
# plot_vars to extra gnuplot assignments ("name='value'; "). The counters
# table is $ctrs; the results directories are $dirs (one per line). What
# each .dat holds is described at the top of the awk program writing it.
# ---------------------------------------------------------------------------

# The plots whose .dat is their awk program (plots/<plot>.awk) over TIDY
# alone: "dat_tidy_awk TIDY OUT PLOT".
dat_tidy_awk() {
	case $3 in
	latency_vs_granularity) skip_why='no to_private_ns, to_shared_ns or convert_ns rows' ;;
	throughput) skip_why='no conversions_per_s values' ;;
	layouts) skip_why='no layouts cells with to_private_ns' ;;
	esac
	awk -f "$script_dir/sort.awk" -f "$script_dir/$3.awk" "$1" >"$2"
}

dat_latency_cdf() {
	skip_why='no convert_ns rows'
	awk -f "$script_dir/sort.awk" -f "$script_dir/latency_cdf.awk" "$1" "$1" >"$2"
}

dat_phases() {
	skip_why="none of the per-phase metrics ($PHASES) present"
	awk -v phases="$PHASES" -f "$script_dir/phases.awk" "$1" >"$2"
}

# The pairs compared depend on the backends that ran: ratio_what tells
# backend_ratio.gp which, for its title.
dat_backend_ratio() {
	skip_why='no pair of cells to compare (need two backends with convert_ns cells of the same workload, driver, granularity and variant, or drivers host and guest of one backend)'
	what=$(awk -f "$script_dir/backend_ratio_what.awk" "$1")
	[ -n "$what" ] || return 1
	plot_vars="ratio_what='$(gq "$what")'; "
	awk -f "$script_dir/sort.awk" -f "$script_dir/backend_ratio.awk" "$1" >"$2"
}

# Counters that are 0 somewhere are named in zero_note, which
# invalidation_counters.gp prints under its title.
dat_invalidation_counters() {
	skip_why='no invalidation cells with variant=counters and *_per_conv counters'
	rm -f "$2.note"
	awk -v want="$INVAL_COUNTERS" -v notef="$2.note" -f "$script_dir/invalidation_counters.awk" \
		"$ctrs" >"$2" || { rm -f "$2.note"; return 1; }
	[ -s "$2.note" ] && plot_vars="zero_note='$(gq "$(cat "$2.note")")'; "
	rm -f "$2.note"
	return 0
}

# The time series are the footprint-<backend>-<granularity>-0.csv files
# beside results.csv, in every results directory.
dat_footprint() {
	skip_why='no footprint-<backend>-<granularity>-0.csv series in the results directory'
	files=
	set +f	# globbing is off since the argument parsing
	for d in $dirs; do
		for f in "$d"/footprint-*-0.csv; do
			[ -f "$f" ] && files=$files${files:+$nl}$f
		done
	done
	set -f
	[ -n "$files" ] || return 1
	# shellcheck disable=SC2086 # $files: one word per line (IFS)
	awk -v ndirs="$ndirs" -f "$script_dir/footprint.awk" "$1" $files >"$2" || return 1
	# gnuplot cannot title a multiplot panel from the data: the panel
	# titles go in as ptitle1, ptitle2 ... (value(sprintf(...)) there).
	plot_vars=$(awk -F'"' '/^"/ { t = $2; gsub(/\047/, "\047\047", t); printf "ptitle%d=\047%s\047; ", ++n, t }' "$2")
}

# One line per cell of the pinned workload, shared by the two pinned plots.
pinned_cells() {
	awk -v page="$PAGE_BYTES" -f "$script_dir/pinned_cells.awk" "$ctrs"
}

# eagain_note, for the subtitle, says why the curve is flat when it is.
dat_eagain_vs_pinned() {
	skip_why='no pinned cells with pinned_pages, pin_sets_count and eagain_rate_pct counters'
	pinned_cells >"$2.cells"
	note=$(awk -f "$script_dir/eagain_note.awk" "$2.cells") || { rm -f "$2.cells"; return 1; }
	plot_vars="eagain_note='$(gq "$note")'; "
	awk -f "$script_dir/eagain_vs_pinned.awk" "$2.cells" >"$2"
	rm -f "$2.cells"
}

dat_pinned_freed() {
	skip_why='no pinned cells with pinned_checked_pages > 0 and pinned_still_old_data_pages'
	pinned_cells | awk -f "$script_dir/pinned_freed.awk" >"$2"
}

# A single run has a single vcpus count: the skip reason says how to merge.
dat_vcpu_scaling() {
	skip_why=$(awk -f "$script_dir/vcpu_scaling_why.awk" "$1")
	awk -f "$script_dir/vcpu_scaling.awk" "$1" >"$2"
}

dat_bounce_throughput() {
	skip_why='no bounce cells with conversions_per_s or copy_bytes_per_s'
	awk -f "$script_dir/bounce_throughput.awk" "$ctrs" "$1" >"$2"
}
# ---------------------------------------------------------------------------
# Title line shared by every plot: where the numbers come from.
# ---------------------------------------------------------------------------
json=$results/results.json
host=
if [ -r "$json" ]; then
	host=$(awk -f "$script_dir/host.awk" "$json")
fi
if [ -z "$host" ]; then
	# No results.json: the best we have is the machine rendering the plots.
	host="host $(uname -n), kernel $(uname -r) (uname at render time)"
fi
run_id=$(awk '$1 == "run_id" { print $2 }' "$meta")
backends=$(awk '$1 == "backends" { print $2 }' "$meta")
not_ok=$(awk '$1 == "not_ok" { print $2 }' "$meta")
title_extra="$host; backend: $backends"
[ "$not_ok" = "-" ] || title_extra="$title_extra (not ok: $not_ok)"
if [ "$ndirs" -gt 1 ]; then
	title_extra="$title_extra; $ndirs runs merged: $run_id"
else
	title_extra="$title_extra; run $run_id"
fi

# Inside gnuplot single quotes only ' itself is special (written '').
gq() {
	printf '%s' "$1" | awk 'BEGIN { RS = "\001" } { gsub(/\047/, "\047\047"); gsub(/[\r\n]/, " "); printf "%s", $0 }'
}

rendered=0
failed=0
for entry in $PLOTS; do
	name=${entry%%:*}
	fn=${entry#*:}
	dat=$data_dir/$name.dat
	skip_why=
	plot_vars=
	if ! "$fn" "$tidy" "$dat" "$name"; then
		echo "$prog: skipping $name: ${skip_why:-no data}" >&2
		# An image left from an earlier render would pass for this run's.
		rm -f "$dat" "$plot_dir/$name.png" "$plot_dir/$name.svg"
		continue
	fi
	for t in $terms; do
		case $t in
		svg) out=$plot_dir/$name.svg ;;
		*) out=$plot_dir/$name.png ;;
		esac
		if gnuplot -e "datafile='$(gq "$dat")'; outfile='$(gq "$out")'; term='$t'; title_extra='$(gq "$title_extra")'; $plot_vars" \
			"$script_dir/$name.gp"; then
			echo "$out"
			rendered=$((rendered + 1))
		else
			echo "$prog: gnuplot failed on $script_dir/$name.gp ($t, data $dat)" >&2
			rm -f "$out"	# half-written by the failed run
			failed=$((failed + 1))
		fi
	done
done

[ "$failed" -eq 0 ] || exit 1
if [ "$rendered" -eq 0 ]; then
	echo "$prog: no plot had data in $csv" >&2
	exit 3
fi
exit 0