// SPDX-License-Identifier: GPL-2.0
/*
 * The invalidation workload on the real /dev/kvm (discard backend, tiny
 * sizes), driven through its descriptor as the runner drives it, plus the
 * tracecount counter set it is built on.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_test_util.h"

#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/perfcaps.h"
#include "harness/tracecount.h"
#include "tests/wl_test_util.h"
#include "workloads/workload.h"

#define SZ_1M	(1ULL << 20)

extern const struct workload wl_invalidation;

struct inv_fixture {
	struct kvm_sys sys;
	struct run_cfg cfg;
	struct wl_ctx c;
	struct cell_result r;
	volatile sig_atomic_t stop;
	bool setup_done;
};

/* sys first: wlt_fixture_alloc opens nothing, marks it closed */
static int setup_fx(void **state)
{
	return wlt_fixture_alloc(state, sizeof(struct inv_fixture));
}

static int teardown_fx(void **state)
{
	struct inv_fixture *f = *state;

	if (f->setup_done)
		wl_invalidation.teardown(&f->c);
	cell_result_free(&f->r);
	if (f->sys.fd >= 0)
		kvm_sys_close(&f->sys);
	free(f);
	return 0;
}

/* one measured repetition of part on 1 vCPU; skips when the host cannot */
static void run_part(struct inv_fixture *f, const char *part, uint64_t region,
		     uint64_t gran)
{
	static const struct cell_key key = { .workload = "invalidation" };
	char why[512] = "";
	int r;

	KVM_OR_SKIP(&f->sys);
	wlt_cfg_init(&f->cfg, &wl_invalidation, 1, region, 1, 25, 1000);
	wlt_ctx_init(&f->c, &f->cfg, &f->sys, 0, gran, part, &f->stop);
	r = backend_discard.probe(&f->sys, &f->c.vm_type, why, sizeof(why));
	if (r) {
		print_message("SKIP: discard backend: %s\n", why);
		skip();
	}
	r = wl_invalidation.setup(&f->c, why, sizeof(why));
	if (r == -EOPNOTSUPP) {
		print_message("SKIP: %s\n", why);
		skip();
	}
	assert_int_equal(r, 0);
	f->setup_done = true;
	cell_result_init(&f->r, &key, NULL);
	r = wl_invalidation.run(&f->c, &f->r, 0);
	if (r)
		print_message("run: %s\n", f->r.reason);
	assert_int_equal(r, 0);
	assert_int_equal(f->r.status, CELL_OK);
}

static void test_counters(void **state)
{
	struct inv_fixture *f = *state;
	uint64_t region = SZ_1M, gran = 4096, chunks = region / gran;
	struct perfcaps pc;
	double unmap, spte, tlb, conv;

	run_part(f, "counters", region, gran);
	/* every chunk both ways, once */
	assert_int_equal(f->r.ctr.conversions, 2 * chunks);
	conv = (double)f->r.ctr.conversions;
	unmap = cell_extra_get(&f->r, "kvm_unmap_hva_range_count");
	spte = cell_extra_get(&f->r, "tdp_spte_changed_count");
	tlb = cell_extra_get(&f->r, "tlb_flush_count");
	assert_false(isnan(unmap) && isnan(spte) && isnan(tlb));
	if (!isnan(unmap) || !isnan(spte)) {
		/*
		 * Counting starts once the vCPU has touched every page, so each
		 * to-private punch finds a mapped page and invalidates it: via
		 * the host mapping and the MMU notifier (kvm_unmap_hva_range:
		 * PVM emulates guest accesses through the userspace mapping),
		 * or in the TDP MMU (tdp_spte_changed) where the guest maps
		 * guest_memfd directly. The to-shared punch right after finds
		 * nothing. System-wide noise only adds.
		 */
		assert_true((isnan(unmap) ? 0 : unmap) + (isnan(spte) ? 0 : spte) >=
			    (double)chunks);
		if (!isnan(unmap))
			assert_true(fabs(cell_extra_get(&f->r, "kvm_unmap_hva_range_per_conv") -
					 unmap / conv) < 1e-9);
	} else {
		assert_true(tlb > 0);
	}
	assert_false(isnan(cell_extra_get(&f->r, "page_faults_count")));
	/* the PMU answer agrees with an independent probe */
	assert_int_equal(perfcaps_probe(&pc), 0);
	assert_int_equal((int)cell_extra_get(&f->r, "hw_dtlb_supported"),
			 pc.hw_dtlb_load_misses);
	assert_true(f->r.ctr.wall_ns > 0);
}

