# SPDX-License-Identifier: GPL-2.0
#
# Conversion to private against what was allocated before it: the layouts
# workload's to_private_ns p50 per layout (none, all, alternate, ... pages
# of the chunk allocated beforehand) as clustered bars, one bar per
# granularity. Log y: converting an unallocated chunk costs hundreds of ns,
# a fully allocated one tens of µs or more.
#
# datafile (render.sh dat_layouts): header "group <granularity>...", then
# one row per series (backend[/driver]/layout): a quoted label and the
# median across repetitions of the to_private_ns p50 at each granularity,
# '?' where not measured.

load 'common.gp'

stats datafile every ::1 using 0 nooutput
nrows = STATS_records
stats datafile every ::1 using 2 nooutput
ncol = STATS_columns
ymin = 1e300; ymax = 0
do for [c = 2:ncol] {
	stats datafile every ::1 using c nooutput
	if (STATS_records > 0) {
		ymin = (STATS_min < ymin) ? STATS_min : ymin
		ymax = (STATS_max > ymax) ? STATS_max : ymax
	}
}

set title sprintf("to_private_ns p50 by layout of the pages allocated before the conversion (ns)\nno bar: no ok cell (a partial layout that would select no page or every page of a chunk, as at 4K, is skipped)\n%s", title_extra)
set xlabel 'backend[/driver]/layout'
set ylabel 'p50 latency of a to-private conversion (ns, log scale)'
set key title 'granularity'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#404040'
set boxwidth 0.9
set logscale y
set yrange [log_lo(ymin) : log_hi(ymax)]
eval 'set ytics '.ns_tics
set mytics 10
set xtics rotate by 30 right nomirror
set xrange [-0.6 : nrows - 0.4]
set grid noxtics ytics

plot for [c = 2:ncol] datafile using c:xtic(1) title columnheader(c)
