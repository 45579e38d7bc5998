#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian packages the lab needs on the host. QEMU comes from
# bookworm-backports on Debian 12 (10.x; bookworm's 7.2 is older than what
# lab.md measured), through an extra source given to apt for this one
# install: the machine's own apt sources are left as they are.
set -u
pkgs="busybox-static cpio kmod xz-utils zstd file bc flex bison libelf-dev libssl-dev dwarves uuid-dev build-essential"
missing=""
for p in $pkgs qemu-system-x86; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
[ "$(id -u)" -eq 0 ] || { echo "lab: missing Debian packages:$missing (run as root)" >&2; exit 4; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 4
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $(echo "$missing" | sed 's/ qemu-system-x86//') >/dev/null || exit 4
case "$missing" in *qemu-system-x86*) ;; *) exit 0 ;; esac
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
	. "$(dirname "$0")/lib/common.sh"
	. "$LAB_DIR/lib/apt.sh"
	mirror=$(lab_mirror) || { echo "lab: no Debian mirror found" >&2; exit 4; }
	d=$(mktemp -d)
	mkdir -p "$d/parts" "$d/lists/partial"
	cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$d/parts/" 2>/dev/null
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" >"$d/parts/gmb-bpo.list"
	opts=(-o "Dir::Etc::SourceParts=$d/parts" -o "Dir::State::Lists=$d/lists")
	apt-get "${opts[@]}" update -qq &&
		apt-get "${opts[@]}" install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null
	rc=$?
	rm -rf "$d"
	[ $rc -eq 0 ] || exit 4
else
	apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null || exit 4
fi
