#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lab/lab.sh: a real KVM anywhere. Boots a Debian (or your own) kernel
# under QEMU with kvm rebuilt with CONFIG_KVM_SW_PROTECTED_VM, and runs a
# command in it with the host root read-only and the project read-write
# at their host paths. See README.md, "The lab".
#
#   lab/lab.sh [options] run [--] CMD [ARG...]   run CMD in the lab VM
#   lab/lab.sh [options] prepare                 fetch/build/cache the kernel
#   lab/lab.sh [options] selftest                KVM's own selftests in the VM
#   lab/lab.sh [options] info                    what the lab would use
#
# Exit: CMD's status; 2 usage; 4 the lab cannot be had here (with the
# reason); 124 the VM hung; 125 the VM died or reset.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$LAB_DIR/lib/apt.sh"
. "$LAB_DIR/lib/kernel.sh"
. "$LAB_DIR/lib/initramfs.sh"
. "$LAB_DIR/lib/selftest.sh"
. "$LAB_DIR/lib/vm.sh"
. "$LAB_DIR/lib/job.sh"

usage() {
	sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'EOT'
options:
  --kernel SPEC       debian (default: newest Debian kernel >= 6.18 in sid,
                      experimental, trixie-backports), debian:SUITE,
                      debian:VERSION (e.g. debian:7.3), or PATH (a kernel
                      build tree, or bzImage + lib/modules from
                      make modules_install INSTALL_MOD_PATH=...)
  --kvm SET           swprot (kvm rebuilt with SW_PROTECTED_VM; default for
                      Debian kernels), stock (as shipped; default for PATH),
                      none
  --modparam M.K=V    kvm module parameter at load (repeatable), e.g.
                      kvm.gmem_in_place_conversion=0, kvm_amd.npt=0
  --mem SIZE          VM memory (default 4G)
  --smp N             VM vCPUs (default: this host's CPUs, 2 here)
  --accel A           auto (default: kvm when the host offers nested
                      virtualization, else tcg), kvm, tcg
  --tcg-threads T     single (default): one host thread runs every vCPU;
                      multi: one per vCPU, faster, but vCPUs running in
                      parallel lose nested-SVM state (README, known issues)
  --timeout SEC       kill a VM still running after SEC s (default 3600),
                      after asking it for stacks (sysrq w, l)
  --cache DIR         kernel cache (default /var/cache/gmembench/lab)
  --share DIR         another dir the VM may write, at its host path
  --log-dir DIR       keep the console etc. there (default results/lab-<time>)
  --env K=V           set K=V for CMD (repeatable)
  --retry-dead        run once more when the VM died or hung (said so)
EOT
}

kernel=${GMB_LAB_KERNEL:-debian}
kvm_set=""
LAB_MODPARAMS=""
mem=4G
LAB_SMP=$(nproc)
accel=auto
LAB_TCG_THREAD=single
tmo=3600
LAB_SHARES=""
log_dir=""
LAB_ENV=()
retry_dead=0

needval() { [ $# -ge 2 ] && [ -n "$2" ] || lab_usage "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) needval "$@"; kernel=$2; shift 2 ;;
	--kvm) needval "$@"; kvm_set=$2; shift 2 ;;
	--modparam) needval "$@"
		echo "$2" | grep -qE '^[a-z_-]+\.[a-z_0-9]+=[^ ]*$' || lab_usage "--modparam '$2': not MODULE.PARAM=VALUE"
		LAB_MODPARAMS="$LAB_MODPARAMS $(echo "${2%%.*}" | tr - _).${2#*.}"; shift 2 ;;
	--mem) needval "$@"; mem=$2; shift 2 ;;
	--smp) needval "$@"; LAB_SMP=$2; shift 2 ;;
	--accel) needval "$@"; accel=$2; shift 2 ;;
	--tcg-threads) needval "$@"; LAB_TCG_THREAD=$2
		case "$2" in single|multi) ;; *) lab_usage "--tcg-threads '$2': unknown (accepted: single, multi)" ;; esac
		shift 2 ;;
	--timeout) needval "$@"; tmo=$2
		case "$tmo" in ''|*[!0-9]*|0) lab_usage "--timeout '$2': not a number of seconds (accepted: 1 .. 86400)" ;; esac
		[ "$tmo" -le 86400 ] || lab_usage "--timeout $2: out of range (accepted: 1 .. 86400)"
		shift 2 ;;
	--cache) needval "$@"; LAB_CACHE=$2; shift 2 ;;
	--share) needval "$@"; [ -d "$2" ] || lab_usage "--share '$2': not a directory"
		LAB_SHARES="$LAB_SHARES $(cd "$2" && pwd)"; shift 2 ;;
	--log-dir) needval "$@"; log_dir=$2; shift 2 ;;
	--env) needval "$@"; echo "$2" | grep -qE '^[A-Za-z_][A-Za-z_0-9]*=' || lab_usage "--env '$2': not K=V"
		LAB_ENV+=("$2"); shift 2 ;;
	--retry-dead) retry_dead=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) lab_usage "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || lab_usage "missing command (run, prepare, selftest, info; see --help)"
cmd=$1
shift
case "$cmd" in
run) [ "${1:-}" = -- ] && shift; [ $# -ge 1 ] || lab_usage "run: missing the command to run in the VM" ;;
prepare|selftest|info) [ $# -eq 0 ] || lab_usage "$cmd takes no arguments (got '$1')" ;;
*) lab_usage "unknown command '$cmd' (accepted: run, prepare, selftest, info)" ;;
esac
case "${kvm_set:-x}" in x|swprot|stock|none) ;; *) lab_usage "--kvm '$kvm_set': unknown set (accepted: swprot, stock, none)" ;; esac
case "$kernel" in
debian|debian:*) ;;
*) [ -d "$kernel" ] || case "$kernel" in
	*/*|.*) lab_usage "--kernel '$kernel': no such directory" ;;
	*) lab_bad_kernel_spec "$kernel" ;;
	esac ;;
esac
# the project is always writable in the VM; 9p tags and job.env split on spaces
LAB_SHARES="$GMB_TOP$LAB_SHARES"
case "$LAB_SHARES$log_dir" in *[[:space:]][!/]*|*"'"*) lab_usage "--share/--log-dir/the project path: paths with spaces or quotes are not supported" ;; esac
lab_check_vm_size "$mem" "$LAB_SMP"
lab_accel "$accel"
[ "$(id -u)" -eq 0 ] || lab_skip "the lab needs root (it shares the host root with the VM over 9p)"
lab_need "$LAB_QEMU" qemu-system-x86
lab_cache_ok
# a relative log dir is the caller's, like every path on the command line
case "$log_dir" in ''|/*) ;; *) log_dir=$PWD/$log_dir ;; esac

lab_kernel "$kernel"
if [ -z "$kvm_set" ]; then
	kvm_set=stock
	[ -e "$LAB_KDIR/mods/swprot" ] && kvm_set=swprot
fi
[ "$kvm_set" = swprot ] && [ ! -e "$LAB_KDIR/mods/swprot" ] &&
	lab_usage "--kvm swprot: kernel $LAB_KREL has no rebuilt kvm (a PATH kernel's kvm is used as built: --kvm stock)"
[ "$cmd" = prepare ] && { lab_initramfs "$LAB_KDIR"; echo "$LAB_KDIR"; exit 0; }
lab_initramfs "$LAB_KDIR"

case "$cmd" in
info) lab_info; exit 0 ;;
selftest) lab_selftest; exit $? ;;
run) lab_run_cmd "$@"; exit $? ;;
esac
