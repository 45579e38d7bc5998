// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/cell_run.{h,c}, the lifecycle of one cell, without
 * /dev/kvm: a fake workload counts and orders its calls and fails, skips,
 * stalls or loses vCPU state on demand; a fake backend counts the backings
 * the workload holds, which every test finds released at the end.
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
#include <time.h>
#include <cmocka.h>

#include "bench/cell_run.h"
#include "harness/backend.h"
#include "harness/vcpu.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

#define MAX_ROWS	16
#define MS		1000000ULL

/* what the fake workload is asked to do, and what it saw */
struct fake {
	char log[256];			/* S setup, T teardown, R<rep> run */
	unsigned int setups, runs, teardowns, backings;
	int setup_ret[4];		/* by setup call: 0 or -errno */
	int fail_rep;			/* this repetition fails (INT32_MIN: none) */
	int errno_rep;			/* returns -EIO without a status */
	int lose_rep[2];		/* these lose vCPU state (first attempt only) */
	int interrupt_rep;		/* reports CELL_INTERRUPTED */
	int stop_rep;			/* sets the external stop, stays ok */
	int wedge_rep;			/* threads stuck: session wedged */
	uint64_t sleep_ns;		/* every run takes this long */
	uint64_t timeout_seen[MAX_ROWS];
	/* the emit hook's copies */
	struct row {
		struct cell_key key;
		enum cell_status status;
		char reason[RESULT_REASON_LEN];
		double retry;		/* platform_retry_count, NaN when unset */
	} rows[MAX_ROWS];
	unsigned int nr_rows;
	int emit_ret;
	int splat_rep;			/* the scan after this repetition finds a splat */
	int last_rep;
};

static struct fake fk;
static struct vcpu fake_vcpu;
static volatile sig_atomic_t fake_stop;

static void logf_(const char *fmt, ...)
{
	size_t n = strlen(fk.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.log + n, sizeof(fk.log) - n, fmt, ap);
	va_end(ap);
}

/* the fake backend: a backing is "created" and "released", nothing more */
static int fake_be_setup(struct vm *vm, struct conv_mem *m)
{
	fk.backings++;
	return 0;
}

static void fake_be_teardown(struct conv_mem *m)
{
	assert_true(fk.backings > 0);
	fk.backings--;
}

static const struct conv_backend fake_backend = {
	.name = "fake",
	.setup = fake_be_setup,
	.teardown = fake_be_teardown,
};

static int fake_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	int r = fk.setup_ret[fk.setups < 4 ? fk.setups : 3];

	fk.setups++;
	logf_("S");
	assert_ptr_equal(c->backend, &fake_backend);
	if (r) {
		snprintf(why, whylen, "fake setup says no");
		return r;
	}
	/* a fresh VM: its vCPU has its state */
	fake_vcpu.state_lost = 0;
	c->sess.vcpus = &fake_vcpu;
	c->sess.nr_vcpus = 1;
	return c->backend->setup(NULL, &c->sess.mem);
}

static int fake_run(struct wl_ctx *c, struct cell_result *r, int rep)
{
	struct timespec ts = { .tv_sec = fk.sleep_ns / 1000000000ULL,
			       .tv_nsec = fk.sleep_ns % 1000000000ULL };

	assert_true(fk.runs < MAX_ROWS);
	fk.timeout_seen[fk.runs++] = wlc_timeout_ns(c);
	fk.last_rep = rep;
	logf_("R%d", rep);
	if (fk.sleep_ns)
		nanosleep(&ts, NULL);
	/* lose_rep[0] on the first VM only, lose_rep[1] on any */
	if ((rep == fk.lose_rep[0] && !strchr(fk.log, 'T')) || rep == fk.lose_rep[1]) {
		fake_vcpu.state_lost = 1;
		cell_set_status(r, CELL_ERROR, "vCPU 0 lost its state");
		return -EIO;
	}
	if (rep == fk.fail_rep) {
		cell_set_status(r, CELL_ERROR, "fake failure");
		return -EIO;
	}
	if (rep == fk.errno_rep)
		return -EIO;
	if (rep == fk.interrupt_rep) {
		cell_set_status(r, CELL_INTERRUPTED, "interrupted by signal");
		return -EINTR;
	}
	if (rep == fk.stop_rep)
		fake_stop = 1;
	if (rep == fk.wedge_rep) {
		c->sess.wedged = 1;
		cell_set_status(r, CELL_TIMEOUT, "threads stuck");
		return -ETIMEDOUT;
	}
	r->ctr.conversions = 1;
	return 0;
}

