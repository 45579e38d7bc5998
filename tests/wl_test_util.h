/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the workload integration tests: the run_cfg and wl_ctx of
 * one small cell on the discard backend, built as bench/runner.c builds
 * them but without placement (no topology, no CPU plan), and for the tests
 * that share one VM host for the whole group, /dev/kvm opened once.
 *
 * Static inline: every tests/test_*.c is its own program (see Makefile).
 */
#ifndef GMB_WL_TEST_UTIL_H
#define GMB_WL_TEST_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/backend.h"
#include "harness/kvm.h"
#include "workloads/workload.h"

/*
 * A cell's -t in these tests is a hang guard, never a speed target. In the
 * lab under TCG every instruction is emulated and one host thread runs all
 * vCPUs (lab/lab.sh --tcg-threads single), so an IPI between the VM's
 * CPUs may wait for the emulator's round-robin (our reading, not
 * measured): a 1 MiB cell that takes milliseconds natively was once seen
 * to take over 10 s there, its threads running, not hung. The guard grows
 * there (x6), so a real hang is still caught.
 */
static inline unsigned int wlt_hang_guard_s(unsigned int native_s)
{
	const char *accel = getenv("GMB_LAB_ACCEL");

	return accel && !strcmp(accel, "tcg") ? native_s * 6 : native_s;
}

/*
 * The run-wide settings of a test cell: one repetition, no warm-up. Seed,
 * options and out_dir stay as the caller zeroed or set them, so options may
 * be given before or after.
 */
static inline void wlt_cfg_init(struct run_cfg *cfg, const struct workload *wl,
				unsigned int vcpus, uint64_t region_bytes,
				unsigned int iterations, unsigned int timeout_s,
				unsigned int max_retries)
{
	cfg->wl = wl;
	cfg->vcpus = vcpus;
	cfg->region_bytes = region_bytes;
	cfg->iterations = iterations;
	cfg->repetitions = 1;
	cfg->warmup = 0;
	cfg->timeout_ns = (uint64_t)wlt_hang_guard_s(timeout_s) * 1000000000ULL;
	cfg->policy.max_retries = max_retries;
}

/* -O key=val: replaces an earlier value of key; val is not copied */
static inline void wlt_set_opt(struct run_cfg *cfg, const char *key, const char *val)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_wl_opts; i++)
		if (!strcmp(cfg->wl_opts[i].key, key))
			break;
	assert_true(i < RUN_MAX_WL_OPTS);
	snprintf(cfg->wl_opts[i].key, sizeof(cfg->wl_opts[i].key), "%s", key);
	cfg->wl_opts[i].val = val;
	if (i == cfg->nr_wl_opts)
		cfg->nr_wl_opts++;
}

/* one cell of cfg on the discard backend, host-driven (no driver axis) */
static inline void wlt_ctx_init(struct wl_ctx *c, const struct run_cfg *cfg,
				const struct kvm_sys *sys, unsigned long vm_type,
				uint64_t gran_bytes, const char *variant,
				volatile sig_atomic_t *stop)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->sys = sys;
	c->backend = &backend_discard;
	c->vm_type = vm_type;
	c->driver = NR_DRIVERS;
	c->gran_bytes = gran_bytes;
	c->variant = variant;
	c->stop = stop;
}

/* what a group of tests shares: /dev/kvm with the discard backend, one cfg */
struct wlt_fixture {
	struct kvm_sys sys;		/* fd < 0: no /dev/kvm or no discard backend */
	unsigned long vm_type;
	struct run_cfg cfg;
	volatile sig_atomic_t stop;
};

/*
 * A zeroed fixture with /dev/kvm open and discard probed; when either is
 * missing it says why and leaves sys.fd < 0 (WLT_SKIP_WITHOUT_KVM). NULL
 * when out of memory.
 */
