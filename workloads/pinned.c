// SPDX-License-Identifier: GPL-2.0
/*
 * pinned: conversions of memory some of whose pages are pinned.
 *
 * One host thread per region walks it in chunks of G bytes: write a
 * signature into every page, pin a fraction of the chunk's pages with the
 * cell's mechanism (vmsplice, io_uring registered buffers, gup_test) in a
 * pattern (first pages, spread, random), convert the chunk to private and
 * back, release the pins. Pins are long-lived (released by the owner after
 * the conversion failed or finished) or transient (released by a releaser
 * thread release_us after they were armed, like DMA completing).
 *
 * In-place conversion refuses to-private while a page has an elevated
 * refcount: EAGAIN, with error_offset naming the first offender. We count
 * how often, whether error_offset named a pinned page, and the time from
 * the first attempt to success (after the release).
 *
 * The discard tier has no EAGAIN: the hole punch succeeds with pins held
 * and the pinned pages leave the file but stay alive, held by the pin. We
 * report exactly that: the pin still yields the old data while the mapping
 * reads zero, and how many bytes the file still has resident (mincore;
 * guest_memfd's st_blocks is always 0, fstat cannot tell).
 *
 * The guest does not run here: pins and conversions are host-side, and the
 * vCPU threads serve as the converter threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/pin.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

static const char *const mechanism_choices[] = { "vmsplice", "iouring", "gup_test", NULL };
static const char *const pattern_choices[] = { "first", "spread", "random", NULL };

enum {
	MET_PIN_NS = NR_CORE_METRICS,
	MET_UNPIN_NS,
};

static const struct metric_decl pinned_metrics[] = {
	[MET_PIN_NS - NR_CORE_METRICS] = {
		"pin_ns", "taking the pins of one chunk's selected pages" },
	[MET_UNPIN_NS - NR_CORE_METRICS] = {
		"unpin_ns", "dropping the pins of one chunk's selected pages" },
	{ NULL },
};

static const struct wl_option pinned_options[] = {
	{ .name = "mechanism", .type = WL_OPT_CHOICE, .def = "vmsplice,iouring,gup_test",
	  .choices = mechanism_choices,
	  .help = "how pages are pinned (comma list: one cell each)" },
	{ .name = "fraction_pct", .type = WL_OPT_UINT, .def = "10", .min = 1, .max = 100,
	  .help = "percentage of each chunk's pages pinned (at least one page)" },
	{ .name = "pattern", .type = WL_OPT_CHOICE, .def = "spread", .choices = pattern_choices,
	  .help = "which pages: first (a contiguous head), spread (every Nth), random (seeded)" },
	{ .name = "release_us", .type = WL_OPT_UINT, .def = "0", .min = 0, .max = 10000000,
	  .help = "0: pins live until the conversion gave up or finished; >0: another thread releases them this long after pinning" },
	{ .name = "check", .type = WL_OPT_UINT, .def = "1", .min = 0, .max = 1,
	  .help = "after a to-private that succeeded with pins held, check what the pins and the mapping hold (untimed)" },
	{ .name = NULL },
};

struct pinned_cfg {
	const struct pin_ops *ops;
	enum pin_pattern pattern;
	unsigned int fraction_pct;
	uint64_t release_us;
	bool check;
};

/* raw per-thread tallies; rates are computed after merging */
struct pinned_tally {
	uint64_t to_private;		/* to-private conversions completed */
	uint64_t to_private_eagain;	/* ... of which saw at least one EAGAIN */
};

