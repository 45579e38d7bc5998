#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_bench.sh: install what gmembench needs (Debian), build it, run a
# preset matrix on every backend this host offers, render the plots and
# write summary.md. Optionally gate against a baseline (exit 1 on a
# regression) and compare kvm's two attribute modes (module reload).
#
#   ./run_bench.sh                         quick preset (<= 2 min here)
#   ./run_bench.sh --preset standard       (<= 15 min here)
#   ./run_bench.sh --compare-with results/<old-run>
#   ./run_bench.sh --modes inplace,dual --reload-kvm
#   ./run_bench.sh --vm [--kernel debian:7.3|PATH]   in the lab (lab/)
#
# Where /dev/kvm is unusable (absent, or no VM can run) the preset runs in
# the lab by default: a Debian kernel under QEMU with kvm rebuilt with
# CONFIG_KVM_SW_PROTECTED_VM, so dual and discard run on a real kvm.
#
# Results: results/<host>-<UTC date>/<workload>/{results.csv,results.json,
# plots/}, and results/<host>-<UTC date>/summary.md.
# Exit: 0 fine, 1 a cell failed or the gate found a regression, 2 usage
# error or a comparison impossible, 4 KVM unusable here, 130 interrupted.
set -u

preset=quick
workloads=""
compare_with=""
modes=""
reload_kvm=0
install=1
out=""
dry_run=0
lab=auto	# auto: the lab where /dev/kvm is unusable; yes: --vm; no: --host
kernel=""
in_lab=0	# set by run_bench.sh itself when it re-runs inside the lab VM

usage() {
	sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'EOT'
options (also as --option=value):
  --preset quick|standard|full   matrix size (default quick)
  --workloads LIST               comma list (default: every workload of the preset)
  --compare-with DIR             gate against a previous run_bench.sh result dir
  --modes inplace,dual           run under both kvm attribute modes (needs --reload-kvm)
  --reload-kvm                   allow reloading kvm.ko to switch modes
  --out DIR                      result dir (default results/<host>-<UTC date>)
  --no-install                   do not apt-get install missing packages
  --dry-run                      check the command line, print the plan, change nothing
  --vm                           run in the lab (a kernel under QEMU) even where /dev/kvm works
  --host                         never the lab: exit 4 where /dev/kvm is unusable
  --kernel SPEC                  the lab's kernel: debian, debian:SUITE, debian:VERSION, PATH (implies --vm)
Relative paths are taken from the current directory. The whole command line
is checked before anything is installed, built, probed or created.
EOT
}

die() { echo "run_bench.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd) || exit 2

# the preset matrix: one line per run: NAME[@TAG] ARGS...
# NAME@TAG runs workload NAME into <out>/NAME@TAG; its plots are drawn with
# NAME's (e.g. contention at -v 1 and at the default: the vCPU scaling).
matrix() {
	# a TCG lab emulates every instruction (10-50x slower): its quick
	# preset is sized to finish in <= 15 min on 2 cores
	if [ "$in_lab" = 1 ] && [ "${GMB_LAB_ACCEL:-}" = tcg ] && [ "$preset" = quick ]; then
		echo "granularity -m 2M -g 4K,64K,2M -r 3"
		echo "layouts -m 2M -g 64K,2M -r 2"
		echo "pinned -m 2M -g 64K,2M -r 2"
		echo "invalidation -m 2M -g 64K,2M -r 1 -O phase_ms=300"
		echo "contention -m 2M -g 64K -r 2"
		echo "bounce -m 2M -g 64K,2M -r 2"
		echo "footprint -m 4M -g 64K,2M -r 2"
		return
	fi
	case "$preset" in
	quick)
		echo "granularity -m 16M -g 4K,64K,2M -r 3"
		echo "layouts -m 4M -g 64K,2M -r 3"
		echo "pinned -m 4M -g 64K,2M -r 3"
		echo "invalidation -m 4M -g 64K,2M -r 1 -O phase_ms=300"
		echo "contention -m 4M -g 64K -r 3"
		echo "contention@v1 -m 4M -g 64K -r 3 -v 1"
		echo "bounce -m 4M -g 64K,2M -r 3"
		echo "footprint -m 8M -g 64K,2M -r 2"
		;;
	standard)
		echo "granularity -m 64M -g 4K:2M:x4 -r 9"
		echo "layouts -m 16M -g 4K:2M:x8 -r 9"
		echo "pinned -m 16M -g 64K,2M -r 9"
		echo "invalidation -m 16M -g 4K,64K,2M -r 3"
		echo "contention -m 16M -g 4K,64K -r 9"
		echo "contention@v1 -m 16M -g 4K,64K -r 9 -v 1"
		echo "bounce -m 16M -g 4K:2M:x8 -r 9"
		echo "footprint -m 64M -g 64K,2M -r 3"
		;;
	full)
		echo "granularity -m 1G -g 4K:1G:x8 -r 9 -i 2"
		echo "layouts -m 64M -g 4K:2M:x8 -r 9"
		echo "pinned -m 64M -g 4K:2M:x8 -r 9"
		echo "invalidation -m 64M -g 4K:2M:x8 -r 9"
		echo "contention -m 64M -g 4K:2M:x8 -r 9"
		echo "contention@v1 -m 64M -g 4K:2M:x8 -r 9 -v 1"
		echo "bounce -m 64M -g 4K:2M:x8 -r 9"
		echo "footprint -m 1G -g 64K,2M,1G -r 3"
		;;
	esac
}

