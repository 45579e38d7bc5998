# SPDX-License-Identifier: GPL-2.0
#
# awk -f host.awk results.json
#
# Prints "host <hostname>, kernel <kernel_release>" for the plot titles, or
# nothing when the file names no host; results from the lab (a kernel under
# QEMU) say so, and TCG ones that their numbers are functional only. Not a JSON parser: the first
# "key": "string" pair of each key anywhere in the file is taken, which
# is enough for results.json, where both keys occur once.

BEGIN { RS = "\001" }	# one record, the whole file: JSON text holds no \001
function jstr(s, key,    v) {
	if (!match(s, "\"" key "\"[ \t\r\n]*:[ \t\r\n]*\"[^\"]*\""))
		return ""
	v = substr(s, RSTART, RLENGTH)
	sub(/^"[^"]*"[ \t\r\n]*:[ \t\r\n]*"/, "", v)
	sub(/"$/, "", v)
	return v
}
{ s = s $0 }
END {
	h = jstr(s, "hostname"); k = jstr(s, "kernel_release")
	if (h != "")
		printf "host %s, kernel %s", h, (k == "" ? "?" : k)
	if (h != "" && jstr(s, "origin") == "lab") {
		a = jstr(s, "accel")
		printf " [lab %s%s]", a, (a == "kvm" ? "" : ": ratios only")
	}
}
