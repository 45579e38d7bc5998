// SPDX-License-Identifier: GPL-2.0
/*
 * footprint: backing memory over time while a guest churns conversions.
 *
 * Each repetition starts from empty backing (every file of the data region
 * hole-punched), the guest touches its whole region once (TOUCH_ONCE: the
 * memory a running guest has), then churns: CONVERT_LOOP asks for every
 * chunk to become private, touches it, asks for it back to shared and
 * touches it again, through the request channel, as granularity's guest
 * driver does. A sampler thread records every interval_ms the guest_memfd
 * bytes, the shared-memfd bytes, the process RSS and MemAvailable
 * (harness/memusage.h for how each is measured) into
 * <out_dir>/footprint-<backend>-<gran>-<rep>.csv.
 *
 * What to expect: discard frees a chunk at every conversion and the next
 * touch reallocates it (gmem dips by one chunk and refills); dual keeps a
 * chunk on both sides between the attribute flip and the punch of the
 * stale side (the total grows by up to one chunk per vCPU, the whole
 * region when G = region); in-place never frees.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/atomic_file.h"
#include "bench/parse.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/memusage.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

#define FP_MAX_SAMPLES	(1u << 22)	/* 4 Mi samples: 11 h at 10 ms */

static const struct wl_option fp_options[] = {
	{ .name = "interval_ms", .type = WL_OPT_UINT, .def = "10", .min = 1, .max = 60000,
	  .help = "sampling period of the footprint time series" },
	{ .name = "populate", .type = WL_OPT_UINT, .def = "1", .min = 0, .max = 1,
	  .help = "the guest touches its whole region once before churning (the memory a running guest has)" },
	WLC_OPT_PATTERN,
	{ .name = NULL },
};

struct fp_run {
	struct wlc_threads t;
	unsigned int passes;
	uint8_t pattern;
	bool populate;
	uint64_t interval_ns;
	bool gmem_ok;			/* gmem_bytes readable at this granularity */
	int remaining;			/* vCPU threads still churning */
	/* the series: appended by the sampler and at phase edges, under lock */
	pthread_mutex_t lock;
	struct memusage mu;
	struct memusage_sample *samples;
	size_t nr_samples, cap_samples;
	int sample_err;
};

/* take one sample and append it; errors are kept for the cell, not fatal here */
static void fp_sample(struct fp_run *fr)
{
	struct memusage_sample smp;
	int r;

	pthread_mutex_lock(&fr->lock);
	if (fr->nr_samples >= FP_MAX_SAMPLES)
		goto out;
	if (fr->nr_samples == fr->cap_samples) {
		size_t cap = fr->cap_samples ? fr->cap_samples * 2 : 1024;
		void *p = realloc(fr->samples, cap * sizeof(*fr->samples));

		if (!p) {
			fr->sample_err = -ENOMEM;
			goto out;
		}
		fr->samples = p;
		fr->cap_samples = cap;
	}
	r = memusage_sample(&fr->mu, &smp);
	if (r) {
		if (!fr->sample_err)
			fr->sample_err = r;
		goto out;
	}
	fr->samples[fr->nr_samples++] = smp;
out:
	pthread_mutex_unlock(&fr->lock);
}

static int fp_touch_once(struct fp_run *fr, struct session *s, unsigned int idx)
{
	struct vcpu *v = &s->vcpus[idx];
	struct guest_req req;
	int r;

	r = wlc_guest_start(v, GUEST_CMD_TOUCH_ONCE, session_region_gpa(s, idx),
			    s->region_bytes, GMB_PAGE_SIZE, 1, fr->pattern, s->channel);
	if (!r)
		r = wlc_guest_done(&fr->t, v, &req, "populate");
	if (r)
		return r;
	fr->t.parts[idx].ctr.guest_pages_touched += s->region_bytes / GMB_PAGE_SIZE;
	return 0;
}

