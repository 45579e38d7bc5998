# SPDX-License-Identifier: GPL-2.0
#
# Backing memory over time during the footprint workload: one panel per
# backend x granularity (first measured repetition, rep 0; the warm-up is
# not drawn), MiB against ms since the first sample. Lines: gmem_bytes (the
# guest_memfd's allocated blocks), shared_bytes (the separate shared
# backing, dual only), their sum (what the scheme costs), rss_bytes (the
# whole process, harness included) and, dotted, the guest memory
# (region_bytes x vcpus) as the level a scheme that never doubles stays at.
# All panels share the y range so they compare at a glance.
#
# datafile (render.sh dat_footprint): one block per panel, two blank lines
# apart; first line the panel title; then t_ms gmem_MiB shared_MiB total_MiB
# rss_MiB guest_MiB ('?' when unknown). render.sh passes the panel titles
# again as ptitle1, ptitle2 ... (gnuplot cannot title a panel from data).

load 'common.gp'

stats datafile every ::1 using 1 nooutput
np = STATS_blocks
ymax = 0
# A column may hold no number at all (gmem n/a in every panel, guest
# memory unknown): stats then only warns and defines nothing.
do for [c = 2:6] {
	undefine STATS_*
	stats datafile every ::1 using c nooutput
	if (exists("STATS_records") && STATS_records > 0) { ymax = (STATS_max > ymax) ? STATS_max : ymax }
}
ymax = (ymax > 0) ? ymax * 1.12 : 1
# Each panel's time span, gathered before the multiplot starts.
array tmin[np]
array tmax[np]
do for [i = 1:np] {
	stats datafile index (i - 1) every ::1 using 1 nooutput
	tmin[i] = STATS_min
	tmax[i] = (STATS_max > STATS_min) ? STATS_max : STATS_min + 1
}

ncols = (np <= 1) ? 1 : (np <= 4) ? 2 : 3
nrows = int((np + ncols - 1) / ncols)
# A taller canvas for many panels, so each stays readable.
hpx = (nrows <= 2) ? 750 : 330 * nrows + 90
if (term eq 'svg') {
	set terminal svg size 1200,hpx dynamic noenhanced font 'sans,12' background '#ffffff'
} else {
	set terminal pngcairo size 1200,hpx noenhanced font 'sans,11' background '#ffffff'
}
set output outfile

top = 1 - 135.0 / hpx	# room for up to five title lines
# Only the panels with no panel below them carry the x label: a label
# under an upper panel would run into the title of the one below.
set multiplot layout nrows, ncols margins 0.07, 0.80, 60.0 / hpx, top spacing 0.07, 0.09 \
	title sprintf("Backing memory over time (MiB), first measured repetition\nwhat to look for: dual transiently doubles (gmem + shared), in-place does not, discard frees and reallocates (gmem dips and refills)\n%s", title_extra)
set ylabel 'MiB'
set yrange [0 : ymax]
set xtics nomirror
set ytics nomirror
set format y '%g'
do for [i = 0:np - 1] {
	if (i == 0) {
		set key at screen 0.815, top left top vertical noenhanced spacing 1.2 reverse Left
	} else {
		unset key
	}
	if (i + ncols >= np) {
		set xlabel 'time since the first sample (ms)'
	} else {
		unset xlabel
	}
	set xrange [tmin[i + 1] : tmax[i + 1]]
	# At most ~6 tics, 1, 2 or 5 times a power of ten apart: gnuplot's
	# own choice crowds long runs (0 5000 10000 ... 45000 overlap).
	tstep = (tmax[i + 1] - tmin[i + 1]) / 5.0
	tmag = 10**floor(log10(tstep))
	tstep = (tstep <= tmag) ? tmag : (tstep <= 2 * tmag) ? 2 * tmag : (tstep <= 5 * tmag) ? 5 * tmag : 10 * tmag
	set xtics tstep
	set title (exists(sprintf('ptitle%d', i + 1)) ? value(sprintf('ptitle%d', i + 1)) : sprintf('panel %d', i + 1))
	# The sum first and wide, so gmem or shared drawn over it stays
	# visible where it is the whole sum (shared_bytes 0: discard, in-place).
	# The legend comes from the NaN lines: a column without a number in
	# the first panel (gmem n/a) would otherwise lose its entry.
	plot datafile index i using 1:4 with lines lw 5 lc rgb '#000000' notitle, \
	     '' index i using 1:2 with lines lw 2 lc 1 notitle, \
	     '' index i using 1:3 with lines lw 2 lc 2 notitle, \
	     '' index i using 1:5 with lines lw 1.5 dt 2 lc rgb '#808080' notitle, \
	     '' index i using 1:6 with lines lw 1.5 dt 3 lc 3 notitle, \
	     NaN with lines lw 5 lc rgb '#000000' title 'gmem + shared', \
	     NaN with lines lw 2 lc 1 title 'gmem_bytes', \
	     NaN with lines lw 2 lc 2 title 'shared_bytes', \
	     NaN with lines lw 1.5 dt 2 lc rgb '#808080' title 'rss_bytes', \
	     NaN with lines lw 1.5 dt 3 lc 3 title 'guest memory'
}
unset multiplot