static inline struct wlt_fixture *wlt_fixture_new(void)
{
	struct wlt_fixture *fx = calloc(1, sizeof(*fx));
	char why[512];

	if (!fx)
		return NULL;
	fx->sys.fd = -1;
	if (kvm_sys_open(&fx->sys, why, sizeof(why))) {
		print_message("SKIP: %s\n", why);
		fx->sys.fd = -1;
	} else if (backend_discard.probe(&fx->sys, &fx->vm_type, why, sizeof(why))) {
		print_message("SKIP: discard backend unavailable: %s\n", why);
		kvm_sys_close(&fx->sys);
		fx->sys.fd = -1;
	}
	return fx;
}

/* cmocka group teardown of a wlt_fixture */
static inline int wlt_fixture_teardown(void **state)
{
	struct wlt_fixture *fx = *state;

	if (fx->sys.fd >= 0)
		kvm_sys_close(&fx->sys);
	free(fx);
	return 0;
}

/* the cell of fx's cfg (see wlt_ctx_init) */
static inline void wlt_fixture_ctx(struct wlt_fixture *fx, struct wl_ctx *c,
				   uint64_t gran_bytes, const char *variant)
{
	wlt_ctx_init(c, &fx->cfg, &fx->sys, fx->vm_type, gran_bytes, variant, &fx->stop);
}

/*
 * cmocka group setup: a wlt_fixture (wlt_fixture_new) whose cfg runs wl
 * (wlt_cfg_init) with seed.
 */
static inline int wlt_group_setup(void **state, const struct workload *wl,
				  unsigned int vcpus, uint64_t region_bytes,
				  unsigned int iterations, unsigned int timeout_s,
				  unsigned int max_retries, uint64_t seed)
{
	struct wlt_fixture *fx = wlt_fixture_new();

	if (!fx)
		return -1;
	wlt_cfg_init(&fx->cfg, wl, vcpus, region_bytes, iterations, timeout_s, max_retries);
	fx->cfg.seed = seed;
	*state = fx;
	return 0;
}

/*
 * cmocka setup of a test's own fixture of size bytes, zeroed, whose first
 * member is its struct kvm_sys, not open yet (fd -1).
 */
static inline int wlt_fixture_alloc(void **state, size_t size)
{
	struct kvm_sys *sys = calloc(1, size);

	if (!sys)
		return -1;
	sys->fd = -1;
	*state = sys;
	return 0;
}

/* wl's setup of c, which must succeed */
static inline void wlt_setup(const struct workload *wl, struct wl_ctx *c)
{
	char why[512] = "";
	int r = wl->setup(c, why, sizeof(why));

	if (r)
		fail_msg("%s setup: %d %s", wl->name, r, why);
}

/* wl's setup of c fails with err, its reason naming what (NULL: any) */
static inline void wlt_setup_fails(const struct workload *wl, struct wl_ctx *c, int err,
				   const char *what)
{
	char why[512] = "";
	int r = wl->setup(c, why, sizeof(why));

	if (r != err || (what && !strstr(why, what)))
		fail_msg("%s setup: %d '%s', expected %d naming '%s'", wl->name, r, why, err,
			 what ? what : "");
}

/* one repetition (0) of wl on c into r, initialised here: run's return */
static inline int wlt_run(const struct workload *wl, struct wl_ctx *c, struct cell_result *r)
{
	struct cell_key key;

	memset(&key, 0, sizeof(key));
	cell_result_init(r, &key, wl->metrics);
	return wl->run(c, r, 0);
}

/* r has the metric name, with count samples */
static inline void wlt_assert_samples(const struct cell_result *r, const char *name,
				      uint64_t count)
{
	const struct hist *h = cell_metric_find(r, name);

	if (!h)
		fail_msg("no metric %s", name);
	if (h->count != count)
		fail_msg("%s: %llu samples, expected %llu", name,
			 (unsigned long long)h->count, (unsigned long long)count);
}

#define WLT_SKIP_WITHOUT_KVM(fx)					\
	do {								\
		if ((fx)->sys.fd < 0) {					\
			print_message("SKIP: /dev/kvm or the discard backend is unavailable\n"); \
			skip();						\
		}							\
	} while (0)

#endif /* GMB_WL_TEST_UTIL_H */
