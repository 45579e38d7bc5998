// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts: see hostinfo.h. Each reader degrades to "unknown" on its own,
 * so one missing sysfs file (older kernel, other hypervisor, no cpufreq)
 * never hides the facts that are readable.
 */
#include "harness/hostinfo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HOSTINFO_HAVE_CPUID 1
#else
#define HOSTINFO_HAVE_CPUID 0
#endif

#define HI_UNKNOWN	"unknown"
#define HI_SYS_CPU	"/sys/devices/system/cpu"
#define HI_SYS_THP	"/sys/kernel/mm/transparent_hugepage"
#define HI_SYS_HUGE	"/sys/kernel/mm/hugepages"
#define HI_SYS_MODULE	"/sys/module"

/* Names of directory entries, sorted, so output does not follow readdir. */
#define HI_MAX_DIR_ENTRIES	128
#define HI_DIR_NAME_LEN		64

/* Bounded copy that always terminates; cutting long values is intended. */
static void hi_set(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	while (n + 1 < len && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void hi_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

int hostinfo_read_sysfs_str(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	int fd, err = 0;

	if (!path || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len - 1) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	if (err) {
		buf[0] = '\0';
		return err;
	}
	hi_rtrim(buf);
	return 0;
}

/* Read @path into @dst, or store @fallback when it cannot be read. */
static void hi_read_or(const char *path, char *dst, size_t len,
		       const char *fallback)
{
	if (hostinfo_read_sysfs_str(path, dst, len))
		hi_set(dst, len, fallback);
}

static int hi_read_s64(const char *path, int64_t *val)
{
	char buf[64], *end;
	long long v;
	int ret;

	ret = hostinfo_read_sysfs_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int hostinfo_read_meminfo(const char *key, uint64_t *bytes)
{
	size_t keylen, cap = 0;
	char *line = NULL;
	int ret = -ENOENT;
	FILE *f;

	if (!key || !*key || !bytes)
		return -EINVAL;
	keylen = strlen(key);
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long v;
		char *p, *end;

		if (strncmp(line, key, keylen) || line[keylen] != ':')
			continue;
		p = line + keylen + 1;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || end == p) {
			ret = -EINVAL;
			break;
		}
		while (*end == ' ' || *end == '\t')
			end++;
		/* /proc/meminfo's only unit is kB (KiB); counts have none. */
		if (!strncmp(end, "kB", 2))
			v *= 1024;
		*bytes = v;
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* A "key : value" field of the first processor block in /proc/cpuinfo. */
static int hi_cpuinfo_cpu0(const char *key, char *buf, size_t len)
{
	size_t keylen = strlen(key), cap = 0;
	int ret = -ENOENT, blocks = 0;
	char *line = NULL;
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *p;

		if (!strncmp(line, "processor", 9) && ++blocks > 1)
			break;
		if (strncmp(line, key, keylen))
			continue;
		p = line + keylen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		hi_set(buf, len, p);
		hi_rtrim(buf);
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* Number of CPUs in a kernel cpu list such as "0-3,8,10-11". */
static int hi_count_cpulist(const char *s)
{
	int count = 0;

	while (*s) {
		unsigned long a, b;
		char *end;

		errno = 0;
		a = strtoul(s, &end, 10);
		if (errno || end == s)
			return -EINVAL;
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			b = strtoul(s, &end, 10);
			if (errno || end == s || b < a)
				return -EINVAL;
			s = end;
		}
		count += (int)(b - a + 1);
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return count;
}

static int hi_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Regular entries of @dir, sorted. Returns the count (at most @max) or
 * -errno; *truncated tells whether the directory had more.
 */
static int hi_list_dir(const char *dir, char (*names)[HI_DIR_NAME_LEN],
		       int max, bool *truncated)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	*truncated = false;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == max) {
			*truncated = true;
			break;
		}
		hi_set(names[n++], HI_DIR_NAME_LEN, de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), hi_name_cmp);
	return n;
}

static void hi_uname(struct hostinfo *hi)
{
	struct utsname u;

	if (uname(&u)) {
		hi_set(hi->hostname, sizeof(hi->hostname), HI_UNKNOWN);
		hi_set(hi->kernel_release, sizeof(hi->kernel_release), HI_UNKNOWN);
		hi_set(hi->kernel_version, sizeof(hi->kernel_version), HI_UNKNOWN);
		return;
	}
	hi_set(hi->hostname, sizeof(hi->hostname), u.nodename);
	hi_set(hi->kernel_release, sizeof(hi->kernel_release), u.release);
	hi_set(hi->kernel_version, sizeof(hi->kernel_version), u.version);
}

#if HOSTINFO_HAVE_CPUID
/* cpuid signatures are registers laid out as bytes; keep printable ones. */
static void hi_regs_to_str(char *dst, size_t len, const unsigned int *regs,
			   int nregs)
{
	size_t n = 0;
	int i, j;

	for (i = 0; i < nregs; i++) {
		for (j = 0; j < 4 && n + 1 < len; j++) {
			char c = (char)((regs[i] >> (8 * j)) & 0xff);

			if (isprint((unsigned char)c))
				dst[n++] = c;
		}
	}
	dst[n] = '\0';
}

static void hi_cpuid(struct hostinfo *hi)
{
	unsigned int a, b, c, d, max, regs[12];
	unsigned int fam, model;
	char *p;
	int i;

	__cpuid(0, max, b, c, d);
	regs[0] = b;
	regs[1] = d;
	regs[2] = c;
	hi_regs_to_str(hi->cpu_vendor, sizeof(hi->cpu_vendor), regs, 3);

	if (max >= 1) {
		__cpuid(1, a, b, c, d);
		/* Same rule as the kernel's x86_family()/x86_model(). */
		fam = (a >> 8) & 0xf;
		model = (a >> 4) & 0xf;
		if (fam == 0xf)
			fam += (a >> 20) & 0xff;
		if (fam >= 0x6)
			model += ((a >> 16) & 0xf) << 4;
		hi->cpu_family = (int)fam;
		hi->cpu_model = (int)model;
		hi->cpu_stepping = (int)(a & 0xf);

		if (c & (1u << 31)) {
			__cpuid(0x40000000, a, b, c, d);
			regs[0] = b;
			regs[1] = c;
			regs[2] = d;
			hi_regs_to_str(hi->hypervisor, sizeof(hi->hypervisor),
				       regs, 3);
			if (!hi->hypervisor[0])
				hi_set(hi->hypervisor, sizeof(hi->hypervisor),
				       HI_UNKNOWN);
		} else {
			hi_set(hi->hypervisor, sizeof(hi->hypervisor), "none");
		}
	}

	if (__get_cpuid_max(0x80000000, NULL) >= 0x80000004) {
		for (i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1],
				regs[4 * i + 2], regs[4 * i + 3]);
		hi_regs_to_str(hi->cpu_model_name, sizeof(hi->cpu_model_name),
			       regs, 12);
		/* Brand strings are often padded with leading blanks. */
		for (p = hi->cpu_model_name; *p == ' '; p++)
			;
		memmove(hi->cpu_model_name, p, strlen(p) + 1);
		hi_rtrim(hi->cpu_model_name);
	}
}
#else
static void hi_cpuid(struct hostinfo *hi)
{
}
#endif

