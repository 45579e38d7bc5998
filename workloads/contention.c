// SPDX-License-Identifier: GPL-2.0
/*
 * contention: N harness threads converting at the same time.
 *
 * Every converter thread owns a range of --region bytes (weak scaling: the
 * work per thread is constant, so conversions_per_s against N shows how
 * far the conversion path scales) and walks it in chunks of G bytes, each
 * chunk to private then back to shared, --iterations passes.
 *
 * The variant item (-O mode=...) says where the ranges are and whether the
 * guest faults at the same time; one cell per item:
 *
 *   shared_gmem     disjoint ranges of ONE guest_memfd (the session's data
 *                   slot): thread t gets vCPU (t mod V)'s region, slice
 *                   t div V (the session's regions are sized ceil(N/V) x
 *                   --region so that N may exceed V). Hole punches and
 *                   attribute updates of one file serialize on its
 *                   invalidate lock even for disjoint ranges.
 *   separate_gmem   one guest_memfd per thread, each on its own memslot
 *                   (slots 2.., above the session's data region).
 *   overlap         every thread converts the SAME range (vCPU 0's region),
 *                   in the same order: the worst case.
 *   <mode>+faults   the same while every vCPU runs TOUCH_LOOP (one write per
 *                   page, refaulting whatever a conversion took away):
 *                   shared_gmem: vCPU i touches its own region, i.e. the
 *                   ranges threads i, i+V, ... convert; overlap: every vCPU
 *                   touches the common range; separate_gmem: vCPU i touches
 *                   its session region, which nobody converts (the extra
 *                   slots lie outside the guest page tables' guarantee), so
 *                   it measures the VM-wide cost of faults elsewhere.
 *
 * Scaling with N: -O threads=N (default: one per vCPU) is a single value,
 * run once per N. The cell key has no thread column, so the threads_count
 * counter records N; with the default, -v 1, -v 2, ... give a series that
 * is also told apart by the key's vcpus column. A list in -O threads would
 * need a second variant axis the runner does not have.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

enum cont_mode {
	CONT_SHARED_GMEM,
	CONT_SEPARATE_GMEM,
	CONT_OVERLAP,
	NR_CONT_MODES,
};

#define CONT_FAULTS_SUFFIX	"+faults"

static const char *const cont_mode_names[] = {
	"shared_gmem", "separate_gmem", "overlap",
};

static const char *const cont_variants[] = {
	"shared_gmem", "shared_gmem+faults",
	"separate_gmem", "separate_gmem+faults",
	"overlap", "overlap+faults",
	NULL,
};

enum {
	MET_HOST_TOUCH_NS = NR_CORE_METRICS,
};

static const struct metric_decl cont_metrics[] = {
	[MET_HOST_TOUCH_NS - NR_CORE_METRICS] = {
		"host_touch_ns", "the harness writing every page of a chunk before converting it" },
	{ NULL },
};

static const struct wl_option cont_options[] = {
	{ .name = "mode", .type = WL_OPT_CHOICE,
	  .def = "shared_gmem,shared_gmem+faults,separate_gmem,separate_gmem+faults,overlap,overlap+faults",
	  .choices = cont_variants,
	  .help = "where the threads' ranges are; +faults: vCPUs touch memory meanwhile (comma list: one cell each)" },
	{ .name = "threads", .type = WL_OPT_UINT, .def = "0", .min = 0, .max = 2 * GMB_MAX_VCPUS,
	  .max_of = WL_BOUND_VCPUS, .max_mult = 2,
	  .help = "converter threads, 1..2 x vcpus (0 = one per vCPU)" },
	{ .name = "host_touch", .type = WL_OPT_UINT, .def = "1", .min = 0, .max = 1,
	  .help = "write every page of a chunk through the host mapping before converting it to private (untimed: host_touch_ns); with 0 the conversions meet never-populated memory and measure only the lock and bookkeeping" },
	{ .name = "pattern", .type = WL_OPT_UINT, .def = "165", .min = 0, .max = 255,
	  .help = "byte value the guest writes on every touch (+faults)" },
	{ .name = NULL },
};

struct cont_state {
	enum cont_mode mode;
	bool faults;
	unsigned int nr_conv;		/* converter threads */
	uint64_t range_bytes;		/* per converter */
	struct conv_mem *extra;		/* separate_gmem: one per converter */
	unsigned int nr_extra;
};

