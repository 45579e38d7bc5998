// SPDX-License-Identifier: GPL-2.0
/*
 * layouts: conversion cost by the folio layout of the range before it is
 * converted.
 *
 * One harness thread per vCPU region (the vCPUs stay idle: guest code is
 * emulated here and would only add noise) walks its region in chunks of G
 * bytes. For every chunk:
 *
 *   1. establish the layout, untimed by the conversion metrics (layout_ns):
 *      punch every backing of the chunk, then write one byte to each page
 *      the layout selects through the host mapping of the shared side (the
 *      guest_memfd mapping; the shared memfd for dual). Host writes are
 *      what device emulation leaves behind in shared memory, and they make
 *      the folios uptodate, which is what mincore(2) reports: fallocate
 *      (KEEP_SIZE) on a guest_memfd allocates folios that are not uptodate
 *      and so stay invisible to mincore, and st_blocks is never maintained
 *      for guest_memfd (always 0 on 6.18), so neither could be verified;
 *   2. count the chunk's resident pages (mincore), convert it to private
 *      (timed), count again, convert it back to shared (timed), count again.
 *
 * Layouts (N = pages per chunk): none (0), all (N), alternate (even pages,
 * ceil(N/2)), first_half (floor(N/2)), sparse64 (every 64th page,
 * ceil(N/64)), random (exactly floor(N * random_pct / 100) pages picked by
 * a generator seeded from --seed, the region and the chunk: the same
 * layout in every pass and every repetition). A partial layout that
 * selects no page or every page of a chunk (first_half and random at 4K,
 * alternate and sparse64 at 4K too) would repeat none or all under another
 * name: such a cell is skipped with that reason.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rng.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

enum layout {
	LAYOUT_NONE,
	LAYOUT_ALL,
	LAYOUT_ALTERNATE,
	LAYOUT_FIRST_HALF,
	LAYOUT_SPARSE64,
	LAYOUT_RANDOM,
	NR_LAYOUTS,
};

static const char *const layout_names[] = {
	"none", "all", "alternate", "first_half", "sparse64", "random", NULL,
};

enum {
	MET_LAYOUT_NS = NR_CORE_METRICS,
};

static const struct metric_decl layouts_metrics[] = {
	[MET_LAYOUT_NS - NR_CORE_METRICS] = {
		"layout_ns", "establishing one chunk's layout, before converting it" },
	{ NULL },
};

static const struct wl_option layouts_options[] = {
	{ .name = "layout", .type = WL_OPT_CHOICE,
	  .def = "none,all,alternate,first_half,sparse64,random",
	  .choices = layout_names,
	  .help = "pages allocated in a chunk before it is converted (comma list: one cell each)" },
	{ .name = "random_pct", .type = WL_OPT_UINT, .def = "50", .min = 0, .max = 100,
	  .help = "layout=random: percentage of the chunk's pages allocated (exact count, seeded positions)" },
	{ .name = NULL },
};

struct layouts_run {
	struct wlc_threads t;
	unsigned int passes;
	enum layout layout;
	unsigned int random_pct;
	uint64_t seed;
};

struct layouts_state {
	enum layout layout;
};

static enum layout layout_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++)
		if (s && !strcmp(s, layout_names[i]))
			return (enum layout)i;
	return NR_LAYOUTS;
}

/* pages layout l selects in a chunk of n pages: layout_select's count too */
static uint64_t layout_count(enum layout l, uint64_t n, unsigned int pct)
{
	switch (l) {
	case LAYOUT_ALL:
		return n;
	case LAYOUT_ALTERNATE:
		return (n + 1) / 2;
	case LAYOUT_FIRST_HALF:
		return n / 2;
	case LAYOUT_SPARSE64:
		return (n + 63) / 64;
	case LAYOUT_RANDOM:
		return n * pct / 100;
	case LAYOUT_NONE:
	case NR_LAYOUTS:
		break;
	}
	return 0;
}

/*
 * Select the pages of one chunk of n pages: sel[i] = 1 for an allocated
 * page. perm is scratch space of n entries (layout=random). Returns the
 * number of selected pages, layout_count's (one count for the cell checks
 * and the selection, so the two cannot drift apart).
 */
