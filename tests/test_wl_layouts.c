// SPDX-License-Identifier: GPL-2.0
/*
 * Integration test of the layouts workload on the real /dev/kvm (discard
 * backend): the layout established before each conversion is exactly the
 * one asked for, a discard to-private leaves nothing allocated, every chunk
 * is converted twice, and converting a populated chunk costs more than an
 * empty one.
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
#include <sys/mman.h>
#include <cmocka.h>

#include "harness/backend.h"
#include "harness/guest_abi.h"
#include "harness/kvm.h"
#include "tests/wl_test_util.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

extern const struct workload wl_layouts;

#define REGION_BYTES	(2ULL << 20)
#define GRAN_BYTES	(256ULL << 10)
#define PAGES		(GRAN_BYTES / GMB_PAGE_SIZE)
#define VCPUS		2
#define ITERATIONS	2
#define CHUNKS		(REGION_BYTES / GRAN_BYTES * ITERATIONS * VCPUS)

static int fx_setup(void **state)
{
	return wlt_group_setup(state, &wl_layouts, VCPUS, REGION_BYTES, ITERATIONS, 20, 10, 42);
}

/* one cell, one repetition; r must be freed by the caller */
static void run_cell(struct wlt_fixture *fx, const char *variant, struct cell_result *r)
{
	struct wl_ctx c;
	int ret;

	wlt_fixture_ctx(fx, &c, GRAN_BYTES, variant);
	wlt_setup(&wl_layouts, &c);
	ret = wlt_run(&wl_layouts, &c, r);
	wl_layouts.teardown(&c);
	if (ret || r->status != CELL_OK)
		fail_msg("run(%s): %d status %d: %s", variant, ret, r->status, r->reason);
}

static void check_layout(struct wlt_fixture *fx, const char *variant, uint64_t expect_pages)
{
	struct cell_result r;

	run_cell(fx, variant, &r);
	assert_int_equal(r.ctr.conversions, CHUNKS * 2);
	assert_int_equal(r.ctr.bytes_converted, CHUNKS * 2 * GRAN_BYTES);
	assert_true(cell_extra_get(&r, "chunks_count") == CHUNKS);
	/* measured with mincore, compared with the independent expectation */
	if (cell_extra_get(&r, "allocated_before_pages") != (double)expect_pages)
		fail_msg("%s: allocated_before_pages %.2f, expected %llu", variant,
			 cell_extra_get(&r, "allocated_before_pages"),
			 (unsigned long long)expect_pages);
	assert_true(cell_extra_get(&r, "layout_pages") == (double)expect_pages);
	assert_true(cell_extra_get(&r, "layout_mismatch_count") == 0);
	/* discard: to-private hole-punches, nothing stays allocated */
	assert_true(cell_extra_get(&r, "allocated_after_private_pages") == 0);
	assert_true(cell_extra_get(&r, "allocated_after_shared_pages") == 0);
	wlt_assert_samples(&r, "to_private_ns", CHUNKS);
	wlt_assert_samples(&r, "to_shared_ns", CHUNKS);
	wlt_assert_samples(&r, "punch_ns", CHUNKS * 2);
	assert_null(cell_metric_find(&r, "attr_ioctl_ns"));	/* discard has no ioctl */
	wlt_assert_samples(&r, "layout_ns", CHUNKS);
	cell_result_free(&r);
}

static void test_layout_none(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_layout(*state, "none", 0);
}

static void test_layout_all(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_layout(*state, "all", PAGES);
}

static void test_layout_alternate(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_layout(*state, "alternate", PAGES / 2);
}

static void test_layout_first_half(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_layout(*state, "first_half", PAGES / 2);
}

static void test_layout_sparse64(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_layout(*state, "sparse64", PAGES / 64);
}

static void test_layout_random(void **state)
{
	struct wlt_fixture *fx = *state;

	WLT_SKIP_WITHOUT_KVM(fx);
	wlt_set_opt(&fx->cfg, "random_pct", "25");
	check_layout(fx, "random", PAGES * 25 / 100);
	wlt_set_opt(&fx->cfg, "random_pct", "100");
	check_layout(fx, "random", PAGES);
	wlt_set_opt(&fx->cfg, "random_pct", "50");
}

