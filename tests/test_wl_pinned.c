// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pinned through its descriptor on the real /dev/kvm, tiny sizes, the
 * discard backend (the one this kind of host runs). The counters must be
 * consistent with what was asked: pinned pages = chunks x the fraction,
 * computed here independently; no EAGAIN exists on a punch; every pinned
 * page still holds its old data through the pin while the mapping reads
 * zero; the file keeps nothing resident after the punch; transient pins
 * are released by the releaser only after release_us.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/backend.h"
#include "tests/wl_test_util.h"
#include "workloads/workload.h"

extern const struct workload wl_pinned;

static int group_setup(void **state)
{
	*state = wlt_fixture_new();
	return *state ? 0 : -1;
}

/* the group's KVM with the discard backend, or skip */
static struct wlt_fixture *need_discard(void **state)
{
	struct wlt_fixture *f = *state;

	WLT_SKIP_WITHOUT_KVM(f);
	return f;
}

struct cell {
	struct run_cfg cfg;
	struct wl_ctx c;
	struct cell_result r;
	char why[512];
	int setup_ret, run_ret;
};

/* one repetition of one cell; opts are key, value pairs, NULL-terminated */
static void run_cell(struct wlt_fixture *f, struct cell *cl, const char *mechanism,
		     uint64_t region, uint64_t gran, ...)
{
	struct cell_key key;
	const char *k;
	va_list ap;

	memset(cl, 0, sizeof(*cl));
	wlt_cfg_init(&cl->cfg, &wl_pinned, 1, region, 1, 20, 10);
	cl->cfg.seed = 1;
	va_start(ap, gran);
	while ((k = va_arg(ap, const char *)))
		wlt_set_opt(&cl->cfg, k, va_arg(ap, const char *));
	va_end(ap);
	wlt_ctx_init(&cl->c, &cl->cfg, &f->sys, f->vm_type, gran, mechanism, &f->stop);
	memset(&key, 0, sizeof(key));
	cell_result_init(&cl->r, &key, wl_pinned.metrics);
	/* as the runner: the configuration's verdict first, then the host's */
	cl->setup_ret = wl_pinned.cell_check(&cl->c, cl->why, sizeof(cl->why));
	if (!cl->setup_ret)
		cl->setup_ret = wl_pinned.setup(&cl->c, cl->why, sizeof(cl->why));
	if (cl->setup_ret)
		return;
	cl->run_ret = wl_pinned.run(&cl->c, &cl->r, 0);
	wl_pinned.teardown(&cl->c);
	if (cl->run_ret)
		fail_msg("%s run: %s (%s)", mechanism, strerror(-cl->run_ret), cl->r.reason);
}

static double extra(const struct cell *cl, const char *name)
{
	double v = cell_extra_get(&cl->r, name);

	if (isnan(v))
		fail_msg("counter %s missing", name);
	return v;
}

static uint64_t metric_count(const struct cell *cl, const char *name)
{
	const struct hist *h = cell_metric_find(&cl->r, name);

	return h ? h->count : 0;
}

/* long-lived pins on discard: the punch succeeds, the pins keep the pages */
static void long_lived(void **state, const char *mechanism, const char *pattern,
		       unsigned int pct)
{
	struct wlt_fixture *f = need_discard(state);
	const uint64_t region = 1 << 20, gran = 64 << 10;
	uint64_t chunks = region / gran, per_chunk, pinned;
	char pct_s[8];
	struct cell cl;

	snprintf(pct_s, sizeof(pct_s), "%u", pct);
	/* floor(16 pages * pct / 100), at least one page */
	per_chunk = (gran / 4096) * pct / 100;
	if (!per_chunk)
		per_chunk = 1;
	pinned = chunks * per_chunk;
	run_cell(f, &cl, mechanism, region, gran, "fraction_pct", pct_s, "pattern", pattern,
		 (const char *)NULL);
	if (cl.setup_ret) {
		print_message("SKIP: %s\n", cl.why);
		skip();
	}
	assert_int_equal(cl.r.status, CELL_OK);
	assert_int_equal((uint64_t)extra(&cl, "pinned_pages"), pinned);
	assert_int_equal((uint64_t)extra(&cl, "pin_sets_count"), chunks);
	assert_int_equal(metric_count(&cl, "pin_ns"), chunks);
	assert_int_equal(metric_count(&cl, "unpin_ns"), chunks);
	assert_int_equal(cl.r.ctr.conversions, 2 * chunks);
	assert_int_equal(cl.r.ctr.bytes_converted, 2 * region);
	assert_int_equal(metric_count(&cl, "to_private_ns"), chunks);
	/* a punch has no EAGAIN: honest zeros, never a fake one */
	assert_int_equal(cl.r.ctr.eagain_total, 0);
	assert_true(extra(&cl, "eagain_rate_pct") == 0);
	assert_true(extra(&cl, "error_offset_checked_count") == 0);
	assert_int_equal(metric_count(&cl, "retry_to_success_ns"), 0);
	/* every pinned page outlived the punch with its old data */
	assert_int_equal((uint64_t)extra(&cl, "pinned_checked_pages"), pinned);
	assert_int_equal((uint64_t)extra(&cl, "pinned_still_old_data_pages"), pinned);
	assert_int_equal((uint64_t)extra(&cl, "pinned_mapping_zero_pages"), pinned);
	/* the file had every page, and after the punch none (pins or not) */
	assert_int_equal((uint64_t)extra(&cl, "allocated_before_bytes"), region);
	assert_int_equal((uint64_t)extra(&cl, "allocated_after_bytes"), 0);
	cell_result_free(&cl.r);
}

