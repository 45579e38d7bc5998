// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's power, measured by simulation (tests/cmp_gen.h and
 * tests/cmp_test.h) as test_compare_fp.c measures its false positives: pairs of runs drawn from
 * one generative model with per-conversion, per-repetition and per-run
 * noise, the candidate slowed down, written by the real sinks and compared
 * by compare_run() with its defaults.
 *  - a candidate 10x slower, at 3 repetitions, with and without
 *    results.json: every comparison exits 1 (20 + 20);
 *  - 10 % slower: caught in at least 80 % of 30 tries.
 * Seeds are fixed, so the counts are the same on every run of the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/cmp_test.h"

static void test_10x_slower_3_reps(void **state)
{
	struct cgen_model m = cmp_sim_quiet;

	m.slowdown = 10.0;
	assert_int_equal(cmp_sim_count(state, &m, 20, 1), 20);
	assert_int_equal(cmp_sim_count(state, &m, 20, 0), 20);
}

static void test_10pct_slower(void **state)
{
	struct cgen_model m = cmp_sim_quiet;

	m.slowdown = 1.10;
	assert_true(cmp_sim_count(state, &m, 30, 1) >= 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, cmp_sim_setup, cmp_sim_teardown)
		T(test_10x_slower_3_reps),
		T(test_10pct_slower),
#undef T
	};

	return cmocka_run_group_tests_name("compare_power", tests, NULL, NULL);
}
