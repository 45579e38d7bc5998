#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM (make soak-vm): the guest-stability soak of
# issue 10, many short runs of the workloads that met the lab's platform
# defect (README, known issues), each run's status kept. Exit 1 when any
# run failed; the closing lines count passes, failures and the runs that
# needed a platform retry (platform_retry_count=1 in a row).
#
#   lab/soak-in-vm.sh OUTDIR [GRAN_TRIES] [FOOTPRINT_TRIES]   (defaults 5, 30)
set -u
out=${1:?usage: soak-in-vm.sh OUTDIR [GRAN_TRIES] [FOOTPRINT_TRIES]}
gran_tries=${2:-5}
fp_tries=${3:-30}
G=${GMB:-./build/gmembench}
status=0
mkdir -p "$out" || exit 2
[ -c /dev/kvm ] || { echo "soak: no /dev/kvm in the lab VM"; exit 1; }

# tries NAME N ARGS...: N runs of gmembench run ARGS, one line a failure
tries() {
	local name=$1 n=$2 i pass=0 fail=0 retried=0 d
	shift 2
	for i in $(seq 1 "$n"); do
		d="$out/$name-$i"
		if "$G" run "$@" -q -o "$d" >"$d.log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "soak: $name try $i FAILED (exit $?): $(grep -m1 '^error' "$d.log")"
		fi
		grep -q 'platform_retry_count=1' "$d/results.csv" 2>/dev/null && retried=$((retried + 1))
	done
	echo "soak: $name: $pass passed, $fail failed, $retried with a platform retry ($*)"
	[ "$fail" -eq 0 ] || status=1
}

tries granularity-dual "$gran_tries" granularity -b dual -d guest,host -g 4K,64K,2M -r 3 -m 4M
tries footprint-dual "$fp_tries" footprint -b dual -g 4K -v 2 -m 4M -r 2
tries footprint-discard "$fp_tries" footprint -b discard -g 4K -v 2 -m 4M -r 2
# guest faults racing host conversions: counted per cell, never errors
echo "soak: memory-fault exits (rows by count): $(grep -ho 'memory_fault_to_[a-z]*_count=[1-9][0-9]*' "$out"/granularity-*/results.csv 2>/dev/null | sort | uniq -c | sort -rn | head -n 4 | tr -s ' \n' ' ')"
exit $status