static void fake_teardown(struct wl_ctx *c)
{
	fk.teardowns++;
	logf_("T");
	c->backend->teardown(&c->sess.mem);
	c->sess.vcpus = NULL;
}

static const struct workload fake_workload = {
	.name = "fake",
	.summary = "does what the test asks",
	.axes = WL_AXIS_BACKEND,
	.setup = fake_setup,
	.run = fake_run,
	.teardown = fake_teardown,
};

static int hook_emit(void *arg, const struct cell_result *r)
{
	assert_ptr_equal(arg, &fk);
	assert_true(fk.nr_rows < MAX_ROWS);
	fk.rows[fk.nr_rows].key = r->key;
	fk.rows[fk.nr_rows].status = r->status;
	snprintf(fk.rows[fk.nr_rows].reason, sizeof(fk.rows[0].reason), "%s", r->reason);
	fk.rows[fk.nr_rows].retry = cell_extra_get(r, "platform_retry_count");
	fk.nr_rows++;
	return fk.emit_ret;
}

static int hook_splat(void *arg, char *why, size_t whylen)
{
	if (fk.last_rep != fk.splat_rep)
		return 0;
	snprintf(why, whylen, "BUG: fake splat");
	return 1;
}

static const struct cell_hooks hooks = {
	.emit = hook_emit,
	.splat = hook_splat,
	.arg = &fk,
};

static struct run_cfg cfg;
static struct wl_ctx ctx;

static struct cell_plan plan_of(unsigned int warmup, unsigned int iterations,
				unsigned int repetitions)
{
	struct cell_plan p = {
		.wl = &fake_workload,
		.warmup = warmup,
		.iterations = iterations,
		.repetitions = repetitions,
		.stop = &fake_stop,
	};

	snprintf(p.key.workload, sizeof(p.key.workload), "fake");
	snprintf(p.key.backend, sizeof(p.key.backend), "%s", fake_backend.name);
	return p;
}

static int reset(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.fail_rep = fk.errno_rep = fk.interrupt_rep = fk.stop_rep = INT32_MIN;
	fk.wedge_rep = fk.splat_rep = fk.lose_rep[0] = fk.lose_rep[1] = INT32_MIN;
	fake_stop = 0;
	memset(&fake_vcpu, 0, sizeof(fake_vcpu));
	memset(&cfg, 0, sizeof(cfg));
	cfg.wl = &fake_workload;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.backend = &fake_backend;
	ctx.stop = &fake_stop;
	return 0;
}

/* every test: the backings the workload held are released */
static int check_released(void **state)
{
	assert_int_equal(fk.backings, 0);
	return 0;
}

static void assert_row(unsigned int i, int rep, enum cell_status st)
{
	assert_true(i < fk.nr_rows);
	if (fk.rows[i].key.repetition != rep || fk.rows[i].status != st)
		fail_msg("row %u: repetition %d status %d (%s), expected %d %d", i,
			 fk.rows[i].key.repetition, fk.rows[i].status, fk.rows[i].reason, rep, st);
}

/* cell_run of p returns ret, having called the workload in the order log */
static void expect_run(const struct cell_plan *p, int ret, const char *log)
{
	assert_int_equal(cell_run(p, &ctx, &hooks), ret);
	assert_string_equal(fk.log, log);
}

