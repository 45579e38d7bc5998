// SPDX-License-Identifier: GPL-2.0
/*
 * Integration test of the bounce workload on the real /dev/kvm (discard
 * backend): rounds = passes x region / window per bouncer, conversions =
 * 2 x rounds, the data read back through the window is identical, the
 * window ends private (discarded), and copy > window is a cell that cannot
 * exist (cell_check: skipped before any VM).
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

#include "harness/backend.h"
#include "harness/convert.h"
#include "harness/guest_abi.h"
#include "harness/kvm.h"
#include "tests/wl_test_util.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

extern const struct workload wl_bounce;

#define REGION_BYTES	(1ULL << 20)
#define ITERATIONS	2

static int fx_setup(void **state)
{
	return wlt_group_setup(state, &wl_bounce, 0, REGION_BYTES, ITERATIONS, 20, 10, 7);
}

static void ctx_init(struct wlt_fixture *fx, struct wl_ctx *c, unsigned int vcpus,
		     uint64_t window, const char *copy)
{
	fx->cfg.vcpus = vcpus;
	wlt_set_opt(&fx->cfg, "copy", copy);
	wlt_fixture_ctx(fx, c, window, "-");
}

static void check_bounce(struct wlt_fixture *fx, unsigned int vcpus, uint64_t window,
			 const char *copy, uint64_t copy_bytes)
{
	uint64_t rounds = (uint64_t)ITERATIONS * (REGION_BYTES / window) * vcpus;
	unsigned char vec[REGION_BYTES / GMB_PAGE_SIZE];
	struct cell_result r;
	struct wl_ctx c;
	unsigned int j;

	ctx_init(fx, &c, vcpus, window, copy);
	wlt_setup(&wl_bounce, &c);
	assert_int_equal(wlt_run(&wl_bounce, &c, &r), 0);
	if (r.status != CELL_OK)
		fail_msg("status %d: %s", r.status, r.reason);
	assert_int_equal(r.ctr.conversions, 2 * rounds);
	assert_int_equal(r.ctr.bytes_converted, 2 * rounds * window);
	assert_true(cell_extra_get(&r, "rounds_count") == rounds);
	assert_true(cell_extra_get(&r, "copy_bytes") == (double)(rounds * copy_bytes));
	assert_true(cell_extra_get(&r, "verify_errors_count") == 0);
	assert_true(cell_extra_get(&r, "window_bytes") == window);
	/* both aggregate over the bouncers: end to end never beats the copies alone */
	assert_true(cell_extra_get(&r, "copy_bytes_per_s") > 0);
	assert_true(cell_extra_get(&r, "copy_bytes_per_s") * 0.999 <=
		    cell_extra_get(&r, "memcpy_bytes_per_s"));
	wlt_assert_samples(&r, "to_shared_ns", rounds);
	wlt_assert_samples(&r, "to_private_ns", rounds);
	wlt_assert_samples(&r, "copy_ns", rounds);
	wlt_assert_samples(&r, "round_ns", rounds);
	/* each window ended private, i.e. discarded: no page left */
	for (j = 0; j < vcpus; j++)
		assert_int_equal(wlc_resident_pages(&c.sess.mem, session_region_gpa(&c.sess, j),
						    window, vec), 0);
	cell_result_free(&r);
	wl_bounce.teardown(&c);
}

static void test_whole_window(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_bounce(*state, 1, 64 << 10, "0", 64 << 10);
}

static void test_partial_copy_two_windows(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_bounce(*state, 2, 256 << 10, "12K", 12 << 10);
}

static void test_page_window(void **state)
{
	WLT_SKIP_WITHOUT_KVM((struct wlt_fixture *)*state);
	check_bounce(*state, 1, 4096, "4096", 4096);
}

/*
 * The copy really goes through the window: with the window shared, data
 * written through the mapping reads back, and a to-private conversion
 * (discard) takes it away.
 */
static void test_window_semantics(void **state)
{
	struct wlt_fixture *fx = *state;
	struct conv_result cr;
	struct wl_ctx c;
	volatile uint8_t *w;
	struct session *s = &c.sess;

	WLT_SKIP_WITHOUT_KVM(fx);
	ctx_init(fx, &c, 1, 64 << 10, "0");
	wlt_setup(&wl_bounce, &c);
	w = session_data_hva(s, session_region_gpa(s, 0));
	assert_int_equal(wlc_convert_raw(s, &s->mem, session_region_gpa(s, 0), 64 << 10, false,
					 &cr), 0);
	w[100] = 0xab;
	assert_int_equal(w[100], 0xab);
	assert_int_equal(wlc_convert_raw(s, &s->mem, session_region_gpa(s, 0), 64 << 10, true,
					 &cr), 0);
	assert_int_equal(w[100], 0);	/* discard: the page is gone */
	wl_bounce.teardown(&c);
}

static void test_copy_larger_than_window(void **state)
{
	struct wlt_fixture *fx = *state;
	struct wl_ctx c;
	char why[512] = "";

	/* decided from the configuration alone, before any VM: no KVM needed */
	ctx_init(fx, &c, 1, 64 << 10, "128K");
	assert_int_equal(wl_bounce.cell_check(&c, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "larger than the window"));
	ctx_init(fx, &c, 1, 64 << 10, "64K");
	assert_int_equal(wl_bounce.cell_check(&c, why, sizeof(why)), 0);
	ctx_init(fx, &c, 1, 64 << 10, "0");
	assert_int_equal(wl_bounce.cell_check(&c, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_window),
		cmocka_unit_test(test_partial_copy_two_windows),
		cmocka_unit_test(test_page_window),
		cmocka_unit_test(test_window_semantics),
		cmocka_unit_test(test_copy_larger_than_window),
	};

	return cmocka_run_group_tests_name("wl_bounce", tests, fx_setup, wlt_fixture_teardown);
}