static void hi_cpu(struct hostinfo *hi)
{
	char buf[256];
	int64_t v;
	long n;

	hi_set(hi->cpu_vendor, sizeof(hi->cpu_vendor), HI_UNKNOWN);
	hi_set(hi->hypervisor, sizeof(hi->hypervisor), HI_UNKNOWN);
	hi->cpu_model_name[0] = '\0';
	hi->cpu_family = -1;
	hi->cpu_model = -1;
	hi->cpu_stepping = -1;
	hi_cpuid(hi);
	if (!hi->cpu_model_name[0] &&
	    hi_cpuinfo_cpu0("model name", hi->cpu_model_name,
			    sizeof(hi->cpu_model_name)))
		hi_set(hi->cpu_model_name, sizeof(hi->cpu_model_name),
		       HI_UNKNOWN);

	if (hi_cpuinfo_cpu0("microcode", hi->microcode, sizeof(hi->microcode)))
		hi_set(hi->microcode, sizeof(hi->microcode), HI_UNKNOWN);

	hi->online_cpus = -1;
	if (!hostinfo_read_sysfs_str(HI_SYS_CPU "/online", buf, sizeof(buf)))
		hi->online_cpus = hi_count_cpulist(buf);
	if (hi->online_cpus <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		hi->online_cpus = n > 0 ? (int)n : -1;
	}

	hi->smt_active = -1;
	if (!hi_read_s64(HI_SYS_CPU "/smt/active", &v))
		hi->smt_active = v ? 1 : 0;

	hi_read_or(HI_SYS_CPU "/cpu0/cpufreq/scaling_governor", hi->governor,
		   sizeof(hi->governor), "none");
}

