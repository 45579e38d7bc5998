#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test: the cmocka binaries in $O/tests/ (unit tests and the
# integration tests on the real /dev/kvm) and the tests/test_*.sh scripts
# (TAP). Prints each test's own output, then one closing line
# "N passed, N failed, N skipped". Exit 1 if anything failed.
#
# A test that skips as a whole (TAP "1..0 # SKIP reason", or kselftest's
# exit 4 with a "SKIP reason" line) counts as one skip and its reason is
# printed; a whole skip without a reason is a failure.
#
# TEST_NEEDS=kvm runs only the tests that need /dev/kvm (make check-vm runs
# them in the lab): a test says so with the line "gmb-test: needs-kvm" or by
# including kvm_test_util.h / wl_test_util.h.
#
# TEST_FILTER=substring runs only matching tests; TEST_TIMEOUT (s) bounds
# each one (default 300). TESTS_DIR holds the scripts (default tests).

O=${O:-build}
TESTS_DIR=${TESTS_DIR:-tests}
timeout_s=${TEST_TIMEOUT:-300}
pass=0 fail=0 skip=0
failed_names=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_cmocka() {
	# cmocka's summary lines: "[  PASSED  ] 3 test(s)." etc.
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	s=$(sed -n 's/.*\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	echo "${p:-0} ${f:-0} ${s:-0}"
}

count_tap() {
	p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
	s=$(grep -E '^ok [0-9]+.*# SKIP' "$log" | wc -l)
	f=$(grep -cE '^not ok [0-9]+' "$log")
	echo "$p $f $s"
}

# whole_skip RC: the reason of a test that skipped as a whole, if it did
whole_skip() {
	why=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp][A-Za-z]*:* *//p' "$log" | head -n 1)
	if [ "$1" -eq 4 ] && [ -z "$why" ]; then
		why=$(grep 'SKIP[: ]' "$log" | tail -n 1 | sed 's/.*SKIP:* *//')
	fi
	echo "$why"
}

# needs_kvm SOURCE: the test declares it needs /dev/kvm
needs_kvm() {
	grep -qE 'gmb-test: needs-kvm|#include "(tests/)?(kvm|wl)_test_util\.h"' "$1" 2>/dev/null
}

run_one() {
	name=$1
	kind=$2
	shift 2
	case "$name" in *"${TEST_FILTER:-}"*) ;; *) return ;; esac
	if [ "${TEST_NEEDS:-}" = kvm ]; then
		src=$TESTS_DIR/$name
		[ "$kind" = cmocka ] && src=$TESTS_DIR/$name.c
		needs_kvm "$src" || return
	fi
	echo "=== $name"
	start=$(date +%s)
	timeout --kill-after=10 "$timeout_s" "$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	if [ "$kind" = cmocka ]; then
		set -- $(count_cmocka)
	else
		set -- $(count_tap)
	fi
	p=$1 f=$2 s=$3
	# nothing passed or failed and it says it skipped: exit 4, or 0 with 1..0
	if [ $((p + f)) -eq 0 ] && { [ "$rc" -eq 4 ] ||
	   { [ "$rc" -eq 0 ] && grep -qE '^1\.\.0( |$)' "$log"; }; }; then
		why=$(whole_skip "$rc")
		if [ -n "$why" ]; then
			echo "--- $name skipped: $why"
			[ "$s" -gt 0 ] || s=1
			rc=0
		else
			echo "--- $name skipped without a reason"
			f=1
		fi
	fi
	# a crash, a timeout or a non-zero exit with no failure counted is a failure
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "--- $name exited with status $rc"
		f=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "--- $name ran no test"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "--- $name: $p passed, $f failed, $s skipped ($(( $(date +%s) - start )) s)"
}

for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" cmocka "$t"
done
for t in "$TESTS_DIR"/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" tap env O="$O" GMB="$O/gmembench" sh "$t"
done

[ -n "$failed_names" ] && echo "FAILED:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