static uint64_t layout_select(enum layout l, uint64_t n, unsigned int pct,
			      uint64_t rng, uint8_t *sel, uint32_t *perm)
{
	uint64_t i, k = layout_count(l, n, pct), stride;

	memset(sel, 0, n);
	switch (l) {
	case LAYOUT_NONE:
	case NR_LAYOUTS:
		break;
	case LAYOUT_ALL:
	case LAYOUT_FIRST_HALF:
		/* all pages, or the first k = n / 2 */
		memset(sel, 1, k);
		break;
	case LAYOUT_ALTERNATE:
	case LAYOUT_SPARSE64:
		/* every other page, or one page in 64: ceil(n / stride) = k */
		stride = l == LAYOUT_ALTERNATE ? 2 : 64;
		for (i = 0; i < n; i += stride)
			sel[i] = 1;
		break;
	case LAYOUT_RANDOM:
		/* partial Fisher-Yates: exactly k distinct pages */
		for (i = 0; i < n; i++)
			perm[i] = (uint32_t)i;
		for (i = 0; i < k; i++) {
			uint64_t j = i + rng_splitmix64(&rng) % (n - i);
			uint32_t tmp = perm[i];

			perm[i] = perm[j];
			perm[j] = tmp;
			sel[perm[i]] = 1;
		}
		break;
	}
	return k;
}

/*
 * A partial layout (every one but none and all) exists at a granularity
 * only if it selects some pages of a chunk but not all of them: at 4K
 * (one page) first_half and random select none, alternate and sparse64
 * the only one, and the cell would measure none or all under another
 * name. random_pct=0 or 100 asks for none or all outright and is run as
 * asked. Returns 0, or -EOPNOTSUPP with the reason in why.
 */
static int layout_exists(enum layout l, uint64_t gran_bytes, unsigned int pct,
			 char *why, size_t whylen)
{
	uint64_t n = gran_bytes / GMB_PAGE_SIZE, k = layout_count(l, n, pct);
	char pctbuf[48] = "";

	if (l == LAYOUT_NONE || l == LAYOUT_ALL || (k > 0 && k < n) ||
	    (l == LAYOUT_RANDOM && (pct == 0 || pct == 100)))
		return 0;
	if (l == LAYOUT_RANDOM)
		snprintf(pctbuf, sizeof(pctbuf), " (random_pct=%u)", pct);
	snprintf(why, whylen,
		 "layout %s%s selects %llu of the %llu page%s of a %llu-byte chunk: the same pages as layout %s, so it cannot exist at this granularity",
		 layout_names[l], pctbuf, (unsigned long long)k, (unsigned long long)n,
		 n == 1 ? "" : "s", (unsigned long long)gran_bytes, k ? "all" : "none");
	return -EOPNOTSUPP;
}

/* punch the chunk, then write the selected pages through the host mapping */
static int layout_establish(struct conv_mem *m, uint64_t gpa, uint64_t n,
			    const uint8_t *sel)
{
	volatile uint8_t *hva = wlc_mem_hva(m, gpa);
	uint64_t i;
	int r;

	if (!hva)
		return -ENODEV;
	r = wlc_punch_all(m, gpa, n * GMB_PAGE_SIZE);
	if (r)
		return r;
	for (i = 0; i < n; i++)
		if (sel[i])
			hva[i * GMB_PAGE_SIZE] = (uint8_t)(i | 1);
	return 0;
}

/* resident pages of the chunk added to the counter name; <0 on error */
static long layouts_count(struct layouts_run *lr, struct conv_mem *m, uint64_t gpa,
			  uint64_t bytes, unsigned char *vec, struct cell_result *p,
			  const char *name)
{
	long n = wlc_resident_pages(m, gpa, bytes, vec);

	if (n < 0) {
		wlc_set_why(&lr->t, "mincore of %llu bytes at gpa 0x%llx: %s",
			    (unsigned long long)bytes, (unsigned long long)gpa,
			    strerror((int)-n));
		return n;
	}
	cell_extra_add(p, name, (double)n);
	return n;
}

