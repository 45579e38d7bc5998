#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/run_tests.sh counts what it runs honestly: it is run on a made-up
# set of tests (cmocka-like executables and TAP scripts in a temporary
# O and TESTS_DIR) whose verdicts are known, and its per-test lines and
# closing line are checked. A whole skip with a reason is one skip, never
# a failure or a pass; a whole skip without a reason, or one that exits
# with an error, is a failure. TAP output.

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_run_tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=tests/tap.sh
. "$here/tap.sh"

echo "TAP version 13"
echo "1..9"

mkdir -p "$tmp/O/tests" "$tmp/t"
# fake NAME KIND BODY: a test printing/exiting as BODY says
fake() {
	if [ "$2" = bin ]; then
		f=$tmp/O/tests/$1
	else
		f=$tmp/t/$1
	fi
	printf '#!/bin/sh\n%s\n' "$3" >"$f"
	chmod +x "$f"
}
fake test_bin_skip4 bin 'echo "SKIP: no gadget on this host"; exit 4'
fake test_bin_silent4 bin 'exit 4'
fake test_bin_pass bin 'echo "[  PASSED  ] 2 test(s)."; exit 0'
fake test_plan_skip.sh sh 'echo "TAP version 13"; echo "1..0 # SKIP no widget here"'
fake test_plan_noreason.sh sh 'echo "TAP version 13"; echo "1..0"'
fake test_plan_skip_rc1.sh sh 'echo "1..0 # SKIP said skip, then failed"; exit 1'
fake test_mixed.sh sh 'echo "1..2"; echo "ok 1 - fine"; echo "ok 2 # SKIP one part"'

O=$tmp/O TESTS_DIR=$tmp/t sh "$here/run_tests.sh" >"$tmp/out" 2>&1
rc=$?

has() {	# has LINE: the runner printed exactly LINE
	grep -qxF -e "$1" "$tmp/out"
}
line() {	# line NAME: the per-test count line of NAME, without the time
	sed -n "s/^--- $1: \\(.*\\) ([0-9]* s)\$/\\1/p" "$tmp/out"
}
check "exit 4 with a SKIP line: its reason printed" \
	has "--- test_bin_skip4 skipped: no gadget on this host"
check "exit 4 with a SKIP line counts one skip ($(line test_bin_skip4))" \
	test "$(line test_bin_skip4)" = "0 passed, 0 failed, 1 skipped"
check "exit 4 without a reason is a failure ($(line test_bin_silent4))" \
	test "$(line test_bin_silent4)" = "0 passed, 1 failed, 0 skipped"
check "skip-all plan 1..0 with a SKIP reason: its reason printed" \
	has "--- test_plan_skip.sh skipped: no widget here"
check "skip-all plan with a reason counts one skip ($(line test_plan_skip.sh))" \
	test "$(line test_plan_skip.sh)" = "0 passed, 0 failed, 1 skipped"
check "skip-all plan 1..0 without a reason is a failure ($(line test_plan_noreason.sh))" \
	test "$(line test_plan_noreason.sh)" = "0 passed, 1 failed, 0 skipped"
check "skip-all plan, then exit 1, is a failure ($(line test_plan_skip_rc1.sh))" \
	test "$(line test_plan_skip_rc1.sh)" = "0 passed, 1 failed, 0 skipped"
check "closing line adds up (2+1 passed, 3 failed, 3 skipped)" \
	test "$(tail -n 1 "$tmp/out")" = "3 passed, 3 failed, 3 skipped"
check "a failure makes the runner exit 1 (rc $rc)" test "$rc" -eq 1

# the runner's own output only when it miscounted: its made-up failures
# would read like real ones in a log
[ "$failed" -eq 0 ] || sed 's/^/# /' "$tmp/out"
[ "$failed" -eq 0 ]
