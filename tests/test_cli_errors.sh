#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input never runs and never writes: every case below feeds the CLI one
# bad value and asserts, as one TAP test point,
#   - the exit code (2 = usage/bad input, 4 = skip: the host cannot run it),
#   - the exact single line on stderr (it must quote the bad value and say
#     what is accepted, so a user can fix the command without the manual),
#   - nothing on stdout,
#   - no results directory: each run gets its own -o $tmp/out-N which must
#     not exist afterwards, and the working directory (where the default
#     results/<run-id> would land) stays empty.
# The /dev/kvm cases run in a private mount namespace (root + unshare).
# Exit 0 iff every test point is ok (or skipped).

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=tests/tap.sh
. "$here/tap.sh"
bin=$(gmb_bin)

echo "TAP version 13"
require_bin "$bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_cli_errors.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/cwd"

# the -o directory of the next test point
next_out() {
	echo "$tmp/out-$((n + 1))"
}

# in_cwd ARGS...: the binary, in the empty working directory
in_cwd() {
	(cd "$tmp/cwd" && exec "$bin" "$@")
}

# expect_as RC MSG DESC WRAPPER ARGS...: one test point, the binary started
# with ARGS by WRAPPER (a function taking the arguments)
expect_as() {
	exp_rc=$1
	exp_msg=$2
	desc=$3
	wrapper=$4
	shift 4
	n=$((n + 1))
	out=$tmp/out-$n
	$wrapper "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	verdict "$exp_rc" "$exp_msg" "$rc" "$(cat "$tmp/stderr")" "$desc"
}

# expect RC MSG ARGS...: one test point; the description is the argument list
expect() {
	exp_rc=$1
	exp_msg=$2
	shift 2
	expect_as "$exp_rc" "$exp_msg" "$(echo "$*" | sed "s|$tmp/|\$tmp/|g")" in_cwd "$@"
}

