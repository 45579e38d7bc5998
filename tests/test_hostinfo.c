// SPDX-License-Identifier: GPL-2.0
/*
 * hostinfo: every field is checked against an independent read done here
 * (uname, sysconf, sysinfo, cpuid, /proc/cpuinfo, sysfs), not against
 * values copied from this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TEST_HAVE_CPUID 1
#else
#define TEST_HAVE_CPUID 0
#endif

#include "harness/hostinfo.h"

static struct hostinfo hi;	/* 14 KiB: keep it off the test stack */

static int setup(void **state)
{
	return hostinfo_collect(&hi);
}

/* Whole file, trailing whitespace removed, with stdio (not the helper). */
static int slurp(const char *path, char *buf, size_t len)
{
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static void test_collect_succeeds(void **state)
{
	struct hostinfo *tmp = malloc(sizeof(*tmp));

	assert_non_null(tmp);
	assert_int_equal(hostinfo_collect(tmp), 0);
	assert_int_equal(hostinfo_collect(NULL), -EINVAL);
	free(tmp);
	assert_true(hi.hostname[0]);
	assert_true(hi.cmdline[0]);
	assert_true(hi.mmu_kind[0]);
	assert_true(hi.gmem_mode_param[0]);
}

static void test_uname(void **state)
{
	struct utsname u;

	assert_int_equal(uname(&u), 0);
	assert_string_equal(hi.kernel_release, u.release);
	assert_string_equal(hi.kernel_version, u.version);
	assert_string_equal(hi.hostname, u.nodename);
}

static void test_cmdline(void **state)
{
	char buf[HOSTINFO_CMDLINE_LEN];

	assert_int_equal(slurp("/proc/cmdline", buf, sizeof(buf)), 0);
	assert_string_equal(hi.cmdline, buf);
}

static void test_online_cpus(void **state)
{
	assert_int_equal(hi.online_cpus, sysconf(_SC_NPROCESSORS_ONLN));
}

static void test_smt_and_governor(void **state)
{
	char buf[64];

	if (!slurp("/sys/devices/system/cpu/smt/active", buf, sizeof(buf)))
		assert_int_equal(hi.smt_active, atoi(buf) ? 1 : 0);
	else
		assert_int_equal(hi.smt_active, -1);

	if (!slurp("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		   buf, sizeof(buf)))
		assert_string_equal(hi.governor, buf);
	else
		assert_string_equal(hi.governor, "none");
}

static void test_memory(void **state)
{
	struct sysinfo s1, s2;
	uint64_t t1, t2, v;

	assert_true(hi.mem_total_bytes > 0);
	assert_true(hi.mem_available_bytes > 0);
	assert_true(hi.mem_available_bytes <= hi.mem_total_bytes);

	/*
	 * sysinfo(2) reads the same totalram_pages through another path.
	 * A balloon may resize it between reads, so bracket our read.
	 */
	assert_int_equal(sysinfo(&s1), 0);
	assert_int_equal(hostinfo_read_meminfo("MemTotal", &v), 0);
	assert_int_equal(sysinfo(&s2), 0);
	t1 = (uint64_t)s1.totalram * s1.mem_unit;
	t2 = (uint64_t)s2.totalram * s2.mem_unit;
	assert_true(v == t1 || v == t2);
	assert_int_equal(v % 1024, 0);

	assert_int_equal(hostinfo_read_meminfo("NoSuchKey", &v), -ENOENT);
	/* A prefix of a real key must not match it. */
	assert_int_equal(hostinfo_read_meminfo("MemTot", &v), -ENOENT);
	assert_int_equal(hostinfo_read_meminfo(NULL, &v), -EINVAL);
}

static void test_hugepages(void **state)
{
	const char *d = "/sys/kernel/mm/hugepages/hugepages-2048kB";
	uint64_t size, total;
	char path[128], buf[64];

	snprintf(path, sizeof(path), "%s/nr_hugepages", d);
	if (slurp(path, buf, sizeof(buf))) {
		assert_int_equal(hi.hugepages_2m_total, -1);
	} else {
		assert_int_equal(hi.hugepages_2m_total, atoll(buf));
		/* HugePages_Total is a count, so no kB scaling applies. */
		if (!hostinfo_read_meminfo("Hugepagesize", &size) &&
		    size == 2 << 20) {
			assert_int_equal(hostinfo_read_meminfo("HugePages_Total",
							       &total), 0);
			assert_int_equal(total, hi.hugepages_2m_total);
		}
	}
	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages");
	if (slurp(path, buf, sizeof(buf)))
		assert_int_equal(hi.hugepages_1g_total, -1);
	else
		assert_int_equal(hi.hugepages_1g_total, atoll(buf));
	assert_true(hi.hugepages_2m_free <= hi.hugepages_2m_total);
	assert_true(hi.hugepages_1g_free <= hi.hugepages_1g_total);
}

static void check_bracketed(const char *path, const char *word)
{
	char buf[256], want[64];

	if (slurp(path, buf, sizeof(buf))) {
		assert_string_equal(word, "unknown");
		return;
	}
	snprintf(want, sizeof(want), "[%s]", word);
	assert_non_null(strstr(buf, want));
}

static void test_thp(void **state)
{
	check_bracketed("/sys/kernel/mm/transparent_hugepage/enabled",
			hi.thp_enabled);
	check_bracketed("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
			hi.thp_shmem_enabled);
}

#if TEST_HAVE_CPUID
/* Integer value of a "key : value" line of the first CPU in /proc/cpuinfo. */
static int cpuinfo_value(const char *key, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t klen;

		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		while (klen && isspace((unsigned char)line[klen - 1]))
			klen--;
		if (klen != strlen(key) || strncmp(line, key, klen))
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		snprintf(out, len, "%s", colon);
		out[strcspn(out, "\n")] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The brand string of cpuid leaves 0x80000002..4 as the SDM/APM define it
 * (48 bytes, NUL-terminated), blanks trimmed; -ENOENT without the leaves.
 */
static int cpuid_brand(char *out, size_t len)
{
	unsigned int regs[13] = { 0 };
	char *p = (char *)regs, *end;
	int i;

	if (__get_cpuid_max(0x80000000, NULL) < 0x80000004)
		return -ENOENT;
	for (i = 0; i < 3; i++)
		__cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1],
			regs[4 * i + 2], regs[4 * i + 3]);
	while (*p == ' ')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		*--end = '\0';
	snprintf(out, len, "%s", p);
	return 0;
}
#endif

static void test_cpu_identity(void **state)
{
#if TEST_HAVE_CPUID
	unsigned int a, b, c, d, max, fam, model;
	char vendor[13], buf[128], brand[64];

	__cpuid(0, max, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	assert_string_equal(hi.cpu_vendor, vendor);

	/* Decode as the SDM/APM spell it out, independently of hostinfo.c. */
	__cpuid(1, a, b, c, d);
	fam = (a >> 8) & 0xf;
	model = (a >> 4) & 0xf;
	if (fam == 0xf || fam == 0x6)
		model |= ((a >> 16) & 0xf) << 4;
	if (fam == 0xf)
		fam += (a >> 20) & 0xff;
	assert_int_equal(hi.cpu_family, fam);
	assert_int_equal(hi.cpu_model, model);
	assert_int_equal(hi.cpu_stepping, a & 0xf);

	/*
	 * The name is the cpuid brand string; only a CPU without one gets
	 * /proc/cpuinfo's "model name". The two may differ: under a hypervisor
	 * cpuid gives the hypervisor's brand, the kernel may show another.
	 */
	assert_true(hi.cpu_model_name[0] != '\0');
	if (cpuid_brand(brand, sizeof(brand)) == 0 && brand[0])
		assert_string_equal(hi.cpu_model_name, brand);
	else if (cpuinfo_value("model name", buf, sizeof(buf)) == 0)
		assert_string_equal(hi.cpu_model_name, buf);
	else
		assert_string_equal(hi.cpu_model_name, "unknown");

	/*
	 * valgrind answers cpuid with a CPU of its own, so /proc/cpuinfo (the
	 * real CPU) can only agree when we are not running under it.
	 */
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")) {
		print_message("note: under valgrind, /proc/cpuinfo cross-check skipped\n");
		goto hypervisor;
	}
	/* The kernel decodes family/model itself; compare with its view. */
	if (cpuinfo_value("cpu family", buf, sizeof(buf)) == 0)
		assert_int_equal(hi.cpu_family, atoi(buf));
	if (cpuinfo_value("model", buf, sizeof(buf)) == 0)
		assert_int_equal(hi.cpu_model, atoi(buf));
	if (cpuinfo_value("stepping", buf, sizeof(buf)) == 0)
		assert_int_equal(hi.cpu_stepping, atoi(buf));
	if (cpuinfo_value("model name", buf, sizeof(buf)) == 0 &&
	    strcmp(hi.cpu_model_name, buf))
		print_message("note: cpuid brand \"%s\", /proc/cpuinfo model name \"%s\"\n",
			      hi.cpu_model_name, buf);
	if (cpuinfo_value("microcode", buf, sizeof(buf)) == 0)
		assert_string_equal(hi.microcode, buf);
	else
		assert_string_equal(hi.microcode, "unknown");

hypervisor:
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31))) {
		assert_string_equal(hi.hypervisor, "none");
	} else {
		char sig[13] = { 0 };

		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		assert_string_equal(hi.hypervisor, sig);
	}
