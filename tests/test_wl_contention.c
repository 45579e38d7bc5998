// SPDX-License-Identifier: GPL-2.0
/*
 * Integration test of the contention workload on the real /dev/kvm
 * (discard backend): every converter thread converts its whole range, the
 * total is threads x chunks x 2, the ranges are where the mode says (the
 * test populates the data region itself and looks at what was punched),
 * and runs with vCPUs faulting meanwhile stop cleanly.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness/backend.h"
#include "harness/guest_abi.h"
#include "harness/kvm.h"
#include "tests/wl_test_util.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

extern const struct workload wl_contention;

#define REGION_BYTES	(1ULL << 20)
#define GRAN_BYTES	(64ULL << 10)
#define RANGE_PAGES	(REGION_BYTES / GMB_PAGE_SIZE)
#define ITERATIONS	2
#define CHUNKS		(REGION_BYTES / GRAN_BYTES * ITERATIONS)	/* per thread */

static int fx_setup(void **state)
{
	return wlt_group_setup(state, &wl_contention, 0, REGION_BYTES, ITERATIONS, 20, 10, 1);
}

static void ctx_init(struct wlt_fixture *fx, struct wl_ctx *c, unsigned int vcpus,
		     unsigned int threads, const char *variant)
{
	static char threads_opt[16];	/* the cfg keeps a pointer to it */

	fx->cfg.vcpus = vcpus;
	snprintf(threads_opt, sizeof(threads_opt), "%u", threads);
	wlt_set_opt(&fx->cfg, "threads", threads_opt);
	wlt_fixture_ctx(fx, c, GRAN_BYTES, variant);
}

/* write every page of the session's data region through its mapping */
static void populate_all(struct session *s)
{
	volatile uint8_t *p = session_data_hva(s, s->mem.gpa);
	uint64_t off;

	assert_non_null((void *)p);
	for (off = 0; off < s->mem.bytes; off += GMB_PAGE_SIZE)
		p[off] = 0x77;
}

static long resident(struct session *s, uint64_t gpa, uint64_t bytes)
{
	static unsigned char vec[(64ULL << 20) / GMB_PAGE_SIZE];
	long n;

	assert_true(bytes / GMB_PAGE_SIZE <= sizeof(vec));
	n = wlc_resident_pages(&s->mem, gpa, bytes, vec);
	assert_true(n >= 0);
	return n;
}

/* open file descriptors of this process */
static int nr_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void check_counts(const struct cell_result *r, unsigned int threads)
{
	if (r->status != CELL_OK)
		fail_msg("status %d: %s", r->status, r->reason);
	assert_int_equal(r->ctr.conversions, (uint64_t)threads * CHUNKS * 2);
	assert_int_equal(r->ctr.bytes_converted, (uint64_t)threads * CHUNKS * 2 * GRAN_BYTES);
	assert_true(cell_extra_get(r, "threads_count") == threads);
	assert_true(cell_extra_get(r, "threads_done_count") == threads);
	wlt_assert_samples(r, "to_private_ns", (uint64_t)threads * CHUNKS);
	assert_true(r->ctr.wall_ns > 0);
	assert_true(cell_conversions_per_s(r) > 0);
}

/* the cell of variant set up, its whole data region populated, run once into r */
static void run_populated(struct wlt_fixture *fx, struct wl_ctx *c, unsigned int vcpus,
			  unsigned int threads, const char *variant, struct cell_result *r)
{
	WLT_SKIP_WITHOUT_KVM(fx);
	ctx_init(fx, c, vcpus, threads, variant);
	wlt_setup(&wl_contention, c);
	populate_all(&c->sess);
	assert_int_equal(wlt_run(&wl_contention, c, r), 0);
	check_counts(r, threads);
}

/*
 * shared_gmem, 2 vCPUs and 3 threads: regions are sized for two slices
 * each; threads 0..2 take region 0 slice 0, region 1 slice 0, region 0
 * slice 1. Region 1 slice 1 belongs to nobody and must keep its pages.
 */