/* "Mitigation: Retpolines" -> "Mitigation"; "Not affected" -> "Not". */
static void hi_first_word(const char *s, char *dst, size_t len)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (s[n] && !strchr(" \t\n:;,", s[n]))
		n++;
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void hi_mitigations(struct hostinfo *hi)
{
	char names[HI_MAX_DIR_ENTRIES][HI_DIR_NAME_LEN];
	const size_t size = sizeof(hi->mitigations);
	char *out = hi->mitigations;
	size_t pos = 0;
	bool cut;
	int n, i;

	n = hi_list_dir(HI_SYS_CPU "/vulnerabilities", names,
			HI_MAX_DIR_ENTRIES, &cut);
	if (n <= 0) {
		hi_set(out, size, HI_UNKNOWN);
		return;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		char path[256], val[256], word[32], entry[128];
		size_t need, reserve;

		if (snprintf(path, sizeof(path),
			     HI_SYS_CPU "/vulnerabilities/%s", names[i]) >=
		    (int)sizeof(path) ||
		    hostinfo_read_sysfs_str(path, val, sizeof(val)))
			hi_set(val, sizeof(val), "?");
		hi_first_word(val, word, sizeof(word));
		if (snprintf(entry, sizeof(entry), "%s=%s", names[i], word) >=
		    (int)sizeof(entry))
			continue;	/* cannot happen: names are < 64 bytes */
		need = strlen(entry) + (pos ? 1 : 0);
		/* Keep room for the ";..." marker unless this is the last. */
		reserve = (i == n - 1 && !cut) ? 0 : 4;
		if (pos + need + reserve >= size) {
			snprintf(out + pos, size - pos, "%s", pos ? ";..." : "...");
			return;
		}
		pos += (size_t)snprintf(out + pos, size - pos, "%s%s",
					pos ? ";" : "", entry);
	}
	if (cut)
		snprintf(out + pos, size - pos, ";...");
}

static void hi_bracketed(const char *path, char *dst, size_t len)
{
	char buf[256], *l, *r;

	if (hostinfo_read_sysfs_str(path, buf, sizeof(buf))) {
		hi_set(dst, len, HI_UNKNOWN);
		return;
	}
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!l || !r) {
		/* Not a choice list: record the raw value rather than guess. */
		hi_set(dst, len, buf);
		return;
	}
	*r = '\0';
	hi_set(dst, len, l + 1);
}