/* the guest churns its region; this thread serves its conversion requests */
static int fp_churn(struct fp_run *fr, struct session *s, unsigned int idx)
{
	struct wl_ctx *c = fr->t.c;
	struct cell_result *p = &fr->t.parts[idx];
	struct vcpu *v = &s->vcpus[idx];
	uint64_t lo = session_region_gpa(s, idx), hi = lo + s->region_bytes, t0;
	struct guest_req req;
	char why[512];
	int r;

	r = wlc_guest_start(v, GUEST_CMD_CONVERT_LOOP, lo, s->region_bytes, c->gran_bytes,
			    fr->passes, fr->pattern, s->channel);
	if (r)
		return r;
	t0 = now_ns();
	for (;;) {
		r = vcpu_next_request(v, &req, why, sizeof(why));
		if (r) {
			if (r != -EINTR)
				wlc_set_why(&fr->t, "churn, vCPU %u: %s", idx, why);
			break;
		}
		if (req.op == REQ_DONE)
			break;
		if ((req.op != REQ_TO_PRIVATE && req.op != REQ_TO_SHARED) ||
		    req.gpa < lo || req.gpa + req.bytes > hi || !req.bytes) {
			wlc_set_why(&fr->t, "guest request outside its region or bad op %d", req.op);
			r = -EPROTO;
			break;
		}
		r = wlc_convert(&fr->t, s, &s->mem, p, req.gpa, req.bytes,
				req.op == REQ_TO_PRIVATE);
		if (r)
			break;
		vcpu_complete_request(v, &req, 0);
	}
	p->ctr.wall_ns = now_ns() - t0;
	p->ctr.guest_pages_touched +=
		mb_passes(v->mailbox) * (s->region_bytes / GMB_PAGE_SIZE) * 2;
	return r;
}

static int fp_vcpu(struct fp_run *fr, struct session *s, unsigned int idx)
{
	int r = 0;

	if (fr->populate) {
		r = fp_touch_once(fr, s, idx);
		/* the populated state, exactly: the sampler could miss it */
		if (!r)
			fp_sample(fr);
	}
	if (!r)
		r = fp_churn(fr, s, idx);
	__atomic_sub_fetch(&fr->remaining, 1, __ATOMIC_SEQ_CST);
	return r;
}

static bool fp_done(struct fp_run *fr, struct session *s)
{
	return !__atomic_load_n(&fr->remaining, __ATOMIC_SEQ_CST) || session_aborted(s);
}

