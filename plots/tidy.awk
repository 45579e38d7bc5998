# SPDX-License-Identifier: GPL-2.0
#
# awk -v meta=META -v ctrs=CTRS -f csv.awk -f sort.awk -f tidy.awk results.csv... >BODY
#
# Step 1 of render.sh: reduces results.csv files (schema v1) to the tables
# every plot is shaped from. Rows with status=ok and warmup=0 only; every
# numeric value is the median across the repetitions of its cell.
#
# stdout, the tidy.dat body (render.sh sorts it and adds the '#' header):
# whitespace separated, one line per cell (series x granularity x metric):
#  1 sidx (series index, order of first appearance)  2 series label
#  3 backend  4 driver  5 extra (other distinguishing axes, '-' if none)
#  6 granularity_bytes  7 granularity label (4K, 2M, 1G)  8 metric
#  9 repetitions  10 count  11 min_ns 12 p50_ns 13 p90_ns 14 p99_ns
#  15 p999_ns 16 p9999_ns 17 max_ns  18 conversions_per_s  19 bytes_per_s
#  20 workload  21 variant  22 vcpus  23 region_bytes  24 vm_type
# NaN where a cell lacks the value. The label names vm_type only when one
# backend ran with several (merged runs); extra never does, so that cells
# of different backends, and so of different VM types, pair by extra.
#
# CTRS, the counters.dat body, from the `counters` column: one line per
# cell and counter, columns
#  1 sidx  2 series label  3 backend  4 driver  5 variant  6 workload
#  7 vcpus  8 region_bytes  9 granularity_bytes  10 granularity label
#  11 counter name  12 median across repetitions  13 repetitions with it
# Written only when some cell has counters.
#
# META: "run_id <ids>", "backends <ok ones>", "not_ok <backend:status,...>",
# '-' for none; the plot titles quote them.
#
# Each file is read by its own header, so several runs with different
# column orders merge as if one run had produced all their rows.
#
# Exit: 0 rows to plot; 3 a file lacks a needed column (named on stderr);
# 5 no row with status=ok and warmup=0.