# the workloads the preset runs, one per line (tags dropped, no repeats)
matrix_workloads() {
	matrix | while read -r tag _; do echo "${tag%@*}"; done | awk '!seen[$0]++'
}

# the selected workloads: --workloads, else the whole matrix
selected_workloads() {
	if [ -n "$workloads" ]; then
		echo "$workloads" | tr ',' '\n'
	else
		matrix_workloads
	fi
}

# ---- the command line, checked whole before anything happens ----
while [ $# -gt 0 ]; do
	opt=$1
	val=""
	has_val=0
	case "$opt" in
	--*=*) val=${opt#*=}; opt=${opt%%=*}; has_val=1 ;;
	esac
	case "$opt" in
	--preset|--workloads|--compare-with|--modes|--out|--kernel)
		if [ $has_val = 0 ]; then
			[ $# -ge 2 ] || die "option '$opt' needs a value (see --help)"
			case "$2" in
			--*) die "option '$opt' needs a value, got the option '$2' (see --help)" ;;
			esac
			val=$2
			shift
		fi
		shift
		[ -n "$val" ] || die "option '$opt' needs a non-empty value"
		case "$opt" in
		--preset) preset=$val ;;
		--workloads) workloads=$val ;;
		--compare-with) compare_with=$val ;;
		--modes) modes=$val ;;
		--out) out=$val ;;
		--kernel) kernel=$val; lab=yes ;;
		esac
		;;
	--reload-kvm|--no-install|--dry-run|--vm|--host|--in-lab|-h|--help)
		[ $has_val = 0 ] || die "option '$opt' takes no value"
		shift
		case "$opt" in
		--reload-kvm) reload_kvm=1 ;;
		--no-install) install=0 ;;
		--dry-run) dry_run=1 ;;
		--vm) [ "$lab" != no ] || die "--vm and --host exclude each other"; lab=yes ;;
		--host) [ "$lab" != yes ] || die "--host and --vm/--kernel exclude each other"; lab=no ;;
		--in-lab) in_lab=1 ;;
		*) usage; exit 0 ;;
		esac
		;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

case "$preset" in quick|standard|full) ;; *) die "--preset: unknown preset '$preset' (accepted: quick, standard, full)" ;; esac

# checked against the preset's matrix here (no build needed: it is what
# this script can run), against the built binary's registry after the build
if [ -n "$workloads" ]; then
	accepted=$(matrix_workloads | paste -sd, - | sed 's/,/, /g')
	case ",$workloads," in *,,*) die "--workloads: empty name in '$workloads'" ;; esac
	for w in $(selected_workloads); do
		matrix_workloads | grep -qxF -- "$w" ||
			die "--workloads: unknown workload '$w' (accepted: $accepted)"
	done
fi

if [ -n "$modes" ]; then
	case ",$modes," in *,,*) die "--modes: empty mode in '$modes'" ;; esac
	for m in $(echo "$modes" | tr ',' ' '); do
		case "$m" in inplace|dual) ;; *) die "--modes: unknown mode '$m' (accepted: inplace, dual)" ;; esac
	done
	[ "$reload_kvm" = 1 ] || die "--modes needs --reload-kvm: switching modes reloads kvm.ko (every VM must be gone)"
fi

