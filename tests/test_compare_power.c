// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's power, measured by simulation (tests/cmp_gen.h) as
 * test_compare_fp.c measures its false positives: pairs of runs drawn from
 * one generative model with per-conversion, per-repetition and per-run
 * noise, the candidate slowed down, written by the real sinks and compared
 * by compare_run() with its defaults.
 *  - a candidate 10x slower, at 3 repetitions, with and without
 *    results.json: every comparison exits 1 (20 + 20);
 *  - 10 % slower: caught in at least 80 % of 30 tries.
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
	snprintf(dir, 64, "%s/test_compare_power.XXXXXX",
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

static void test_10x_slower_3_reps(void **state)
{
	struct cgen_model m = quiet;

	m.slowdown = 10.0;
	assert_int_equal(count(state, &m, 20, 1), 20);
	assert_int_equal(count(state, &m, 20, 0), 20);
}

static void test_10pct_slower(void **state)
{
	struct cgen_model m = quiet;

	m.slowdown = 1.10;
	assert_true(count(state, &m, 30, 1) >= 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_10x_slower_3_reps),
		T(test_10pct_slower),
#undef T
	};

	return cmocka_run_group_tests_name("compare_power", tests, NULL, NULL);
}
