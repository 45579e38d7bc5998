#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-vm: every test that needs /dev/kvm, inside the lab VM, on kvm rebuilt
# with CONFIG_KVM_SW_PROTECTED_VM, so every test that needs /dev/kvm (and
# the dual backend's) runs on a real kvm whatever this host offers.
# A VM that dies or hangs is retried once, and the output says so; a
# second death fails. Prints the suite's "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
log=$PWD/$O/lab-check
rm -rf "$log"
mkdir -p "$log" || exit 1
# the lab checks itself first: KVM's own selftests on the same kvm
echo "check-vm: lab selftest (KVM's guest_memfd_test, private_mem_conversions_test)"
./lab/lab.sh ${GMB_LAB_OPTS:-} --retry-dead --log-dir "$log/selftest" selftest
rc=$?
case $rc in
0) ;;
4) echo "check-vm: SKIP: the lab cannot be had here (see above)"
   echo "0 passed, 0 failed, 1 skipped"
   exit 4 ;;
*) echo "check-vm: the lab's own selftest FAILED (exit $rc): lab results are untrustworthy"
   echo "0 passed, 1 failed, 0 skipped"
   exit 1 ;;
esac
echo "check-vm: the tests that need /dev/kvm, in the lab VM (console and output kept in $log)"
./lab/lab.sh ${GMB_LAB_OPTS:-} --retry-dead --log-dir "$log" \
	run -- bash lab/check-in-vm.sh "$O"
rc=$?
case $rc in
0) ;;
4) echo "check-vm: SKIP: the lab cannot be had here (see above)"
   echo "0 passed, 0 failed, 1 skipped" ;;
124|125) echo "check-vm: the lab VM $(cat "$log/verdict") on the retry too: FAILED (console: $log/console.log, first try: $log/try1/)"
   echo "0 passed, 1 failed, 0 skipped" ;;
*) echo "check-vm: FAILED (exit $rc)" ;;
esac
exit $rc
