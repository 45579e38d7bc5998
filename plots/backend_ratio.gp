# SPDX-License-Identifier: GPL-2.0
#
# Ratio of p50 convert_ns between backends per granularity: the question
# the suite exists for (is in-place conversion cheaper than dual-backed?).
# render.sh picks the pairs (every backend over dual, else over the first
# backend, else host/guest drivers of one backend; cells paired by
# workload, driver, granularity and variant, the VM types named in the
# legend) and names them in ratio_what.
# Log y in base 2 so "2x slower" and "2x faster" are the same distance from
# the dashed line at 1.
#
# datafile (render.sh dat_backend_ratio): header "granularity" and one
# double-quoted legend label per pair, then one row per granularity: label
# and ratios ('?' if a side is missing).

load 'common.gp'
if (!exists("ratio_what")) ratio_what = 'ratio of p50 convert_ns (see legend: numerator/denominator, driver and variant, VM types)'

stats datafile every ::1 using 0 nooutput
ncol = STATS_columns
nrows = STATS_records
ymin = 1e300; ymax = 0
do for [c = 2:ncol] {
	stats datafile every ::1 using c nooutput
	if (STATS_records > 0) {
		ymin = (STATS_min < ymin) ? STATS_min : ymin
		ymax = (STATS_max > ymax) ? STATS_max : ymax
	}
}
# Always show 1 and at least 0.5..2, so equal performance is on the plot.
ymin = (ymin < 1) ? ymin : 1
ymax = (ymax > 1) ? ymax : 1
lo = 2**floor(log(ymin / 1.6) / log(2))
hi = 2**ceil(log(ymax * 1.6) / log(2))
lo = (lo < 0.5) ? lo : 0.5
hi = (hi > 2) ? hi : 2

set title sprintf("Backend comparison per granularity: ratio of p50 convert_ns, < 1 means the numerator is faster\n%s\n%s", ratio_what, title_extra)
set xlabel 'granularity (bytes per conversion request)'
set ylabel 'ratio of p50 convert_ns (x, log2 scale)'
set style fill solid 0.85 border rgb '#404040'
set logscale y 2
set yrange [lo : hi]
# Tics at powers of two, written 1/4x rather than 0.25x (0.00390625x is
# unreadable); thinned out when the ratios span many octaves.
klo = int(floor(log(lo) / log(2) + 1e-9))
khi = int(ceil(log(hi) / log(2) - 1e-9))
kstep = int(ceil((khi - klo) / 12.0))
kstep = (kstep < 1) ? 1 : kstep
set ytics ()
do for [k = klo:khi:kstep] {
	eval sprintf("set ytics add (\"%s\" %.17g)", (k < 0) ? sprintf("1/%dx", 2**(-k)) : sprintf("%dx", 2**k), 2.0**k)
}
unset mytics
set xtics nomirror
set grid noxtics ytics
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#000000' front

# Bars grow from 1 (not from the axis bottom) so faster and slower point
# in opposite directions. Each granularity row is a cluster at x = row
# number; column c gets a slot of width bw inside it.
nbar = ncol - 1
bw = 0.8 / nbar
bw = (bw > 0.35) ? 0.35 : bw	# a lone bar need not fill the whole slot
xpos(c) = $0 + (c - 2 - (nbar - 1) / 2.0) * bw
set xrange [-0.6 : nrows - 0.4]
# The header line names the columns for every element, including the one
# that only places the granularity labels under each cluster.
set key autotitle columnheader

plot for [c = 2:ncol] datafile using (xpos(c)):(column(c)):(xpos(c) - bw / 2):(xpos(c) + bw / 2):(1):(column(c)) \
	with boxxyerror lc c - 1 title columnheader(c), \
     for [c = 2:ncol] datafile using (xpos(c)):(column(c) >= 1 ? column(c) : 1/0):(sprintf("%.3g", column(c))) \
	with labels offset 0, 0.8 notitle, \
     for [c = 2:ncol] datafile using (xpos(c)):(column(c) < 1 ? column(c) : 1/0):(sprintf("%.3g", column(c))) \
	with labels offset 0, -0.8 notitle, \
     datafile using 0:(1):xtic(1) with points ps 0 notitle
