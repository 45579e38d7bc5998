# SPDX-License-Identifier: GPL-2.0
#
# The lab's initramfs: busybox, lab/init, the 9p modules ("boot") and the
# kvm module sets ("stock", "swprot"), each with a dependency-ordered list.
# Cached beside the kernel, keyed by a hash of lab/init and this file.

LAB_BOOT_MODULES="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs 9pnet 9pnet_virtio 9p"
LAB_KVM_MODULES="kvm kvm-amd kvm-intel"

# _find_ko TREE NAME: the module file (name with - or _), or nothing
_find_ko() {
	local n=$1/ f
	f=$(find -L "$1" \( -name "$2.ko" -o -name "$(echo "$2" | tr - _).ko" -o -name "$(echo "$2" | tr _ -).ko" \) \
		-not -path '*/source/*' -not -path '*/build/*' 2>/dev/null | head -n 1)
	echo "$f"
}

# _add_mod TREE DEST NAME [OVERRIDE_DIR]: copy NAME and its deps (deps
# first) into DEST, appending to DEST/order; a module not found is built in
_add_mod() {
	local tree=$1 dest=$2 name=$3 over=${4:-} f d
	grep -qx "$name" "$dest/order" 2>/dev/null && return 0
	f=""
	[ -n "$over" ] && [ -f "$over/$name.ko" ] && f=$over/$name.ko
	[ -n "$f" ] || f=$(_find_ko "$tree" "$name")
	[ -n "$f" ] || return 0
	for d in $(modinfo -F depends "$f" 2>/dev/null | tr ',' ' '); do
		_add_mod "$tree" "$dest" "$d" "$over"
	done
	grep -qx "$name" "$dest/order" 2>/dev/null && return 0
	cp "$f" "$dest/$name.ko" || return 1
	echo "$name" >>"$dest/order"
}

# lab_initramfs KDIR: sets LAB_INITRD, building it when missing
lab_initramfs() {
	local kdir=$1 key stage s m
	lab_need busybox busybox-static
	lab_need cpio cpio
	lab_need modinfo kmod
	key=$(cat "$LAB_DIR/init" "$LAB_DIR/lib/initramfs.sh" | md5sum | cut -c1-10)
	LAB_INITRD=$kdir/initramfs-$key.cpio.gz
	[ -s "$LAB_INITRD" ] && return 0
	busybox --list 2>/dev/null | grep -qx insmod ||
		lab_skip "busybox has no insmod (install busybox-static)"
	stage=$(mktemp -d) || lab_fail "mktemp failed"
	mkdir -p "$stage/bin" "$stage/lab/mod/boot" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp"
	cp "$(command -v busybox)" "$stage/bin/busybox"
	file -L "$stage/bin/busybox" 2>/dev/null | grep -q dynamic &&
		lab_skip "busybox is dynamically linked (install busybox-static)"
	cp "$LAB_DIR/init" "$stage/init"
	: >"$stage/lab/mod/boot/order"
	for m in $LAB_BOOT_MODULES; do
		_add_mod "$kdir/mods/stock" "$stage/lab/mod/boot" "$m" || lab_fail "cannot stage module $m"
	done
	for s in stock swprot; do
		[ -e "$kdir/mods/$s" ] || continue
		mkdir -p "$stage/lab/mod/$s"
		: >"$stage/lab/mod/$s/order"
		for m in $LAB_KVM_MODULES; do
			if [ "$s" = swprot ]; then
				_add_mod "$kdir/mods/stock" "$stage/lab/mod/$s" "$m" "$kdir/mods/swprot"
			else
				_add_mod "$kdir/mods/stock" "$stage/lab/mod/$s" "$m"
			fi || lab_fail "cannot stage module $m"
		done
	done
	# a private temp name: two labs may build the same initramfs at once
	local tmp
	tmp=$(mktemp "$LAB_INITRD.XXXXXX") || lab_fail "cannot write in $kdir"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp" &&
		chmod 644 "$tmp" && mv "$tmp" "$LAB_INITRD" || { rm -f "$tmp"; lab_fail "cannot write $LAB_INITRD"; }
	rm -rf "$stage"
}
