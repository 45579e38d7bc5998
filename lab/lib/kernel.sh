# SPDX-License-Identifier: GPL-2.0
#
# The lab's kernel: `--kernel SPEC` resolved to a kernel image, its modules
# and two kvm module sets, "stock" (as shipped) and "swprot" (kvm.ko,
# kvm-amd.ko, kvm-intel.ko rebuilt from the matching linux-source with
# CONFIG_KVM_SW_PROTECTED_VM=y). Debian kernels are cached in
# $LAB_CACHE/<kernel release>/, built in a temp dir and renamed when
# complete, so nothing half-built is ever used.
#
# SPEC: debian (the default: the newest Debian kernel >= 6.18 in
# $LAB_SUITES), debian:SUITE, debian:VERSION (prefix: 7.3, 7.3.4), or PATH
# (a kernel build tree, or a dir with a bzImage/vmlinuz and a modules dir
# from `make modules_install INSTALL_MOD_PATH=...`).
#
# Sets LAB_KREL, LAB_KDIR (a dir holding vmlinuz, mods/<set>/, meta).

LAB_MIN_KERNEL=6.18

# _upstream VERSION: the upstream part of a Debian version (7.3.4-1~bpo13+1 -> 7.3.4)
_upstream() { local v=${1#*:}; echo "${v%-*}"; }

# lab_kernel_list: "package version suite" of every plain amd64 kernel
# image in the lab's lists (read directly: apt-cache per package is slow)
lab_kernel_list() {
	local f suite
	for f in "$LAB_CACHE"/apt/lists/*_Packages*; do
		[ -f "$f" ] || continue
		suite=$(basename "$f" | sed -E 's/.*_dists_([^_]*)_.*/\1/')
		/usr/lib/apt/apt-helper cat-file "$f" | awk -v s="$suite" '
			/^Package: / { p = $2 }
			/^Version: / { if (p ~ /^linux-image-[0-9].*-amd64$/ && p !~ /-(rt|cloud)-amd64$/) print p, $2, s }'
	done
}

# lab_resolve_debian SPEC: sets LAB_KREL (7.3.4+deb13-amd64), LAB_PKGVER, LAB_SUITE
lab_resolve_debian() {
	local spec=$1 want_suite="" want_ver="" pkg ver suite up best="" bestver="" bestsuite=""
	case "$spec" in
	debian) ;;
	debian:[0-9]*) want_ver=${spec#debian:} ;;
	debian:*) want_suite=${spec#debian:}
		echo " $LAB_SUITES " | grep -q " $want_suite " ||
			lab_usage "--kernel $spec: unknown suite '$want_suite' (accepted: ${LAB_SUITES// /, }, or a version such as debian:7.3)" ;;
	*) lab_bad_kernel_spec "$spec" ;;
	esac
	lab_apt_setup
	while read -r pkg ver suite; do
		up=$(_upstream "$ver")
		if [ -n "$want_suite" ]; then
			[ "$suite" = "$want_suite" ] || continue
		elif [ -n "$want_ver" ]; then
			case "$up" in "$want_ver"|"$want_ver".*|"$want_ver"~*) ;; *) continue ;; esac
		else
			dpkg --compare-versions "$up" ge "$LAB_MIN_KERNEL~" || continue
		fi
		if [ -z "$bestver" ] || dpkg --compare-versions "$ver" gt "$bestver"; then
			best=$pkg bestver=$ver bestsuite=$suite
		fi
	done < <(lab_kernel_list)
	if [ -z "$best" ]; then
		case "$spec" in
		debian) lab_skip "no Debian kernel >= $LAB_MIN_KERNEL in $LAB_SUITES on $(lab_mirror)" ;;
		*) lab_skip "--kernel $spec: no such Debian kernel in $LAB_SUITES on $(lab_mirror)" ;;
		esac
	fi
	LAB_KREL=${best#linux-image-}
	LAB_PKGVER=$bestver
	LAB_SUITE=$bestsuite
}