function get(name) { return (name in col) ? F[col[name]] : "" }
function isnum(v) { return v ~ /^[ \t]*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?[ \t]*$/ }
# Labels end up as single gnuplot tokens: no blanks, quotes or comment signs.
function tok(s) {
	gsub(/[^A-Za-z0-9_.+:=%-]/, "_", s)
	return s == "" ? "-" : s
}
function human(b) {
	if (b > 0 && b % 1073741824 == 0) return (b / 1073741824) "G"
	if (b > 0 && b % 1048576 == 0) return (b / 1048576) "M"
	if (b > 0 && b % 1024 == 0) return (b / 1024) "K"
	return b "B"
}
# Median of a[1..n] (sorted in place).
function med(a, n,    v) {
	if (n == 0)
		return "NaN"
	sort_asc(a, n)
	v = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	return sprintf("%.10g", v)
}
function median(key, c,    n, i, a) {
	n = 0
	for (i = 1; i <= nrep[key]; i++)
		if ((key, c, i) in val)
			a[++n] = val[key, c, i]
	return med(a, n)
}
function distinct(dim, v) {
	if (!((dim, v) in seen)) {
		seen[dim, v] = 1
		ndist[dim]++
	}
}
BEGIN {
	nstat = split("count min_ns p50_ns p90_ns p99_ns p999_ns p9999_ns max_ns conversions_per_s bytes_per_s", stat, " ")
	nreq = split("backend driver granularity_bytes status warmup metric p50_ns p99_ns", req, " ")
	nser = 0; ncell = 0; nbe = 0; nctr = 0	# numbers, not "": they index output lines
}
# Every file starts with its own header: the files of several runs are
# joined by column name, not by position.
FILENAME != curfile {
	curfile = FILENAME
	nfile++
	have_header = 0
	split("", col)
}
{
	# A quoted field may span lines: csv_record() glues them.
	n = csv_split(csv_record(), F)
	if (!have_header) {
		have_header = 1
		for (i = 1; i <= n; i++) {
			h = F[i]
			gsub(/^[ \t\357\273\277]+|[ \t]+$/, "", h)
			col[h] = i
		}
		for (i = 1; i <= nreq; i++)
			if (!(req[i] in col)) {
				printf "render.sh: %s has no \"%s\" column\n", FILENAME, req[i] > "/dev/stderr"
				bad = 1
				exit 3
			}
		next
	}
	if (n == 1 && F[1] == "")
		next
	if ((v = tok(get("run_id"))) != "-" && !(v in run_seen)) {
		run_seen[v] = 1
		run_id = run_id (run_id == "" ? "" : "+") v
	}
	if (!warned && (v = get("schema_version")) != "" && v != 1) {
		printf "render.sh: results.csv schema_version %s, expected 1; plotting anyway\n", v > "/dev/stderr"
		warned = 1
	}
	be = tok(get("backend"))
	if (!(be in be_seen)) {
		be_seen[be] = 1
		be_order[++nbe] = be
	}
	if (get("status") != "ok" || get("warmup") != "0") {
		if (get("status") != "ok")
			be_notok[be] = get("status")
		next
	}
	metric = tok(get("metric"))
	if (metric == "-")
		next	# a status row without metrics has nothing to plot
	be_ok[be] = 1
	drv = tok(get("driver")); chan = tok(get("channel"))
	var = tok(get("variant")); wl = tok(get("workload"))
	reg = tok(get("region_bytes")); vc = tok(get("vcpus"))
	vmt = tok(get("vm_type"))
	gran = get("granularity_bytes") + 0

	skey = wl SUBSEP be SUBSEP drv SUBSEP chan SUBSEP var SUBSEP reg SUBSEP vc SUBSEP vmt
	if (!(skey in sidx)) {
		sidx[skey] = nser
		ser_key[nser++] = skey
	}
	if (chan != "-")
		distinct("chan", chan)
	distinct("var", var); distinct("wl", wl); distinct("reg", reg)
	distinct("vc", vc)
	if (!((be, vmt) in be_vmt)) {
		be_vmt[be, vmt] = 1
		if (++nvmt[be] > 1)
			vmt_ambig = 1
	}

	key = skey SUBSEP gran SUBSEP metric
	if (!(key in nrep)) {
		cell_key[ncell++] = key
		cell_ser[key] = skey; cell_gran[key] = gran; cell_metric[key] = metric
	}
	r = ++nrep[key]
	for (i = 1; i <= nstat; i++) {
		v = get(stat[i])
		if (isnum(v))
			val[key, stat[i], r] = v + 0
	}

	# counters: a cell property repeated on each of its metric rows, so
	# only its first row in each repetition (of each file) is read.
	ckey = skey SUBSEP gran
	rkey = ckey SUBSEP nfile SUBSEP get("repetition")
	if (rkey in crep_seen)
		next
	crep_seen[rkey] = 1
	nc = split(get("counters"), kv, ";")
	for (i = 1; i <= nc; i++) {
		eq = index(kv[i], "=")
		if (eq < 2)
			continue
		name = tok(substr(kv[i], 1, eq - 1)); v = substr(kv[i], eq + 1)
		if (!isnum(v))
			continue
		if (!((ckey, name) in cn)) {
			ctr_key[nctr++] = ckey SUBSEP name
			ctr_cell[ckey SUBSEP name] = ckey; ctr_name[ckey SUBSEP name] = name
		}
		cval[ckey, name, ++cn[ckey, name]] = v + 0
	}
}
END {
	if (bad)
		exit 3
	# Only axes that vary within the run go into the series label, so a
	# normal run reads "discard/guest", not the whole cell key; a variant
	# (a layout, a pin mechanism ...) always does, being what the workload
	# is about, and a driver "-" (the workload has no driver axis) never.
	# vm_type follows from the backend (dual and inplace need a private-
	# memory VM type, discard the default one), so it is named only when a
	# backend ran with several.
	for (s = 0; s < nser; s++) {
		split(ser_key[s], p, SUBSEP)
		extra = ""
		if (ndist["wl"] > 1) extra = extra "/" p[1]
		if (ndist["chan"] > 1 && p[4] != "-") extra = extra "/" p[4]
		if (ndist["var"] > 1 || p[5] != "-") extra = extra "/" p[5]
		if (ndist["reg"] > 1) extra = extra "/reg=" p[6]
		if (ndist["vc"] > 1) extra = extra "/vcpus=" p[7]
		ser_extra[s] = extra == "" ? "-" : substr(extra, 2)
		ser_label[s] = p[2] (p[3] == "-" ? "" : "/" p[3]) extra (vmt_ambig ? "/vm_type=" p[8] : "")
		ser_be[s] = p[2]; ser_drv[s] = p[3]
		ser_tail[s] = p[1] " " p[5] " " p[7] " " p[6] " " p[8]
	}
	for (c = 0; c < ncell; c++) {
		key = cell_key[c]
		s = sidx[cell_ser[key]]
		line = s " " ser_label[s] " " ser_be[s] " " ser_drv[s] " " ser_extra[s] " " cell_gran[key] " " human(cell_gran[key]) " " cell_metric[key] " " nrep[key]
		for (i = 1; i <= nstat; i++)
			line = line " " median(key, stat[i])
		print line " " ser_tail[s]
	}
	for (c = 0; c < nctr; c++) {
		k = ctr_key[c]
		ckey = ctr_cell[k]; name = ctr_name[k]
		split(ckey, p, SUBSEP)	# the series key, then the granularity
		s = sidx[p[1] SUBSEP p[2] SUBSEP p[3] SUBSEP p[4] SUBSEP p[5] SUBSEP p[6] SUBSEP p[7] SUBSEP p[8]]
		n = 0
		split("", a)
		for (i = 1; i <= cn[ckey, name]; i++)
			a[++n] = cval[ckey, name, i]
		printf "%d %s %s %s %s %s %s %s %s %s %s %s %d\n", s, ser_label[s], p[2], p[3], p[5], p[1], p[7], p[6], p[9], human(p[9]), name, med(a, n), n > ctrs
	}
	close(ctrs)
	printf "run_id %s\n", run_id == "" ? "-" : run_id > meta
	ok = ""; notok = ""
	for (i = 1; i <= nbe; i++) {
		if (be_order[i] in be_ok)
			ok = ok (ok == "" ? "" : ",") be_order[i]
		else if (be_order[i] in be_notok)
			notok = notok (notok == "" ? "" : ",") be_order[i] ":" tok(be_notok[be_order[i]])
	}
	printf "backends %s\n", ok == "" ? "-" : ok > meta
	printf "not_ok %s\n", notok == "" ? "-" : notok > meta
	exit ncell ? 0 : 5
}