static void test_shared_gmem_ranges(void **state)
{
	struct cell_result r;
	struct wl_ctx c;
	struct session *s = &c.sess;

	run_populated(*state, &c, 2, 3, "shared_gmem", &r);
	assert_int_equal(s->region_bytes, 2 * REGION_BYTES);
	/* converted ranges end shared after a punch: nothing left */
	assert_int_equal(resident(s, session_region_gpa(s, 0), 2 * REGION_BYTES), 0);
	assert_int_equal(resident(s, session_region_gpa(s, 1), REGION_BYTES), 0);
	assert_int_equal(resident(s, session_region_gpa(s, 1) + REGION_BYTES, REGION_BYTES),
			 RANGE_PAGES);
	cell_result_free(&r);
	wl_contention.teardown(&c);
}

/* separate_gmem: the converters never touch the session's own guest_memfd */
static void test_separate_gmem(void **state)
{
	struct cell_result r;
	struct wl_ctx c;
	struct session *s = &c.sess;
	int fds = nr_open_fds();

	run_populated(*state, &c, 1, 2, "separate_gmem", &r);
	/* at least one more guest_memfd per thread than the session's own */
	assert_true(nr_open_fds() >= fds + 3);
	/* without +faults the guest never runs */
	assert_int_equal(s->vcpus[0].nr_exits, 0);
	assert_int_equal(resident(s, session_region_gpa(s, 0), REGION_BYTES), RANGE_PAGES);
	cell_result_free(&r);
	wl_contention.teardown(&c);
	/* the extra memslots' guest_memfds are closed with the session */
	assert_int_equal(nr_open_fds(), fds);
}

/* overlap: all threads convert vCPU 0's region, nothing else */
static void test_overlap(void **state)
{
	struct cell_result r;
	struct wl_ctx c;
	struct session *s = &c.sess;

	run_populated(*state, &c, 2, 4, "overlap", &r);
	assert_int_equal(resident(s, session_region_gpa(s, 0), REGION_BYTES), 0);
	assert_int_equal(resident(s, session_region_gpa(s, 1), REGION_BYTES), RANGE_PAGES);
	cell_result_free(&r);
	wl_contention.teardown(&c);
}

/* with vCPUs touching meanwhile: all conversions done, guests stopped */
static void test_faults(void **state)
{
	static const char *const variants[] = {
		"shared_gmem+faults", "separate_gmem+faults", "overlap+faults",
	};
	struct wlt_fixture *fx = *state;
	unsigned int i;

	WLT_SKIP_WITHOUT_KVM(fx);
	for (i = 0; i < 3; i++) {
		struct cell_result r;
		struct wl_ctx c;

		ctx_init(fx, &c, 2, 2, variants[i]);
		wlt_setup(&wl_contention, &c);
		assert_int_equal(wlt_run(&wl_contention, &c, &r), 0);
		check_counts(&r, 2);
		/* the guest writes whole passes only, so a count is a multiple */
		assert_int_equal(r.ctr.guest_pages_touched % RANGE_PAGES, 0);
		/* every vCPU ran and left through the "done" request */
		assert_true(c.sess.vcpus[0].nr_exits > 0);
		assert_true(c.sess.vcpus[1].nr_exits > 0);
		cell_result_free(&r);
		wl_contention.teardown(&c);
	}
}

static void test_bad_config(void **state)
{
	struct wlt_fixture *fx = *state;
	struct wl_ctx c;

	WLT_SKIP_WITHOUT_KVM(fx);
	/*
	 * threads > 2 x --vcpus is refused before KVM by the one validation
	 * pass (tests/test_run_check.c), no longer by setup; an unknown
	 * variant still cannot be set up.
	 */
	ctx_init(fx, &c, 1, 1, "shared_gmem+fault");
	wlt_setup_fails(&wl_contention, &c, -EINVAL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_gmem_ranges),
		cmocka_unit_test(test_separate_gmem),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests_name("wl_contention", tests, fx_setup, wlt_fixture_teardown);
}