struct cont_run {
	struct wlc_threads t;
	struct cont_state *st;
	unsigned int passes;
	bool host_touch;
	int remaining;			/* converters still running */
};

static int cont_parse(const char *v, enum cont_mode *mode, bool *faults)
{
	size_t n, sl = strlen(CONT_FAULTS_SUFFIX);
	unsigned int i;

	if (!v)
		return -EINVAL;
	n = strlen(v);
	*faults = n > sl && !strcmp(v + n - sl, CONT_FAULTS_SUFFIX);
	if (*faults)
		n -= sl;
	for (i = 0; i < NR_CONT_MODES; i++)
		if (strlen(cont_mode_names[i]) == n && !strncmp(v, cont_mode_names[i], n)) {
			*mode = (enum cont_mode)i;
			return 0;
		}
	return -EINVAL;
}

/* the memory and first GPA converter k works on */
static struct conv_mem *cont_range(struct cont_state *st, struct session *s,
				   unsigned int k, uint64_t *gpa)
{
	switch (st->mode) {
	case CONT_SHARED_GMEM:
		*gpa = session_region_gpa(s, k % s->nr_vcpus) +
		       (uint64_t)(k / s->nr_vcpus) * st->range_bytes;
		return &s->mem;
	case CONT_SEPARATE_GMEM:
		*gpa = st->extra[k].gpa;
		return &st->extra[k];
	default:
		*gpa = session_region_gpa(s, 0);
		return &s->mem;
	}
}

/* what vCPU i touches under +faults */
static void cont_touch_range(struct cont_state *st, struct session *s, unsigned int i,
			     uint64_t *gpa, uint64_t *bytes)
{
	if (st->mode == CONT_OVERLAP) {
		*gpa = session_region_gpa(s, 0);
		*bytes = st->range_bytes;
	} else {
		*gpa = session_region_gpa(s, i);
		*bytes = s->region_bytes;
	}
}

/* vCPU i: touch its range until the last converter is done */
static int cont_vcpu(struct cont_run *cr, struct session *s, unsigned int i)
{
	struct vcpu *v = &s->vcpus[i];
	uint64_t gpa, bytes;
	struct guest_req req;
	int r;

	if (!cr->st->faults)
		return 0;
	r = wlc_guest_done(&cr->t, v, &req, "touch loop");
	cont_touch_range(cr->st, s, i, &gpa, &bytes);
	cr->t.parts[i].ctr.guest_pages_touched =
		mb_passes(v->mailbox) * (bytes / GMB_PAGE_SIZE);
	if (r)
		session_stop_guests(s);
	return r;
}

static void cont_host_touch(struct conv_mem *m, struct cell_result *p,
			    uint64_t gpa, uint64_t bytes)
{
	volatile uint8_t *hva = wlc_mem_hva(m, gpa);
	uint64_t off, t0 = now_ns();

	if (!hva)
		return;
	for (off = 0; off < bytes; off += GMB_PAGE_SIZE)
		hva[off] = 0x5a;
	cell_record(p, MET_HOST_TOUCH_NS, now_ns() - t0);
}

/* converter k: its range, chunk by chunk, private then shared */
static int cont_converter(struct cont_run *cr, struct session *s, unsigned int k)
{
	struct cont_state *st = cr->st;
	struct wl_ctx *c = cr->t.c;
	struct cell_result *p = &cr->t.parts[s->nr_vcpus + k];
	uint64_t gran = c->gran_bytes, lo, gpa, expect, t_start = now_ns();
	struct conv_mem *m = cont_range(st, s, k, &lo);
	unsigned int pass;
	int r = 0;

	for (pass = 0; pass < cr->passes && !r; pass++) {
		for (gpa = lo; gpa < lo + st->range_bytes && !r; gpa += gran) {
			if (session_aborted(s)) {
				r = -EINTR;
				break;
			}
			if (cr->host_touch)
				cont_host_touch(m, p, gpa, gran);
			r = wlc_convert(&cr->t, s, m, p, gpa, gran, true);
			if (!r)
				r = wlc_convert(&cr->t, s, m, p, gpa, gran, false);
		}
	}
	p->ctr.wall_ns = now_ns() - t_start;
	expect = (uint64_t)cr->passes * (st->range_bytes / gran) * 2;
	if (!r && p->ctr.conversions == expect)
		cell_extra_add(p, "threads_done_count", 1);
	wlc_converter_done(s, &cr->remaining, r);
	return r;
}

