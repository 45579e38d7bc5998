#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM: KVM's own guest_memfd and private-memory
# conversion selftests, built from the lab kernel's linux-source. TAP out;
# exit 0 only when every one passed (a skip means the lab's kvm lacks what
# gmembench's dual backend relies on, so it fails the lab selftest too).
dir=$1
n=0 bad=0
run() {
	n=$((n + 1))
	echo "# $*"
	"$dir/$1" "${@:2}" >/tmp/st.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/st.out | tail -n 40
	if [ $rc -eq 0 ]; then
		echo "ok $n - $*"
	else
		echo "not ok $n - $* (exit $rc$([ $rc -eq 4 ] && echo ", skipped: kvm lacks it"))"
		bad=$((bad + 1))
	fi
}
echo "TAP version 13"
echo "1..3"
run guest_memfd_test
run private_mem_conversions_test
run private_mem_conversions_test -n 2 -m 2
[ $bad -eq 0 ]
