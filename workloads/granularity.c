// SPDX-License-Identifier: GPL-2.0
/*
 * granularity: conversion cost by conversion size.
 *
 * Each vCPU owns a region and walks it in chunks of G bytes: convert the
 * chunk to private, touch it, convert it to shared, touch it.
 *
 *  --driver guest: the guest asks for every conversion (KVM_HC_MAP_GPA_RANGE
 *    or the port-I/O fallback), the vCPU thread converts and resumes it, as
 *    a VMM's vCPU thread does. Adds the exit round trip and lets us time the
 *    guest's touches after each conversion (refault cost).
 *  --driver host: one harness thread per vCPU converts that vCPU's region
 *    while the vCPU keeps touching it: the conversion ioctl latency without
 *    the exit, under concurrent guest faults. On hosts that emulate guest
 *    instructions this is the representative number.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

enum {
	MET_EXIT_ROUNDTRIP_NS = NR_CORE_METRICS,
	MET_TOUCH_PRIVATE_NS,
	MET_TOUCH_SHARED_NS,
	MET_HOST_TOUCH_NS,
};

static const struct metric_decl gran_metrics[] = {
	[MET_EXIT_ROUNDTRIP_NS - NR_CORE_METRICS] = {
		"exit_roundtrip_ns", "a null guest request: KVM_RUN entry to its exit",
		MET_F_ROUNDTRIP },
	[MET_TOUCH_PRIVATE_NS - NR_CORE_METRICS] = {
		"touch_private_ns", "guest touching a chunk just converted to private" },
	[MET_TOUCH_SHARED_NS - NR_CORE_METRICS] = {
		"touch_shared_ns", "guest touching a chunk just converted to shared" },
	[MET_HOST_TOUCH_NS - NR_CORE_METRICS] = {
		"host_touch_ns", "the harness writing every page of a chunk before converting it" },
	{ NULL },
};

static const struct wl_option gran_options[] = {
	{ .name = "nops", .type = WL_OPT_UINT, .def = "64", .min = 1, .max = 100000,
	  .help = "null requests per repetition to time the exit round trip (guest driver)" },
	WLC_OPT_PATTERN,
	{ .name = "host_touch", .type = WL_OPT_UINT, .def = "1", .min = 0, .max = 1,
	  .help = "host driver: the harness writes every page of a chunk before converting it to private (shared memory in use, as device emulation leaves it)" },
	{ .name = NULL },
};

struct gran_run {
	struct wl_ctx *c;
	unsigned int passes;		/* UINT_MAX in fixed-duration mode */
	uint64_t deadline_ns;		/* fixed-duration mode: stop converting */
	unsigned int nops;
	uint8_t pattern;
	bool host_touch;
	struct wlc_threads t;		/* per-thread parts, first error */
	int remaining;			/* host driver: converters still running */
};

/* run one guest command to completion, timing each null request */
static int guest_nops(struct gran_run *gr, struct session *s, unsigned int idx,
		      struct cell_result *p)
{
	struct vcpu *v = &s->vcpus[idx];
	uint64_t region = session_region_gpa(s, idx);
	struct guest_req req;
	char why[512];
	bool first = true;
	int r;

	r = wlc_guest_start(v, GUEST_CMD_NOP_REQUESTS, region, GMB_PAGE_SIZE,
			    GMB_PAGE_SIZE, gr->nops, 0, s->channel);
	if (r)
		return r;
	for (;;) {
		r = vcpu_next_request(v, &req, why, sizeof(why));
		if (r) {
			if (r != -EINTR)
				wlc_set_why(&gr->t, "calibration: %s", why);
			return r;
		}
		if (req.op == REQ_DONE)
			return 0;
		if (req.op != REQ_NOP) {
			wlc_set_why(&gr->t, "calibration: unexpected request op %d", req.op);
			return -EPROTO;
		}
		/* the first run includes vCPU entry and mailbox setup */
		if (!first)
			cell_record(p, MET_EXIT_ROUNDTRIP_NS, req.run_ns);
		first = false;
		vcpu_complete_request(v, &req, 0);
	}
}

static int guest_driver_thread(struct session *s, unsigned int idx, void *arg)
{
	struct gran_run *gr = arg;
	struct wl_ctx *c = gr->c;
	struct cell_result *p = &gr->t.parts[idx];
	struct vcpu *v = &s->vcpus[idx];
	uint64_t lo = session_region_gpa(s, idx), hi = lo + s->region_bytes;
	struct guest_req req;
	char why[512];
	uint64_t t_start;
	bool first = true;
	int r;

	r = guest_nops(gr, s, idx, p);
	if (r)
		return r;
	r = wlc_guest_start(v, GUEST_CMD_CONVERT_LOOP, lo, s->region_bytes,
			    c->gran_bytes, gr->passes, gr->pattern, s->channel);
	if (r)
		return r;
	t_start = now_ns();
	for (;;) {
		bool to_private;

		r = vcpu_next_request(v, &req, why, sizeof(why));
		if (r) {
			if (r != -EINTR)
				wlc_set_why(&gr->t, "%s", why);
			break;
		}
		/* the guest time since the last resume is the previous touch */
		if (req.op == REQ_TO_SHARED)
			cell_record(p, MET_TOUCH_PRIVATE_NS, req.run_ns);
		else if (!first)
			cell_record(p, MET_TOUCH_SHARED_NS, req.run_ns);
		first = false;
		if (req.op == REQ_DONE)
			break;
		if ((req.op != REQ_TO_PRIVATE && req.op != REQ_TO_SHARED) ||
		    req.gpa < lo || req.gpa + req.bytes > hi || !req.bytes) {
			wlc_set_why(&gr->t, "guest request outside its region or bad op (%s)",
				req.via_hypercall ? "hypercall" : "pio");
			r = -EPROTO;
			break;
		}
		to_private = req.op == REQ_TO_PRIVATE;
		/* fixed duration: the guest stops after the current chunk */
		if (gr->deadline_ns && now_ns() >= gr->deadline_ns)
			mb_set_stop(v->mailbox);
		r = wlc_convert(&gr->t, s, &s->mem, p, req.gpa, req.bytes, to_private);
		if (r)
			break;
		vcpu_complete_request(v, &req, 0);
	}
	p->ctr.wall_ns = now_ns() - t_start;
	p->ctr.guest_pages_touched =
		mb_passes(v->mailbox) * (s->region_bytes / GMB_PAGE_SIZE) * 2;
	return r;
}

