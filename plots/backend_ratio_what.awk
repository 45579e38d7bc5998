# SPDX-License-Identifier: GPL-2.0
#
# awk -f backend_ratio_what.awk tidy.dat
#
# Prints which p50 convert_ns ratio backend_ratio.awk will draw (the same
# choice, made on the same rows), for the plot title: every backend over
# dual when dual and another backend ran, else every backend over the
# first one, else host over guest. Prints nothing when there is no
# convert_ns cell. tidy.dat columns: see tidy.awk.

/^#/ || $8 != "convert_ns" || $6 <= 0 || $12 == "NaN" { next }
{
	side = $3 SUBSEP ((NF >= 24) ? $24 : "-")
	if (!(side in seen_side)) { seen_side[side] = 1; nside++; if (nside == 1) first = $3 }
	if ($3 == "dual") have_dual = 1
}
END {
	pair = "paired by workload, driver, granularity and variant"
	if (nside > 1)
		print "each backend over " (have_dual ? "dual" : first) ", " pair
	else if (nside == 1)
		print "driver host over driver guest (" first ")"
}
