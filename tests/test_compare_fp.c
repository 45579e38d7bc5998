// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's error rates, measured by simulation (tests/cmp_gen.h): pairs
 * of runs drawn from one generative model with per-conversion,
 * per-repetition and per-run noise, written by the real sinks and compared
 * by compare_run() with its defaults.
 *  - two runs of the same build on a quiet host (run-to-run drift of a
 *    cell's median ~1.8 % sd): at most 5 % of 200 comparisons exit 1;
 *  - the same without results.json (per-repetition fallback): at most
 *    5 % of 100; with no run-to-run drift at all: none of 20.
 * The power against real slowdowns is test_compare_power.c (a program of
 * its own, so each stays well inside the per-test timeout under ASan);
 * tool_compare_fp prints the full table, 200 tries per row.
 * Seeds are fixed, so the counts are the same on every run of the test.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/cmp_gen.h"

/* the quiet host of results/README.md */
static const struct cgen_model quiet = {
	.reps = 3, .conversions = 2000, .within_sigma = 0.3,
	.rep_sigma = 0.01, .cell_run_sigma = 0.01, .run_sigma = 0.015,
	.slowdown = 1.0,
};

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	char *dir = malloc(64);

	if (!dir)
		return -1;
	/* tmpfs when there is one: the sinks fsync every rewrite */
	snprintf(dir, 64, "%s/test_compare_fp.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	nftw(*state, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static int count(void **state, const struct cgen_model *m, int tries,
		 int with_json)
{
	int n = cgen_sim_count(*state, m, tries, 2024, with_json);

	assert_true(n >= 0);
	print_message("slowdown %.2fx, run sd %.1f%%, %s: %d of %d exit 1\n",
		      m->slowdown, m->run_sigma * 100.0,
		      with_json ? "bins" : "no results.json", n, tries);
	return n;
}

static void test_same_build_quiet_host(void **state)
{
	assert_true(count(state, &quiet, 200, 1) <= 10);
}

static void test_same_build_no_drift(void **state)
{
	struct cgen_model m = quiet;

	m.run_sigma = m.cell_run_sigma = 0.0;
	assert_int_equal(count(state, &m, 20, 1), 0);
}

static void test_same_build_without_bins(void **state)
{
	assert_true(count(state, &quiet, 100, 0) <= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_same_build_quiet_host),
		T(test_same_build_no_drift),
		T(test_same_build_without_bins),
#undef T
	};

	return cmocka_run_group_tests_name("compare_fp", tests, NULL, NULL);
}