# _lab_fetch DIR: downloads and unpacks the kernel, modules, headers, source
_lab_fetch() {
	local d=$1 up mm p pkgs=()
	up=$(_upstream "$LAB_PKGVER")
	mm=$(echo "$up" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	for p in "linux-binary-$LAB_KREL" "linux-modules-$LAB_KREL" "linux-image-$LAB_KREL" \
		 "linux-headers-$LAB_KREL" "linux-headers-${LAB_KREL%-amd64}-common" "linux-source-$mm"; do
		lab_apt_cache show "$p=$LAB_PKGVER" >/dev/null 2>&1 && pkgs+=("$p=$LAB_PKGVER")
	done
	echo " ${pkgs[*]} " | grep -q " linux-source-" ||
		lab_skip "linux-source-$mm=$LAB_PKGVER not on the mirror: kvm cannot be rebuilt for $LAB_KREL"
	lab_msg "downloading ${pkgs[*]}"
	mkdir -p "$d/deb" "$d/root"
	(cd "$d/deb" && apt-get "${LAB_APT_OPTS[@]}" download "${pkgs[@]}") >"$d/download.log" 2>&1 ||
		lab_skip "download failed (mirror unreachable?): $(grep -m1 -E '^(E|Err):' "$d/download.log")"
	for p in "$d"/deb/*.deb; do
		dpkg-deb -x "$p" "$d/root" || lab_fail "cannot unpack $p"
	done
}

# _lab_stock_modules ROOT OUT: the shipped modules tree, uncompressed
_lab_stock_modules() {
	local root=$1 out=$2 m
	m=$(ls -d "$root"/usr/lib/modules/"$LAB_KREL" "$root"/lib/modules/"$LAB_KREL" 2>/dev/null | head -n 1)
	[ -n "$m" ] || lab_fail "no modules dir for $LAB_KREL in the packages"
	mkdir -p "$out"
	cp -a "$m"/. "$out"/
	find "$out" -name '*.ko.xz' -exec xz -d {} + || lab_fail "cannot decompress modules"
	find "$out" -name '*.ko.zst' -exec zstd -q -d --rm {} + 2>/dev/null
	[ -f "$out/vmlinuz" ] && mv "$out/vmlinuz" "$out/../vmlinuz"
	true
}

# _lab_build_swprot ROOT OUT: kvm modules with CONFIG_KVM_SW_PROTECTED_VM=y
_lab_build_swprot() {
	local root=$1 out=$2 src hdr tarball j
	tarball=$(ls "$root"/usr/src/linux-source-*.tar.* 2>/dev/null | head -n 1)
	hdr=$root/usr/src/linux-headers-$LAB_KREL
	[ -n "$tarball" ] && [ -f "$hdr/.config" ] || lab_fail "linux-source or linux-headers missing"
	lab_msg "rebuilding kvm with CONFIG_KVM_SW_PROTECTED_VM=y (a few minutes; log: $out.log)"
	mkdir -p "$root/src"
	tar -C "$root/src" -xf "$tarball" || lab_fail "cannot unpack $tarball"
	src=$(ls -d "$root"/src/linux-source-* | head -n 1)
	cp "$hdr/.config" "$src/.config"
	cp "$hdr/Module.symvers" "$src/Module.symvers"
	j=$(nproc)
	(
		set -e
		cd "$src"
		./scripts/config --enable EXPERT --enable KVM_SW_PROTECTED_VM \
			--disable MODULE_SIG_ALL --set-str MODULE_SIG_KEY "" \
			--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
		# the in-place series (7.4+): keep per-VM attributes buildable so
		# one kvm.ko offers both modes (module parameter at load time)
		if grep -q '^config KVM_VM_MEMORY_ATTRIBUTES' arch/x86/kvm/Kconfig 2>/dev/null; then
			./scripts/config --enable KVM_VM_MEMORY_ATTRIBUTES
		fi
		make olddefconfig
		grep -q '^CONFIG_KVM_SW_PROTECTED_VM=y' .config
		make -j"$j" KERNELRELEASE="$LAB_KREL" modules_prepare
		make -j"$j" KERNELRELEASE="$LAB_KREL" M=arch/x86/kvm modules
	) >"$out.log" 2>&1 || lab_fail "kvm rebuild failed: $(tail -n 3 "$out.log" | tr '\n' ' ')"
	mkdir -p "$out"
	for m in kvm kvm-amd kvm-intel; do
		[ -f "$src/arch/x86/kvm/$m.ko" ] || continue
		strip --strip-debug -o "$out/$m.ko" "$src/arch/x86/kvm/$m.ko"
	done
	grep -E '^CONFIG_KVM' "$src/.config" >"$out/kvm-config"
	diff <(grep -E '^CONFIG_KVM' "$hdr/.config") "$out/kvm-config" >"$out/kvm-config.diff"
	[ -f "$out/kvm.ko" ] || lab_fail "kvm rebuild produced no kvm.ko"
}

# lab_kernel_debian SPEC: resolve, fetch and build once; sets LAB_KDIR
lab_kernel_debian() {
	local tmp
	lab_resolve_debian "$1"
	LAB_KDIR=$LAB_CACHE/$LAB_KREL
	if [ -f "$LAB_KDIR/meta" ]; then
		lab_msg "kernel $LAB_KREL ($LAB_SUITE, cached in $LAB_KDIR)"
		return 0
	fi
	lab_need dpkg-deb dpkg
	lab_need make build-essential
	lab_need bc bc
	lab_need flex flex
	lab_need bison bison
	tmp=$(mktemp -d "$LAB_CACHE/.tmp-$LAB_KREL.XXXXXX") || lab_skip "cache dir '$LAB_CACHE' is not writable"
	# a failed or interrupted build leaves no half-built cache entry
	trap 'rm -rf "$tmp"' EXIT
	_lab_fetch "$tmp"
	_lab_stock_modules "$tmp/root" "$tmp/mods/stock"
	[ -f "$tmp/mods/vmlinuz" ] && mv "$tmp/mods/vmlinuz" "$tmp/vmlinuz"
	[ -f "$tmp/vmlinuz" ] || cp "$tmp"/root/boot/vmlinuz-"$LAB_KREL" "$tmp/vmlinuz" 2>/dev/null ||
		lab_fail "no vmlinuz in the packages of $LAB_KREL"
	_lab_build_swprot "$tmp/root" "$tmp/mods/swprot"
	lab_build_selftests "$tmp/root" "$tmp/selftests"
	cp "$tmp"/root/usr/src/linux-headers-"$LAB_KREL"/.config "$tmp/config"
	rm -rf "$tmp/root" "$tmp/deb"
	{
		echo "krel=$LAB_KREL"
		echo "source=debian:$LAB_SUITE"
		echo "pkgver=$LAB_PKGVER"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$tmp/meta"
	chmod 755 "$tmp"
	rm -rf "$LAB_KDIR"
	mv "$tmp" "$LAB_KDIR" || lab_fail "cannot move the build into $LAB_KDIR"
	trap - EXIT
	lab_msg "kernel $LAB_KREL ready in $LAB_KDIR"
}

# lab_kernel_path PATH: a user-built kernel, used as it is; sets LAB_KDIR
# to a small cache entry that points at its image and modules
lab_kernel_path() {
	local p img modroot krel key
	p=$(cd "$1" 2>/dev/null && pwd) || lab_usage "--kernel '$1': no such directory"
	img=""
	for f in "$p/arch/x86/boot/bzImage" "$p/bzImage" "$p"/vmlinuz* "$p"/boot/vmlinuz*; do
		[ -f "$f" ] && { img=$f; break; }
	done
	[ -n "$img" ] || lab_usage "--kernel '$1': holds no kernel (no arch/x86/boot/bzImage, bzImage or vmlinuz)"
	if [ -f "$p/include/config/kernel.release" ]; then
		krel=$(cat "$p/include/config/kernel.release")
		modroot=$p	# a build tree: modules sit beside their sources
	else
		modroot=$(ls -d "$p"/lib/modules/* "$p"/modules/lib/modules/* "$p"/usr/lib/modules/* 2>/dev/null | head -n 1)
		[ -n "$modroot" ] || lab_usage "--kernel '$1': no modules dir (lib/modules/<release> from make modules_install INSTALL_MOD_PATH=...)"
		krel=$(basename "$modroot")
	fi
	LAB_KREL=$krel
	key=path-$(echo "$p" | md5sum | cut -c1-12)
	LAB_KDIR=$LAB_CACHE/$key
	mkdir -p "$LAB_KDIR/mods" || lab_skip "cache dir '$LAB_CACHE' is not writable"
	ln -sfn "$img" "$LAB_KDIR/vmlinuz"
	ln -sfn "$modroot" "$LAB_KDIR/mods/stock"
	rm -f "$LAB_KDIR/mods/swprot"	# a user kernel's kvm is used as built
	[ -f "$p/.config" ] && ln -sfn "$p/.config" "$LAB_KDIR/config"
	printf 'krel=%s\nsource=path:%s\n' "$krel" "$p" >"$LAB_KDIR/meta"
	rm -f "$LAB_KDIR/initramfs.cpio.gz"	# rebuilt every time: the tree may have changed
	lab_msg "kernel $krel from $p (its own kvm modules)"
}

# lab_kernel SPEC
lab_kernel() {
	case "$1" in
	debian|debian:*) lab_kernel_debian "$1" ;;
	/*|./*|../*|*/*) lab_kernel_path "$1" ;;
	*) [ -d "$1" ] && lab_kernel_path "$1" ||
		lab_bad_kernel_spec "$1" ;;
	esac
}
