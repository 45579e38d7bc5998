/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle of one cell, apart from the matrix, the sinks and the
 * signal handling, so that it can be driven by the runner, by tests with a
 * fake workload, and by tests/test_leaks.c alike.
 */
#ifndef GMB_CELL_RUN_H
#define GMB_CELL_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/result.h"
#include "workloads/workload.h"

struct cell_plan {
	const struct workload *wl;
	/* the cell's key; repetition and iterations are set per repetition */
	struct cell_key key;
	unsigned int warmup;		/* passes of the warm-up repetition (-1); 0 = none */
	unsigned int iterations;	/* passes of every other repetition */
	unsigned int repetitions;
	uint64_t timeout_ns;		/* the whole cell, from setup on; 0 = none */
	volatile sig_atomic_t *stop;	/* set (SIGINT): no repetition after this one */
};

struct cell_hooks {
	/*
	 * One row: a repetition, or the whole cell when its setup failed or
	 * was skipped. Non-zero (the row could not be kept): no repetition
	 * after this one.
	 */
	int (*emit)(void *arg, const struct cell_result *r);
	/* optional: before the setup and before every repetition */
	void (*progress)(void *arg, const struct cell_key *k);
	/*
	 * optional: > 0 with why filled when the kernel log shows a splat since
	 * the last call; the repetition is then an error
	 */
	int (*splat)(void *arg, char *why, size_t whylen);
	void *arg;
};

/* the repetition's key: the plan's with repetition rep (-1 = warm-up) */
void cell_plan_key(const struct cell_plan *p, struct cell_key *k, int rep);

/* the rows a cell emits when all of it runs: the warm-up and the repetitions */
static inline unsigned int cell_plan_rows(const struct cell_plan *p)
{
	return p->repetitions + (p->warmup ? 1 : 0);
}

/*
 * Run one cell on c: set c->deadline_ns, the workload's cell_check, then
 * setup (-EOPNOTSUPP from either: a skipped row; another error: an error
 * row; teardown is not called, a failed setup cleans up after itself), the warm-up repetition (-1) when plan->warmup,
 * then the repetitions, each emitted. After a failed repetition the cell
 * stops: it says nothing about the next. A repetition that failed because
 * a vCPU lost its state to the platform (session_state_lost) runs once
 * more on a fresh VM (teardown, setup), marked platform_retry_count=1;
 * once per repetition.
 * Teardown once per successful setup.
 *
 * Returns 0; -EINTR when the run must stop (interrupted, *plan->stop, a
 * row could not be emitted); -EDEADLK when threads stayed stuck in the
 * kernel (c->sess.wedged): no teardown, c must stay allocated.
 */
int cell_run(const struct cell_plan *plan, struct wl_ctx *c, const struct cell_hooks *h);

#endif /* GMB_CELL_RUN_H */
