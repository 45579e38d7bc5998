# SPDX-License-Identifier: GPL-2.0
#
# KVM's own selftests from the same linux-source as the lab's kvm:
# guest_memfd_test and x86/private_mem_conversions_test. The lab checks
# itself with them: if they fail in the VM, lab results are untrustworthy.

LAB_SELFTESTS="guest_memfd_test x86/private_mem_conversions_test"

# lab_build_selftests ROOT OUT: build them from ROOT/src/linux-source-*;
# a failure is recorded in OUT/build-failed, not fatal to the kernel cache
lab_build_selftests() {
	local root=$1 out=$2 src t
	src=$(ls -d "$root"/src/linux-source-* 2>/dev/null | head -n 1)
	mkdir -p "$out"
	[ -n "$src" ] || { echo "no linux-source tree" >"$out/build-failed"; return 0; }
	lab_msg "building KVM selftests: $LAB_SELFTESTS"
	(
		set -e
		cd "$src"
		make -j"$(nproc)" headers
		cd tools/testing/selftests/kvm
		for t in $LAB_SELFTESTS; do
			make -j"$(nproc)" OUTPUT="$out/build" "$out/build/$t"
		done
	) >"$out/build.log" 2>&1 || {
		echo "selftest build failed: $(tail -n 2 "$out/build.log" | tr '\n' ' ')" >"$out/build-failed"
		lab_msg "$(cat "$out/build-failed")"
		return 0
	}
	for t in $LAB_SELFTESTS; do
		cp "$out/build/$t" "$out/$(basename "$t")"
	done
	rm -rf "$out/build"
}
