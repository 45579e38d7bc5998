# SPDX-License-Identifier: GPL-2.0
#
# awk -f sort.awk -f layouts.awk tidy.dat >layouts.dat
#
# layouts workload: clustered bars of to_private_ns p50, header "group
# <granularity>...", then one row per series (backend x layout): its
# quoted label and the p50 at each granularity ('?' where not measured).
# tidy.dat columns: see tidy.awk. Exit 1: no layouts cell.

/^#/ || $20 != "layouts" || $8 != "to_private_ns" || $12 == "NaN" || $6 <= 0 { next }
{
	if (!($1 in label)) { label[$1] = $2; ser[++ns] = $1 }
	if (!($6 in gl)) { gl[$6] = $7; gs[++ng] = $6 }
	v[$1, $6] = $12
}
END {
	if (!ns)
		exit 1
	sort_asc(gs, ng)
	printf "group"
	for (i = 1; i <= ng; i++)
		printf " %s", gl[gs[i]]
	printf "\n"
	for (s = 1; s <= ns; s++) {
		printf "\"%s\"", label[ser[s]]
		for (i = 1; i <= ng; i++)
			printf " %s", ((ser[s], gs[i]) in v) ? v[ser[s], gs[i]] : "?"
		printf "\n"
	}
}