# relative paths are the caller's, whatever directory the script runs in
case "$compare_with" in ""|/*) ;; *) compare_with=$PWD/$compare_with ;; esac
case "$out" in ""|/*) ;; *) out=$PWD/$out ;; esac
case "$kernel" in ""|debian|debian:*|/*) ;; *) kernel=$PWD/$kernel ;; esac
if [ -n "$kernel" ] && [ "${kernel#debian}" = "$kernel" ] && [ ! -d "$kernel" ]; then
	die "--kernel: '$kernel' is neither debian[:SUITE|:VERSION] nor a directory"
fi
[ -z "$modes" ] || [ "$lab" != yes ] || die "--modes reloads the host's kvm: use the lab's --kernel with a kvm.ko that has both modes instead of --vm"
if [ -n "$compare_with" ]; then
	[ -d "$compare_with" ] || die "--compare-with: '$compare_with' is not a directory"
	ls "$compare_with"/*/results.csv >/dev/null 2>&1 ||
		die "--compare-with: '$compare_with' holds no <workload>/results.csv (expected a run_bench.sh result dir)"
fi
host=$(hostname -s 2>/dev/null || uname -n)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$out" ] || out="$here/results/$host-$stamp"
[ ! -e "$out" ] || [ -d "$out" ] || die "--out: '$out' exists and is not a directory"
if [ -n "$compare_with" ] && [ -d "$out" ] && [ "$out" -ef "$compare_with" ]; then
	die "--out and --compare-with are the same directory: the run would overwrite its baseline"
fi

if [ "$dry_run" = 1 ]; then
	echo "preset: $preset"
	echo "workloads: $(selected_workloads | paste -sd, -)"
	echo "out: $out"
	echo "compare-with: ${compare_with:--}"
	echo "modes: ${modes:-current}"
	echo "install: $([ "$install" = 1 ] && echo yes || echo no)"
	echo "lab: $lab${kernel:+ (kernel $kernel)}"
	exit 0
fi
cd "$here" || exit 2

# ---- dependencies (Debian 12) ----
need_pkgs="build-essential pkg-config libhwloc-dev libjson-c-dev liburing-dev libcmocka-dev gnuplot-nox python3"
if [ "$install" = 1 ]; then
	missing=""
	for p in $need_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			die "missing Debian packages:$missing (run as root or install them)"
		fi
		echo "installing:$missing"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
			die "apt-get install failed"
	fi
fi
if [ "$in_lab" = 0 ]; then
	make -j"$(nproc)" >/dev/null || die "build failed (run 'make' to see why)"
fi
GMB=./build/gmembench

# the selected workloads must also be the built binary's (no drift between
# this script's matrix and workloads/registry.c); still before any probe
known=$("$GMB" list workloads | awk '/^  [^ ]/ { print $1 }')
for w in $(selected_workloads); do
	echo "$known" | grep -qxF -- "$w" ||
		die "workload '$w' of the $preset preset is not in '$GMB list workloads' ($(echo "$known" | paste -sd, - | sed 's/,/, /g'))"
done

mkdir -p "$out" || die "--out: cannot create '$out'"