struct pinned_run {
	struct wlc_threads t;
	const struct pinned_cfg *pc;
	unsigned int passes;
	int repetition;
	struct pinned_tally *tally;	/* one per thread */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* what page `gpa` must hold in this pass: never 0, unique per page */
static uint64_t page_sig(uint64_t salt, uint64_t gpa)
{
	return mix64(salt ^ gpa) | 1;
}

static bool page_listed(const uint64_t *pages, uint64_t n, uint64_t page)
{
	uint64_t lo = 0, hi = n;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (pages[mid] == page)
			return true;
		if (pages[mid] < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * To-private with pins possibly held. The backend retries EAGAIN by the
 * run's policy; if it gives up, the pins are released (by the owner for
 * long-lived pins, by waiting for the releaser for transient ones) and the
 * conversion is issued again. Time to success runs from the first attempt.
 */
static int convert_to_private(struct pinned_run *pr, struct session *s, struct cell_result *p,
			      struct pin_set *ps, struct pin_releaser *rl,
			      uint64_t gpa, uint64_t bytes, uint64_t chunk_off)
{
	const struct pinned_cfg *pc = pr->pc;
	uint64_t t_first = now_ns();
	bool saw_eagain = false;
	int r;

	for (;;) {
		struct conv_result cr;

		if (session_aborted(s))
			return -EINTR;
		r = wlc_convert_raw(s, &s->mem, gpa, bytes, true, &cr);
		p->ctr.eagain_total += cr.eagain;
		p->ctr.retries_total += cr.retries;
		if (cr.eagain) {
			saw_eagain = true;
			/* error_offset is a byte offset into the guest_memfd */
			if (cr.error_offset != UINT64_MAX) {
				cell_extra_add(p, "error_offset_checked_count", 1);
				if (cr.error_offset >= chunk_off &&
				    cr.error_offset < chunk_off + bytes &&
				    page_listed(ps->pages, ps->nr_pages,
						(cr.error_offset - chunk_off) / GMB_PAGE_SIZE))
					cell_extra_add(p, "error_offset_on_pinned_count", 1);
			}
		}
		if (!r) {
			/* EAGAIN and the time to success span the re-issues: ours */
			wlc_record_conversion_times(p, true, bytes, &cr);
			break;
		}
		if (r != -EAGAIN) {
			wlc_set_why(&pr->t, "%s to-private of %llu bytes at gpa 0x%llx: %s",
				    s->be->name, (unsigned long long)bytes,
				    (unsigned long long)gpa, strerror(-r));
			return r;
		}
		/* the retry policy ran out with the pins still held */
		cell_extra_add(p, "eagain_gave_up_count", 1);
		if (pc->release_us)
			pin_releaser_wait(rl);
		else
			pin_set_unpin(ps);
	}
	if (saw_eagain)
		cell_record(p, MET_RETRY_TO_SUCCESS_NS, now_ns() - t_first);
	/* p is this thread's part, so its index is the thread's tally */
	pr->tally[p - pr->t.parts].to_private++;
	pr->tally[p - pr->t.parts].to_private_eagain += saw_eagain;
	return 0;
}

/*
 * The to-private succeeded with the pins held (discard/dual punch). What
 * did it free? Untimed: the file's resident bytes, what the pins hold, what
 * the mapping shows at the pinned offsets.
 */
static void check_held_pages(struct pinned_run *pr, struct cell_result *p, struct pin_set *ps,
			     unsigned char *hva, uint64_t gpa, uint64_t bytes, uint64_t salt,
			     unsigned char *buf)
{
	uint64_t i, resident;

	if (!pin_resident_pages(hva, bytes, &resident))
		cell_extra_add(p, "allocated_after_bytes", (double)(resident * GMB_PAGE_SIZE));
	if (pin_set_read_back(ps, buf))
		return;
	cell_extra_add(p, "pinned_checked_pages", (double)ps->nr_pages);
	for (i = 0; i < ps->nr_pages; i++) {
		uint64_t pg = ps->pages[i], sig = page_sig(salt, gpa + pg * GMB_PAGE_SIZE);
		const uint64_t *old = (const uint64_t *)(buf + i * GMB_PAGE_SIZE);
		volatile const uint64_t *now = (const uint64_t *)(hva + pg * GMB_PAGE_SIZE);

		if (old[0] == sig && old[GMB_PAGE_SIZE / 8 - 1] == ~sig)
			cell_extra_add(p, "pinned_still_old_data_pages", 1);
		/* a refault of a punched offset allocates a fresh zero page */
		if (now[0] == 0 && now[GMB_PAGE_SIZE / 8 - 1] == 0)
			cell_extra_add(p, "pinned_mapping_zero_pages", 1);
	}
}

static int pinned_chunk(struct pinned_run *pr, struct session *s, struct cell_result *p,
			struct pin_releaser *rl, uint64_t *sel, unsigned char *buf,
			uint64_t gpa, uint64_t salt)
{
	struct wl_ctx *c = pr->t.c;
	const struct pinned_cfg *pc = pr->pc;
	uint64_t bytes = c->gran_bytes, nr = bytes / GMB_PAGE_SIZE, i, resident;
	uint64_t chunk_off = s->mem.gmem_offset + (gpa - s->mem.gpa);
	unsigned char *hva = session_data_hva(s, gpa);
	struct pin_set ps;
	struct conv_result cr;
	char why[256] = "";
	int64_t n;
	int r;

	if (!hva) {
		wlc_set_why(&pr->t, "%s backend has no host mapping of gpa 0x%llx", s->be->name,
			    (unsigned long long)gpa);
		return -EINVAL;
	}
	/* shared memory in use, each page recognisable later */
	for (i = 0; i < nr; i++) {
		uint64_t *w = (uint64_t *)(hva + i * GMB_PAGE_SIZE);
		uint64_t sig = page_sig(salt, gpa + i * GMB_PAGE_SIZE);

		w[0] = sig;
		w[GMB_PAGE_SIZE / 8 - 1] = ~sig;
	}
	n = pin_select_pages(nr, pc->fraction_pct, pc->pattern, mix64(salt ^ gpa), sel, nr);
	if (n <= 0) {
		wlc_set_why(&pr->t, "page selection: %s", strerror(n ? (int)-n : EINVAL));
		return n ? (int)n : -EINVAL;
	}
	r = pin_set_init(&ps, pc->ops, hva, sel, (uint64_t)n);
	if (r) {
		wlc_set_why(&pr->t, "pin set: %s", strerror(-r));
		return r;
	}
	r = pin_set_pin(&ps, why, sizeof(why));
	if (r) {
		wlc_set_why(&pr->t, "%s pin of %lld pages: %s", pc->ops->name, (long long)n, why);
		goto out;
	}
	cell_record(p, MET_PIN_NS, ps.pin_ns);
	cell_extra_add(p, "pinned_pages", (double)n);
	cell_extra_add(p, "pin_sets_count", 1);
	if (pc->check && !pin_resident_pages(hva, bytes, &resident))
		cell_extra_add(p, "allocated_before_bytes", (double)(resident * GMB_PAGE_SIZE));
	if (pc->release_us) {
		r = pin_releaser_arm(rl, &ps, pc->release_us);
		if (r) {
			wlc_set_why(&pr->t, "releaser: %s", strerror(-r));
			goto out;
		}
	}

	r = convert_to_private(pr, s, p, &ps, rl, gpa, bytes, chunk_off);
	if (r)
		goto out;
	if (pc->check && pin_set_held(&ps))
		check_held_pages(pr, p, &ps, hva, gpa, bytes, salt, buf);

	r = wlc_convert_raw(s, &s->mem, gpa, bytes, false, &cr);
	if (r) {
		wlc_set_why(&pr->t, "%s to-shared of %llu bytes at gpa 0x%llx: %s", s->be->name,
			    (unsigned long long)bytes, (unsigned long long)gpa, strerror(-r));
		goto out;
	}
	wlc_record_conversion_times(p, false, bytes, &cr);
	p->ctr.eagain_total += cr.eagain;
	p->ctr.retries_total += cr.retries;
out:
	if (pc->release_us)
		pin_releaser_wait(rl);	/* its deadline is bounded: no early release */
	else
		pin_set_unpin(&ps);
	if (ps.unpin_ns)
		cell_record(p, MET_UNPIN_NS, ps.unpin_ns);
	pin_set_destroy(&ps);
	return r;
}

static int pinned_thread(struct session *s, unsigned int idx, void *arg)
{
	struct pinned_run *pr = arg;
	struct wl_ctx *c = pr->t.c;
	struct cell_result *p = &pr->t.parts[idx];
	uint64_t nr = c->gran_bytes / GMB_PAGE_SIZE, lo = session_region_gpa(s, idx), gpa;
	uint64_t t_start = now_ns();
	struct pin_releaser rl = { .running = false };
	unsigned char *buf;
	uint64_t *sel;
	unsigned int pass;
	int r = 0;

	sel = calloc(nr, sizeof(*sel));
	buf = pr->pc->check ? malloc(pin_count_for(nr, pr->pc->fraction_pct) * GMB_PAGE_SIZE) : NULL;
	if (!sel || (pr->pc->check && !buf)) {
		r = -ENOMEM;
		goto out;
	}
	if (pr->pc->release_us) {
		r = pin_releaser_start(&rl);
		if (r) {
			wlc_set_why(&pr->t, "releaser thread: %s", strerror(-r));
			goto out;
		}
	}
	for (pass = 0; pass < pr->passes && !r; pass++) {
		uint64_t salt = mix64(c->cfg->seed ^ ((uint64_t)(pr->repetition + 2) << 40) ^
				      ((uint64_t)pass << 20) ^ idx);

		for (gpa = lo; gpa < lo + s->region_bytes && !r; gpa += c->gran_bytes)
			r = pinned_chunk(pr, s, p, &rl, sel, buf, gpa, salt);
	}
	pin_releaser_stop(&rl);
out:
	p->ctr.wall_ns = now_ns() - t_start;
	free(buf);
	free(sel);
	return r;
}

static int pinned_parse(const struct wl_ctx *c, struct pinned_cfg *pc)
{
	const struct workload *wl = c->cfg->wl;

	memset(pc, 0, sizeof(*pc));
	pc->ops = pin_ops_find(c->variant);
	if (!pc->ops || pin_pattern_parse(wl_opt_str(c->cfg, wl, "pattern"), &pc->pattern))
		return -EINVAL;
	pc->fraction_pct = (unsigned int)wlc_opt_u64(c, "fraction_pct");
	pc->release_us = wlc_opt_u64(c, "release_us");
	pc->check = wlc_opt_u64(c, "check") != 0;
	return 0;
}

/* mm/gup_test.c holds a single pin set for the whole system */
static int pinned_cell_check(const struct wl_ctx *c, char *why, size_t whylen)
{
	uint64_t nr = c->gran_bytes / GMB_PAGE_SIZE, *sel;
	struct pinned_cfg pc;
	int64_t n;
	int r;

	if (pinned_parse(c, &pc) || pc.ops != &pin_gup_test)
		return 0;
	sel = calloc(nr, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	n = pin_select_pages(nr, pc.fraction_pct, pc.pattern, 1, sel, nr);
	r = n > 0 && pin_nr_runs(sel, (uint64_t)n) > 1;
	free(sel);
	if (r) {
		snprintf(why, whylen,
			 "gup_test pins one contiguous range system-wide: pattern=%s pins several runs per chunk (use -O pattern=first)",
			 pin_pattern_name(pc.pattern));
		return -EOPNOTSUPP;
	}
	if (c->cfg->vcpus > 1) {
		snprintf(why, whylen,
			 "gup_test holds one pin set system-wide: %u converter threads would collide (use --vcpus 1)",
			 c->cfg->vcpus);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int pinned_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	struct pinned_cfg pc;
	char pwhy[384] = "";
	int r;

	if (pinned_parse(c, &pc)) {
		snprintf(why, whylen, "bad mechanism '%s' or pattern", c->variant);
		return -EINVAL;
	}
	r = pc.ops->probe(pwhy, sizeof(pwhy));
	if (r) {
		snprintf(why, whylen, "%s: %s", pc.ops->name, pwhy);
		return -EOPNOTSUPP;
	}
	return wlc_session_create(c, CHANNEL_PIO, MF_POLICY_REENTER, why, whylen);
}

static int pinned_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	unsigned int nr_threads = c->sess.nr_vcpus, i;
	struct pinned_cfg pc;
	struct pinned_tally total = { 0, 0 };
	struct pinned_run pr = {
		.pc = &pc,
		.passes = wlc_passes(c, repetition),
		.repetition = repetition,
	};
	int ret;

	if (pinned_parse(c, &pc))
		return -EINVAL;
	pr.tally = calloc(nr_threads, sizeof(*pr.tally));
	if (!pr.tally)
		return -ENOMEM;
	ret = wlc_threads_init(&pr.t, c, nr_threads);
	if (ret) {
		free(pr.tally);
		return ret;
	}
	ret = wlc_threads_run(&pr.t, pinned_thread, &pr, r);
	for (i = 0; i < nr_threads; i++) {
		total.to_private += pr.tally[i].to_private;
		total.to_private_eagain += pr.tally[i].to_private_eagain;
	}
	cell_extra_set(r, "eagain_rate_pct", total.to_private ?
		       100.0 * (double)total.to_private_eagain / (double)total.to_private : 0);
	/* present even when zero: "no EAGAIN" is a result, not a gap */
	cell_extra_add(r, "error_offset_on_pinned_count", 0);
	cell_extra_add(r, "error_offset_checked_count", 0);
	free(pr.tally);
	return ret;
}

WL_DEFINE(pinned, pinned, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .variant_opt = "mechanism", .cell_check = pinned_cell_check,
	  .metrics = pinned_metrics, .teardown = wlc_teardown,
	  .summary = "convert chunks with a fraction of their pages pinned (vmsplice, io_uring, gup_test): EAGAIN, error_offset, time to success, what a punch frees");