#else
	print_message("SKIP: no cpuid on this architecture\n");
	skip();
#endif
}

/* Sorted-independent lookup of a recorded module parameter. */
static const struct hostinfo_kvm_param *find_param(const char *mod,
						   const char *name)
{
	unsigned int i;

	for (i = 0; i < hi.nr_kvm_params; i++)
		if (!strcmp(hi.kvm_params[i].module, mod) &&
		    !strcmp(hi.kvm_params[i].name, name))
			return &hi.kvm_params[i];
	return NULL;
}

/* Every parameter file of @mod is in the list with the file's value. */
static int check_module_params(const char *mod)
{
	char dir[128], path[512], val[256];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		const struct hostinfo_kvm_param *p;

		if (de->d_name[0] == '.')
			continue;
		n++;
		p = find_param(mod, de->d_name);
		if (!p)
			print_message("missing %s.%s\n", mod, de->d_name);
		assert_non_null(p);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (slurp(path, val, sizeof(val)) == 0 &&
		    strlen(val) < HOSTINFO_PARAM_VALUE_LEN)
			assert_string_equal(p->value, val);
	}
	closedir(d);
	return n;
}

static int module_present(const char *mod)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", mod);
	return !stat(path, &st);
}

static void test_kvm_params(void **state)
{
	static const char *const vendors[] = { "kvm_intel", "kvm_amd",
					       "kvm_pvm" };
	unsigned int total = 0;
	const char *first = NULL;
	size_t i;
	int n;

	n = check_module_params("kvm");
	if (n < 0) {
		assert_int_equal(hi.nr_kvm_params, 0);
		assert_string_equal(hi.kvm_vendor_module, "none");
		print_message("SKIP: /sys/module/kvm/parameters absent (no KVM in this kernel)\n");
		skip();
	}
	total += (unsigned int)n;
	for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		if (!module_present(vendors[i]))
			continue;
		if (!first)
			first = vendors[i];
		n = check_module_params(vendors[i]);
		if (n > 0)
			total += (unsigned int)n;
	}
	if (!hi.kvm_params_truncated)
		assert_int_equal(hi.nr_kvm_params, total);
	assert_string_equal(hi.kvm_vendor_module, first ? first : "none");
	if (first && !strcmp(first, "kvm_pvm"))
		assert_string_equal(hi.mmu_kind, "pvm-shadow");
	if (find_param("kvm", "tdp_mmu"))
		assert_string_equal(hi.kvm_tdp_mmu,
				    find_param("kvm", "tdp_mmu")->value);
	else
		assert_string_equal(hi.kvm_tdp_mmu, "unknown");

	if (find_param("kvm", "gmem_in_place_conversion"))
		assert_non_null(strstr(hi.gmem_mode_param,
				       "gmem_in_place_conversion="));
	else if (find_param("kvm", "vm_memory_attributes"))
		assert_non_null(strstr(hi.gmem_mode_param,
				       "vm_memory_attributes="));
	else
		assert_non_null(strstr(hi.gmem_mode_param, "absent"));
}

