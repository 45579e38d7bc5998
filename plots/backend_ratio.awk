# SPDX-License-Identifier: GPL-2.0
#
# awk -f sort.awk -f backend_ratio.awk tidy.dat >backend_ratio.dat
#
# Ratio of p50 convert_ns per granularity, one column per compared pair.
# A side is a backend with its VM type (dual and inplace run on a
# private-memory VM type, discard on the default one: the VM types of a
# pair differ by design, so they are named, never matched). Cells pair by
# everything else: workload, driver, variant and the other axes of the
# series (tidy.dat's extra, which never holds vm_type), and granularity.
# With two sides or more: every side over dual's (inplace/dual first, then
# discard/dual), or over the first side when dual did not run. With one:
# driver host over driver guest per series. backend_ratio_what.awk names
# the choice for the title.
#
# Output: header "granularity" then one double-quoted label per pair
# ("discard/dual guest, vm_type 0/1"), then one row per granularity label,
# '?' where a pair lacks a cell. tidy.dat columns: see tidy.awk.
# Exit 1: no pair to compare.

/^#/ || $8 != "convert_ns" || $6 <= 0 || $12 == "NaN" { next }
{
	vmt = (NF >= 24) ? $24 : "-"
	side = $3 SUBSEP vmt
	if (!(side in seen_side)) {
		seen_side[side] = 1; sides[++nside] = side
		sbe[nside] = $3; svmt[nside] = vmt
	}
	rest = $4 SUBSEP $5
	if (!(rest in seen_rest)) { seen_rest[rest] = 1; rests[++nrest] = rest }
	if (!($6 in seen_g)) { seen_g[$6] = 1; gs[++ng] = $6; glab[$6] = $7 }
	p50[side, rest, $6] = $12
	# one side: host over guest, the drivers being the pair
	ex = side SUBSEP $5
	drv[ex, $4, $6] = $12
	if (!(ex in seen_ex)) {
		seen_ex[ex] = 1; exs[++nex] = ex
		ex_be[nex] = $3; ex_vmt[nex] = vmt; ex_extra[nex] = $5
	}
}
# "guest first_half" from driver and extra, '-' parts left out
function what(d, e,    s) {
	s = (d == "-") ? "" : d
	if (e != "-")
		s = s (s == "" ? "" : " ") e
	return s
}
function col(name, num, den) { cname[++nc] = name; cnum[nc] = num; cden[nc] = den }
function rank(be) { return be == "inplace" ? 1 : be == "dual" ? 2 : be == "discard" ? 3 : 4 }
END {
	if (nside > 1) {
		ref = 1
		for (i = 1; i <= nside; i++)
			if (sbe[i] == "dual") { ref = i; break }
		# numerators in a fixed backend order: inplace/dual first
		for (i = 1; i <= nside; i++)
			ord[i] = i
		for (i = 2; i <= nside; i++) {
			v = ord[i]
			for (j = i - 1; j >= 1 && rank(sbe[ord[j]]) > rank(sbe[v]); j--)
				ord[j + 1] = ord[j]
			ord[j + 1] = v
		}
		for (o = 1; o <= nside; o++) {
			i = ord[o]
			if (i == ref)
				continue
			for (r = 1; r <= nrest; r++) {
				split(rests[r], p, SUBSEP)
				w = what(p[1], p[2])
				col(sbe[i] "/" sbe[ref] (w == "" ? "" : " " w) ", vm_type " svmt[i] "/" svmt[ref],
				    sides[i] SUBSEP rests[r], sides[ref] SUBSEP rests[r])
			}
		}
	} else {
		for (k = 1; k <= nex; k++) {
			w = (ex_extra[k] == "-") ? "" : " " ex_extra[k]
			col("host/guest " ex_be[k] w ", vm_type " ex_vmt[k], exs[k] SUBSEP "host", exs[k] SUBSEP "guest")
			by_driver[nc] = 1
		}
	}
	sort_asc(gs, ng)
	# Keep only columns with at least one ratio, rows likewise.
	for (c = 1; c <= nc; c++)
		for (i = 1; i <= ng; i++) {
			nk = cnum[c] SUBSEP gs[i]; dk = cden[c] SUBSEP gs[i]
			if (by_driver[c]) {
				if ((nk in drv) && (dk in drv) && drv[dk] > 0)
					ratio[c, i] = drv[nk] / drv[dk]
			} else if ((nk in p50) && (dk in p50) && p50[dk] > 0) {
				ratio[c, i] = p50[nk] / p50[dk]
			}
			if ((c, i) in ratio) { used_c[c] = 1; used_g[i] = 1 }
		}
	for (c = 1; c <= nc; c++)
		if (c in used_c)
			hdr = hdr " \"" cname[c] "\""
	if (hdr == "")
		exit 1
	print "granularity" hdr
	for (i = 1; i <= ng; i++) {
		if (!(i in used_g))
			continue
		line = glab[gs[i]]
		for (c = 1; c <= nc; c++)
			if (c in used_c)
				line = line " " (((c, i) in ratio) ? sprintf("%.4g", ratio[c, i]) : "?")
		print line
	}
}
