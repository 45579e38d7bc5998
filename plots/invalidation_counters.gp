# SPDX-License-Identifier: GPL-2.0
#
# What a conversion sets off in the kernel: events per conversion (the
# invalidation workload's part=counters *_per_conv counters: TLB flushes,
# remote TLB flushes, kvm_unmap_hva_range calls, MMU page zaps, TDP SPTE
# changes, page faults) as clustered bars per series (backend[/driver]) x
# granularity. Log y: a 2M conversion triggers hundreds of events, a 64K
# one a handful. A counter that is 0 has no bar (log axis); zero_note, set
# by render.sh, names those under the title.
#
# datafile (render.sh dat_invalidation_counters): header "group <counter>...",
# then one row per series x granularity: a quoted label and the median
# across repetitions of each counter, '?' if zero or absent.

load 'common.gp'
if (!exists("zero_note")) zero_note = ''
# A long note would run off the canvas (the title is centred over the
# plot area): lines of at most ~100 characters, broken between words.
zn_out = ''; zn_line = ''
do for [zn_i = 1:words(zero_note)] {
	zn_w = word(zero_note, zn_i)
	if (zn_line ne '' && strlen(zn_line) + strlen(zn_w) >= 100) {
		zn_out = zn_out.zn_line."\n"; zn_line = zn_w
	} else {
		zn_line = (zn_line eq '') ? zn_w : zn_line.' '.zn_w
	}
}
zero_note = zn_out.zn_line

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

set title sprintf("Kernel events per conversion (invalidation workload, part=counters; median across repetitions)\n%s%s", \
	(zero_note eq '' ? '' : zero_note."\n"), title_extra)
set xlabel 'backend[/driver], granularity'
set ylabel 'events per conversion (log scale)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#404040'
set boxwidth 0.9
set logscale y
set yrange [log_lo(ymin) : log_hi(ymax)]
set format y '%g'
set mytics 10
set xtics nomirror
set xrange [-0.6 : nrows - 0.4]
set grid noxtics ytics

plot for [c = 2:ncol] datafile using c:xtic(1) title columnheader(c)
