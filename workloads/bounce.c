// SPDX-License-Identifier: GPL-2.0
/*
 * bounce: a swiotlb-like bounce window that is converted for every use.
 *
 * One harness thread per vCPU region (the vCPUs stay idle) owns a window of
 * G bytes at the start of its region; the window comes from the
 * granularity list (-g), so a sweep over window sizes is a sweep over the
 * matrix's granularity axis and lands in the granularity_bytes column.
 * The window starts private (converted once at setup, untimed). One round:
 *
 *   to_shared(window)                                   to_shared_ns
 *   memcpy copy bytes host buffer -> window, as a device's DMA write
 *                                                       copy_in_ns
 *   memcpy the window -> another host buffer, the read back
 *                                                       copy_out_ns
 *   to_private(window)                                  to_private_ns
 *
 * copy_ns = copy_in_ns + copy_out_ns, round_ns the whole round. The read
 * back is compared with the source outside the timed part
 * (verify_errors_count). One pass moves one region's worth of data
 * through the window: region / G rounds, --iterations passes. With the
 * discard backend every to_shared leaves the window empty, so copy_in_ns
 * includes allocating and zeroing fresh pages: the cost in-place
 * conversion removes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rng.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

enum {
	MET_ROUND_NS = NR_CORE_METRICS,
	MET_COPY_NS,
	MET_COPY_IN_NS,
	MET_COPY_OUT_NS,
};

static const struct metric_decl bounce_metrics[] = {
	[MET_ROUND_NS - NR_CORE_METRICS] = {
		"round_ns", "to_shared + copy + to_private of one round" },
	[MET_COPY_NS - NR_CORE_METRICS] = { "copy_ns", "copy_in_ns + copy_out_ns" },
	[MET_COPY_IN_NS - NR_CORE_METRICS] = {
		"copy_in_ns", "memcpy host buffer to the shared window" },
	[MET_COPY_OUT_NS - NR_CORE_METRICS] = {
		"copy_out_ns", "memcpy shared window to the host buffer" },
	{ NULL },
};

static const struct wl_option bounce_options[] = {
	{ .name = "copy", .type = WL_OPT_SIZE, .def = "0", .min = 0, .max = 1ULL << 30,
	  .help = "bytes copied through the window per round (0 = the whole window, G); cells with copy > G are skipped" },
	{ .name = NULL },
};

struct bounce_state {
	uint64_t copy_bytes;		/* per round */
	uint8_t **src, **dst;		/* per bouncer: region-sized host buffers */
	unsigned int nr_bufs;
};

struct bounce_run {
	struct wlc_threads t;
	struct bounce_state *st;
	unsigned int passes;
};

/* bouncer j: rounds through the window at the start of region j */
static int bounce_thread_j(struct bounce_run *br, struct session *s, unsigned int j)
{
	struct bounce_state *st = br->st;
	struct wl_ctx *c = br->t.c;
	struct cell_result *p = &br->t.parts[s->nr_vcpus + j];
	uint64_t win = c->gran_bytes, gpa = session_region_gpa(s, j);
	uint64_t rounds = s->region_bytes / win, k, n = st->copy_bytes;
	uint64_t t_start = now_ns(), errors = 0, done = 0, copy_ns = 0;
	uint8_t *window = wlc_mem_hva(&s->mem, gpa);
	unsigned int pass;
	int r = 0;

	if (!window) {
		wlc_set_why(&br->t, "no host mapping of the window at gpa 0x%llx",
			    (unsigned long long)gpa);
		return -ENODEV;
	}
	for (pass = 0; pass < br->passes && !r; pass++) {
		for (k = 0; k < rounds && !r; k++) {
			uint8_t *src = st->src[j] + k * win, *dst = st->dst[j] + k * win;
			uint64_t t0, t1, t2, t3;

			if (session_aborted(s)) {
				r = -EINTR;
				break;
			}
			/* stale data from the last pass must not pass the check */
			memset(dst, 0, n);
			t0 = now_ns();
			r = wlc_convert(&br->t, s, &s->mem, p, gpa, win, false);
			if (r)
				break;
			t1 = now_ns();
			memcpy(window, src, n);
			t2 = now_ns();
			memcpy(dst, window, n);
			t3 = now_ns();
			r = wlc_convert(&br->t, s, &s->mem, p, gpa, win, true);
			if (r)
				break;
			cell_record(p, MET_ROUND_NS, now_ns() - t0);
			cell_record(p, MET_COPY_NS, t3 - t1);
			copy_ns += t3 - t1;
			cell_record(p, MET_COPY_IN_NS, t2 - t1);
			cell_record(p, MET_COPY_OUT_NS, t3 - t2);
			errors += memcmp(dst, src, n) != 0;
			done++;
		}
	}
	p->ctr.wall_ns = now_ns() - t_start;
	cell_extra_add(p, "rounds_count", (double)done);
	cell_extra_add(p, "copy_bytes", (double)(done * n));
	cell_extra_add(p, "verify_errors_count", (double)errors);
	/* this bouncer's copy-only rate; the merge sums the bouncers' rates */
	if (copy_ns)
		cell_extra_add(p, "memcpy_bytes_per_s", (double)(done * n) * 1e9 / copy_ns);
	if (!r && errors) {
		wlc_set_why(&br->t, "bounce window %u: %llu of %llu rounds read back different data",
			    j, (unsigned long long)errors, (unsigned long long)done);
		r = -EIO;
	}
	return r;
}