/* punching 64 mapped pages must cost more than punching an empty range */
static void test_populated_costs_more(void **state)
{
	struct wlt_fixture *fx = *state;
	struct cell_result none, all;
	uint64_t p_none, p_all;

	WLT_SKIP_WITHOUT_KVM(fx);
	run_cell(fx, "none", &none);
	run_cell(fx, "all", &all);
	p_none = hist_percentile(cell_metric_find(&none, "to_private_ns"), 50);
	p_all = hist_percentile(cell_metric_find(&all, "to_private_ns"), 50);
	print_message("to_private p50: none %llu ns, all %llu ns (%llu pages)\n",
		      (unsigned long long)p_none, (unsigned long long)p_all,
		      (unsigned long long)PAGES);
	assert_true(p_all > 2 * p_none);
	cell_result_free(&none);
	cell_result_free(&all);
}

/* the counting helper against pages the test itself wrote */
static void test_resident_count(void **state)
{
	struct wlt_fixture *fx = *state;
	unsigned char vec[PAGES];
	struct wl_ctx c;
	struct session *s = &c.sess;
	char why[512];
	volatile uint8_t *p;
	unsigned int i;

	WLT_SKIP_WITHOUT_KVM(fx);
	wlt_fixture_ctx(fx, &c, GRAN_BYTES, "-");
	assert_int_equal(wlc_session_create(&c, CHANNEL_PIO, MF_POLICY_REENTER, why,
					    sizeof(why)), 0);
	p = session_data_hva(s, s->mem.gpa);
	assert_non_null((void *)p);
	assert_int_equal(wlc_resident_pages(&s->mem, s->mem.gpa, GRAN_BYTES, vec), 0);
	for (i = 0; i < PAGES; i += 3)
		p[(size_t)i * GMB_PAGE_SIZE] = 1;
	assert_int_equal(wlc_resident_pages(&s->mem, s->mem.gpa, GRAN_BYTES, vec),
			 (PAGES + 2) / 3);
	assert_int_equal(wlc_punch_all(&s->mem, s->mem.gpa, GRAN_BYTES), 0);
	assert_int_equal(wlc_resident_pages(&s->mem, s->mem.gpa, GRAN_BYTES, vec), 0);
	session_destroy(s);
}

static void test_bad_variant(void **state)
{
	struct wlt_fixture *fx = *state;
	struct wl_ctx c;

	WLT_SKIP_WITHOUT_KVM(fx);
	wlt_fixture_ctx(fx, &c, GRAN_BYTES, "checkerboard");
	wlt_setup_fails(&wl_layouts, &c, -EINVAL, "checkerboard");
}

/* at 4K (one page) a partial layout would be none or all: skipped, not run */
static void test_layout_cannot_exist(void **state)
{
	static const char *const partial[] = { "first_half", "random", "alternate", "sparse64" };
	struct wlt_fixture *fx = *state;
	struct wl_ctx c;
	char why[512];
	unsigned int i;

	for (i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		why[0] = '\0';
		wlt_fixture_ctx(fx, &c, GMB_PAGE_SIZE, partial[i]);
		assert_int_equal(wl_layouts.cell_check(&c, why, sizeof(why)), -EOPNOTSUPP);
		assert_non_null(strstr(why, partial[i]));
		assert_non_null(strstr(why, "cannot exist at this granularity"));
	}
	/* 64K: sparse64 selects 1 of 16 pages, first_half 8: both exist */
	for (i = 0; i < 2; i++) {
		wlt_fixture_ctx(fx, &c, 64 << 10, i ? "sparse64" : "first_half");
		assert_int_equal(wl_layouts.cell_check(&c, why, sizeof(why)), 0);
	}
	if (fx->sys.fd >= 0) {
		for (i = 0; i < 2; i++) {
			wlt_fixture_ctx(fx, &c, 64 << 10, i ? "sparse64" : "first_half");
			assert_int_equal(wl_layouts.setup(&c, why, sizeof(why)), 0);
			wl_layouts.teardown(&c);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_count),
		cmocka_unit_test(test_layout_none),
		cmocka_unit_test(test_layout_all),
		cmocka_unit_test(test_layout_alternate),
		cmocka_unit_test(test_layout_first_half),
		cmocka_unit_test(test_layout_sparse64),
		cmocka_unit_test(test_layout_random),
		cmocka_unit_test(test_populated_costs_more),
		cmocka_unit_test(test_bad_variant),
		cmocka_unit_test(test_layout_cannot_exist),
	};

	return cmocka_run_group_tests_name("wl_layouts", tests, fx_setup, wlt_fixture_teardown);
}
