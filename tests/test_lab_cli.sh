#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lab/lab.sh refuses bad input with one line and the right exit code
# (2 usage, 4 the lab cannot be had here), before anything is downloaded,
# built or booted, and leaves nothing half-built in its cache. Needs no
# /dev/kvm and no network: the mirror case points at a closed local port.
# TAP output.

here=$(cd "$(dirname "$0")" && pwd)
lab=$here/../lab/lab.sh
echo "TAP version 13"
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP the lab needs root"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_lab_cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# expect RC PATTERN DESC -- ARGS...: run lab.sh, check the exit code, that
# stderr is exactly one line, and that it matches PATTERN (grep -E)
expect() {
	rc_want=$1 pat=$2 desc=$3
	shift 4
	n=$((n + 1))
	env GMB_LAB_CACHE="${cache:-$tmp/cache}" ${extra_env:-} "$lab" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq "$rc_want" ] && [ "$lines" -eq 1 ] && grep -qE -e "$pat" "$tmp/err"; then
		echo "ok $n - $desc -> $rc_want"
	else
		echo "not ok $n - $desc -> $rc_want (got $rc, $lines lines)"
		sed 's/^/#   /' "$tmp/err"
		failed=$((failed + 1))
	fi
}

echo "1..15"
expect 2 "unknown kernel spec" "unknown kernel spec" -- --kernel nosuch info
expect 2 "unknown suite 'bogus'" "unknown Debian suite" -- --kernel debian:bogus info
expect 2 "no such directory" "kernel path that does not exist" -- --kernel /nonexistent/k info
mkdir -p "$tmp/empty"
expect 2 "holds no kernel" "a path that holds no kernel" -- --kernel "$tmp/empty" info
mkdir -p "$tmp/imgonly" && echo x >"$tmp/imgonly/bzImage"
expect 2 "no modules dir" "a bzImage without modules" -- --kernel "$tmp/imgonly" info
expect 2 "--mem 100000G: out of range" "a VM larger than this host's memory" -- --mem 100000G info
expect 2 "--mem 'lots': not a size" "a VM memory that is not a size" -- --mem lots info
expect 2 "--smp 0: out of range" "zero vCPUs" -- --smp 0 info
expect 2 "--accel 'xen'" "an unknown accelerator" -- --accel xen info
expect 2 "--tcg-threads 'many': unknown \(accepted: single, multi\)" "an unknown TCG thread mode" -- --tcg-threads many info
expect 2 "--timeout needs a value" "an option without its value" -- --timeout
expect 2 "unknown command 'boot'" "an unknown command" -- boot
extra_env="GMB_LAB_QEMU=$tmp/no-qemu"
expect 4 "SKIP: .*no-qemu' not found \(Debian package qemu-system-x86" "QEMU missing" -- info
extra_env=""
cache=/proc/gmb-lab-cache
expect 4 "SKIP: cache dir '/proc/gmb-lab-cache' cannot be created" "cache dir not writable" -- info
cache=$tmp/cache-offline
extra_env="GMB_LAB_MIRROR=http://127.0.0.1:9/debian"
expect 4 "SKIP: mirror http://127.0.0.1:9/debian unreachable" "the mirror unreachable" -- --kernel debian info
extra_env=""
# nothing half-built: the failed runs left no kernel entry in the caches
left=$(find "$tmp/cache" "$tmp/cache-offline" -mindepth 1 -maxdepth 1 -not -name apt 2>/dev/null)
[ -z "$left" ] || { echo "# left in the cache: $left"; failed=$((failed + 1)); }
[ "$failed" -eq 0 ]
