#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gmb-test: needs-kvm
#
# `gmembench verify` end to end, TAP output of its own. Runs the verifier
# on this host and checks that what it prints is valid TAP 13 in the
# kselftest style: the version line, a plan matching the number of test
# lines, test numbers in sequence, a reason on every SKIP, a Totals line
# that adds up, an exit code that agrees with the lines, and no "not ok"
# on this host. The verifier's own TAP is shown as "# " comments so that
# it is not counted as this script's results. When every conformance check
# skipped (no usable /dev/kvm) the verdict on this host is a skip: only
# the format of the verifier's output was checked.
# Exit 0 if every test passed or skipped, 1 otherwise.

GMB=${GMB:-build/gmembench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_verify.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
if [ ! -x "$GMB" ]; then	# a broken build is a failure, not a skip
	echo "1..1"
	not_ok "$GMB not built (make)"
	exit 1
fi
echo "1..10"

out=$tmp/verify.tap
"$GMB" verify >"$out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$out"
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
grep -q "unknown command 'verify'" "$tmp/err" &&
	echo "# $GMB was linked without bench/cmd_verify.o (weak cmd_verify not pulled from the archive)"

tests=$(grep -cE '^(not )?ok [0-9]+' "$out")
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out" | head -n 1)
passed=$(grep -E '^ok [0-9]+' "$out" | grep -vc '# SKIP')
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
failures=$(grep -cE '^not ok [0-9]+' "$out")

check "first line is 'TAP version 13'" test "$(head -n 1 "$out")" = "TAP version 13"
second=$(sed -n 2p "$out")
is_plan() { expr "$1" : '1\.\.[0-9][0-9]*$' >/dev/null; }
check "second line is the plan 1..N ($second)" is_plan "$second"
check "plan ($plan) matches the number of test lines ($tests)" \
	test "${plan:-x}" = "$tests"
# test numbers run 1..N in order
seq_ok=$(grep -E '^(not )?ok [0-9]+' "$out" | sed -E 's/^(not )?ok ([0-9]+).*/\2/' |
	awk 'BEGIN { ok = 1 } { if ($1 != NR) ok = 0 } END { print ok }')
check "test numbers run 1..N in sequence" test "$seq_ok" = 1
# every test line has a description ("ok N - desc")
nodesc=$(grep -E '^(not )?ok [0-9]+' "$out" | grep -cvE '^(not )?ok [0-9]+ - [^ #]')
check "every test line carries a description" test "$nodesc" -eq 0
# every SKIP carries a reason: text after "# SKIP"
noreason=$(grep -E '# SKIP' "$out" | grep -cvE '# SKIP [^ ]+')
check "every SKIP line carries a reason ($skipped skips)" test "$noreason" -eq 0
# the verdict on this host's kernel: when every check skipped there is none
if [ "$tests" -gt 0 ] && [ "$skipped" -eq "$tests" ]; then
	why=$(sed -n 's/^ok [0-9]* .*# SKIP //p' "$out" | head -n 1)
	skip "no conformance check ran on this host: all $skipped skipped (first reason: $why)"
else
	check "no 'not ok' line on this host ($failures failures)" test "$failures" -eq 0
fi
totals=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+$' "$out" | tail -n 1)
check "Totals line agrees with the lines (pass:$passed fail:$failures skip:$skipped)" \
	test "$totals" = "# Totals: pass:$passed fail:$failures skip:$skipped"
# kselftest exit codes: 1 any failure, 4 (KSFT_SKIP) all skipped, else 0
if [ "$failures" -gt 0 ]; then want=1; elif [ "$passed" -eq 0 ]; then want=4; else want=0; fi
check "exit code $rc agrees with the results (want $want)" test "$rc" -eq "$want"
# stray lines: everything is TAP, a test line, or a "# " comment
stray=$(grep -cvE '^(TAP version 13|1\.\.[0-9]+|(not )?ok [0-9]+.*|# .*)$' "$out")
check "no stray output lines" test "$stray" -eq 0

[ "$failed" -eq 0 ]
