# SPDX-License-Identifier: GPL-2.0
#
# Where a conversion's time goes: clustered bars of the per-phase p50
# (attr_ioctl_ns, punch_ns, exit_roundtrip_ns, touch_private_ns,
# touch_shared_ns) for each series (backend/driver) x granularity. Log y,
# because an exit round trip and a 1G punch are decades apart.
#
# datafile (render.sh dat_phases): header "group <phase>..." (only phases
# the run measured), then one row per series x granularity: a quoted label
# and the median-across-repetitions p50_ns of each phase, '?' if absent.

load 'common.gp'

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

set title sprintf("Per-phase p50 latency by backend/driver and granularity (ns)\n%s", title_extra)
set xlabel 'backend[/driver][/variant], granularity'
set ylabel 'p50 latency of the phase (ns, log scale)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#404040'
set boxwidth 0.9
set logscale y
# Bars start at the bottom of the axis, so leave a decade under the
# smallest one or it would vanish into the frame.
set yrange [log_lo(ymin) : log_hi(ymax)]
eval 'set ytics '.ns_tics
set mytics 10
set xtics rotate by 30 right nomirror
set grid noxtics ytics

plot for [c = 2:ncol] datafile using c:xtic(1) title columnheader(c)
