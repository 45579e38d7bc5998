// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/result.{h,c}: metrics declared up front and recorded by
 * id, growable metrics and extras, recording failures turned into a cell
 * error, and the merge of per-thread parts.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/result.h"

enum {
	MET_A_NS = NR_CORE_METRICS,
	MET_B_NS,
	NR_TEST_METRICS,
};

static const struct metric_decl test_metrics[] = {
	[MET_A_NS - NR_CORE_METRICS] = { "a_ns", "first test metric" },
	[MET_B_NS - NR_CORE_METRICS] = { "b_ns", "second test metric", MET_F_ROUNDTRIP },
	{ NULL },
};

/* a result with the core metrics and test_metrics, freed after the test */
static int res_setup(void **state)
{
	struct cell_result *r = malloc(sizeof(*r));

	if (!r || cell_result_init(r, NULL, test_metrics))
		return -1;
	*state = r;
	return 0;
}

static int res_teardown(void **state)
{
	cell_result_free(*state);
	free(*state);
	return 0;
}

/* the core ids, then the workload's, each where its id says */
static void test_declared_ids(void **state)
{
	struct cell_result *r = *state;
	unsigned int i;

	assert_int_equal(r->nr_metrics, NR_TEST_METRICS);
	for (i = 0; i < NR_CORE_METRICS; i++)
		assert_string_equal(r->metrics[i].name, core_metrics[i].name);
	assert_string_equal(r->metrics[MET_A_NS].name, "a_ns");
	assert_string_equal(r->metrics[MET_B_NS].name, "b_ns");
	assert_string_equal(core_metrics[MET_CONVERT_NS].name, "convert_ns");
	assert_string_equal(core_metrics[MET_RETRY_TO_SUCCESS_NS].name, "retry_to_success_ns");
	/* nothing recorded: nothing to report */
	assert_int_equal(cell_nr_metrics_recorded(r), 0);
	assert_null(cell_metric_get(r, MET_CONVERT_NS));
	assert_null(cell_metric_find(r, "a_ns"));
}

static void test_record_by_handle(void **state)
{
	struct cell_result *r = *state;
	const struct metric *m;
	const struct hist *h;
	unsigned int n = 0;
	uint64_t v;

	for (v = 1; v <= 100; v++)
		cell_record(r, MET_B_NS, v);
	cell_record(r, MET_TO_SHARED_NS, 7);
	h = cell_metric_get(r, MET_B_NS);
	assert_non_null(h);
	assert_true(h == cell_metric_find(r, "b_ns"));
	assert_int_equal(h->count, 100);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, 100);
	assert_int_equal(hist_percentile(h, 50), 50);
	assert_int_equal(cell_metric_get(r, MET_TO_SHARED_NS)->count, 1);
	assert_null(cell_metric_get(r, MET_A_NS));
	assert_true(cell_metric_flagged(r, MET_F_ROUNDTRIP) == h);
	/* only recorded metrics, in declaration order */
	cell_for_each_metric(r, m) {
		assert_string_equal(m->name, n ? "b_ns" : "to_shared_ns");
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(r->rec_err, 0);
	assert_int_equal(cell_result_check(r), 0);
	assert_int_equal(r->status, CELL_OK);
}

/* an id the result did not declare is an error, never a stray write */
static void test_undeclared_id(void **state)
{
	struct cell_result *r = *state;

	cell_record(r, NR_TEST_METRICS, 1);
	assert_int_equal(r->rec_err, -ERANGE);
	assert_int_equal(cell_result_check(r), -ERANGE);
	assert_int_equal(r->status, CELL_ERROR);
	assert_non_null(strstr(r->reason, "not declared"));
}

/* by-name metrics (loaders, tests) grow past any old cap */
static void test_many_metrics(void **state)
{
	struct cell_result *r = *state;
	char name[RESULT_NAME_LEN];
	unsigned int i;

	for (i = 0; i < 200; i++) {
		struct hist *h;

		snprintf(name, sizeof(name), "m%u_ns", i);
		h = cell_metric(r, name);
		assert_non_null(h);
		hist_record(h, i);
	}
	assert_int_equal(r->nr_metrics, NR_TEST_METRICS + 200);
	assert_int_equal(cell_nr_metrics_recorded(r), 200);
	assert_int_equal(cell_metric_find(r, "m199_ns")->max, 199);
	/* the declared ids did not move */
	cell_record(r, MET_A_NS, 5);
	assert_int_equal(cell_metric_find(r, "a_ns")->count, 1);
	/* a name that does not fit is a checked error */
	assert_null(cell_metric(r, "a_name_of_exactly_32_chars_xx_ns"));
	assert_int_equal(r->rec_err, -ENAMETOOLONG);
}