static void test_order_warmup_repetitions(void **state)
{
	struct cell_plan p = plan_of(5, 2, 3);

	expect_run(&p, 0, "SR-1R0R1R2T");
	assert_int_equal(fk.nr_rows, 4);
	assert_int_equal(cell_plan_rows(&p), 4);
	assert_row(0, -1, CELL_OK);
	assert_int_equal(fk.rows[0].key.iterations, 5);	/* -w N: one repetition of N passes */
	assert_row(3, 2, CELL_OK);
	assert_int_equal(fk.rows[3].key.iterations, 2);
	assert_string_equal(fk.rows[3].key.backend, "fake");
	assert_true(isnan(fk.rows[1].retry));
}

static void test_no_warmup(void **state)
{
	struct cell_plan p = plan_of(0, 1, 2);

	expect_run(&p, 0, "SR0R1T");
	assert_int_equal(cell_plan_rows(&p), 2);
	assert_row(0, 0, CELL_OK);
}

static void test_failed_repetition_stops(void **state)
{
	struct cell_plan p = plan_of(1, 1, 3);

	fk.fail_rep = 0;
	expect_run(&p, 0, "SR-1R0T");
	assert_int_equal(fk.nr_rows, 2);
	assert_row(1, 0, CELL_ERROR);
	assert_string_equal(fk.rows[1].reason, "fake failure");
}

/* a repetition that failed without a status, or whose kernel log shows a splat */
static void test_error_reasons(void **state)
{
	struct cell_plan p = plan_of(0, 1, 3);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		reset(state);
		if (i)
			fk.splat_rep = 1;
		else
			fk.errno_rep = 1;
		expect_run(&p, 0, "SR0R1T");
		assert_row(1, 1, CELL_ERROR);
		assert_string_equal(fk.rows[1].reason, i ? "kernel log splat during the cell: BUG: fake splat" :
							strerror(EIO));
	}
}

static void test_setup_skip_and_error(void **state)
{
	struct cell_plan p = plan_of(1, 1, 3);

	fk.setup_ret[0] = -EOPNOTSUPP;
	assert_int_equal(cell_run(&p, &ctx, &hooks), 0);
	/* a failed setup cleaned up after itself: no run, no teardown */
	assert_string_equal(fk.log, "S");
	assert_int_equal(fk.nr_rows, 1);
	assert_row(0, -1, CELL_SKIPPED);
	assert_string_equal(fk.rows[0].reason, "fake setup says no");

	reset(state);
	fk.setup_ret[0] = -EINVAL;
	assert_int_equal(cell_run(&p, &ctx, &hooks), 0);
	assert_row(0, -1, CELL_ERROR);
	assert_string_equal(fk.rows[0].reason, "setup: fake setup says no");
	assert_int_equal(fk.teardowns, 0);
}

static void test_platform_retry(void **state)
{
	struct cell_plan p = plan_of(1, 1, 3);

	fk.lose_rep[0] = 0;
	assert_int_equal(cell_run(&p, &ctx, &hooks), 0);
	/* a fresh VM for the same repetition, then the rest */
	assert_string_equal(fk.log, "SR-1R0TSR0R1R2T");
	assert_int_equal(fk.nr_rows, 4);
	assert_row(1, 0, CELL_OK);
	assert_true(fk.rows[1].retry == 1);
	assert_non_null(strstr(fk.rows[1].reason, "ok after one retry; first attempt: vCPU 0 lost its state"));
	assert_true(isnan(fk.rows[2].retry));
	assert_int_equal(fk.setups, fk.teardowns);
}

/*
 * Once per repetition: rep 0 loses its state on the first VM only (ok on
 * the retry), rep 1 on every VM: retried once too, then it fails, marked,
 * and the cell stops.
 */
static void test_platform_retry_once_per_repetition(void **state)
{
	struct cell_plan p = plan_of(0, 1, 3);

	fk.lose_rep[0] = 0;
	fk.lose_rep[1] = 1;
	expect_run(&p, 0, "SR0TSR0R1TSR1T");
	assert_row(0, 0, CELL_OK);
	assert_true(fk.rows[0].retry == 1);
	assert_row(1, 1, CELL_ERROR);
	assert_true(fk.rows[1].retry == 1);
	assert_non_null(strstr(fk.rows[1].reason, "on the retry after a platform fault; first attempt: vCPU 0 lost its state"));
	assert_int_equal(fk.nr_rows, 2);
	assert_int_equal(fk.setups, fk.teardowns);
}

