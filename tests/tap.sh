# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers of the shell tests, sourced (POSIX sh):
#	. "$(dirname "$0")/tap.sh"
# n numbers the test points, failed counts the "not ok" ones; a script
# ends with [ "$failed" -eq 0 ] so that its exit status says the same.
# Not a test itself: tests/run_tests.sh runs tests/test_*.sh only.

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
check() {	# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	check_desc=$1
	shift
	[ $# -gt 0 ] || { not_ok "$check_desc (no command to run)"; return; }
	if "$@"; then ok "$check_desc"; else not_ok "$check_desc"; fi
}
skip() {	# skip REASON: a test point that cannot run on this host
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}

# The gmembench under test, for a script whose repository root is $root:
# $GMB_BIN, else gmembench in the build directory $O (default build, made
# by make; a relative O is taken from the root).
gmb_bin() {
	case ${O:-build} in
	/*)	echo "${GMB_BIN:-$O/gmembench}" ;;
	*)	echo "${GMB_BIN:-$root/${O:-build}/gmembench}" ;;
	esac
}
# require_bin BIN: a missing binary is a failure, not a skip (the build is
# broken): the whole plan is that one failed point
require_bin() {
	[ -x "$1" ] && return 0
	echo "1..1"
	not_ok "$1 not built (make)"
	exit 1
}