static void test_many_extras(void **state)
{
	struct cell_result *r = *state;
	char name[RESULT_NAME_LEN];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "e%u_count", i);
		assert_int_equal(cell_extra_set(r, name, i), 0);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "e%u_count", i);
		assert_int_equal(cell_extra_add(r, name, 1), 0);
	}
	assert_int_equal(cell_extra_set(r, "a_name_of_exactly_32_chars_count", 1),
			 -ENAMETOOLONG);
	assert_int_equal(r->rec_err, -ENAMETOOLONG);
	r->rec_err = 0;
	assert_int_equal(r->nr_extra, 1000);
	assert_true(cell_extra_get(r, "e0_count") == 1);
	assert_true(cell_extra_get(r, "e999_count") == 1000);
	assert_true(isnan(cell_extra_get(r, "nope")));
	assert_int_equal(r->rec_err, 0);
}

/* every allocation of a result, failed in turn: a flag, never a crash */
static void test_alloc_failure(void **state)
{
	unsigned int n;

	for (n = 1; n <= NR_TEST_METRICS + 2; n++) {
		struct cell_result r;
		int ret;

		cell_result_fail_allocs(n);
		ret = cell_result_init(&r, NULL, test_metrics);
		cell_record(&r, MET_B_NS, 1);
		cell_extra_set(&r, "x_count", 1);
		cell_result_fail_allocs(0);
		if (n <= NR_TEST_METRICS + 1) {
			/* the metrics array, then one histogram per metric */
			assert_int_equal(ret, -ENOMEM);
			assert_null(cell_metric_get(&r, MET_B_NS));
		} else {
			/* the extras array */
			assert_int_equal(ret, 0);
			assert_true(isnan(cell_extra_get(&r, "x_count")));
		}
		assert_int_equal(r.rec_err, -ENOMEM);
		assert_int_equal(cell_result_check(&r), -ENOMEM);
		assert_int_equal(r.status, CELL_ERROR);
		assert_string_equal(r.reason, "out of memory recording results");
		cell_result_free(&r);
	}
}

/* a recording failure does not hide a status the cell already has */
static void test_check_keeps_status(void **state)
{
	struct cell_result *r = *state;

	r->rec_err = -ENOMEM;
	cell_set_status(r, CELL_TIMEOUT, "slow");
	assert_int_equal(cell_result_check(r), -ENOMEM);
	assert_int_equal(r->status, CELL_TIMEOUT);
	assert_string_equal(r->reason, "slow");
}

/* per-thread parts into the cell: same ids, or by name into a bare result */
static void test_merge_parts(void **state)
{
	struct cell_result parts[3], cell, bare;
	unsigned int i;
	uint64_t v;

	for (i = 0; i < 3; i++) {
		assert_int_equal(cell_result_init(&parts[i], NULL, test_metrics), 0);
		for (v = 0; v < 10; v++)
			cell_record(&parts[i], MET_A_NS, 100 * i + v);
		cell_record(&parts[i], MET_CONVERT_NS, 1000 + i);
		cell_extra_add(&parts[i], "n_count", 1);
		parts[i].ctr.conversions = 1;
		parts[i].ctr.wall_ns = 10 * (i + 1);
	}
	assert_int_equal(cell_result_init(&cell, NULL, test_metrics), 0);
	assert_int_equal(cell_result_init(&bare, NULL, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cell_result_merge(&cell, &parts[i]), 0);
		assert_int_equal(cell_result_merge(&bare, &parts[i]), 0);
	}
	assert_int_equal(cell.nr_metrics, NR_TEST_METRICS);
	assert_int_equal(cell_metric_get(&cell, MET_A_NS)->count, 30);
	assert_int_equal(cell_metric_get(&cell, MET_A_NS)->max, 209);
	assert_int_equal(cell_metric_get(&cell, MET_CONVERT_NS)->count, 3);
	assert_int_equal(cell_metric_find(&bare, "a_ns")->count, 30);
	assert_int_equal(cell_metric_get(&bare, MET_CONVERT_NS)->min, 1000);
	/* only what had samples was added to the bare result */
	assert_int_equal(bare.nr_metrics, NR_CORE_METRICS + 1);
	assert_true(cell_extra_get(&cell, "n_count") == 3);
	assert_int_equal(cell.ctr.conversions, 3);
	assert_int_equal(cell.ctr.wall_ns, 30);
	/* a part's recording failure reaches the cell */
	parts[1].rec_err = -ENOMEM;
	assert_int_equal(cell_result_merge(&cell, &parts[1]), 0);
	assert_int_equal(cell.rec_err, -ENOMEM);
	for (i = 0; i < 3; i++)
		cell_result_free(&parts[i]);
	cell_result_free(&cell);
	cell_result_free(&bare);
}

/* a test of one fresh result (res_setup) */
#define RES_TEST(t)	cmocka_unit_test_setup_teardown(t, res_setup, res_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RES_TEST(test_declared_ids),
		RES_TEST(test_record_by_handle),
		RES_TEST(test_undeclared_id),
		RES_TEST(test_many_metrics),
		RES_TEST(test_many_extras),
		cmocka_unit_test(test_alloc_failure),
		RES_TEST(test_check_keeps_status),
		cmocka_unit_test(test_merge_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