static void test_refault(void **state)
{
	struct inv_fixture *f = *state;
	uint64_t region = SZ_1M, gran = 64 << 10, chunks = region / gran;
	const struct hist *first, *steady;
	uint64_t f50, s50;

	run_part(f, "refault", region, gran);
	first = cell_metric_find(&f->r, "first_touch_ns");
	steady = cell_metric_find(&f->r, "steady_touch_ns");
	assert_non_null(first);
	assert_non_null(steady);
	/* one first and one steady touch per conversion, both directions */
	assert_int_equal(first->count, 2 * chunks);
	assert_int_equal(steady->count, 2 * chunks);
	assert_int_equal(f->r.ctr.conversions, 2 * chunks);
	f50 = hist_percentile(first, 50);
	s50 = hist_percentile(steady, 50);
	print_message("refault: first p50 %llu ns, steady p50 %llu ns\n",
		      (unsigned long long)f50, (unsigned long long)s50);
	/* discard punched the chunk: the first touch reallocates 16 pages */
	assert_true(f50 > s50);
	assert_true(fabs(cell_extra_get(&f->r, "refault_ratio") - (double)f50 / (double)s50) < 1e-9);
}

static void test_bystander(void **state)
{
	struct inv_fixture *f = *state;
	double base, conv, slow;

	wlt_set_opt(&f->cfg, "phase_ms", "300");
	wlt_set_opt(&f->cfg, "slices", "3");
	wlt_set_opt(&f->cfg, "bystander_bytes", "64K");
	run_part(f, "bystander", SZ_1M, 4096);
	base = cell_extra_get(&f->r, "bystander_pages_per_s_baseline");
	conv = cell_extra_get(&f->r, "bystander_pages_per_s_convert");
	slow = cell_extra_get(&f->r, "bystander_slowdown_pct");
	print_message("bystander: %.0f pages/s baseline, %.0f converting (%.1f %%), %llu conversions\n",
		      base, conv, slow, (unsigned long long)f->r.ctr.conversions);
	assert_true(base > 0);
	assert_true(conv > 0);
	assert_true(fabs(slow - (1 - conv / base) * 100) < 1e-6);
	assert_true(f->r.ctr.conversions > 0);
	assert_true(f->r.ctr.conversions % 2 == 0);	/* whole chunks, both ways */
	assert_int_equal((int)cell_extra_get(&f->r, "bystander_vcpus"), 1);
	/* the premise, checked per chunk: the victim had re-touched every one */
	assert_true(cell_extra_get(&f->r, "victim_mapped_chunks_count") * 2 ==
		    (double)f->r.ctr.conversions);
	assert_true(cell_extra_get(&f->r, "victim_wait_pct") >= 0);
	assert_true(cell_extra_get(&f->r, "victim_wait_pct") <= 100);
	/* the converting phase lasted about phase_ms */
	assert_true(f->r.ctr.wall_ns >= 300000000ULL);
	assert_true(f->r.ctr.wall_ns < 3000000000ULL);
}

static void test_unknown_part(void **state)
{
	struct inv_fixture *f = *state;
	char why[256] = "";

	KVM_OR_SKIP(&f->sys);
	wlt_cfg_init(&f->cfg, &wl_invalidation, 1, SZ_1M, 1, 25, 1000);
	wlt_ctx_init(&f->c, &f->cfg, &f->sys, 0, 4096, "nonsense", &f->stop);
	assert_int_equal(wl_invalidation.setup(&f->c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "nonsense"));
}

