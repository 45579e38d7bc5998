# SPDX-License-Identifier: GPL-2.0
#
# One lab job: a dir holding the command, the VM's console, QEMU's and the
# monitor's messages, the command's output and exit status, and the
# provenance every result records (GMB_LAB_* in the command's environment).

# _lab_provenance: GMB_LAB_* for the command (gmembench records them)
_lab_provenance() {
	local build="as shipped" st
	if [ "$kvm_set" = swprot ]; then
		build=$(grep '^>' "$LAB_KDIR/mods/swprot/kvm-config.diff" 2>/dev/null | sed 's/^> //' | tr '\n' ' ')
		build="rebuilt: ${build% }"
	fi
	[ "$kvm_set" = none ] && build="not loaded"
	st=$(cat "$LAB_KDIR/selftest-$kvm_set.status" 2>/dev/null || echo "not run")
	LAB_PROV=(
		"GMB_LAB=1"
		"GMB_LAB_ACCEL=$LAB_ACCEL"
		"GMB_LAB_ACCEL_WHY=$LAB_ACCEL_WHY"
		"GMB_LAB_QEMU=$("$LAB_QEMU" --version | head -n 1 | sed 's/^QEMU emulator version //')"
		"GMB_LAB_KERNEL=$LAB_KREL ($(sed -n 's/^source=//p' "$LAB_KDIR/meta") $(sed -n 's/^pkgver=//p' "$LAB_KDIR/meta"))"
		"GMB_LAB_KVM=$kvm_set: $build${LAB_MODPARAMS:+; params:$LAB_MODPARAMS}"
		"GMB_LAB_VM=$(lab_vm_desc)"
		"GMB_LAB_SELFTEST=$st"
	)
}

# _lab_job_dir: a fresh job dir (the log dir, or a new one under results/)
_lab_job_dir() {
	local d=${log_dir:-$GMB_TOP/results/lab-$(date -u +%Y%m%dT%H%M%SZ)-$$}
	mkdir -p "$d" || lab_usage "--log-dir: cannot create '$d'"
	(cd "$d" && pwd)
}

# _lab_write_job JOB CMD...: job.env (for lab/init) and cmd (run chrooted)
_lab_write_job() {
	local job=$1 kv
	shift
	{
		echo "LAB_JOB='$job'"
		echo "LAB_SHARES='$LAB_SHARES'"
		echo "LAB_KVM_SET='$kvm_set'"
		echo "LAB_MODPARAMS='$LAB_MODPARAMS'"
		echo "LAB_HUNG_TASK_S='${GMB_LAB_HUNG_TASK_S:-30}'"
		echo "LAB_HOSTNAME='$(hostname -s 2>/dev/null || echo gmb)-lab'"
	} >"$job/job.env"
	{
		echo "# gmembench lab job"
		echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb"
		for kv in "${LAB_PROV[@]}" "${LAB_ENV[@]}"; do
			printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
		done
		printf 'cd %q || exit 125\n' "$PWD"
		printf 'exec'
		printf ' %q' "$@"
		echo
	} >"$job/cmd"
	printf '%s ' "$@" >"$job/cmd.txt"
}

# lab_run_cmd CMD...: run it in a VM (once more if the VM dies and
# --retry-dead was given); the VM's verdict is LAB_VERDICT
lab_run_cmd() {
	local job try=1 first=""
	job=$(_lab_job_dir)
	_lab_provenance
	lab_msg "kernel $LAB_KREL, kvm $kvm_set, $LAB_ACCEL ($LAB_ACCEL_WHY), $(lab_vm_desc); log: $job"
	while :; do
		_lab_write_job "$job" "$@"
		lab_vm_run "$job" "$LAB_KDIR" "$LAB_INITRD" "$tmo"
		case "$LAB_VERDICT" in died|hung) ;; *) break ;; esac
		[ "$retry_dead" = 1 ] && [ $try -eq 1 ] || break
		lab_msg "RETRYING ONCE: the VM $LAB_VERDICT (first try kept in $job/try1)"
		first=$LAB_VERDICT
		mkdir -p "$job/try1"
		mv "$job"/console.log "$job"/output.log "$job"/qemu.log "$job"/monitor.log "$job/try1/" 2>/dev/null
		try=2
	done
	[ $try -eq 2 ] && [ "$LAB_VERDICT" = ok ] && lab_msg "the retry passed; the first try's VM $first (see $job/try1)"
	echo "$LAB_VERDICT" >"$job/verdict"
	return "$LAB_RC"
}

# lab_selftest: KVM's own selftests in the VM; the verdict is cached per
# kernel and kvm set, and every later result records it
lab_selftest() {
	local st="$LAB_KDIR/selftest-$kvm_set.status" rc
	if [ -f "$LAB_KDIR/selftests/build-failed" ]; then
		echo "fail: $(cat "$LAB_KDIR/selftests/build-failed")" >"$st"
		lab_msg "selftest: $(cat "$st")"
		return 1
	fi
	[ -x "$LAB_KDIR/selftests/guest_memfd_test" ] || lab_fail "no selftests in $LAB_KDIR (rebuild the cache entry)"
	lab_run_cmd bash "$LAB_DIR/selftest-in-vm.sh" "$LAB_KDIR/selftests"
	rc=$?
	case "$LAB_VERDICT:$rc" in
	ok:0) echo "pass ($(date -u +%Y-%m-%dT%H:%M:%SZ): $LAB_SELFTESTS)" >"$st" ;;
	ok:*) echo "fail ($(date -u +%Y-%m-%dT%H:%M:%SZ)): $(grep -m1 '^not ok' "$(_lab_last_job)/output.log" 2>/dev/null || echo "exit $rc")" >"$st" ;;
	*) echo "fail: the VM $LAB_VERDICT during the selftests" >"$st" ;;
	esac
	lab_msg "selftest: $(cat "$st")"
	[ "$LAB_VERDICT:$rc" = ok:0 ]
}

_lab_last_job() { ls -dt "${log_dir:-$GMB_TOP/results/lab-}"* 2>/dev/null | head -n 1; }

# lab_info: what the lab would use, one fact a line
lab_info() {
	_lab_provenance
	echo "kernel:      $LAB_KREL ($LAB_KDIR)"
	echo "kvm set:     $kvm_set"
	echo "accelerator: $LAB_ACCEL ($LAB_ACCEL_WHY)"
	echo "vm:          $(lab_vm_desc)"
	echo "qemu:        $("$LAB_QEMU" --version | head -n 1)"
	echo "initramfs:   $LAB_INITRD"
	echo "selftest:    $(cat "$LAB_KDIR/selftest-$kvm_set.status" 2>/dev/null || echo "not run")"
}
