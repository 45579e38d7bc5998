// SPDX-License-Identifier: GPL-2.0
/*
 * One cell: setup, warm-up, repetitions, the platform-fault retry, the
 * per-cell timeout, teardown. Rows leave through hooks, so nothing here
 * knows about sinks, signals or the matrix (bench/runner.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench/cell_run.h"
#include "bench/cmd.h"
#include "harness/clock.h"
#include "harness/session.h"

/* how one repetition ended, for the loop in cell_run */
enum rep_end {
	REP_NEXT,		/* emitted: go on if it was ok */
	REP_NO_VM,		/* the retry's setup failed: emitted, nothing to tear down */
};

void cell_plan_key(const struct cell_plan *p, struct cell_key *k, int rep)
{
	*k = p->key;
	k->repetition = rep;
	k->iterations = rep < 0 ? p->warmup : p->iterations;
}

static int emit(const struct cell_hooks *h, const struct cell_result *r)
{
	return h->emit ? h->emit(h->arg, r) : 0;
}

static void progress(const struct cell_hooks *h, const struct cell_key *k)
{
	if (h->progress)
		h->progress(h->arg, k);
}

/* 0, or the setup's -errno after its row was emitted */
static int cell_setup(const struct cell_plan *p, struct wl_ctx *c,
		      const struct cell_hooks *h, int *emit_ret)
{
	struct cell_result res;
	struct cell_key key;
	char why[512] = "";
	int r;

	cell_plan_key(p, &key, p->warmup ? -1 : 0);
	progress(h, &key);
	/* a cell that cannot exist is skipped before any VM is made */
	r = p->wl->cell_check ? p->wl->cell_check(c, why, sizeof(why)) : 0;
	if (!r)
		r = p->wl->setup(c, why, sizeof(why));
	if (!r)
		return 0;
	cell_result_init(&res, &key, p->wl->metrics);
	if (r == -EOPNOTSUPP)
		cell_set_status(&res, CELL_SKIPPED, "%s", why);
	else
		cell_set_status(&res, CELL_ERROR, "setup: %s", why[0] ? why : strerror(-r));
	*emit_ret = emit(h, &res);
	cell_result_free(&res);
	return r;
}

/* the repetition itself: run, a returned error without a status made one */
static void run_once(const struct cell_plan *p, struct wl_ctx *c,
		     struct cell_result *res, int rep)
{
	int r = p->wl->run(c, res, rep);

	if (r && res->status == CELL_OK)
		cell_set_status(res, CELL_ERROR, "%s", strerror(-r));
	cell_result_check(res);
}

/*
 * A repetition failed because a vCPU lost its state to the platform
 * (QEMU's multi-threaded TCG wrote the host's state into the guest's
 * VMCB: README, known issues; lab/repro/svm_state_loss.c; the lab now
 * avoids it with one TCG thread, other platforms may not). Once per
 * repetition (the defect strikes at random, so a long cell may meet it
 * in more than one repetition; a repetition that loses its state twice
 * fails): a fresh VM, the repetition again, marked with platform_retry_count=1 and
 * the first attempt's reason. REP_NO_VM when the new VM cannot be set up
 * (res then says so).
 */
static enum rep_end retry_lost_state(const struct cell_plan *p, struct wl_ctx *c,
				     struct cell_result *res, int rep)
{
	char first[400], again[RESULT_REASON_LEN], why[512] = "";
	struct cell_key key = res->key;
	int r;

	snprintf(first, sizeof(first), "%s", res->reason);
	gmb_err("note: %s %s rep %d: a vCPU lost its state to the platform (README, known issues); retrying once on a fresh VM",
		key.backend, key.driver, rep);
	cell_result_free(res);
	p->wl->teardown(c);
	r = p->wl->setup(c, why, sizeof(why));
	cell_result_init(res, &key, p->wl->metrics);
	if (r) {
		cell_set_status(res, CELL_ERROR, "setup for the retry after a platform fault: %s; first attempt: %s",
				why[0] ? why : strerror(-r), first);
		return REP_NO_VM;
	}
	run_once(p, c, res, rep);
	cell_extra_set(res, "platform_retry_count", 1);
	if (res->status == CELL_OK) {
		cell_set_status(res, CELL_OK, "ok after one retry; first attempt: %s", first);
	} else {
		snprintf(again, sizeof(again), "%s", res->reason);
		cell_set_status(res, res->status, "%s (on the retry after a platform fault; first attempt: %s)",
				again, first);
	}
	return REP_NEXT;
}

/* one repetition into res (initialised here), retried at most once */
static enum rep_end cell_rep(const struct cell_plan *p, struct wl_ctx *c,
			     const struct cell_hooks *h, int rep,
			     struct cell_result *res)
{
	enum rep_end end = REP_NEXT;
	struct cell_key key;
	char why[512];

	cell_plan_key(p, &key, rep);
	progress(h, &key);
	cell_result_init(res, &key, p->wl->metrics);
	if (c->deadline_ns && now_ns() >= c->deadline_ns) {
		cell_set_status(res, CELL_TIMEOUT, "cell exceeded --timeout (%.0f s) before repetition %d",
				p->timeout_ns / 1e9, rep);
		return REP_NEXT;
	}
	run_once(p, c, res, rep);
	if (res->status != CELL_OK && res->status != CELL_INTERRUPTED &&
	    !c->sess.wedged && session_state_lost(&c->sess)) {
		end = retry_lost_state(p, c, res, rep);
	}
	if (end == REP_NEXT && h->splat && h->splat(h->arg, why, sizeof(why)) > 0)
		cell_set_status(res, CELL_ERROR, "kernel log splat during the cell: %s", why);
	return end;
}

int cell_run(const struct cell_plan *p, struct wl_ctx *c, const struct cell_hooks *h)
{
	int rep, emit_ret = 0, ret = 0;

	c->deadline_ns = p->timeout_ns ? now_ns() + p->timeout_ns : 0;
	if (cell_setup(p, c, h, &emit_ret))
		return emit_ret || (p->stop && *p->stop) ? -EINTR : 0;
	for (rep = p->warmup ? -1 : 0; rep < (int)p->repetitions; rep++) {
		struct cell_result res;
		enum rep_end end = cell_rep(p, c, h, rep, &res);
		enum cell_status st = res.status;

		emit_ret = emit(h, &res);
		cell_result_free(&res);
		if (end == REP_NO_VM)
			return emit_ret || (p->stop && *p->stop) ? -EINTR : 0;
		/* its threads may still use the VM: no teardown, no next cell */
		if (c->sess.wedged)
			return -EDEADLK;
		if (st == CELL_INTERRUPTED || (p->stop && *p->stop) || emit_ret) {
			ret = -EINTR;
			break;
		}
		if (st != CELL_OK)
			break;	/* a failed repetition says nothing about the next */
	}
	p->wl->teardown(c);
	return ret;
}
