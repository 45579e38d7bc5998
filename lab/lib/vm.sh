# SPDX-License-Identifier: GPL-2.0
#
# The lab VM runner: boots the lab kernel under QEMU, runs one command in
# it (lab/init), and reports faithfully: the command's exit status, or
# that the VM died, reset, did not boot or hung. A hung VM is asked for
# its stacks (sysrq w and l through QEMU's monitor) before it is killed.
# The whole console, QEMU's own messages and the monitor's are kept in
# the job dir.

# lab_accel: sets LAB_ACCEL (kvm|tcg) and LAB_ACCEL_WHY
lab_accel() {
	local want=${1:-auto} nested=""
	LAB_ACCEL=tcg
	if [ ! -c /dev/kvm ]; then
		LAB_ACCEL_WHY="no /dev/kvm on this host"
	elif [ -d /sys/module/kvm_pvm ] || dmesg 2>/dev/null | grep -q 'kvm-pvm'; then
		LAB_ACCEL_WHY="this host's /dev/kvm is PVM (no SVM/VMX for a nested kvm)"
	else
		for p in /sys/module/kvm_amd/parameters/nested /sys/module/kvm_intel/parameters/nested; do
			[ -r "$p" ] && nested=$(cat "$p")
		done
		if [ "$nested" = 1 ] || [ "$nested" = Y ]; then
			if grep -qwE 'svm|vmx' /proc/cpuinfo; then
				LAB_ACCEL=kvm
				LAB_ACCEL_WHY="host kvm offers nested virtualization"
			else
				LAB_ACCEL_WHY="host CPU shows no svm/vmx"
			fi
		else
			LAB_ACCEL_WHY="host kvm has nested virtualization off"
		fi
	fi
	case "$want" in
	auto) ;;
	tcg) LAB_ACCEL=tcg LAB_ACCEL_WHY="--accel tcg" ;;
	kvm) [ "$LAB_ACCEL" = kvm ] || lab_skip "--accel kvm: $LAB_ACCEL_WHY" ;;
	*) lab_usage "--accel '$want': unknown accelerator (accepted: auto, kvm, tcg)" ;;
	esac
}

# lab_vm_desc: "2 vCPUs (TCG thread=single), 4096 MiB", for messages and provenance
lab_vm_desc() {
	local t=""
	[ "$LAB_ACCEL" = tcg ] && t=" (TCG thread=${LAB_TCG_THREAD:-single})"
	echo "${LAB_SMP} vCPUs$t, ${LAB_MEM_MIB} MiB"
}

# _size_mib SIZE: 4G, 4096M, 4096 -> MiB, or nothing
_size_mib() {
	case "$1" in
	[1-9]*[0-9]) echo "$1" ;;
	[1-9]*[mM]) echo "${1%[mM]}" ;;
	[1-9]*[gG]) echo $(( ${1%[gG]} * 1024 )) ;;
	*) ;;
	esac | grep -E '^[0-9]+$'
}

# lab_check_vm_size MEM SMP: both within what this host can give
lab_check_vm_size() {
	local mib avail ncpu
	mib=$(_size_mib "$1")
	[ -n "$mib" ] || lab_usage "--mem '$1': not a size (accepted: 512M .. the host's available memory, e.g. 4G)"
	avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
	[ "$mib" -ge 512 ] && [ "$mib" -le "$avail" ] ||
		lab_usage "--mem $1: out of range (accepted: 512M .. ${avail}M, this host's available memory)"
	ncpu=$(nproc)
	case "$2" in ''|*[!0-9]*) lab_usage "--smp '$2': not a number (accepted: 1 .. $((ncpu * 2)))" ;; esac
	[ "$2" -ge 1 ] && [ "$2" -le $((ncpu * 2)) ] ||
		lab_usage "--smp $2: out of range (accepted: 1 .. $((ncpu * 2)))"
	LAB_MEM_MIB=$mib
}

# _mon JOB CMD: one human-monitor command
_mon() { echo "$2" >"$1/mon.in" 2>/dev/null; }

