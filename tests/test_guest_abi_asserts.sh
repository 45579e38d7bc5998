#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest ABI's two sides are tied at compile time: harness/guest_mailbox.h
# asserts that struct guest_mailbox puts every field at the MB_* offset of
# harness/guest_abi.h (what guest.S uses), and that the other constants
# guest.S relies on agree with C. For each such #define, compile the
# header with that define moved and expect the build to fail; unmoved, it
# must build. Needs a C compiler ($CC, else cc), as the build does.

CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_guest_abi_asserts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "1..0 # SKIP no C compiler ($CC)"
	exit 0
fi
names=$(sed -n 's/^#define \(MB_[A-Z0-9_]*\)[[:space:]].*/\1/p' harness/guest_abi.h)
others="GUEST_CHANNEL_PIO GUEST_REQ_TO_PRIVATE GUEST_REQ_DONE GMB_HC_MAP_GPA_RANGE GMB_MAP_GPA_RANGE_ENCRYPTED GMB_PAGE_SHIFT"
echo "1..$(($(echo $names $others | wc -w) + 2))"

# compile NAME VALUE: the header with NAME redefined to VALUE ("" = as is)
compile() {
	{
		echo '#include "harness/guest_abi.h"'
		[ -n "$1" ] && printf '#undef %s\n#define %s %s\n' "$1" "$1" "$2"
		echo '#include "harness/guest_mailbox.h"'
	} >"$tmp/t.c"
	"$CC" -std=gnu11 -D_GNU_SOURCE -I. -fsyntax-only "$tmp/t.c" >"$tmp/err" 2>&1
}

check "the header builds as it is" compile "" ""
check "guest.S takes the same defines" \
	grep -q '^#include "harness/guest_abi.h"' harness/guest.S
for name in $names $others; do
	val=$(sed -n "s/^#define $name[[:space:]][[:space:]]*\([^[:space:]]*\).*/\1/p" harness/guest_abi.h)
	if compile "$name" "($val + 8)"; then
		not_ok "$name moved: no static assert fired"
	elif grep -q 'static assert\|_Static_assert\|static_assert' "$tmp/err"; then
		ok "$name moved: a static assert fires"
	else
		not_ok "$name moved: the build failed, not by an assert"
		sed 's/^/# /' "$tmp/err"
	fi
done
[ "$failed" -eq 0 ]
