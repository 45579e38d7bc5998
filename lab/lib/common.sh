# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the lab scripts: messages, exit codes, the cache dir.
# Exit codes (kselftest-like): 2 usage, 4 the lab cannot be had here;
# a VM that dies, resets or hangs is LAB_EXIT_VM_DIED / LAB_EXIT_VM_HUNG.

LAB_EXIT_USAGE=2
LAB_EXIT_SKIP=4
LAB_EXIT_VM_HUNG=124	# like timeout(1)
LAB_EXIT_VM_DIED=125

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GMB_TOP=$(cd "$LAB_DIR/.." && pwd)
LAB_CACHE=${GMB_LAB_CACHE:-/var/cache/gmembench/lab}
LAB_QEMU=${GMB_LAB_QEMU:-qemu-system-x86_64}

lab_msg() { echo "lab: $*" >&2; }
lab_usage() { echo "lab: $*" >&2; exit $LAB_EXIT_USAGE; }
lab_skip() { echo "lab: SKIP: $*" >&2; exit $LAB_EXIT_SKIP; }
lab_fail() { echo "lab: $*" >&2; exit 1; }
# lab_bad_kernel_spec SPEC: the one message for a --kernel nobody can read
lab_bad_kernel_spec() {
	lab_usage "--kernel '$1': unknown kernel spec (accepted: debian, debian:SUITE, debian:VERSION, or a PATH to a kernel)"
}

# lab_cache_ok: the cache dir exists (or can be made) and is writable
lab_cache_ok() {
	mkdir -p "$LAB_CACHE" 2>/dev/null || lab_skip "cache dir '$LAB_CACHE' cannot be created (set --cache DIR)"
	[ -w "$LAB_CACHE" ] && touch "$LAB_CACHE/.w" 2>/dev/null && rm -f "$LAB_CACHE/.w" ||
		lab_skip "cache dir '$LAB_CACHE' is not writable (set --cache DIR)"
}

# lab_need CMD PKG: a host tool, or skip naming the Debian package
lab_need() {
	command -v "$1" >/dev/null 2>&1 || lab_skip "'$1' not found (Debian package $2; run lab/install-deps.sh)"
}