static int fp_sampler(struct fp_run *fr, struct session *s)
{
	uint64_t next = now_ns();

	for (;;) {
		fp_sample(fr);
		if (fp_done(fr, s))
			break;
		/* absolute deadlines: the period does not drift by the sample cost */
		next += fr->interval_ns;
		/* short naps: the run's end is noticed within 2 ms, whatever the period */
		while (!fp_done(fr, s)) {
			uint64_t now = now_ns(), nap = 2000000;
			struct timespec ts;

			if (now >= next)
				break;
			if (next - now < nap)
				nap = next - now;
			ts.tv_sec = 0;
			ts.tv_nsec = (long)nap;
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

static int fp_thread(struct session *s, unsigned int idx, void *arg)
{
	struct fp_run *fr = arg;

	if (idx < s->nr_vcpus)
		return fp_vcpu(fr, s, idx);
	return fp_sampler(fr, s);
}

/* the time series as CSV, relative times from the first sample */
static int fp_write_series(struct fp_run *fr, int repetition, char *err, size_t errlen)
{
	const struct wl_ctx *c = fr->t.c;
	char gran[24], rep[16], path[PATH_MAX + 128], *buf;
	size_t cap, len = 0, i;
	int r;

	r = mkdir_p(c->cfg->out_dir, 0755, err, errlen);
	if (r)
		return r;
	format_size(c->gran_bytes, gran, sizeof(gran));
	if (repetition < 0)
		snprintf(rep, sizeof(rep), "warmup");
	else
		snprintf(rep, sizeof(rep), "%d", repetition);
	snprintf(path, sizeof(path), "%s/footprint-%s-%s-%s.csv", c->cfg->out_dir,
		 c->backend->name, gran, rep);
	cap = 128 + fr->nr_samples * 110;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	len += (size_t)snprintf(buf + len, cap - len,
				"t_ns,gmem_bytes,shared_bytes,rss_bytes,mem_available_bytes\n");
	for (i = 0; i < fr->nr_samples && len < cap; i++) {
		const struct memusage_sample *m = &fr->samples[i];
		char gmem[24] = "";	/* empty: unavailable (see fp_gmem_note) */

		if (fr->gmem_ok)
			snprintf(gmem, sizeof(gmem), "%" PRIu64, m->gmem_bytes);
		len += (size_t)snprintf(buf + len, cap - len,
					"%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
					m->t_ns - fr->samples[0].t_ns, gmem,
					m->shared_bytes, m->rss_bytes, m->mem_available_bytes);
	}
	if (len >= cap) {
		free(buf);
		snprintf(err, errlen, "%s: series buffer too small", path);
		return -EOVERFLOW;
	}
	r = atomic_write_file(path, buf, len, err, errlen);
	free(buf);
	return r;
}

static void fp_report(struct fp_run *fr, struct cell_result *r)
{
	uint64_t peak_gmem = 0, peak_shared = 0, peak_total = 0, peak_rss = 0;
	uint64_t min_avail = UINT64_MAX;
	double area = 0, span;
	size_t i;

	for (i = 0; i < fr->nr_samples; i++) {
		const struct memusage_sample *m = &fr->samples[i];
		uint64_t total = m->gmem_bytes + m->shared_bytes;

		if (m->gmem_bytes > peak_gmem)
			peak_gmem = m->gmem_bytes;
		if (m->shared_bytes > peak_shared)
			peak_shared = m->shared_bytes;
		if (total > peak_total)
			peak_total = total;
		if (m->rss_bytes > peak_rss)
			peak_rss = m->rss_bytes;
		if (m->mem_available_bytes < min_avail)
			min_avail = m->mem_available_bytes;
		/* time-weighted: a sample holds until the next one */
		if (i + 1 < fr->nr_samples)
			area += (double)total * (double)(fr->samples[i + 1].t_ns - m->t_ns);
	}
	span = fr->nr_samples > 1 ?
	       (double)(fr->samples[fr->nr_samples - 1].t_ns - fr->samples[0].t_ns) : 0;
	/* what includes gmem_bytes is left out when it cannot be read */
	if (fr->gmem_ok) {
		cell_extra_set(r, "peak_gmem_bytes", (double)peak_gmem);
		cell_extra_set(r, "peak_total_bytes", (double)peak_total);
		cell_extra_set(r, "mean_total_bytes", span > 0 ? area / span :
			       (fr->nr_samples ? (double)(fr->samples[0].gmem_bytes +
							   fr->samples[0].shared_bytes) : 0));
	}
	cell_extra_set(r, "peak_shared_bytes", (double)peak_shared);
	cell_extra_set(r, "peak_rss_bytes", (double)peak_rss);
	if (fr->nr_samples)
		cell_extra_set(r, "mem_available_drop_bytes",
			       (double)(fr->samples[0].mem_available_bytes > min_avail ?
					fr->samples[0].mem_available_bytes - min_avail : 0));
	cell_extra_set(r, "samples_count", (double)fr->nr_samples);
	cell_extra_set(r, "gmem_method", fr->mu.gmem_method);
	if (fr->mu.gmem_method == MEMUSAGE_GMEM_UNEVICTABLE)
		cell_extra_set(r, "gmem_resolution_bytes", (double)fr->mu.resolution_bytes);
}

/*
 * An ok cell whose gmem_bytes come from the meminfo fallback says so in
 * its reason: approximate when a chunk per vCPU is above the fallback's
 * resolution, unavailable (series empty, gmem counters absent) below it.
 */
static void fp_gmem_note(const struct fp_run *fr, struct cell_result *r)
{
	const struct wl_ctx *c = fr->t.c;
	char res[24], gran[24], all[24];

	if (fr->mu.gmem_method != MEMUSAGE_GMEM_UNEVICTABLE || r->status != CELL_OK)
		return;
	format_size(fr->mu.resolution_bytes, res, sizeof(res));
	format_size(c->gran_bytes, gran, sizeof(gran));
	format_size(c->gran_bytes * c->sess.nr_vcpus, all, sizeof(all));
	if (fr->gmem_ok)
		cell_set_status(r, CELL_OK,
				"gmem_bytes approximate: %s, so they are the system-wide /proc/meminfo Unevictable growth, off by up to %s",
				fr->mu.gmem_why, res);
	else
		cell_set_status(r, CELL_OK,
				"gmem_bytes unavailable (empty in the series, gmem counters left out): %s, and the fallback, the system-wide /proc/meminfo Unevictable growth, is off by up to %s, more than the one %s chunk per vCPU (%s in all) this granularity moves",
				fr->mu.gmem_why, res, gran, all);
}

static int fp_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	/*
	 * The runner decides the channel for this workload
	 * (WL_GUEST_REQUESTS) and records it in the cell; port I/O when a
	 * caller (a test) gives none. Guest-driven churn: nothing converts
	 * under a running vCPU, so a memory fault is an error.
	 */
	return wlc_session_create(c, c->channel ? c->channel->channel : CHANNEL_PIO,
				  MF_POLICY_ERROR, why, whylen);
}

static int fp_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct session *s = &c->sess;
	struct fp_run fr = {
		.passes = wlc_passes(c, repetition),
		.pattern = (uint8_t)wlc_opt_u64(c, "pattern"),
		.populate = wlc_opt_u64(c, "populate") != 0,
		.interval_ns = (wlc_opt_u64(c, "interval_ms") ?: 10) * 1000000ULL,
		.remaining = (int)s->nr_vcpus,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	char err[512];
	int ret;

	/* one thread per vCPU, then the sampler */
	ret = wlc_threads_init(&fr.t, c, s->nr_vcpus + 1);
	if (ret)
		return ret;
	ret = memusage_init(&fr.mu, &s->mem);
	if (ret) {
		cell_set_status(r, CELL_ERROR, "footprint sampling: %s", strerror(-ret));
		goto out;
	}
	fr.gmem_ok = fr.mu.gmem_method != MEMUSAGE_GMEM_UNEVICTABLE ||
		     c->gran_bytes * s->nr_vcpus >= fr.mu.resolution_bytes;
	/* every repetition starts from empty backing: comparable series */
	ret = wlc_punch_all(&s->mem, s->mem.gpa, s->mem.bytes);
	if (ret) {
		cell_set_status(r, CELL_ERROR, "punching the data region before the run: %s",
				strerror(-ret));
		goto out;
	}
	ret = wlc_threads_exec(&fr.t, fp_thread, &fr);
	fp_sample(&fr);		/* the final state, after the last conversion */
	ret = wlc_threads_merge(&fr.t, r, ret);
	if (ret) {
		wlc_threads_status(&fr.t, r, ret);
	} else if (fr.sample_err) {
		ret = fr.sample_err;
		cell_set_status(r, CELL_ERROR, "footprint sample (%s): %s",
				memusage_gmem_method_name(fr.mu.gmem_method), strerror(-ret));
	}
	fp_report(&fr, r);
	fp_gmem_note(&fr, r);
	/* partial series are written too: they show where it stopped */
	if (fr.nr_samples) {
		int e = fp_write_series(&fr, repetition, err, sizeof(err));

		if (e && !ret) {
			cell_set_status(r, CELL_ERROR, "footprint series: %s", err);
			ret = e;
		}
	}
out:
	memusage_fini(&fr.mu);
	wlc_threads_fini(&fr.t);
	free(fr.samples);
	pthread_mutex_destroy(&fr.lock);
	return ret;
}

WL_DEFINE(footprint, fp, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .needs = WL_GUEST_REQUESTS, .teardown = wlc_teardown,
	  .summary = "backing memory (guest_memfd, shared memfd, RSS, MemAvailable) over time while a guest churns conversions");