static int bounce_thread(struct session *s, unsigned int idx, void *arg)
{
	/* vCPU threads have nothing to do: the guest stays idle */
	if (idx < s->nr_vcpus)
		return 0;
	return bounce_thread_j(arg, s, idx - s->nr_vcpus);
}

/* the buffers, then the session and the state (wlc_teardown) */
static void bounce_teardown(struct wl_ctx *c)
{
	struct bounce_state *st = c->priv;
	unsigned int i;

	for (i = 0; st && i < st->nr_bufs; i++) {
		free(st->src[i]);
		free(st->dst[i]);
	}
	if (st) {
		free(st->src);
		free(st->dst);
	}
	wlc_teardown(c);
}

/* copy > window: the cell cannot exist (documented as skipped) */
static int bounce_cell_check(const struct wl_ctx *c, char *why, size_t whylen)
{
	uint64_t copy = wlc_opt_u64(c, "copy");

	if (copy <= c->gran_bytes)
		return 0;
	snprintf(why, whylen, "-O copy=%llu is larger than the window (-g %llu)",
		 (unsigned long long)copy, (unsigned long long)c->gran_bytes);
	return -EOPNOTSUPP;
}

static int bounce_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	const struct run_cfg *cfg = c->cfg;
	uint64_t win = c->gran_bytes, rng = cfg->seed, i;
	struct session *s = &c->sess;
	struct bounce_state *st;
	struct conv_result cr;
	unsigned int j;
	int r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->copy_bytes = wlc_opt_u64(c, "copy");
	if (!st->copy_bytes)
		st->copy_bytes = win;
	r = wlc_session_create(c, CHANNEL_PIO, MF_POLICY_REENTER, why, whylen);
	if (r) {
		free(st);
		return r;
	}
	c->priv = st;
	st->src = calloc(cfg->vcpus, sizeof(*st->src));
	st->dst = calloc(cfg->vcpus, sizeof(*st->dst));
	if (!st->src || !st->dst) {
		r = -ENOMEM;
		goto fail;
	}
	/* the device's data: seeded, and faulted in now rather than while timed */
	for (j = 0; j < cfg->vcpus; j++) {
		st->src[j] = malloc(cfg->region_bytes);
		st->dst[j] = malloc(cfg->region_bytes);
		st->nr_bufs++;
		if (!st->src[j] || !st->dst[j]) {
			r = -ENOMEM;
			goto fail;
		}
		for (i = 0; i + 8 <= cfg->region_bytes; i += 8) {
			uint64_t v = rng_splitmix64(&rng);

			memcpy(st->src[j] + i, &v, 8);
		}
		memset(st->dst[j], 0, cfg->region_bytes);
	}
	/* a bounce window is private between uses */
	for (j = 0; j < cfg->vcpus; j++) {
		r = wlc_convert_raw(s, &s->mem, session_region_gpa(s, j), win, true, &cr);
		if (r) {
			snprintf(why, whylen, "%s: initial conversion of the window to private: %s",
				 s->be->name, strerror(-r));
			goto fail;
		}
	}
	return 0;
fail:
	bounce_teardown(c);
	return r;
}

static int bounce_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct bounce_state *st = c->priv;
	struct bounce_run br = {
		.st = st,
		.passes = wlc_passes(c, repetition),
	};
	double payload;
	int ret;

	ret = wlc_threads_init(&br.t, c, c->sess.nr_vcpus * 2);
	if (ret)
		return ret;
	ret = wlc_threads_run(&br.t, bounce_thread, &br, r);
	/*
	 * Every rate of this workload is aggregate over the bouncers, which
	 * run concurrently, as conversions_per_s is (all conversions over
	 * the slowest bouncer's wall time). End to end: all payload over
	 * that wall time. The copies alone (memcpy_bytes_per_s): the sum of
	 * each bouncer's payload over its own copy time, set by the merge;
	 * it bounds the end-to-end rate from above.
	 */
	payload = cell_extra_get(r, "copy_bytes");
	if (r->ctr.wall_ns && payload > 0)
		cell_extra_set(r, "copy_bytes_per_s", payload * 1e9 / r->ctr.wall_ns);
	cell_extra_set(r, "window_bytes", (double)c->gran_bytes);
	return ret;
}

WL_DEFINE(bounce, bounce, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .cell_check = bounce_cell_check, .metrics = bounce_metrics,
	  .teardown = bounce_teardown,
	  .summary = "swiotlb-like: convert a G-byte window to shared, copy through it, convert it back; swept over G");
