#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM (lab/check-vm.sh): the test suite on the lab's
# kvm. A missing /dev/kvm here would turn every KVM test into a skip and
# the run into a false pass, so it is a failure.
O=${1:-build}
if [ ! -c /dev/kvm ]; then
	echo "check-in-vm: no /dev/kvm in the lab VM (kvm did not load; see the console)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "check-in-vm: $(uname -r), kvm: ${GMB_LAB_KVM:-?}, accel: ${GMB_LAB_ACCEL:-?}"
O=$O TEST_NEEDS=kvm TEST_TIMEOUT=${TEST_TIMEOUT:-900} ./tests/run_tests.sh