static void hi_memory(struct hostinfo *hi)
{
	/* hugetlb pool counts; -1 when the size is not offered */
	const struct {
		const char *path;
		int64_t *val;
	} pools[] = {
		{ HI_SYS_HUGE "/hugepages-2048kB/nr_hugepages", &hi->hugepages_2m_total },
		{ HI_SYS_HUGE "/hugepages-2048kB/free_hugepages", &hi->hugepages_2m_free },
		{ HI_SYS_HUGE "/hugepages-1048576kB/nr_hugepages", &hi->hugepages_1g_total },
		{ HI_SYS_HUGE "/hugepages-1048576kB/free_hugepages", &hi->hugepages_1g_free },
	};
	uint64_t v;
	size_t i;

	hi_bracketed(HI_SYS_THP "/enabled", hi->thp_enabled,
		     sizeof(hi->thp_enabled));
	hi_bracketed(HI_SYS_THP "/shmem_enabled", hi->thp_shmem_enabled,
		     sizeof(hi->thp_shmem_enabled));
	for (i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
		if (hi_read_s64(pools[i].path, pools[i].val))
			*pools[i].val = -1;

	hi->mem_total_bytes = hostinfo_read_meminfo("MemTotal", &v) ? 0 : v;
	hi->mem_available_bytes =
		hostinfo_read_meminfo("MemAvailable", &v) ? 0 : v;
}

static bool hi_module_present(const char *mod)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), HI_SYS_MODULE "/%s", mod);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void hi_module_params(struct hostinfo *hi, const char *mod)
{
	char names[HI_MAX_DIR_ENTRIES][HI_DIR_NAME_LEN];
	char dir[128];
	bool cut;
	int n, i;

	snprintf(dir, sizeof(dir), HI_SYS_MODULE "/%s/parameters", mod);
	n = hi_list_dir(dir, names, HI_MAX_DIR_ENTRIES, &cut);
	if (cut)
		hi->kvm_params_truncated = true;
	for (i = 0; i < n; i++) {
		struct hostinfo_kvm_param *p;
		char path[256];

		if (hi->nr_kvm_params == HOSTINFO_MAX_KVM_PARAMS) {
			hi->kvm_params_truncated = true;
			return;
		}
		p = &hi->kvm_params[hi->nr_kvm_params++];
		hi_set(p->module, sizeof(p->module), mod);
		hi_set(p->name, sizeof(p->name), names[i]);
		/* Write-only parameters exist; say so rather than drop them. */
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			hi_set(p->value, sizeof(p->value), "?");
		else
			hi_read_or(path, p->value, sizeof(p->value), "?");
	}
}

static void hi_kvm(struct hostinfo *hi)
{
	static const char *const vendors[] = { "kvm_intel", "kvm_amd",
					       "kvm_pvm" };
	char val[64];
	size_t i;

	hi->nr_kvm_params = 0;
	hi->kvm_params_truncated = false;
	hi_set(hi->kvm_vendor_module, sizeof(hi->kvm_vendor_module), "none");
	hi_set(hi->mmu_kind, sizeof(hi->mmu_kind), HI_UNKNOWN);

	hi_module_params(hi, "kvm");
	for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		if (!hi_module_present(vendors[i]))
			continue;
		/* The first one names the vendor; all are recorded. */
		if (!strcmp(hi->kvm_vendor_module, "none"))
			hi_set(hi->kvm_vendor_module,
			       sizeof(hi->kvm_vendor_module), vendors[i]);
		hi_module_params(hi, vendors[i]);
	}

	if (!strcmp(hi->kvm_vendor_module, "kvm_intel")) {
		if (!hostinfo_read_sysfs_str(HI_SYS_MODULE
				"/kvm_intel/parameters/ept", val, sizeof(val)))
			hi_set(hi->mmu_kind, sizeof(hi->mmu_kind),
			       !strcmp(val, "Y") ? "ept" : "shadow");
	} else if (!strcmp(hi->kvm_vendor_module, "kvm_amd")) {
		if (!hostinfo_read_sysfs_str(HI_SYS_MODULE
				"/kvm_amd/parameters/npt", val, sizeof(val)))
			hi_set(hi->mmu_kind, sizeof(hi->mmu_kind),
			       (!strcmp(val, "1") || !strcmp(val, "Y")) ?
			       "npt" : "shadow");
	} else if (!strcmp(hi->kvm_vendor_module, "kvm_pvm")) {
		/* PVM has no two-dimensional paging: always shadow pages. */
		hi_set(hi->mmu_kind, sizeof(hi->mmu_kind), "pvm-shadow");
	}

	hi_read_or(HI_SYS_MODULE "/kvm/parameters/tdp_mmu", hi->kvm_tdp_mmu,
		   sizeof(hi->kvm_tdp_mmu), HI_UNKNOWN);

	/*
	 * The in-place conversion series renamed its knob between revisions;
	 * report whichever this kernel has, or that it has neither.
	 */
	if (!hostinfo_read_sysfs_str(HI_SYS_MODULE
			"/kvm/parameters/gmem_in_place_conversion",
			val, sizeof(val)))
		snprintf(hi->gmem_mode_param, sizeof(hi->gmem_mode_param),
			 "gmem_in_place_conversion=%s", val);
	else if (!hostinfo_read_sysfs_str(HI_SYS_MODULE
			"/kvm/parameters/vm_memory_attributes",
			val, sizeof(val)))
		snprintf(hi->gmem_mode_param, sizeof(hi->gmem_mode_param),
			 "vm_memory_attributes=%s", val);
	else
		hi_set(hi->gmem_mode_param, sizeof(hi->gmem_mode_param),
		       "absent (kernel predates the in-place conversion series)");
}

