# SPDX-License-Identifier: GPL-2.0
#
# An isolated apt configuration: Debian suites reached through the mirror
# this machine already uses, listed and downloaded into the lab cache
# without touching the machine's own apt sources or lists.

# lab_mirror: the Debian archive URI this machine uses (deb822 or one-line)
lab_mirror() {
	local m=""
	if [ -n "${GMB_LAB_MIRROR:-}" ]; then
		echo "$GMB_LAB_MIRROR"
		return 0
	fi
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
		grep -v -e security -e '^cdrom' | head -n 1)
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp|file):/) { print $i; break } }' |
		grep -v security | head -n 1)
	[ -n "$m" ] || return 1
	echo "$m"
}

LAB_SUITES=${GMB_LAB_SUITES:-"sid experimental trixie-backports"}

# lab_apt_setup: writes $LAB_CACHE/apt/{sources.list,lists,archives} and
# sets LAB_APT_OPTS; refreshes the lists at most once an hour
lab_apt_setup() {
	local a=$LAB_CACHE/apt mirror s why
	mirror=$(lab_mirror) || lab_skip "no Debian mirror found in /etc/apt/sources.list{,.d} (set GMB_LAB_MIRROR)"
	mkdir -p "$a/lists/partial" "$a/archives/partial" || lab_skip "cannot create $a"
	: >"$a/sources.list.new"
	for s in $LAB_SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main" >>"$a/sources.list.new"
	done
	mv "$a/sources.list.new" "$a/sources.list"
	LAB_APT_OPTS=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache::Archives=$a/archives"
		-o Dir::Etc::Preferences=/nonexistent -o Dir::Etc::PreferencesParts=/nonexistent
		-o APT::Sandbox::User=root -o Acquire::Retries=2)
	if [ -z "$(find "$a/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -n 1)" ]; then
		if ! apt-get "${LAB_APT_OPTS[@]}" update -qq >"$a/update.log" 2>&1 ||
		   [ -z "$(ls "$a"/lists/*_Packages* 2>/dev/null)" ]; then
			why="mirror $mirror unreachable: $(grep -m1 -E '^(E|Err|W):' "$a/update.log" || tail -n 1 "$a/update.log")"
			[ -n "$(ls "$a"/lists/*_Packages* 2>/dev/null)" ] || lab_skip "$why"
			lab_msg "$why; using the kernel lists of $(date -r "$(ls -t "$a"/lists/*_Packages* | head -n 1)" -u +%Y-%m-%dT%H:%MZ)"
		fi
	fi
}

lab_apt_cache() { apt-cache "${LAB_APT_OPTS[@]}" "$@"; }