/* harness thread j: walk region j chunk by chunk */
static int layouts_converter(struct layouts_run *lr, struct session *s, unsigned int j)
{
	struct wl_ctx *c = lr->t.c;
	struct cell_result *p = &lr->t.parts[s->nr_vcpus + j];
	uint64_t gran = c->gran_bytes, n = gran / GMB_PAGE_SIZE;
	uint64_t lo = session_region_gpa(s, j), gpa, t_start;
	uint8_t *sel = malloc(n);
	uint32_t *perm = malloc(n * sizeof(*perm));
	unsigned char *vec = malloc(n);
	unsigned int pass;
	int r = 0;

	if (!sel || !perm || !vec) {
		r = -ENOMEM;
		goto out;
	}
	/* layouts are drawn per chunk from one seed: identical in every pass */
	t_start = now_ns();
	for (pass = 0; pass < lr->passes && !r; pass++) {
		for (gpa = lo; gpa < lo + s->region_bytes && !r; gpa += gran) {
			uint64_t rng = lr->seed ^ ((uint64_t)j << 48) ^ (gpa - lo);
			uint64_t k, t0;
			long present;

			if (session_aborted(s)) {
				r = -EINTR;
				break;
			}
			k = layout_select(lr->layout, n, lr->random_pct, rng, sel, perm);
			t0 = now_ns();
			r = layout_establish(&s->mem, gpa, n, sel);
			if (r) {
				wlc_set_why(&lr->t, "establishing layout %s at gpa 0x%llx: %s",
					    layout_names[lr->layout],
					    (unsigned long long)gpa, strerror(-r));
				break;
			}
			cell_record(p, MET_LAYOUT_NS, now_ns() - t0);
			cell_extra_add(p, "layout_pages", (double)k);
			present = layouts_count(lr, &s->mem, gpa, gran, vec, p,
						"allocated_before_pages");
			if (present < 0) {
				r = (int)present;
				break;
			}
			/* the layout must be exactly what we asked for */
			cell_extra_add(p, "layout_mismatch_count", (uint64_t)present != k);
			r = wlc_convert(&lr->t, s, &s->mem, p, gpa, gran, true);
			if (r)
				break;
			present = layouts_count(lr, &s->mem, gpa, gran, vec, p,
						"allocated_after_private_pages");
			if (present >= 0)
				r = wlc_convert(&lr->t, s, &s->mem, p, gpa, gran, false);
			if (present >= 0 && !r)
				present = layouts_count(lr, &s->mem, gpa, gran, vec, p,
							"allocated_after_shared_pages");
			if (present < 0)
				r = (int)present;
			if (!r)
				cell_extra_add(p, "chunks_count", 1);
		}
	}
	p->ctr.wall_ns = now_ns() - t_start;
out:
	free(sel);
	free(perm);
	free(vec);
	return r;
}

static int layouts_thread(struct session *s, unsigned int idx, void *arg)
{
	/* vCPU threads have nothing to do: the guest stays idle */
	if (idx < s->nr_vcpus)
		return 0;
	return layouts_converter(arg, s, idx - s->nr_vcpus);
}

static int layouts_cell_check(const struct wl_ctx *c, char *why, size_t whylen)
{
	enum layout l = layout_parse(c->variant);

	if (l == NR_LAYOUTS)
		return 0;	/* not a layout: setup says so */
	return layout_exists(l, c->gran_bytes, (unsigned int)wlc_opt_u64(c, "random_pct"),
			     why, whylen);
}

static int layouts_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	struct layouts_state *st;
	int r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->layout = layout_parse(c->variant);
	if (st->layout == NR_LAYOUTS) {
		snprintf(why, whylen, "unknown layout '%s'", c->variant ? c->variant : "(null)");
		free(st);
		return -EINVAL;
	}
	r = wlc_session_create(c, CHANNEL_PIO, MF_POLICY_REENTER, why, whylen);
	if (r) {
		free(st);
		return r;
	}
	c->priv = st;
	return 0;
}

/* per-chunk sums from the threads become per-chunk means */
static void layouts_finish(struct cell_result *r, const struct layouts_run *lr)
{
	static const char *const means[] = {
		"layout_pages", "allocated_before_pages",
		"allocated_after_private_pages", "allocated_after_shared_pages",
	};
	double chunks = cell_extra_get(r, "chunks_count");
	unsigned int i;

	if (!(chunks > 0))
		return;
	for (i = 0; i < sizeof(means) / sizeof(means[0]); i++) {
		double v = cell_extra_get(r, means[i]);

		if (!isnan(v))
			cell_extra_set(r, means[i], v / chunks);
	}
	if (lr->layout == LAYOUT_RANDOM)
		cell_extra_set(r, "random_pct", lr->random_pct);
}

static int layouts_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct layouts_state *st = c->priv;
	struct session *s = &c->sess;
	struct layouts_run lr = {
		.passes = wlc_passes(c, repetition),
		.layout = st->layout,
		.random_pct = (unsigned int)wlc_opt_u64(c, "random_pct"),
		.seed = c->cfg->seed,
	};
	int ret;

	ret = wlc_threads_init(&lr.t, c, s->nr_vcpus * 2);
	if (ret)
		return ret;
	ret = wlc_threads_run(&lr.t, layouts_thread, &lr, r);
	if (!ret)
		layouts_finish(r, &lr);
	return ret;
}

WL_DEFINE(layouts, layouts, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .variant_opt = "layout", .cell_check = layouts_cell_check,
	  .metrics = layouts_metrics, .teardown = wlc_teardown,
	  .summary = "convert chunks whose pages are allocated in a given layout (none, all, alternate, ...), swept over G");