/* a task-scoped software counter sees exactly the faults of a later thread's work */
static void test_tracecount_task_faults(void **state)
{
	struct tracecount tc;
	char why[256];
	uint64_t n;
	char *p;
	int i, idx;

	(void)state;
	assert_int_equal(tracecount_init(&tc), 0);
	assert_int_equal((long)tc.nr_cpus, sysconf(_SC_NPROCESSORS_ONLN));
	idx = tracecount_add_event(&tc, "pf", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
				   TRACECOUNT_TASK, why, sizeof(why));
	if (idx < 0) {
		print_message("SKIP: %s\n", why);
		skip();
	}
	assert_int_equal(tracecount_find(&tc, "pf"), idx);
	assert_int_equal(tracecount_find(&tc, "nope"), -ENOENT);
	p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(tracecount_start(&tc), 0);
	for (i = 0; i < 64; i++)
		p[i * 4096] = 1;
	assert_int_equal(tracecount_stop(&tc), 0);
	assert_int_equal(tracecount_read(&tc, (unsigned int)idx, &n), 0);
	/* one fault per fresh page; a stray fault of our own code may add */
	assert_true(n >= 64 && n < 64 + 16);
	/* a second window starts from zero again */
	assert_int_equal(tracecount_start(&tc), 0);
	assert_int_equal(tracecount_stop(&tc), 0);
	assert_int_equal(tracecount_read(&tc, (unsigned int)idx, &n), 0);
	assert_true(n < 16);
	munmap(p, 64 * 4096);
	tracecount_close(&tc);
}

/* system-wide per-CPU tracepoint with a filter; needs tracefs */
static void test_tracecount_filter(void **state)
{
	struct tracecount tc;
	char why[256], err[256];
	int a, b, i;
	uint64_t all, remote;

	(void)state;
	if (perfcaps_mount_tracefs(err, sizeof(err))) {
		print_message("SKIP: %s\n", err);
		skip();
	}
	assert_int_equal(tracecount_init(&tc), 0);
	a = tracecount_add_tracepoint(&tc, "all", "tlb", "tlb_flush", NULL, TRACECOUNT_SYSTEM,
				      why, sizeof(why));
	if (a < 0) {
		print_message("SKIP: %s\n", why);
		skip();
	}
	b = tracecount_add_tracepoint(&tc, "remote", "tlb", "tlb_flush", "reason == 1",
				      TRACECOUNT_SYSTEM, why, sizeof(why));
	assert_true(b >= 0);
	assert_int_equal(tc.ev[a].nr_fds, tc.nr_cpus);
	assert_true(tracecount_add_tracepoint(&tc, "x", "tlb", "no_such_event", NULL,
					      TRACECOUNT_SYSTEM, why, sizeof(why)) < 0);
	assert_int_equal(tracecount_start(&tc), 0);
	for (i = 0; i < 32; i++) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(p != MAP_FAILED);
		p[0] = 1;
		munmap(p, 4096);	/* a mapped page: a local flush */
	}
	assert_int_equal(tracecount_stop(&tc), 0);
	assert_int_equal(tracecount_read(&tc, (unsigned int)a, &all), 0);
	assert_int_equal(tracecount_read(&tc, (unsigned int)b, &remote), 0);
	assert_true(all >= 32);
	assert_true(remote <= all);
	tracecount_close(&tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracecount_task_faults),
		cmocka_unit_test(test_tracecount_filter),
		cmocka_unit_test_setup_teardown(test_unknown_part, setup_fx, teardown_fx),
		cmocka_unit_test_setup_teardown(test_counters, setup_fx, teardown_fx),
		cmocka_unit_test_setup_teardown(test_refault, setup_fx, teardown_fx),
		cmocka_unit_test_setup_teardown(test_bystander, setup_fx, teardown_fx),
	};

	return cmocka_run_group_tests_name("wl_invalidation", tests, NULL, NULL);
}