"$GMB" probe >"$out/probe.txt" 2>&1
rc=$?
# every workload dir of a result dir plotted (a tagged run together with
# its workload's main run), the pictures listed in the summary. Outside
# the lab VM: gnuplot under TCG took minutes a workload.
render_all_plots() {	# render_all_plots OUT SUMMARY
	local d t siblings p title=0
	command -v gnuplot >/dev/null || { echo "run_bench.sh: no gnuplot: plots not drawn" >&2; return 0; }
	for d in "$1"/*/ "$1"/mode-*/*/; do
		d=${d%/}
		case "$d" in *@*) continue ;; esac
		[ -s "$d/results.csv" ] || continue
		siblings=()
		for t in "$d"@*; do
			[ -s "$t/results.csv" ] && siblings+=("$t")
		done
		./plots/render.sh "$d" "${siblings[@]}" >"$d/plots.log" 2>&1 || true
	done
	for p in "$1"/*/plots/*.png "$1"/mode-*/*/plots/*.png; do
		[ -e "$p" ] || continue
		[ $title = 1 ] || { echo "## Plots" >>"$2"; title=1; }
		echo "![${p#$1/}](${p#$1/})" >>"$2"
	done
}

# ---- the lab: where /dev/kvm is unusable, or asked for ----
if [ "$in_lab" = 0 ] && { [ "$lab" = yes ] || { [ "$lab" = auto ] && [ $rc -eq 4 ]; }; }; then
	if [ "$lab" = yes ]; then
		why="asked for (--vm/--kernel)"
	else
		why="no usable /dev/kvm here: $(sed -n 's/^gmembench: SKIP: //p' "$out/probe.txt" | head -n 1)"
	fi
	echo "=================================================================="
	echo " run_bench.sh: running the $preset preset in the LAB ($why)"
	echo " a kernel under QEMU with kvm rebuilt for SW_PROTECTED_VM; results"
	echo " record it (context.host.origin); TCG numbers are functional only"
	echo "=================================================================="
	mv "$out/probe.txt" "$out/probe-host.txt"
	if [ "$install" = 1 ]; then
		./lab/install-deps.sh || { echo "run_bench.sh: SKIP: the lab's packages cannot be installed" >&2; exit 4; }
	fi
	labopts=(${kernel:+--kernel "$kernel"})
	# the lab checks itself once per kernel and kvm set (KVM's own selftests)
	if ./lab/lab.sh "${labopts[@]}" info 2>/dev/null | grep -q '^selftest: *not run'; then
		./lab/lab.sh "${labopts[@]}" --log-dir "$out/lab-selftest" selftest ||
			echo "run_bench.sh: the lab's selftest FAILED: lab results are untrustworthy (recorded in every result)" >&2
	fi
	inner=(--in-lab --no-install --preset "$preset" --out "$out")
	[ -z "$workloads" ] || inner+=(--workloads "$workloads")
	[ -z "$compare_with" ] || inner+=(--compare-with "$compare_with")
	case "$out" in "$here"/*) share=() ;; *) share=(--share "$out") ;; esac
	./lab/lab.sh "${labopts[@]}" "${share[@]}" --log-dir "$out/lab" run -- ./run_bench.sh "${inner[@]}"
	rc=$?
	case $rc in
	124|125) echo "run_bench.sh: the lab VM $(cat "$out/lab/verdict" 2>/dev/null) (console: $out/lab/console.log)" >&2 ;;
	*) [ ! -f "$out/summary.md" ] || render_all_plots "$out" "$out/summary.md" ;;
	esac
	exit $rc
fi
if [ $rc -eq 4 ]; then
	cat "$out/probe.txt" >&2
	echo "run_bench.sh: SKIP: KVM unusable on this host (see above)" >&2
	[ "$lab" = no ] && echo "run_bench.sh: (--host given; without it the preset runs in the lab)" >&2
	exit 4
fi
echo "host: $host, kernel $(uname -r); backends:"
sed -n '/^Conversion backends/,/^$/p' "$out/probe.txt" | sed -n '2,$p'

# ---- kvm attribute modes (per-VM vs per-guest_memfd) ----
mode_param=""
for p in gmem_in_place_conversion vm_memory_attributes; do
	[ -e "/sys/module/kvm/parameters/$p" ] && { mode_param=$p; break; }
done

set_mode() {	# set_mode inplace|dual: reload kvm with the parameter for it
	local want=$1 val vendor
	case "$mode_param:$want" in
	gmem_in_place_conversion:inplace) val=Y ;;
	gmem_in_place_conversion:dual) val=N ;;
	vm_memory_attributes:inplace) val=N ;;
	vm_memory_attributes:dual) val=Y ;;
	esac
	[ "$(cat /sys/module/kvm/parameters/$mode_param)" = "$val" ] && return 0
	# a VM still holding /dev/kvm makes the reload impossible (and unsafe)
	if [ -n "$(find /proc/[0-9]*/fd -lname /dev/kvm 2>/dev/null | head -n 1)" ] ||
	   [ -n "$(ls /sys/kernel/debug/kvm 2>/dev/null | grep -v '^[a-z_]*$' | head -n 1)" ]; then
		echo "run_bench.sh: refusing to reload kvm: a process holds /dev/kvm or a VM exists" >&2
		return 1
	fi
	vendor=""
	for m in kvm_intel kvm_amd; do [ -d /sys/module/$m ] && vendor=$m; done
	[ -n "$vendor" ] && { modprobe -r "$vendor" || return 1; }
	modprobe -r kvm || return 1
	modprobe kvm "$mode_param=$val" || return 1
	[ -n "$vendor" ] && { modprobe "$vendor" || return 1; }
	echo "kvm reloaded with $mode_param=$val"
}

