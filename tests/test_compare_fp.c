// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's error rates, measured by simulation (tests/cmp_gen.h, tests/cmp_test.h): pairs
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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/cmp_test.h"

static void test_same_build_quiet_host(void **state)
{
	assert_true(cmp_sim_count(state, &cmp_sim_quiet, 200, 1) <= 10);
}

static void test_same_build_no_drift(void **state)
{
	struct cgen_model m = cmp_sim_quiet;

	m.run_sigma = m.cell_run_sigma = 0.0;
	assert_int_equal(cmp_sim_count(state, &m, 20, 1), 0);
}

static void test_same_build_without_bins(void **state)
{
	assert_true(cmp_sim_count(state, &cmp_sim_quiet, 100, 0) <= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, cmp_sim_setup, cmp_sim_teardown)
		T(test_same_build_quiet_host),
		T(test_same_build_no_drift),
		T(test_same_build_without_bins),
#undef T
	};

	return cmocka_run_group_tests_name("compare_fp", tests, NULL, NULL);
}