static void test_vmsplice_spread(void **state)
{
	long_lived(state, "vmsplice", "spread", 10);	/* 1 page per 16 */
}

static void test_vmsplice_random(void **state)
{
	long_lived(state, "vmsplice", "random", 40);	/* 6 per 16 */
}

static void test_iouring_first_all(void **state)
{
	long_lived(state, "iouring", "first", 100);
}

static void test_iouring_random(void **state)
{
	long_lived(state, "iouring", "random", 25);
}

static void test_gup_test(void **state)
{
	long_lived(state, "gup_test", "first", 25);
}

static void test_gup_test_pattern_refused(void **state)
{
	struct wlt_fixture *f = *state;
	struct cell cl;

	/* a cell that cannot exist whatever the host: decided without KVM */
	memset(&cl, 0, sizeof(cl));
	wlt_cfg_init(&cl.cfg, &wl_pinned, 1, 1 << 20, 1, 20, 10);
	wlt_set_opt(&cl.cfg, "pattern", "spread");
	wlt_set_opt(&cl.cfg, "fraction_pct", "25");
	wlt_ctx_init(&cl.c, &cl.cfg, &f->sys, f->vm_type, 64 << 10, "gup_test", &f->stop);
	assert_int_equal(wl_pinned.cell_check(&cl.c, cl.why, sizeof(cl.why)), -EOPNOTSUPP);
	assert_non_null(strstr(cl.why, "several runs per chunk"));
	/* one contiguous run, but two converter threads */
	wlt_set_opt(&cl.cfg, "pattern", "first");
	cl.cfg.vcpus = 2;
	assert_int_equal(wl_pinned.cell_check(&cl.c, cl.why, sizeof(cl.why)), -EOPNOTSUPP);
	assert_non_null(strstr(cl.why, "--vcpus 1"));
	cl.cfg.vcpus = 1;
	assert_int_equal(wl_pinned.cell_check(&cl.c, cl.why, sizeof(cl.why)), 0);
	/* other mechanisms have no such limit */
	wlt_ctx_init(&cl.c, &cl.cfg, &f->sys, f->vm_type, 64 << 10, "vmsplice", &f->stop);
	cl.cfg.vcpus = 2;
	assert_int_equal(wl_pinned.cell_check(&cl.c, cl.why, sizeof(cl.why)), 0);
}

/* transient: the releaser drops the pins release_us after arming */
static void test_transient(void **state)
{
	struct wlt_fixture *f = need_discard(state);
	const uint64_t region = 256 << 10, gran = 64 << 10, chunks = region / gran;
	const uint64_t release_us = 30000;
	struct cell cl;

	run_cell(f, &cl, "vmsplice", region, gran, "release_us", "30000",
		 "fraction_pct", "50", (const char *)NULL);
	if (cl.setup_ret) {
		print_message("SKIP: %s\n", cl.why);
		skip();
	}
	assert_int_equal(cl.r.status, CELL_OK);
	assert_int_equal((uint64_t)extra(&cl, "pinned_pages"), chunks * 8);
	assert_int_equal(metric_count(&cl, "unpin_ns"), chunks);
	/* each chunk waited for its release: at least chunks x release_us */
	assert_true(cl.r.ctr.wall_ns >= chunks * release_us * 1000);
	assert_int_equal(cl.r.ctr.eagain_total, 0);
	/*
	 * A 64 KiB punch takes microseconds, far below 30 ms: the pins were
	 * still held when it finished, so the check ran on every pinned page.
	 */
	assert_int_equal((uint64_t)extra(&cl, "pinned_still_old_data_pages"), chunks * 8);
	cell_result_free(&cl.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmsplice_spread),
		cmocka_unit_test(test_vmsplice_random),
		cmocka_unit_test(test_iouring_first_all),
		cmocka_unit_test(test_iouring_random),
		cmocka_unit_test(test_gup_test),
		cmocka_unit_test(test_gup_test_pattern_refused),
		cmocka_unit_test(test_transient),
	};

	return cmocka_run_group_tests_name("wl_pinned", tests, group_setup, wlt_fixture_teardown);
}
