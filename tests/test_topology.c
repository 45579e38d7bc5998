// SPDX-License-Identifier: GPL-2.0
/*
 * topology: plans are checked against the kernel's own view of the CPUs
 * (/sys/devices/system/cpu), and binding against sched_getcpu() and the
 * affinity mask the kernel reports back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/topology.h"
#include "tests/test_util.h"

static struct topology topo;
static bool topo_ok;

static int setup(void **state)
{
	topo_ok = topology_init(&topo) == 0;
	return 0;
}

static int teardown(void **state)
{
	topology_fini(&topo);
	topology_fini(&topo);	/* must be idempotent */
	return 0;
}

static void need_topology(void)
{
	if (!topo_ok) {
		print_message("SKIP: hwloc could not load a topology here\n");
		skip();
	}
}

static long topology_attr(int cpu, const char *leaf)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/%s",
		 cpu, leaf);
	return tu_read_long(path);
}

/* Is @cpu in the kernel's online list ("0-3,8")? */
static bool cpu_online(int cpu)
{
	char buf[1024], *p = buf;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	bool found = false;

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	while (*p && *p != '\n') {
		long a = strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		if (cpu >= a && cpu <= b)
			found = true;
		if (*p == ',')
			p++;
	}
	return found;
}

/* (package, core) identity of a CPU, straight from sysfs. */
static long core_key(int cpu)
{
	long pkg = topology_attr(cpu, "physical_package_id");
	long core = topology_attr(cpu, "core_id");

	return pkg * 1000000 + core;
}

static void test_counts(void **state)
{
	unsigned int cores, pus;

	need_topology();
	cores = topology_nr_cores(&topo);
	pus = topology_nr_pus(&topo);
	assert_true(cores >= 1);
	assert_true(pus >= cores);
	assert_true(pus <= (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	assert_int_equal(topology_nr_cores(NULL), 0);
}

static void test_summary(void **state)
{
	char buf[256], want[64];

	need_topology();
	assert_int_equal(topology_summary(&topo, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), ", %u %s, %u %s",
		 topology_nr_cores(&topo),
		 topology_nr_cores(&topo) == 1 ? "core" : "cores",
		 topology_nr_pus(&topo),
		 topology_nr_pus(&topo) == 1 ? "PU" : "PUs");
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "package"));
	assert_non_null(strstr(buf, "NUMA node"));
	assert_int_equal(topology_summary(&topo, buf, 8), -ENOSPC);
	assert_int_equal(strlen(buf), 7);
	assert_int_equal(topology_summary(&topo, NULL, 8), -EINVAL);
}

static void test_plan_spread(void **state)
{
	unsigned int cores, pus, n, i, j, distinct;
	int *plan;

	need_topology();
	cores = topology_nr_cores(&topo);
	pus = topology_nr_pus(&topo);
	n = 2 * cores;
	plan = calloc(n, sizeof(*plan));
	assert_non_null(plan);
	assert_int_equal(topology_plan(&topo, "spread", n, plan, NULL, 0), 0);

	for (i = 0; i < n; i++) {
		assert_true(plan[i] >= 0);
		assert_true(cpu_online(plan[i]));
	}
	/* The first nr_cores threads sit on pairwise different cores. */
	for (i = 0; i < cores; i++)
		for (j = 0; j < i; j++)
			assert_true(core_key(plan[i]) != core_key(plan[j]));
	/* Up to the number of PUs, no PU is used twice. */
	distinct = n < pus ? n : pus;
	for (i = 0; i < distinct; i++)
		for (j = 0; j < i; j++)
			assert_int_not_equal(plan[i], plan[j]);

	/* NULL means spread too. */
	{
		int *again = calloc(n, sizeof(*again));

		assert_non_null(again);
		assert_int_equal(topology_plan(&topo, NULL, n, again, NULL, 0),
				 0);
		assert_memory_equal(plan, again, n * sizeof(*plan));
		free(again);
	}
	free(plan);
}

