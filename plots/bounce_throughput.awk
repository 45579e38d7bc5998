# SPDX-License-Identifier: GPL-2.0
#
# awk -f bounce_throughput.awk counters.dat tidy.dat >bounce_throughput.dat
#
# bounce workload, blocks per series over the window (granularity): first
# line the legend title, then granularity_bytes copy_MBps memcpy_MBps
# conversions_per_s sidx granularity_label. copy_MBps is the counter
# copy_bytes_per_s (payload of all bouncers over the slowest one's wall
# time) in MB/s (1e6 bytes); memcpy_MBps the counter memcpy_bytes_per_s (the
# copies alone, summed over the bouncers: the same aggregate basis), '?'
# when absent.
# counters.dat and tidy.dat columns: see tidy.awk. Exit 1: nothing to plot.

function mb(v) { return (v == "" || v == "NaN") ? "?" : sprintf("%.6g", v / 1e6) }
NR == FNR {	# counters.dat
	if (!/^#/ && $6 == "bounce" && ($11 == "copy_bytes_per_s" || $11 == "memcpy_bytes_per_s"))
		c[$1, $9, $11] = $12
	next
}
/^#/ || $20 != "bounce" || $6 <= 0 || (($1, $6) in done) { next }
{
	cp = mb(c[$1, $6, "copy_bytes_per_s"])
	cps = ($18 == "NaN") ? "?" : $18
	if (cp == "?" && cps == "?")
		next
	done[$1, $6] = 1
	if (nb == 0 || $1 != last) {
		if (nb++)
			printf "\n\n"
		printf "\"%s\" copy_MBps memcpy_MBps conversions_per_s sidx granularity\n", $2
		last = $1
	}
	print $6, cp, mb(c[$1, $6, "memcpy_bytes_per_s"]), cps, $1, $7
}
END { exit nb ? 0 : 1 }