static void hi_env(const char *name, char *buf, size_t len, const char *dflt)
{
	const char *v = getenv(name);

	snprintf(buf, len, "%s", v && *v ? v : dflt);
}

void hostinfo_origin_collect(struct hostinfo_origin *o)
{
	const char *lab = getenv("GMB_LAB");
	bool in_lab = lab && !strcmp(lab, "1");

	memset(o, 0, sizeof(*o));
	snprintf(o->origin, sizeof(o->origin), "%s", in_lab ? "lab" : "host");
	if (!in_lab) {
		snprintf(o->accel, sizeof(o->accel), "-");
		snprintf(o->accel_why, sizeof(o->accel_why), "-");
		snprintf(o->qemu, sizeof(o->qemu), "-");
		snprintf(o->kernel, sizeof(o->kernel), "-");
		snprintf(o->kvm, sizeof(o->kvm), "-");
		snprintf(o->vm, sizeof(o->vm), "-");
		snprintf(o->selftest, sizeof(o->selftest), "-");
		return;
	}
	hi_env("GMB_LAB_ACCEL", o->accel, sizeof(o->accel), HI_UNKNOWN);
	hi_env("GMB_LAB_ACCEL_WHY", o->accel_why, sizeof(o->accel_why), HI_UNKNOWN);
	hi_env("GMB_LAB_QEMU", o->qemu, sizeof(o->qemu), HI_UNKNOWN);
	hi_env("GMB_LAB_KERNEL", o->kernel, sizeof(o->kernel), HI_UNKNOWN);
	hi_env("GMB_LAB_KVM", o->kvm, sizeof(o->kvm), HI_UNKNOWN);
	hi_env("GMB_LAB_VM", o->vm, sizeof(o->vm), HI_UNKNOWN);
	hi_env("GMB_LAB_SELFTEST", o->selftest, sizeof(o->selftest), "not run");
}

bool hostinfo_origin_functional(const struct hostinfo_origin *o)
{
	return o && !strcmp(o->origin, "lab") && strcmp(o->accel, "kvm");
}

int hostinfo_collect(struct hostinfo *hi)
{
	if (!hi)
		return -EINVAL;
	memset(hi, 0, sizeof(*hi));
	hostinfo_origin_collect(&hi->origin);
	hi_uname(hi);
	hi_read_or("/proc/cmdline", hi->cmdline, sizeof(hi->cmdline),
		   HI_UNKNOWN);
	hi_cpu(hi);
	hi_mitigations(hi);
	hi_memory(hi);
	hi_kvm(hi);
	return 0;
}

