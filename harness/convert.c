// SPDX-License-Identifier: GPL-2.0
/*
 * The conversion core: the phases of a backend run and timed in one place.
 * Timestamps are chained (each one ends a phase and starts the next), so
 * the phases add up to the total exactly and no interval is counted twice
 * or lost between two clock reads.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/convert.h"

/* between two attribute attempts: in-place EAGAIN waits for a reference drop */
static void conv_backoff(const struct conv_policy *pol)
{
	if (pol->backoff_us)
		usleep(pol->backoff_us);
	else
		sched_yield();
}

/*
 * The attribute phase with its EAGAIN retries. *t is the clock at entry;
 * on return, the end of the last attempt.
 */
static int conv_attr_phase(const struct conv_backend *be, struct conv_mem *m,
			   uint64_t gpa, uint64_t bytes, bool to_private,
			   const struct conv_policy *pol, struct conv_result *res,
			   uint64_t *t)
{
	uint64_t t0 = *t, t1, t_first_eagain = 0;
	int r;

	for (;;) {
		r = be->set_attrs(m, gpa, bytes, to_private, &res->error_offset);
		t1 = now_ns();
		res->attr_ns += t1 - t0;
		if (r != -EAGAIN)
			break;
		res->eagain++;
		if (!t_first_eagain)
			t_first_eagain = t0;
		if (res->retries >= pol->max_retries)
			break;
		res->retries++;
		conv_backoff(pol);
		t0 = now_ns();
		res->retry_wait_ns += t0 - t1;
	}
	if (!r && t_first_eagain)
		res->retry_to_success_ns = t1 - t_first_eagain;
	*t = t1;
	return r;
}

int conv_convert(const struct conv_backend *be, struct conv_mem *m, uint64_t gpa,
		 uint64_t bytes, bool to_private, const struct conv_policy *pol,
		 struct conv_result *res)
{
	uint64_t t_start, t, t_punched;
	bool applied = false;
	int r = 0;

	memset(res, 0, sizeof(*res));
	res->error_offset = UINT64_MAX;
	/*
	 * In flight for the memory-fault handler and the reports until the
	 * punch is done too: a guest access in between may see either side.
	 */
	conv_attrs_begin(m, gpa, bytes, to_private);
	t_start = t = now_ns();
	if (be->set_attrs) {
		r = conv_attr_phase(be, m, gpa, bytes, to_private, pol, res, &t);
		applied = r == 0;
	}
	if (!r && be->punch) {
		r = be->punch(m, gpa, bytes, to_private);
		t_punched = now_ns();
		res->punch_ns = t_punched - t;
		t = t_punched;
	}
	res->total_ns = t - t_start;
	conv_attrs_end(m, gpa, bytes, to_private, applied);
	return r;
}