static void test_platform_retry_setup_fails(void **state)
{
	struct cell_plan p = plan_of(0, 1, 3);

	fk.lose_rep[0] = 0;
	fk.setup_ret[1] = -ENOMEM;
	assert_int_equal(cell_run(&p, &ctx, &hooks), 0);
	/* the first VM torn down once, the second never made */
	assert_string_equal(fk.log, "SR0TS");
	assert_int_equal(fk.nr_rows, 1);
	assert_row(0, 0, CELL_ERROR);
	assert_non_null(strstr(fk.rows[0].reason, "setup for the retry after a platform fault"));
}

static void test_interrupted(void **state)
{
	struct cell_plan p = plan_of(1, 1, 3);

	fk.interrupt_rep = 0;
	expect_run(&p, -EINTR, "SR-1R0T");
	assert_row(1, 0, CELL_INTERRUPTED);

	/* the external stop: this repetition kept, no next one */
	reset(state);
	fk.stop_rep = -1;
	expect_run(&p, -EINTR, "SR-1T");
	assert_row(0, -1, CELL_OK);
}

static void test_emit_failure_stops(void **state)
{
	struct cell_plan p = plan_of(0, 1, 3);

	fk.emit_ret = -ENOSPC;
	expect_run(&p, -EINTR, "SR0T");
}

static void test_wedged_no_teardown(void **state)
{
	struct cell_plan p = plan_of(0, 1, 3);

	fk.wedge_rep = 0;
	expect_run(&p, -EDEADLK, "SR0");
	assert_row(0, 0, CELL_TIMEOUT);
	/* the stuck threads' VM is left alone; release it for check_released */
	fake_teardown(&ctx);
}

/* -t is per cell: later repetitions get what is left, none once it is spent */
static void test_cell_deadline(void **state)
{
	struct cell_plan p = plan_of(0, 1, 5);

	p.timeout_ns = 400 * MS;
	fk.sleep_ns = 250 * MS;
	expect_run(&p, 0, "SR0R1T");
	assert_true(fk.timeout_seen[0] > 300 * MS && fk.timeout_seen[0] <= 400 * MS);
	assert_true(fk.timeout_seen[1] > 0 && fk.timeout_seen[1] <= 150 * MS);
	assert_int_equal(fk.nr_rows, 3);
	assert_row(1, 1, CELL_OK);
	assert_row(2, 2, CELL_TIMEOUT);
	assert_non_null(strstr(fk.rows[2].reason, "cell exceeded --timeout ("));
}

/* outside cell_run (the workload tests call run directly): -t per call */
static void test_no_deadline_outside_cell_run(void **state)
{
	struct cell_plan p = plan_of(0, 1, 1);

	cfg.timeout_ns = 7 * MS;
	assert_int_equal(wlc_timeout_ns(&ctx), 7 * MS);
	assert_int_equal(cell_run(&p, &ctx, &hooks), 0);
	assert_int_equal(ctx.deadline_ns, 0);
	assert_int_equal(fk.timeout_seen[0], 7 * MS);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, reset, check_released)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_order_warmup_repetitions),
		T(test_no_warmup),
		T(test_failed_repetition_stops),
		T(test_error_reasons),
		T(test_setup_skip_and_error),
		T(test_platform_retry),
		T(test_platform_retry_once_per_repetition),
		T(test_platform_retry_setup_fails),
		T(test_interrupted),
		T(test_emit_failure_stops),
		T(test_wedged_no_teardown),
		T(test_cell_deadline),
		T(test_no_deadline_outside_cell_run),
	};

	return cmocka_run_group_tests_name("runner", tests, NULL, NULL);
}