static void hi_row(FILE *f, int width, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void hi_row(FILE *f, int width, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-*s : ", width, key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* how hostinfo_print shows a field */
enum hi_kind { HK_STR, HK_INT, HK_INT_HEX, HK_S64, HK_BYTES };

struct hi_field {
	const char *key;
	size_t off;		/* in struct hostinfo */
	enum hi_kind kind;
};

/* a row keyed by the field's own name, or a lab_ row of the origin */
#define HI_F(field, kind) { #field, offsetof(struct hostinfo, field), kind }
#define HI_LAB(field)	{ "lab_" #field, offsetof(struct hostinfo, origin.field), HK_STR }
#define HI_NR(a)	(sizeof(a) / sizeof((a)[0]))

static const struct hi_field hi_lab_fields[] = {
	HI_LAB(qemu), HI_LAB(kernel), HI_LAB(kvm), HI_LAB(vm), HI_LAB(selftest),
};

static const struct hi_field hi_fields[] = {
	HI_F(hostname, HK_STR), HI_F(kernel_release, HK_STR),
	HI_F(kernel_version, HK_STR), HI_F(cmdline, HK_STR),
	HI_F(cpu_vendor, HK_STR), HI_F(cpu_model_name, HK_STR),
	HI_F(cpu_family, HK_INT_HEX), HI_F(cpu_model, HK_INT_HEX),
	HI_F(cpu_stepping, HK_INT), HI_F(microcode, HK_STR),
	HI_F(online_cpus, HK_INT), HI_F(smt_active, HK_INT),
	HI_F(governor, HK_STR), HI_F(mitigations, HK_STR),
	HI_F(hypervisor, HK_STR), HI_F(thp_enabled, HK_STR),
	HI_F(thp_shmem_enabled, HK_STR),
	HI_F(hugepages_2m_total, HK_S64), HI_F(hugepages_2m_free, HK_S64),
	HI_F(hugepages_1g_total, HK_S64), HI_F(hugepages_1g_free, HK_S64),
	HI_F(mem_total_bytes, HK_BYTES), HI_F(mem_available_bytes, HK_BYTES),
	HI_F(kvm_vendor_module, HK_STR), HI_F(mmu_kind, HK_STR),
	HI_F(kvm_tdp_mmu, HK_STR), HI_F(gmem_mode_param, HK_STR),
};

static void hi_print_fields(const struct hostinfo *hi, FILE *f, int w,
			    const struct hi_field *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const void *v = (const char *)hi + t[i].off;

		switch (t[i].kind) {
		case HK_STR:
			hi_row(f, w, t[i].key, "%s", (const char *)v);
			break;
		case HK_INT:
			hi_row(f, w, t[i].key, "%d", *(const int *)v);
			break;
		case HK_INT_HEX:
			hi_row(f, w, t[i].key, "%d (0x%x)", *(const int *)v,
			       *(const unsigned int *)v);
			break;
		case HK_S64:
			hi_row(f, w, t[i].key, "%" PRId64, *(const int64_t *)v);
			break;
		case HK_BYTES:
			hi_row(f, w, t[i].key, "%" PRIu64 " (%" PRIu64 " MiB)",
			       *(const uint64_t *)v, *(const uint64_t *)v >> 20);
			break;
		}
	}
}

void hostinfo_print(const struct hostinfo *hi, FILE *f)
{
	int w = (int)strlen("mem_available_bytes");
	unsigned int i;

	if (!hi || !f)
		return;
	for (i = 0; i < hi->nr_kvm_params; i++) {
		int kw = (int)(strlen(hi->kvm_params[i].module) + 1 +
			       strlen(hi->kvm_params[i].name));

		if (kw > w)
			w = kw;
	}

	hi_row(f, w, "origin", "%s", hi->origin.origin);
	if (!strcmp(hi->origin.origin, "lab")) {
		hi_row(f, w, "lab_accel", "%s (%s)", hi->origin.accel, hi->origin.accel_why);
		hi_print_fields(hi, f, w, hi_lab_fields, HI_NR(hi_lab_fields));
	}
	hi_print_fields(hi, f, w, hi_fields, HI_NR(hi_fields));
	for (i = 0; i < hi->nr_kvm_params; i++) {
		const struct hostinfo_kvm_param *p = &hi->kvm_params[i];
		char key[HOSTINFO_PARAM_NAME_LEN + 20];

		snprintf(key, sizeof(key), "%s.%s", p->module, p->name);
		hi_row(f, w, key, "%s", p->value);
	}
	if (hi->kvm_params_truncated)
		hi_row(f, w, "kvm_params", "(list cut at %d entries)",
		       HOSTINFO_MAX_KVM_PARAMS);
}