static void test_plan_none(void **state)
{
	int plan[3] = { 5, 5, 5 };

	/* "none" needs no topology at all. */
	assert_int_equal(topology_plan(NULL, "none", 3, plan, NULL, 0), 0);
	assert_int_equal(plan[0], -1);
	assert_int_equal(plan[1], -1);
	assert_int_equal(plan[2], -1);
}

static void test_plan_explicit(void **state)
{
	int plan[3] = { -5, -5, -5 };
	char err[256];

	need_topology();
	if (!cpu_online(0)) {
		print_message("SKIP: CPU 0 is offline\n");
		skip();
	}
	assert_int_equal(topology_plan(&topo, "0", 3, plan, err, sizeof(err)),
			 0);
	assert_int_equal(plan[0], 0);
	assert_int_equal(plan[1], 0);
	assert_int_equal(plan[2], 0);

	if (topology_nr_pus(&topo) >= 2 && cpu_online(1)) {
		assert_int_equal(topology_plan(&topo, "0-1", 3, plan, err,
					       sizeof(err)), 0);
		assert_int_equal(plan[0], 0);
		assert_int_equal(plan[1], 1);
		assert_int_equal(plan[2], 0);
		assert_int_equal(topology_plan(&topo, "1,0", 2, plan, err,
					       sizeof(err)), 0);
		assert_int_equal(plan[0], 1);
		assert_int_equal(plan[1], 0);
	}
}

static void expect_bad(const char *spec, const char *named)
{
	char err[256] = "untouched";
	int plan[2];

	assert_int_equal(topology_plan(&topo, spec, 2, plan, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, named))
		print_message("spec \"%s\": error \"%s\" lacks \"%s\"\n", spec,
			      err, named);
	assert_non_null(strstr(err, named));
	assert_non_null(strstr(err, "accepted"));
}

static void test_plan_bad(void **state)
{
	need_topology();
	expect_bad("999", "CPU 999 ");
	expect_bad("abc", "\"abc\"");
	expect_bad("1-0", "\"1-0\"");
	expect_bad("0,abc", "item \"abc\"");
	expect_bad("-1", "\"-1\"");
	expect_bad("0-", "\"0-\"");
	expect_bad(" 0", "\" 0\"");
	expect_bad("0,", "item \"\"");
	expect_bad("", "item \"\"");
	expect_bad("99999999999999999999", "\"99999999999999999999\"");
	if (cpu_online(0))
		expect_bad("0,0", "twice");
	/* With no error buffer the result is the same. */
	assert_int_equal(topology_plan(&topo, "999", 1, (int[1]){ 0 }, NULL, 0),
			 -EINVAL);
	assert_int_equal(topology_plan(&topo, "0", 1, NULL, NULL, 0), -EINVAL);
}

static void test_bind(void **state)
{
	unsigned int n, i;
	cpu_set_t saved, now;
	int *plan;

	need_topology();
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	n = topology_nr_pus(&topo);
	plan = calloc(n, sizeof(*plan));
	assert_non_null(plan);
	assert_int_equal(topology_plan(&topo, "spread", n, plan, NULL, 0), 0);

	for (i = 0; i < n; i++) {
		assert_int_equal(topology_bind_thread(&topo, plan[i]), 0);
		/* The kernel moves us before sched_setaffinity returns. */
		assert_int_equal(sched_getcpu(), plan[i]);
		assert_int_equal(topology_current_cpu(), plan[i]);
		assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
		assert_int_equal(CPU_COUNT(&now), 1);
		assert_true(CPU_ISSET(plan[i], &now));
	}
	free(plan);

	assert_int_equal(topology_bind_thread(&topo, -1), 0);
	assert_int_equal(topology_bind_thread(&topo, 1 << 20), -EINVAL);
	assert_int_equal(topology_bind_thread(&topo, -2), -EINVAL);
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_plan_spread),
		cmocka_unit_test(test_plan_none),
		cmocka_unit_test(test_plan_explicit),
		cmocka_unit_test(test_plan_bad),
		cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests_name("topology", tests, setup, teardown);
}