orig_mode=""
restore_mode() {
	[ -n "$orig_mode" ] || return 0
	local cur
	cur=$(cat /sys/module/kvm/parameters/$mode_param 2>/dev/null)
	[ "$cur" = "$orig_mode" ] && return 0
	echo "restoring kvm $mode_param=$orig_mode"
	case "$mode_param:$orig_mode" in
	gmem_in_place_conversion:Y|vm_memory_attributes:N) set_mode inplace ;;
	*) set_mode dual ;;
	esac
}

mode_list="current"
if [ -n "$modes" ]; then
	# the values and --reload-kvm were checked with the command line
	if [ -z "$mode_param" ]; then
		echo "run_bench.sh: SKIP --modes: kvm has neither gmem_in_place_conversion nor vm_memory_attributes (kernel predates the in-place conversion series); running the current mode only" >&2
	elif [ -d /sys/module/kvm/sections ] || modinfo kvm >/dev/null 2>&1; then
		orig_mode=$(cat /sys/module/kvm/parameters/$mode_param)
		trap restore_mode EXIT
		mode_list=${modes//,/ }
	else
		echo "run_bench.sh: SKIP --modes: kvm is built into the kernel (set kvm.$mode_param on the kernel command line and reboot instead)" >&2
	fi
fi

# ---- run the matrix ----
status=0
runs=0
summary="$out/summary.md"
{
	echo "# gmembench $preset run on $host"
	echo
	echo "- date: $stamp (UTC), kernel $(uname -r), gmembench $($GMB --version | cut -d' ' -f2-)"
	echo "- probe: [probe.txt](probe.txt)"
	if [ "$in_lab" = 1 ]; then
		echo "- origin: **lab** — kernel ${GMB_LAB_KERNEL:-?} under QEMU ${GMB_LAB_QEMU:-?}, ${GMB_LAB_ACCEL:-?} (${GMB_LAB_ACCEL_WHY:-?}); kvm ${GMB_LAB_KVM:-?}; lab selftest: ${GMB_LAB_SELFTEST:-not run}; console: [lab/console.log](lab/console.log)"
		[ "${GMB_LAB_ACCEL:-}" = kvm ] ||
			echo "- **functional numbers (TCG)**: every instruction is emulated; compare ratios within this run only"
	else
		echo "- origin: host"
	fi
	echo
} >"$summary"

for mode in $mode_list; do
	if [ "$mode" != current ]; then
		set_mode "$mode" || { echo "run_bench.sh: could not switch kvm to $mode mode" >&2; status=1; continue; }
		"$GMB" probe >"$out/probe-$mode.txt" 2>&1
	fi
	while read -r tag args; do
		[ -n "$tag" ] || continue
		wl=${tag%@*}
		if [ -n "$workloads" ] && ! echo ",$workloads," | grep -q ",$wl,"; then
			continue
		fi
		runs=$((runs + 1))
		dir="$out/$tag"
		[ "$mode" = current ] || dir="$out/mode-$mode/$tag"
		# -o makes the run's directory, not its parents
		mkdir -p "$(dirname "$dir")"
		echo
		echo "== $tag $args"
		# shellcheck disable=SC2086
		"$GMB" run "$wl" $args -o "$dir" -f human,csv,json,markdown
		rc=$?
		case $rc in
		0) ;;
		4) echo "($wl skipped on this host)" ;;
		130) echo "interrupted"; status=130; break 2 ;;
		*) status=1 ;;
		esac
		if [ -s "$dir/summary.md" ]; then
			sed 's/^# /## /' "$dir/summary.md" >>"$summary"
			echo >>"$summary"
		fi
	done < <(matrix)
done

# a matrix that ran nothing is a broken run, never a pass
if [ "$runs" -eq 0 ] && [ $status -eq 0 ]; then
	echo "run_bench.sh: no workload of the $preset preset ran" >&2
	status=1
fi

# ---- plots: drawn by the outer run where the matrix ran in the lab ----
[ "$in_lab" = 1 ] || render_all_plots "$out" "$summary"

# ---- regression gate ----
if [ -n "$compare_with" ] && [ $status -ne 130 ]; then
	echo
	echo "== compare against $compare_with"
	echo "## Comparison against $compare_with" >>"$summary"
	./bench/compare_gate.sh "$GMB" "$compare_with" "$out" "$summary"
	case $? in
	0) ;;
	1) status=1 ;;
	*) status=2 ;;	# not comparable: compare said why, the gate stopped
	esac
fi

echo
echo "results: $out/ (summary: $summary)"
exit $status
