# SPDX-License-Identifier: GPL-2.0
#
# awk -v ndirs=N -f footprint.awk tidy.dat footprint-*-0.csv... >footprint.dat
#
# Blocks per footprint time series (rep 0 of each backend x granularity,
# the first measured repetition; the warm-up is not plotted): first line the
# panel title, then t_ms gmem_MiB shared_MiB total_MiB rss_MiB guest_MiB.
# total = gmem + shared, the backing a conversion scheme costs; guest_MiB is
# the guest memory (region_bytes x vcpus of that cell in tidy.dat, '?' if
# the CSV has no such cell), the level a scheme that never doubles stays at.
# Panels in backend order, then by granularity; with ndirs > 1 their titles
# name the results directory. The series files hold numbers only, so a
# plain comma split reads them. An empty gmem_bytes (not measurable in that
# cell, results.csv's reason says why) becomes '?' in gmem_MiB and
# total_MiB, and the panel title says "gmem n/a". A file without
# t_ns/gmem_bytes columns is named on stderr and ignored.
# tidy.dat columns: see tidy.awk. Exit 1: no sample in any series.

function bytes(l,    n, u) {
	n = l + 0; u = substr(l, length(l))
	return n * (u == "G" ? 1073741824 : u == "M" ? 1048576 : u == "K" ? 1024 : 1)
}
function mib(v) { return (v ~ /^[0-9.eE+-]+$/) ? sprintf("%.4f", v / 1048576) : "?" }
# tidy.dat (read first): guest memory of every footprint cell.
NR == FNR {
	if (!/^#/ && $20 == "footprint" && $22 ~ /^[0-9]+$/ && $23 ~ /^[0-9]+$/)
		guest[$3, $6] = $22 * $23
	next
}
FNR == 1 {
	cur = FILENAME
	split("", col)
	for (i = 1; i <= split($0, h, ","); i++) {
		sub(/\r$/, "", h[i])
		col[h[i]] = i
	}
	ok = ("t_ns" in col) && ("gmem_bytes" in col)
	if (!ok) {
		printf "render.sh: %s: no t_ns/gmem_bytes columns, ignored\n", FILENAME > "/dev/stderr"
		next
	}
	base = FILENAME
	sub(/.*\//, "", base)
	dir = substr(FILENAME, 1, length(FILENAME) - length(base) - 1)
	sub(/.*\//, "", dir)
	sub(/^footprint-/, "", base)
	sub(/-0\.csv$/, "", base)
	be = base; sub(/-.*/, "", be)
	gl = base; sub(/^[^-]*-/, "", gl)
	k = ++np
	pbe[k] = be; pgran[k] = bytes(gl)
	ptitle[k] = be " " gl (ndirs > 1 ? " (" dir ")" : "")
	next
}
ok {
	sub(/\r$/, "")
	n = split($0, f, ",")
	t = f[col["t_ns"]]
	if (t !~ /^[0-9.eE+-]+$/)
		next
	# an empty gmem_bytes: not measurable in that cell (its reason says why)
	g = f[col["gmem_bytes"]]
	if (g == "")
		na[np] = 1
	s = ("shared_bytes" in col) ? f[col["shared_bytes"]] : "?"
	r = ("rss_bytes" in col) ? f[col["rss_bytes"]] : "?"
	tot = (g == "") ? "?" : g + (s == "?" ? 0 : s)
	line[np, ++nl[np]] = sprintf("%.3f", t / 1e6) " " mib(g == "" ? "?" : g) " " mib(s) " " mib(tot) " " mib(r)
}
END {
	# panels in backend order, then by granularity
	for (i = 1; i <= np; i++)
		idx[i] = i
	for (i = 2; i <= np; i++) {
		v = idx[i]
		for (j = i - 1; j >= 1 && (pbe[idx[j]] > pbe[v] || (pbe[idx[j]] == pbe[v] && pgran[idx[j]] > pgran[v])); j--)
			idx[j + 1] = idx[j]
		idx[j + 1] = v
	}
	for (i = 1; i <= np; i++) {
		k = idx[i]
		if (!nl[k])
			continue
		gm = ((pbe[k], pgran[k]) in guest) ? mib(guest[pbe[k], pgran[k]]) : "?"
		if (nb++)
			printf "\n\n"
		printf "\"%s\" gmem_MiB shared_MiB total_MiB rss_MiB guest_MiB\n", ptitle[k] (na[k] ? ": gmem n/a (see reason)" : "")
		for (r = 1; r <= nl[k]; r++)
			print line[k, r], gm
	}
	exit nb ? 0 : 1
}