static void test_mitigations(void **state)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	char copy[HOSTINFO_MITIGATIONS_LEN], *save = NULL, *tok;
	int nfiles = 0, nentries = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		assert_string_equal(hi.mitigations, "unknown");
		print_message("SKIP: %s absent\n", dir);
		skip();
	}
	while ((de = readdir(d)))
		nfiles += de->d_name[0] != '.';
	closedir(d);

	snprintf(copy, sizeof(copy), "%s", hi.mitigations);
	for (tok = strtok_r(copy, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		char path[256], val[256], *eq = strchr(tok, '=');

		if (!strcmp(tok, "..."))
			continue;
		assert_non_null(eq);
		*eq = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, tok);
		assert_int_equal(slurp(path, val, sizeof(val)), 0);
		/* The recorded word is how the file's text starts. */
		assert_int_equal(strncmp(val, eq + 1, strlen(eq + 1)), 0);
		nentries++;
	}
	if (!strstr(hi.mitigations, "..."))
		assert_int_equal(nentries, nfiles);
	assert_true(strlen(hi.mitigations) < sizeof(hi.mitigations));
}

static void test_read_sysfs_str(void **state)
{
	char path[] = "/tmp/gmb_hostinfo_XXXXXX", buf[16];
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("  abc def \n\n", f);
	fclose(f);

	assert_int_equal(hostinfo_read_sysfs_str(path, buf, sizeof(buf)), 0);
	/* Only trailing whitespace goes; leading blanks are content. */
	assert_string_equal(buf, "  abc def");
	assert_int_equal(hostinfo_read_sysfs_str(path, buf, 5), 0);
	assert_string_equal(buf, "  ab");
	assert_int_equal(hostinfo_read_sysfs_str(path, buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hostinfo_read_sysfs_str(path, buf, 0), -EINVAL);
	unlink(path);

	assert_int_equal(hostinfo_read_sysfs_str(path, buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(hostinfo_read_sysfs_str("/tmp", buf, sizeof(buf)),
			 -EISDIR);
}

static void test_print(void **state)
{
	char *out = NULL, *line, *save = NULL, want[256];
	size_t len = 0;
	long col = -1;
	FILE *f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	hostinfo_print(&hi, f);
	fclose(f);

	snprintf(want, sizeof(want), " : %s\n", hi.kernel_release);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "kernel_release "));
	/* Aligned: every line has its " : " at the same column. */
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " : ");

		assert_non_null(sep);
		if (col < 0)
			col = sep - line;
		assert_int_equal(sep - line, col);
	}
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_succeeds),
		cmocka_unit_test(test_uname),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_online_cpus),
		cmocka_unit_test(test_smt_and_governor),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_thp),
		cmocka_unit_test(test_cpu_identity),
		cmocka_unit_test(test_kvm_params),
		cmocka_unit_test(test_mitigations),
		cmocka_unit_test(test_read_sysfs_str),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests_name("hostinfo", tests, setup, NULL);
}