static int cont_thread(struct session *s, unsigned int idx, void *arg)
{
	struct cont_run *cr = arg;

	if (idx < s->nr_vcpus)
		return cont_vcpu(cr, s, idx);
	return cont_converter(cr, s, idx - s->nr_vcpus);
}

/* the extra memslots, then the session and the state (wlc_teardown) */
static void cont_teardown(struct wl_ctx *c)
{
	struct cont_state *st = c->priv;
	unsigned int i;

	for (i = 0; st && i < st->nr_extra; i++)
		wlc_extra_mem_destroy(&c->sess, &st->extra[i]);
	if (st)
		free(st->extra);
	wlc_teardown(c);
}

static int cont_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	const struct run_cfg *cfg = c->cfg;
	struct session_cfg sc;
	struct cont_state *st;
	uint64_t threads;
	unsigned int i;
	int r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	if (cont_parse(c->variant, &st->mode, &st->faults)) {
		snprintf(why, whylen, "unknown contention mode '%s'", c->variant ? c->variant : "(null)");
		free(st);
		return -EINVAL;
	}
	threads = wlc_opt_u64(c, "threads");
	if (!threads)
		threads = cfg->vcpus;
	st->nr_conv = (unsigned int)threads;
	wlc_session_cfg(c, CHANNEL_PIO, MF_POLICY_REENTER, &sc);
	st->range_bytes = cfg->region_bytes;
	/* one guest_memfd, one disjoint slice per thread: room for all of them */
	if (st->mode == CONT_SHARED_GMEM)
		sc.region_bytes *= (threads + cfg->vcpus - 1) / cfg->vcpus;
	r = session_create(&c->sess, c->sys, &sc, why, whylen);
	if (r) {
		free(st);
		return r;
	}
	c->priv = st;
	if (st->mode == CONT_SEPARATE_GMEM) {
		st->extra = calloc(st->nr_conv, sizeof(*st->extra));
		if (!st->extra) {
			cont_teardown(c);
			return -ENOMEM;
		}
		for (i = 0; i < st->nr_conv; i++) {
			r = wlc_extra_mem_create(&c->sess, i, st->range_bytes,
						 &st->extra[i], why, whylen);
			st->nr_extra++;
			if (r) {
				cont_teardown(c);
				return r;
			}
		}
	}
	return 0;
}

static int cont_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct cont_state *st = c->priv;
	struct session *s = &c->sess;
	struct cont_run cr = {
		.st = st,
		.passes = wlc_passes(c, repetition),
		.host_touch = wlc_opt_u64(c, "host_touch") != 0,
		.remaining = (int)st->nr_conv,
	};
	uint8_t pattern = (uint8_t)wlc_opt_u64(c, "pattern");
	unsigned int i;
	int ret;

	/*
	 * Mailboxes are armed before any thread starts, so that a converter
	 * finishing first cannot have its stop request cleared by a late setup.
	 */
	for (i = 0; st->faults && i < s->nr_vcpus; i++) {
		uint64_t gpa, bytes;

		cont_touch_range(st, s, i, &gpa, &bytes);
		ret = wlc_guest_start(&s->vcpus[i], GUEST_CMD_TOUCH_LOOP, gpa, bytes,
				      GMB_PAGE_SIZE, 1, pattern, CHANNEL_PIO);
		if (ret) {
			cell_set_status(r, CELL_ERROR, "vCPU %u registers: %s", i, strerror(-ret));
			return ret;
		}
	}
	ret = wlc_threads_init(&cr.t, c, s->nr_vcpus + st->nr_conv);
	if (ret)
		return ret;
	ret = wlc_threads_run(&cr.t, cont_thread, &cr, r);
	cell_extra_set(r, "threads_count", st->nr_conv);
	if (isnan(cell_extra_get(r, "threads_done_count")))
		cell_extra_set(r, "threads_done_count", 0);
	return ret;
}

WL_DEFINE(contention, cont, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .variant_opt = "mode", .metrics = cont_metrics, .teardown = cont_teardown,
	  .summary = "N threads converting disjoint ranges of one guest_memfd, separate guest_memfds or one overlapping range, with or without guest faults");
