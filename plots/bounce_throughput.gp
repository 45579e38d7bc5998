# SPDX-License-Identifier: GPL-2.0
#
# The bounce workload (copy through a shared window converted back and
# forth) against the window size (granularity_bytes): top panel, copy
# throughput in MB/s (1e6 bytes/s): copy_bytes_per_s, the payload of all
# bouncers over the slowest one's wall time (solid), and memcpy_bytes_per_s,
# the copies alone summed over the bouncers (dotted: the ceiling
# conversions eat into; both aggregate, so the solid line stays below it);
# bottom panel, conversions_per_s (aggregate too). Log-log, one colour per
# series.
#
# datafile (render.sh dat_bounce_throughput): one block per series, two
# blank lines apart, first line its legend title; then granularity_bytes
# copy_MBps memcpy_MBps conversions_per_s sidx granularity_label ('?' when
# absent), medians across repetitions.

load 'common.gp'

stats datafile every ::1 using 1 nooutput
nb = STATS_blocks
xmin = STATS_min; xmax = STATS_max
ymin = 1e300; ymax = 0
do for [c = 2:3] {
	stats datafile every ::1 using c nooutput
	if (STATS_records > 0) {
		ymin = (STATS_min < ymin) ? STATS_min : ymin
		ymax = (STATS_max > ymax) ? STATS_max : ymax
	}
}
# Without any MB/s value the panel still needs a range.
if (ymax <= 0) { ymin = 1; ymax = 10 }
cmin = 1e300; cmax = 0
stats datafile every ::1 using 4 nooutput
if (STATS_records > 0) { cmin = STATS_min; cmax = STATS_max } else { cmin = 1; cmax = 10 }
array sidx[nb]
do for [i = 1:nb] {
	stats datafile index (i - 1) every ::1 using 5 nooutput
	sidx[i] = STATS_min
}

set multiplot layout 2, 1 margins 0.09, 0.72, 0.09, 0.87 spacing 0, 0.06 \
	title sprintf("bounce: copy throughput and conversions vs window size, all rates aggregate over the bouncers\n%s", title_extra)
set logscale xy
set xrange [xmin / 2 : xmax * 2]
set xtics () nomirror
unset mxtics
set mytics 10
set key at screen 0.74, 0.87 left top vertical noenhanced spacing 1.2 reverse Left

set yrange [log_lo(ymin) : log_hi(ymax)]
set ylabel 'copy throughput (MB/s, log scale)'
set format y '%g'
set format x ''
unset xlabel
plot for [i = 0:nb - 1] datafile index i using 1:2:xtic(6) with linespoints \
	lw 2 pt 7 ps 1.2 lc sidx[i + 1] + 1 title columnheader(1).' copy_bytes_per_s', \
     for [i = 0:nb - 1] datafile index i using 1:3 with linespoints \
	lw 1.5 dt 3 pt 6 ps 1.0 lc sidx[i + 1] + 1 title columnheader(1).' memcpy_bytes_per_s'

unset key
set format x '%g'
set yrange [log_lo(cmin) : log_hi(cmax)]
set ylabel 'conversions per second (1/s, log scale)'
set format y '%.0s%c/s'
set xlabel 'window (granularity, bytes per conversion request, log scale)'
plot for [i = 0:nb - 1] datafile index i using 1:4:xtic(6) with linespoints \
	lw 2 pt 5 ps 1.2 lc sidx[i + 1] + 1 title columnheader(1)
unset multiplot
