/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host facts recorded next to every result, so that two result files can be
 * told apart by the machine that produced them. Every field is read from the
 * kernel (uname, /proc, /sys, cpuid); nothing is guessed. A fact that cannot
 * be read is stored as "unknown" (strings) or -1 (counts), never as a
 * plausible-looking default.
 *
 * The struct has fixed-size arrays only, so it can live on the stack or be
 * copied into a result record without ownership questions.
 */
#ifndef GMB_HOSTINFO_H
#define GMB_HOSTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HOSTINFO_NAME_LEN		65	/* struct utsname field size */
#define HOSTINFO_CMDLINE_LEN		4096
#define HOSTINFO_MITIGATIONS_LEN	1024
#define HOSTINFO_WORD_LEN		32
#define HOSTINFO_MAX_KVM_PARAMS		64
#define HOSTINFO_PARAM_NAME_LEN		48
#define HOSTINFO_PARAM_VALUE_LEN	64
#define HOSTINFO_GMEM_MODE_LEN		96

struct hostinfo_kvm_param {
	char module[16];			/* "kvm", "kvm_intel", ... */
	char name[HOSTINFO_PARAM_NAME_LEN];
	char value[HOSTINFO_PARAM_VALUE_LEN];	/* trimmed; "?" if unreadable */
};

/*
 * Where the numbers come from: "host" (this machine's kvm) or "lab" (a
 * kernel booted under QEMU by lab/lab.sh, which exports GMB_LAB_*). Under
 * TCG every guest instruction is emulated: such numbers are functional,
 * comparable only as ratios within one run.
 */
#define HOSTINFO_ORIGIN_LEN 256
struct hostinfo_origin {
	char origin[8];				/* "host" or "lab" */
	char accel[8];				/* lab: "tcg" or "kvm"; host: "-" */
	char accel_why[HOSTINFO_ORIGIN_LEN];
	char qemu[HOSTINFO_ORIGIN_LEN];		/* QEMU version */
	char kernel[HOSTINFO_ORIGIN_LEN];	/* release (source, package version) */
	char kvm[HOSTINFO_ORIGIN_LEN];		/* module set and build options */
	char vm[HOSTINFO_ORIGIN_LEN];		/* vCPUs, memory */
	char selftest[HOSTINFO_ORIGIN_LEN];	/* KVM selftests verdict in the lab */
};

struct hostinfo {
	struct hostinfo_origin origin;
	char hostname[HOSTINFO_NAME_LEN];
	char kernel_release[HOSTINFO_NAME_LEN];
	char kernel_version[HOSTINFO_NAME_LEN];
	char cmdline[HOSTINFO_CMDLINE_LEN];

	char cpu_vendor[13];		/* cpuid leaf 0, e.g. "GenuineIntel" */
	char cpu_model_name[49];	/* cpuid brand string, trimmed */
	int cpu_family;			/* leaf 1, extended family added */
	int cpu_model;			/* leaf 1, extended model merged */
	int cpu_stepping;
	char microcode[HOSTINFO_WORD_LEN];	/* cpu0 of /proc/cpuinfo */

	int online_cpus;		/* /sys/devices/system/cpu/online */
	int smt_active;			/* 1, 0, or -1 unknown */
	char governor[HOSTINFO_WORD_LEN];	/* cpu0 or "none" */
	/* "name=first-word;..." sorted by name; ends in ";..." if cut */
	char mitigations[HOSTINFO_MITIGATIONS_LEN];
	char hypervisor[13];		/* cpuid 0x40000000 signature or "none" */

	char thp_enabled[HOSTINFO_WORD_LEN];
	char thp_shmem_enabled[HOSTINFO_WORD_LEN];
	int64_t hugepages_2m_total;	/* -1 when the size is not offered */
	int64_t hugepages_2m_free;
	int64_t hugepages_1g_total;
	int64_t hugepages_1g_free;
	/*
	 * From /proc/meminfo on purpose: with deferred struct-page init the
	 * per-node meminfo (and so hwloc/libnuma) under-reports memory.
	 */
	uint64_t mem_total_bytes;
	uint64_t mem_available_bytes;

	char kvm_vendor_module[16];	/* kvm_intel, kvm_amd, kvm_pvm, none */
	char mmu_kind[16];		/* ept, npt, pvm-shadow, shadow, unknown */
	char kvm_tdp_mmu[HOSTINFO_WORD_LEN];	/* kvm.tdp_mmu or "unknown" */
	char gmem_mode_param[HOSTINFO_GMEM_MODE_LEN];

	unsigned int nr_kvm_params;
	bool kvm_params_truncated;	/* more than HOSTINFO_MAX_KVM_PARAMS */
	struct hostinfo_kvm_param kvm_params[HOSTINFO_MAX_KVM_PARAMS];
};

/*
 * Fill @hi. Missing files are not errors: the field says "unknown" (or -1)
 * and the call still returns 0. Returns -EINVAL only for @hi == NULL.
 */
int hostinfo_collect(struct hostinfo *hi);

/* Fill @o from GMB_LAB_* (lab/lab.sh sets them in the VM), else "host". */
void hostinfo_origin_collect(struct hostinfo_origin *o);

/* True when the numbers are functional only (a TCG lab). */
bool hostinfo_origin_functional(const struct hostinfo_origin *o);

/*
 * Value of @key ("MemAvailable", "HugePages_Total", ...) in /proc/meminfo.
 * Values with a "kB" unit are converted to bytes; unit-less values (page
 * counts) are returned as they are. -ENOENT if the key is absent.
 */
int hostinfo_read_meminfo(const char *key, uint64_t *bytes);

/*
 * Read a small sysfs/procfs file into @buf and trim trailing whitespace.
 * Content longer than @len - 1 is cut (sysfs files are at most a page).
 * Returns 0 or -errno from open/read; -EINVAL for a bad argument.
 */
int hostinfo_read_sysfs_str(const char *path, char *buf, size_t len);

/* "key : value" table, one fact per line, kvm parameters as module.name. */
void hostinfo_print(const struct hostinfo *hi, FILE *f);

#endif /* GMB_HOSTINFO_H */
