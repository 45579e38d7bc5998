# SPDX-License-Identifier: GPL-2.0
#
# awk -f sort.awk -f latency_cdf.awk tidy.dat tidy.dat >latency_cdf.dat
#
# HdrHistogram-style percentile spectrum, one block per series x granularity.
# Columns: 1/(1-q) latency_ns q sidx gidx (gidx = rank of the granularity).
# min sits at 1/(1-q) = 1 and max, whose q is 1, at 1e5 (labelled "max").
# A percentile finer than the sample count allows (1/(1-q) > count) is
# dropped: with 1000 samples p99.99 is just the max again.
# tidy.dat is read twice: the first pass ranks the granularities.
# tidy.dat columns: see tidy.awk. Exit 1: nothing to plot.

/^#/ || $8 != "convert_ns" || $6 <= 0 { next }
NR == FNR {
	if (!($6 in g)) { g[$6] = 1; gs[++ng] = $6 }
	next
}
!sorted {
	sort_asc(gs, ng)
	for (i = 1; i <= ng; i++)
		gidx[gs[i]] = i - 1
	sorted = 1
}
{
	n = 0
	x[++n] = 1;     y[n] = $11; q[n] = 0
	x[++n] = 2;     y[n] = $12; q[n] = 0.5
	x[++n] = 10;    y[n] = $13; q[n] = 0.9
	x[++n] = 100;   y[n] = $14; q[n] = 0.99
	x[++n] = 1000;  y[n] = $15; q[n] = 0.999
	x[++n] = 10000; y[n] = $16; q[n] = 0.9999
	x[++n] = 1e5;   y[n] = $17; q[n] = 1
	out = ""
	for (i = 1; i <= n; i++) {
		if (y[i] == "NaN" || y[i] <= 0)
			continue
		if (q[i] > 0 && q[i] < 1 && $10 != "NaN" && x[i] > $10)
			continue
		out = out x[i] " " y[i] " " q[i] " " $1 " " gidx[$6] "\n"
	}
	if (out == "")
		next
	if (nb++)
		printf "\n\n"
	printf "\"%s %s\" latency_ns q sidx gidx\n%s", $2, $7, out
}
END { exit nb ? 0 : 1 }