# lab_vm_run JOB KDIR INITRD TIMEOUT: boots, runs $JOB/cmd, sets LAB_RC
# and LAB_VERDICT (ok|died|hung|noboot|nostart) and prints the verdict
lab_vm_run() {
	local job=$1 kdir=$2 initrd=$3 tmo=$4 accel cpu qpid tailpid t=0 boot_tmo i
	local append="console=ttyS0,115200 panic=-1 oops=panic loglevel=6 sysrq_always_enabled=1"
	append="$append hung_task_panic=0 softlockup_panic=0 ${LAB_APPEND:-}"
	if [ "$LAB_ACCEL" = kvm ]; then
		accel=kvm cpu=host
	else
		# thread=multi (parallel vCPUs) loses nested-SVM state: README
		accel=tcg,thread=${LAB_TCG_THREAD:-single} cpu=max
	fi
	boot_tmo=${LAB_BOOT_TIMEOUT:-120}
	rm -f "$job/mon.in" "$job/mon.out" "$job/rc"
	mkfifo "$job/mon.in" "$job/mon.out" || lab_fail "mkfifo failed in $job"
	: >"$job/output.log"
	local virtfs=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$job,mount_tag=job,security_model=none,multidevs=remap")
	i=0
	for s in $LAB_SHARES; do
		virtfs+=(-virtfs "local,path=$s,mount_tag=share$i,security_model=none,multidevs=remap")
		i=$((i + 1))
	done
	echo "$LAB_QEMU -accel $accel -cpu $cpu -smp $LAB_SMP -m ${LAB_MEM_MIB}M -kernel $kdir/vmlinuz -append '$append'" >"$job/qemu.cmd"
	"$LAB_QEMU" -nodefaults -no-user-config -display none -no-reboot \
		-machine pc -accel "$accel" -cpu "$cpu" -smp "$LAB_SMP" -m "${LAB_MEM_MIB}M" \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "$append" \
		-serial "file:$job/console.log" -monitor "pipe:$job/mon" \
		"${virtfs[@]}" >"$job/qemu.log" 2>&1 &
	qpid=$!
	cat "$job/mon.out" >"$job/monitor.log" 2>/dev/null &
	tail -n +1 -F --pid=$qpid "$job/output.log" 2>/dev/null &
	tailpid=$!
	LAB_VERDICT=""
	while kill -0 $qpid 2>/dev/null; do
		sleep 1
		t=$((t + 1))
		if [ $t -eq "$boot_tmo" ] && ! grep -q 'gmb-lab: running' "$job/console.log" 2>/dev/null; then
			LAB_VERDICT=noboot
			break
		fi
		[ $t -ge "$tmo" ] && { LAB_VERDICT=hung; break; }
	done
	if [ -n "$LAB_VERDICT" ]; then
		# ask the kernel where it is before the kill: blocked tasks, all CPUs
		_mon "$job" "sendkey alt-sysrq-w"
		sleep 2
		_mon "$job" "sendkey alt-sysrq-l"
		sleep "${LAB_SYSRQ_WAIT:-10}"
		_mon "$job" "quit"
		sleep 2
		kill $qpid 2>/dev/null
		sleep 1
		kill -9 $qpid 2>/dev/null
	fi
	wait $qpid 2>/dev/null
	local qrc=$?
	sleep 0.3
	kill $tailpid 2>/dev/null
	wait $tailpid 2>/dev/null
	LAB_RC=""
	[ -s "$job/rc" ] && LAB_RC=$(cat "$job/rc")
	if [ -z "$LAB_VERDICT" ]; then
		if [ -n "$LAB_RC" ]; then
			LAB_VERDICT=ok
		elif ! grep -q 'gmb-lab: init' "$job/console.log" 2>/dev/null && [ ! -s "$job/console.log" ]; then
			LAB_VERDICT=nostart
		elif grep -q 'gmb-lab: init failed' "$job/console.log"; then
			LAB_VERDICT=initfail
		else
			LAB_VERDICT=died
		fi
	fi
	_lab_explain "$job" "$qrc" "$tmo"
}

# _lab_explain JOB QEMU_RC TIMEOUT: one line on how the VM ended
_lab_explain() {
	local job=$1 qrc=$2 tmo=$3 why
	case "$LAB_VERDICT" in
	ok)
		if grep -q 'Out of memory: Killed process' "$job/console.log"; then
			lab_msg "the VM's OOM killer killed a process: $(grep -m1 'Out of memory' "$job/console.log" | sed 's/^\[[^]]*\] //') (raise --mem)"
		fi
		return 0 ;;
	nostart)
		lab_msg "VM could not start: $(grep -v '^$' "$job/qemu.log" | tail -n 1) (QEMU exit $qrc)"
		LAB_RC=$LAB_EXIT_SKIP ;;
	initfail)
		lab_msg "the lab's init failed in the VM: $(grep -m1 'gmb-lab: init failed' "$job/console.log" | sed 's/.*init failed: //' | tr -d '\r') (console: $job/console.log)"
		LAB_RC=$LAB_EXIT_SKIP ;;
	noboot)
		lab_msg "VM did not boot within ${LAB_BOOT_TIMEOUT:-120} s: the kernel never ran lab/init (console: $job/console.log; last line: $(tail -n 1 "$job/console.log" | tr -d '\r' | cut -c1-160))"
		LAB_RC=$LAB_EXIT_SKIP ;;
	hung)
		why=$(grep -m1 -E 'blocked for more than|soft lockup|hard LOCKUP|rcu_.*stall' "$job/console.log" | sed 's/^\[[^]]*\] //')
		lab_msg "VM HUNG: no exit after $tmo s; stacks taken with sysrq w,l before the kill${why:+; kernel: $why} (console: $job/console.log)"
		LAB_RC=$LAB_EXIT_VM_HUNG ;;
	died)
		why=$(grep -m1 -E 'Kernel panic|BUG:|general protection|Oops|init failed|reboot: ' "$job/console.log" | sed 's/^\[[^]]*\] //' | tr -d '\r')
		[ -n "$why" ] || why="QEMU exited with status $qrc, no kernel message (a reset or triple fault of the VM itself)"
		lab_msg "VM DIED before the command finished: $why (console: $job/console.log)"
		LAB_RC=$LAB_EXIT_VM_DIED ;;
	esac
}