/* host driver, vCPU side: touch the region until told to stop */
static int host_driver_vcpu(struct gran_run *gr, struct session *s, unsigned int idx)
{
	struct vcpu *v = &s->vcpus[idx];
	struct guest_req req;
	int r;

	/* the mailbox was set up before the threads started (gran_run): a
	 * converter that finishes first must not have its MB_STOP wiped */
	r = vcpu_reset_regs(v);
	if (r)
		return r;
	r = wlc_guest_done(&gr->t, v, &req, "touch loop");
	gr->t.parts[idx].ctr.guest_pages_touched =
		mb_passes(v->mailbox) * (s->region_bytes / GMB_PAGE_SIZE);
	return r;
}

/* write every page of a shared chunk through the host mapping */
static void host_touch_chunk(struct gran_run *gr, struct session *s,
			     struct cell_result *p, uint64_t gpa, uint64_t bytes)
{
	volatile uint8_t *hva = session_data_hva(s, gpa);
	uint64_t off, t0 = now_ns();

	if (!hva)
		return;
	for (off = 0; off < bytes; off += GMB_PAGE_SIZE)
		hva[off] = gr->pattern;
	cell_record(p, MET_HOST_TOUCH_NS, now_ns() - t0);
}

/* host driver, harness side: convert vCPU j's region chunk by chunk */
static int host_driver_converter(struct gran_run *gr, struct session *s, unsigned int j)
{
	struct wl_ctx *c = gr->c;
	struct cell_result *p = &gr->t.parts[s->nr_vcpus + j];
	uint64_t lo = session_region_gpa(s, j), gpa, t_start = now_ns();
	unsigned int pass;
	int r = 0;

	bool expired = false;

	for (pass = 0; pass < gr->passes && !r && !expired; pass++) {
		for (gpa = lo; gpa < lo + s->region_bytes && !r; gpa += c->gran_bytes) {
			if (gr->deadline_ns && now_ns() >= gr->deadline_ns) {
				expired = true;
				break;
			}
			int dir;

			/* shared memory in use is what gets converted to private */
			if (gr->host_touch)
				host_touch_chunk(gr, s, p, gpa, c->gran_bytes);
			for (dir = 0; dir < 2 && !r; dir++) {
				if (wlc_should_stop(&gr->t, s)) {
					r = -EINTR;
					break;
				}
				r = wlc_convert(&gr->t, s, &s->mem, p, gpa, c->gran_bytes,
						dir == 0);
			}
		}
	}
	p->ctr.wall_ns = now_ns() - t_start;
	wlc_converter_done(s, &gr->remaining, r);
	return r;
}

static int host_driver_thread(struct session *s, unsigned int idx, void *arg)
{
	struct gran_run *gr = arg;

	if (idx < s->nr_vcpus)
		return host_driver_vcpu(gr, s, idx);
	return host_driver_converter(gr, s, idx - s->nr_vcpus);
}

static int gran_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	bool guest = c->driver == DRIVER_GUEST;

	/* host driver: converters race the touch loop by design */
	return wlc_session_create(c, guest ? c->channel->channel : CHANNEL_PIO,
				  guest ? MF_POLICY_ERROR : MF_POLICY_REENTER, why, whylen);
}

static int gran_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct session *s = &c->sess;
	unsigned int nr_threads = s->nr_vcpus * (c->driver == DRIVER_HOST ? 2 : 1);
	struct gran_run gr = {
		.c = c,
		.passes = wlc_passes(c, repetition),
		.nops = (unsigned int)wlc_opt_u64(c, "nops"),
		.pattern = (uint8_t)wlc_opt_u64(c, "pattern"),
		.remaining = (int)s->nr_vcpus,
		.host_touch = wlc_opt_u64(c, "host_touch") != 0,
	};
	unsigned int i;
	int ret;

	ret = wlc_threads_init(&gr.t, c, nr_threads);
	if (ret)
		return ret;
	if (repetition >= 0 && c->cfg->duration_ns)
		gr.deadline_ns = now_ns() + c->cfg->duration_ns;
	if (c->driver == DRIVER_HOST)
		for (i = 0; i < s->nr_vcpus; i++)
			vcpu_mailbox_setup(&s->vcpus[i], GUEST_CMD_TOUCH_LOOP,
					   session_region_gpa(s, i), s->region_bytes,
					   GMB_PAGE_SIZE, 1, gr.pattern, CHANNEL_PIO);
	return wlc_threads_run(&gr.t, c->driver == DRIVER_HOST ? host_driver_thread :
				      guest_driver_thread, &gr, r);
}

WL_DEFINE(granularity, gran, .axes = WL_AXIS_BACKEND | WL_AXIS_DRIVER | WL_AXIS_GRAN,
	  .needs = WL_CAN_DURATION, .metrics = gran_metrics, .teardown = wlc_teardown,
	  .summary = "convert chunks of G bytes private<->shared and touch them, swept over G");