# verdict EXP_RC EXP_MSG RC MSG DESC: print the test point for one case
verdict() {
	why=
	[ "$3" -eq "$1" ] || why="$why exit $3, expected $1;"
	# exactly one line: the file has one newline and it is the last byte
	[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || why="$why stderr is not one line;"
	[ "$4" = "$2" ] || why="$why message differs;"
	[ -s "$tmp/stdout" ] && why="$why stdout not empty;"
	[ -e "$out" ] && why="$why $out was created;"
	[ -z "$(ls -A "$tmp/cwd")" ] || why="$why wrote into the working directory;"
	if [ -z "$why" ]; then
		echo "ok $n - $5 -> $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $5 -> $1"
		echo "  # why:$why"
		echo "  # expected: $2"
		sed 's/^/  # got:      /' "$tmp/stderr"
		rm -rf "$out" "$tmp/cwd"
		mkdir "$tmp/cwd"
	fi
}

# expect_list RC PREFIX NAMES ARGS...: like expect for a message that is
# exactly "PREFIX(accepted: A, B, ...)" where {A, B, ...} must be the set
# NAMES (one per line), taken from the binary's own listing (list, --help):
# so a hard-coded list in a message cannot drift from what exists.
expect_list() {
	exp_rc=$1
	prefix=$2
	want=$(echo "$3" | sort)
	shift 3
	n=$((n + 1))
	out=$tmp/out-$n
	(cd "$tmp/cwd" && exec "$bin" "$@") >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	msg=$(cat "$tmp/stderr")
	got=${msg#"$prefix(accepted: "}
	got=${got%")"}
	if [ "$got" != "$msg" ] &&
	   [ "$(echo "$got" | sed 's/, /\n/g' | sort)" = "$want" ]; then
		exp="$prefix(accepted: $got)"	# same set, in any order
	else
		exp="$prefix(accepted: $(echo "$want" | paste -sd, - | sed 's/,/, /g'))"
	fi
	verdict "$exp_rc" "$exp" "$rc" "$msg" \
		"$(echo "$*" | sed "s|$tmp/|\$tmp/|g")"
}

E='gmembench:'
# two words: $R is left unquoted on purpose (shellcheck SC2086)
R='run granularity'

# --- sizes: region and granularity ----------------------------------------
expect 2 "$E --region: '5000' is not a multiple of 4K (accepted: multiples of 4K in 4K..64G)" \
	$R -o "$(next_out)" -m 5000
expect 2 "$E --region: '0' is out of range (accepted: multiples of 4K in 4K..64G)" \
	$R -o "$(next_out)" -m 0
expect 2 "$E --region: '128G' is out of range (accepted: multiples of 4K in 4K..64G)" \
	$R -o "$(next_out)" -m 128G
expect 2 "$E --region: size '12Q': expected a number with optional K/M/G/T suffix" \
	$R -o "$(next_out)" -m 12Q
expect 2 "$E --region: size '-4K': expected a number with optional K/M/G/T suffix" \
	$R -o "$(next_out)" -m -4K
expect 2 "$E --region: size '99999999999999999999G' is too large (maximum 18446744073709551615 bytes)" \
	$R -o "$(next_out)" -m 99999999999999999999G
expect 2 "$E --granularity: '6K' is not a multiple of 4K (accepted: multiples of 4K in 4K..64M dividing the region 64M)" \
	$R -o "$(next_out)" -g 6K
expect 2 "$E --granularity: '2M' is larger than the region (accepted: multiples of 4K in 4K..64K dividing the region 64K)" \
	$R -o "$(next_out)" -m 64K -g 2M
expect 2 "$E --granularity: '128K' does not divide the region (accepted: multiples of 4K in 4K..192K dividing the region 192K)" \
	$R -o "$(next_out)" -m 192K -g 128K
expect 2 "$E --granularity: size list '4K,,2M': empty item" \
	$R -o "$(next_out)" -g 4K,,2M
expect 2 "$E --granularity: size range '2M:4K': min is greater than max" \
	$R -o "$(next_out)" -g 2M:4K
expect 2 "$E --granularity: size range '4K:2M:x1': factor must be at least x2" \
	$R -o "$(next_out)" -g 4K:2M:x1
expect 2 "$E --granularity: size '4KB': expected a number with optional K/M/G/T suffix" \
	$R -o "$(next_out)" -g 4KB

# --- vCPUs and memory ------------------------------------------------------
expect 2 "$E --vcpus: '0' is out of range (accepted: 1..256)" \
	$R -o "$(next_out)" -v 0
expect 2 "$E --vcpus: '100000' is out of range (accepted: 1..256)" \
	$R -o "$(next_out)" -v 100000
expect 2 "$E --vcpus: '300' is out of range (accepted: 1..256)" \
	$R -o "$(next_out)" -v 300
expect 2 "$E --region x --vcpus: 64G x 256 exceeds the 251 GiB of guest-physical space" \
	$R -o "$(next_out)" -m 64G -v 256

# More guest memory than MemAvailable: V vCPUs x 32G with V just enough.
# The MiB figure moves between our read and the binary's, so it is checked
# to be within 10% of /proc/meminfo; the rest of the line is exact.
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
v=$((avail_kb / 33554432 + 1))
if [ -z "$avail_kb" ] || [ "$v" -gt 7 ]; then
	skip "MemAvailable ${avail_kb:-unknown} kB: more than 7 x 32G vCPUs would hit the guest-physical limit first"
else
	n=$((n + 1))
	out=$tmp/out-$n
	(cd "$tmp/cwd" && exec "$bin" $R -o "$out" -b discard -v $v -m 32G) \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	msg=$(cat "$tmp/stderr")
	mib=$(echo "$msg" | sed -n 's/.* but MemAvailable is \([0-9]*\) MiB$/\1/p')
	norm=$(echo "$msg" | sed 's/MemAvailable is [0-9]* MiB$/MemAvailable is N MiB/')
	exp_mib=$((avail_kb / 1024))
	if [ -n "$mib" ] && [ $((mib * 10)) -ge $((exp_mib * 9)) ] &&
	   [ $((mib * 10)) -le $((exp_mib * 11)) ]; then
		mib_ok=$mib
	else
		mib_ok="MiB figure '$mib' not within 10% of $exp_mib"
	fi
	verdict 2 "$E --region x --vcpus: the run needs $((v * 32768 + 8))M of guest memory ($v x 32G) but MemAvailable is N MiB" \
		"$rc" "$norm" "$R -o \$tmp/out-$n -b discard -v $v -m 32G (MemAvailable ${mib_ok} MiB)"
fi

# --- choices -----------------------------------------------------------------
expect 2 "$E --backend: unknown backend 'nope' (accepted: inplace, dual, discard, all)" \
	$R -o "$(next_out)" -b nope
expect 2 "$E --backend: empty backend in list 'discard,,dual' (accepted: inplace, dual, discard, all)" \
	$R -o "$(next_out)" -b discard,,dual
expect 2 "$E --driver: unknown driver 'nope' (accepted: guest, host, all)" \
	$R -o "$(next_out)" -d nope
workloads=$("$bin" list workloads | sed -n 's/^  \([a-z_][a-z_]*\) .*/\1/p')
formats=$("$bin" list formats | sed -n 's/^  \([a-z_][a-z_]*\) .*/\1/p')
commands=$("$bin" --help | sed -n 's/^  \([a-z_][a-z_]*\) .*/\1/p')
expect_list 2 "$E unknown workload 'nope' " "$workloads" \
	run nope -o "$(next_out)"
expect_list 2 "$E --format: unknown format 'xml' " "$formats" \
	$R -o "$(next_out)" -f xml
expect_list 2 "$E --format: empty format list " "$formats" \
	$R -o "$(next_out)" -f ,
expect 2 "$E --channel: unknown channel 'smoke' (accepted: auto, hypercall, pio)" \
	$R -o "$(next_out)" --channel smoke

# the accepted CPUs are this process's allowed online CPUs
cpus=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
expect 2 "$E --cpus: CPU 999 in \"999\" is not an allowed online CPU (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus 999
expect 2 "$E --cpus: bad CPU list item \"abc\" in \"abc\": expected N or N-M, comma separated (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus abc
# cpu_ok N: CPU N is in the accepted list
cpu_ok() {
	echo "$cpus" | tr ',' '\n' |
		awk -F- -v c="$1" '{ hi = NF > 1 ? $2 : $1 } c >= $1 && c <= hi { f = 1 } END { exit !f }'
}
if cpu_ok 99; then
	skip "--cpus 99 is a usable CPU here (accepted CPUs: $cpus)"
else
	expect 2 "$E --cpus: CPU 99 in \"99\" is not an allowed online CPU (accepted CPUs: $cpus)" \
		$R -o "$(next_out)" --cpus 99
fi
expect 2 "$E --cpus: bad CPU list item \"0-\" in \"0-\": expected N or N-M, comma separated (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus 0-
expect 2 "$E --cpus: bad CPU list item \"a\" in \"a,b\": expected N or N-M, comma separated (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus a,b
expect 2 "$E --cpus: CPU range \"1-0\" in \"1-0\" is reversed (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus 1-0
c0=${cpus%%[-,]*}
expect 2 "$E --cpus: CPU $c0 is listed twice in \"$c0,$c0\" (accepted CPUs: $cpus)" \
	$R -o "$(next_out)" --cpus "$c0,$c0"

# --- output directory (-o) ---------------------------------------------------
# The reason a directory cannot be made, as mkdir(1) gets it from the kernel.
mkdir_err() {
	LC_ALL=C mkdir "$1" 2>&1 | sed 's/.*: //'
}
O_OK='(accepted: a writable directory, or a new one inside an existing directory)'
: >"$tmp/file"
expect 2 "$E --output: '$tmp/file' is not a directory $O_OK" \
	$R -o "$tmp/file"
expect 2 "$E --output: '/proc/x' cannot be created: $(mkdir_err /proc/x) $O_OK" \
	$R -o /proc/x
expect 2 "$E --output: '$tmp/nope/out' cannot be created: $(mkdir_err "$tmp/nope/out") $O_OK" \
	$R -o "$tmp/nope/out"
expect 2 "$E --output: '' is empty $O_OK" \
	$R -o ''

# --- workload options (-O) -------------------------------------------------
expect 2 "$E --opt: workload granularity has no option 'nope' (accepted: nops, pattern, host_touch)" \
	$R -o "$(next_out)" -O nope=1
expect 2 "$E --opt: nops: '0' is out of range (accepted: 1..100000)" \
	$R -o "$(next_out)" -O nops=0
expect 2 "$E --opt: pattern: '256' is out of range (accepted: 0..255)" \
	$R -o "$(next_out)" -O pattern=256
expect 2 "$E --opt: 'nops' is not key=value" \
	$R -o "$(next_out)" -O nops
expect 2 "$E --opt: '=5': empty key (expected key=value)" \
	$R -o "$(next_out)" -O =5
# limits a workload declares against the run (not only its own range):
# refused here, before KVM, not in the workload's setup
expect 2 "$E --opt: threads: '5' is out of range (accepted: 0..4, at most 2 x --vcpus)" \
	run contention -o "$(next_out)" -v 2 -O threads=5
expect 2 "$E --opt: bystander_bytes: '1M' is out of range (accepted: 4096..524288 bytes, at most the region)" \
	run invalidation -o "$(next_out)" -m 512K -g 4K -O bystander_bytes=1M
expect 2 "$E --opt: bystander_bytes: '256K' (the default) is out of range (accepted: 4096..131072 bytes, at most the region)" \
	run invalidation -o "$(next_out)" -m 128K -g 4K
expect 2 "$E --opt: layout: bad list ',none'" \
	run layouts -o "$(next_out)" -O layout=,none

# --- counts, time, identifiers ---------------------------------------------
expect 2 "$E --repetitions: '0' is out of range (accepted: 1..10000)" \
	$R -o "$(next_out)" -r 0
expect 2 "$E --iterations: '0' is out of range (accepted: 1..1000000)" \
	$R -o "$(next_out)" -i 0
expect 2 "$E --warmup: '1001' is out of range (accepted: 0..1000)" \
	$R -o "$(next_out)" -w 1001
expect 2 "$E --duration: '0' is out of range (accepted: 0.001..86400 seconds)" \
	$R -o "$(next_out)" -D 0
expect 2 "$E --duration: 'abc' is not a number (accepted: 0.001..86400 seconds)" \
	$R -o "$(next_out)" --duration abc
expect 2 "$E --duration: cannot be combined with --iterations (fixed-duration or fixed-count, not both)" \
	$R -o "$(next_out)" -i 2 -D 1
expect 2 "$E --duration: workload layouts runs a fixed number of passes (accepted with: granularity)" \
	run layouts -o "$(next_out)" -D 1
expect 2 "$E --timeout: 'abc' is not a decimal integer (accepted: 0..86400 seconds)" \
	$R -o "$(next_out)" -t abc
expect 2 "$E --timeout: '100000' is out of range (accepted: 0..86400 seconds)" \
	$R -o "$(next_out)" -t 100000
expect 2 "$E --seed: '-1' is not a decimal integer (accepted: 0..18446744073709551615)" \
	$R -o "$(next_out)" --seed -1
expect 2 "$E --run-id: 'a/b' is not a valid run id (accepted: 1..95 characters of [A-Za-z0-9._-])" \
	$R -o "$(next_out)" --run-id a/b
expect 2 "$E --run-id: '' is not a valid run id (accepted: 1..95 characters of [A-Za-z0-9._-])" \
	$R -o "$(next_out)" --run-id ''

# --- command-line shape ----------------------------------------------------
expect 2 "$E option '-o' needs a value" \
	$R -o
expect 2 "$E option '-m' needs a value" \
	$R -o "$(next_out)" -m
expect 2 "$E unknown option '--bogus' (see 'gmembench run -h')" \
	$R -o "$(next_out)" --bogus
expect 2 "$E unknown option '-x' (see 'gmembench run -h')" \
	$R -o "$(next_out)" -x
expect 2 "$E unexpected argument 'stray' (run takes one WORKLOAD, then options only)" \
	$R -o "$(next_out)" stray
expect 2 "$E run: missing WORKLOAD (see 'gmembench list workloads')" \
	run -o "$(next_out)"
expect_list 2 "$E unknown command 'frobnicate' " "$commands" \
	frobnicate
expect 2 "$E list: unknown list 'things' (accepted: workloads, backends, formats, metrics, all)" \
	list things
expect 2 "$E probe: unexpected argument 'extra' (probe takes no arguments)" \
	probe extra

# --- compare -----------------------------------------------------------------
expect 2 "gmembench compare: $tmp/nope1: No such file or directory" \
	compare "$tmp/nope1" "$tmp/nope2"
expect 2 "gmembench compare: invalid --alpha '2': expected a number between 0 and 1 (exclusive)" \
	compare --alpha 2 "$tmp/nope1" "$tmp/nope2"
expect 2 "gmembench compare: invalid --alpha 'abc': expected a number between 0 and 1 (exclusive)" \
	compare --alpha abc "$tmp/nope1" "$tmp/nope2"
expect 2 "gmembench compare: invalid --threshold 'p42=5': expected STAT=PERCENT with STAT one of default, p50_ns, p99_ns, conversions_per_s and PERCENT in 0..1000" \
	compare --threshold p42=5 "$tmp/nope1" "$tmp/nope2"
expect 2 "gmembench compare: expected BASE and CAND (try --help)" \
	compare "$tmp/nope1"

# --- hosts that cannot run it: exit 4 (kselftest skip) ---------------------
# A private mount namespace gets its own /dev: a tmpfs with only null in it
# (the missing-KVM host), or /dev/null bound over /dev/kvm (a /dev/kvm that
# is not KVM; skipped where there is no /dev/kvm to bind over).
# Unprivileged: the real /dev/kvm as user nobody.
in_ns() {	# in_ns SETUP ARGS...: run the binary after SETUP in a new mount ns
	ns_setup=$1
	shift
	unshare -m sh -c "$ns_setup"' && cd "$0" && exec "$@"' "$tmp/cwd" "$bin" "$@"
}
no_kvm() {	# no /dev/kvm at all: /dev is a tmpfs with only null in it
	in_ns 'mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3' "$@"
}
null_kvm() {	# a /dev/kvm that is not KVM
	in_ns 'mount --bind /dev/null /dev/kvm' "$@"
}
as_nobody() {	# the real /dev/kvm, unprivileged
	(cd "$tmp/cwd" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" "$@")
}
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
   ! unshare -m sh -c 'mount -t tmpfs none /dev' 2>/dev/null; then
	skip "no /dev/kvm simulation: needs root and unshare -m with mount (uid $(id -u))"
	skip "no /dev/kvm simulation: needs root and unshare -m with mount (uid $(id -u))"
	skip "no /dev/kvm simulation: needs root and unshare -m with mount (uid $(id -u))"
else
	expect_as 4 "$E SKIP: /dev/kvm: no such device (KVM not available on this host)" \
		"$R without /dev/kvm" no_kvm $R -o "$(next_out)" -m 2M

	# probe's report (stdout) and its SKIP line (stderr) into one file, as
	# run_bench.sh's probe.txt: the report comes whole, the SKIP line last
	n=$((n + 1))
	no_kvm probe >"$tmp/probe" 2>&1
	rc=$?
	skip_line="$E SKIP: /dev/kvm: no such device (KVM not available on this host)"
	if [ "$rc" -eq 4 ] && [ "$(tail -n 1 "$tmp/probe")" = "$skip_line" ] &&
	   [ "$(grep -c "$E" "$tmp/probe")" -eq 1 ] && grep -q '^Host$' "$tmp/probe"; then
		echo "ok $n - probe without /dev/kvm, stdout and stderr to one file: SKIP line last and whole -> 4"
	else
		failed=$((failed + 1))
		echo "not ok $n - probe without /dev/kvm, stdout and stderr to one file: SKIP line last and whole -> 4"
		echo "  # exit $rc; lines with '$E':"
		grep -n "$E" "$tmp/probe" | sed 's/^/  # /'
	fi

	if [ ! -e /dev/kvm ]; then
		n=$((n + 1))
		echo "ok $n - $R with /dev/null as /dev/kvm -> 4 # SKIP no /dev/kvm on this host to bind /dev/null over"
	else
		expect_as 4 "$E SKIP: /dev/kvm: KVM_GET_API_VERSION: Inappropriate ioctl for device (not a KVM device)" \
			"$R with /dev/null as /dev/kvm" null_kvm $R -o "$(next_out)" -m 2M
	fi
fi
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || [ ! -e /dev/kvm ]; then
	skip "no unprivileged /dev/kvm case: needs root (to drop to nobody), setpriv and /dev/kvm"
elif [ "$(stat -c %a /dev/kvm)" != 600 ] && [ "$(stat -c %a /dev/kvm)" != 660 ]; then
	skip "no unprivileged /dev/kvm case: /dev/kvm mode $(stat -c %a /dev/kvm) lets others in"
else
	chmod 777 "$tmp" "$tmp/cwd"
	expect_as 4 "$E SKIP: /dev/kvm: Permission denied (need read/write access, e.g. root or the kvm group)" \
		"$R as user nobody" as_nobody $R -o "$(next_out)" -m 2M
fi

echo "1..$n"
[ "$failed" -eq 0 ]
