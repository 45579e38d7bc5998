// SPDX-License-Identifier: GPL-2.0
/*
 * Summary sinks: the terminal summary printed at the end of a run ("human")
 * and the same table as markdown in summary.md ("markdown").
 *
 * One line per backend x driver x granularity x variant with the
 * repetitions merged (histograms are added, never percentiles averaged),
 * the warm-up pass shown on its own, then one line per reason naming
 * every skipped or failed cell it hit (and notes of ok cells), then the
 * guest touches of host-driven cells with their spread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/atomic_file.h"
#include "bench/parse.h"
#include "bench/stats.h"
#include "bench/sink.h"

#define HUMAN_MAX_GROUPS	256
#define HUMAN_MAX_NOTES		64

/* a group's merged histograms */
enum {
	HG_CONVERT,		/* convert_ns of the measured repetitions */
	HG_WARM,		/* convert_ns of the warm-up pass */
	HG_ROUNDTRIP,		/* the MET_F_ROUNDTRIP metric (exit_roundtrip_ns) */
	HG_TO_PRIVATE,
	HG_TO_SHARED,
	NR_HG,
};

struct human_group {
	struct cell_key key;		/* repetition ignored */
	struct hist *hist[NR_HG];
	uint64_t conversions, wall_ns, eagain;
	unsigned int reps;
	double *rep_p50;		/* convert_ns p50 of each repetition */
	/* guest_pages_touched / wall_ns and the count, per measured repetition */
	double *rep_touch_per_s;
	uint64_t *rep_touched;
	unsigned int touch_reps;
};

struct human_note {
	enum cell_status status;
	bool full;		/* what ends in ", ...": more cells than fit */
	char what[256];		/* "<status> <backend>/<driver>[ G=<g>], ..." */
	char reason[RESULT_REASON_LEN];
};

struct human {
	unsigned int nr_groups, nr_notes;
	struct human_group groups[HUMAN_MAX_GROUPS];
	struct human_note notes[HUMAN_MAX_NOTES];
};

static bool same_cell(const struct cell_key *a, const struct cell_key *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->backend, b->backend) &&
	       !strcmp(a->driver, b->driver) && !strcmp(a->variant, b->variant) &&
	       a->granularity_bytes == b->granularity_bytes && a->vcpus == b->vcpus &&
	       a->region_bytes == b->region_bytes;
}

/* whether the comma-separated list holds item */
static bool note_has_item(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p;

	for (p = list; (p = strstr(p, item)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static int human_begin(struct sink *s, const struct run_info *ri)
{
	s->priv = calloc(1, sizeof(struct human));
	return s->priv ? 0 : -ENOMEM;
}

/*
 * One line per distinct status and reason, naming every cell it hit
 * (backend/driver, and the granularity unless skipped); ok cells with a
 * reason are notes.
 */
static void add_note(struct human *h, const struct cell_result *r)
{
	char gran[32], item[96];
	struct human_note *n = NULL;
	const char *label;
	size_t len;
	unsigned int i;

	/* an ok cell with a reason: a note on what it could not measure */
	label = r->status == CELL_OK ? "note" : cell_status_name(r->status);
	format_size(r->key.granularity_bytes, gran, sizeof(gran));
	snprintf(item, sizeof(item), "%s/%s%s%s", r->key.backend, r->key.driver,
		 r->status == CELL_SKIPPED ? "" : " G=",
		 r->status == CELL_SKIPPED ? "" : gran);
	for (i = 0; i < h->nr_notes; i++)
		if (h->notes[i].status == r->status && !strcmp(h->notes[i].reason, r->reason))
			n = &h->notes[i];
	if (!n) {
		if (h->nr_notes >= HUMAN_MAX_NOTES)
			return;
		n = &h->notes[h->nr_notes++];
		n->status = r->status;
		snprintf(n->what, sizeof(n->what), "%s %s", label, item);
		snprintf(n->reason, sizeof(n->reason), "%s", r->reason);
		return;
	}
	/* the items after "<status> ", comma separated: add item once */
	len = strlen(n->what);
	if (note_has_item(n->what + strlen(label) + 1, item))
		return;
	if (n->full)
		return;
	if (len + 2 + strlen(item) + 5 < sizeof(n->what)) {
		snprintf(n->what + len, sizeof(n->what) - len, ", %s", item);
	} else {
		/* room for ", ..." was kept */
		snprintf(n->what + len, sizeof(n->what) - len, ", ...");
		n->full = true;
	}
}

/* one measured, ok repetition's guest touches (see touch_lines) */
static int add_touches(struct human_group *g, const struct cell_result *r)
{
	double *rate;
	uint64_t *n;

	/* a failed repetition stopped early: its count says nothing */
	if (r->status != CELL_OK || !r->ctr.wall_ns)
		return 0;
	rate = realloc(g->rep_touch_per_s, (g->touch_reps + 1) * sizeof(*rate));
	if (!rate)
		return -ENOMEM;
	g->rep_touch_per_s = rate;
	n = realloc(g->rep_touched, (g->touch_reps + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	g->rep_touched = n;
	rate[g->touch_reps] = r->ctr.guest_pages_touched * 1e9 / (double)r->ctr.wall_ns;
	n[g->touch_reps] = r->ctr.guest_pages_touched;
	g->touch_reps++;
	return 0;
}

static void merge_some(struct hist *dst, const struct hist *src)
{
	if (src)
		hist_merge(dst, src);
}

static int human_cell(struct sink *s, const struct run_info *ri,
		      const struct cell_result *r)
{
	struct human *h = s->priv;
	struct human_group *g = NULL;
	const struct hist *src;
	unsigned int i;
	int ret;

	if (r->status != CELL_OK || r->reason[0])
		add_note(h, r);
	if (r->status == CELL_SKIPPED)
		return 0;
	for (i = 0; i < h->nr_groups; i++)
		if (same_cell(&h->groups[i].key, &r->key))
			g = &h->groups[i];
	if (!g) {
		if (h->nr_groups >= HUMAN_MAX_GROUPS)
			return 0;
		g = &h->groups[h->nr_groups++];
		g->key = r->key;
		for (i = 0; i < NR_HG; i++)
			if (!(g->hist[i] = hist_new()))
				return -ENOMEM;
	}
	src = cell_metric_get(r, MET_CONVERT_NS);
	if (r->key.repetition < 0) {
		merge_some(g->hist[HG_WARM], src);
		return 0;
	}
	merge_some(g->hist[HG_CONVERT], src);
	merge_some(g->hist[HG_ROUNDTRIP], cell_metric_flagged(r, MET_F_ROUNDTRIP));
	merge_some(g->hist[HG_TO_PRIVATE], cell_metric_get(r, MET_TO_PRIVATE_NS));
	src = cell_metric_get(r, MET_TO_SHARED_NS);
	merge_some(g->hist[HG_TO_SHARED], src);
	if (src) {
		double *n = realloc(g->rep_p50, (g->reps + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->rep_p50 = n;
		n[g->reps] = (double)hist_percentile(cell_metric_get(r, MET_CONVERT_NS), 50);
	}
	ret = add_touches(g, r);
	if (ret)
		return ret;
	g->conversions += r->ctr.conversions;
	g->wall_ns += r->ctr.wall_ns;
	g->eagain += r->ctr.eagain_total;
	g->reps++;
	return 0;
}

static void fmt_ns(uint64_t ns, char *buf, size_t len)
{
	if (!ns)
		snprintf(buf, len, "-");
	else if (ns >= 10000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else if (ns >= 10000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

static void fmt_p50(const struct hist *h, char *buf, size_t len)
{
	struct hist_summary hs;

	hist_summarize(h, &hs);
	if (hs.count)
		fmt_ns(hs.p50_ns, buf, len);
	else
		snprintf(buf, len, "-");
}

/* 95% CI of the median of the per-repetition p50s: "a..b" or "-" */
static void fmt_ci(const struct human_group *g, char *buf, size_t len)
{
	double med, lo, hi;
	char a[16], b[16];

	/* with conversions in only some repetitions the CI would mislead */
	if (g->reps < 2 || !g->rep_p50 ||
	    stats_median_ci95(g->rep_p50, g->reps, &med, &lo, &hi)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_ns((uint64_t)lo, a, sizeof(a));
	fmt_ns((uint64_t)hi, b, sizeof(b));
	snprintf(buf, len, "%s..%s", a, b);
}

/*
 * Whether a group's guest_pages_touched is a by-product of time: the
 * vCPUs ran a touch loop while harness threads converted (host-driven
 * cells), so the count follows the cell's wall time and the CPU time the
 * vCPU threads got, not the workload's parameters. Guest-driven cells and
 * fixed touch passes give the same count in every repetition.
 */
static bool touches_vary(const struct human_group *g)
{
	bool any = false, equal = true;
	unsigned int i;

	if (!strcmp(g->key.driver, "guest"))
		return false;
	for (i = 0; i < g->touch_reps; i++) {
		any |= g->rep_touched[i] > 0;
		equal &= g->rep_touched[i] == g->rep_touched[0];
	}
	return any && !(equal && g->touch_reps >= 2);
}

/* median (min..max) of n values as "m (lo..hi)" */
static void fmt_spread(const double *x, unsigned int n, char *buf, size_t len)
{
	double lo = x[0], hi = x[0];
	unsigned int i;

	for (i = 1; i < n; i++) {
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
	}
	snprintf(buf, len, "%.3g (%.3g..%.3g)", stats_median(x, n), lo, hi);
}

/* guest touches of host-driven groups, with their spread and what they follow */
static void touch_lines(const struct human *h, FILE *f, bool md)
{
	bool head = false;
	unsigned int i, j;

	for (i = 0; i < h->nr_groups; i++) {
		const struct human_group *g = &h->groups[i];
		char gran[16], rate[64], cnt[64];
		double *pages;

		if (!touches_vary(g))
			continue;
		pages = malloc(g->touch_reps * sizeof(*pages));
		if (!pages)
			return;
		for (j = 0; j < g->touch_reps; j++)
			pages[j] = (double)g->rep_touched[j];
		fmt_spread(g->rep_touch_per_s, g->touch_reps, rate, sizeof(rate));
		fmt_spread(pages, g->touch_reps, cnt, sizeof(cnt));
		free(pages);
		if (!head) {
			fprintf(f, "%sguest_pages_touched of host-driven cells, median (min..max) over repetitions: background load, not a result (the vCPUs touch in a loop while harness threads convert: it follows the cell's wall time and the CPU time the vCPUs get)\n",
				md ? "\n" : "");
			head = true;
		}
		format_size(g->key.granularity_bytes, gran, sizeof(gran));
		fprintf(f, md ? "- %s/%s G=%s %s: %s pages/s, %s pages per repetition, %u reps\n" :
				"  %s/%s G=%s %s: %s pages/s, %s pages per repetition, %u reps\n",
			g->key.backend, g->key.driver, gran, g->key.variant, rate, cnt,
			g->touch_reps);
	}
}

static void render(struct human *h, const struct run_info *ri, FILE *f, bool md)
{
	unsigned int i;

	if (md)
		fprintf(f, "# %s%s on %s (%s)\n\n- channel: %s\n- run: `%s`\n\n",
			h->nr_groups ? h->groups[0].key.workload : "run",
			ri->interrupted ? " [INTERRUPTED]" : "", ri->host->hostname,
			ri->host->kernel_release,
			ri->channel_used ? channel_name(ri->channel.channel) : "-", ri->argv_line);
	else
		fprintf(f, "\n%s%s on %s (%s), channel %s\n",
			h->nr_groups ? h->groups[0].key.workload : "run",
			ri->interrupted ? " [INTERRUPTED]" : "", ri->host->hostname,
			ri->host->kernel_release,
			ri->channel_used ? channel_name(ri->channel.channel) : "-");
	/* a TCG lab emulates every instruction: say so above the numbers */
	if (!strcmp(ri->host->origin.origin, "lab"))
		fprintf(f, "%slab: %s kvm in QEMU (%s; kernel %s; kvm %s; selftest %s)%s\n%s",
			md ? "> " : "", ri->host->origin.accel, ri->host->origin.qemu,
			ri->host->origin.kernel, ri->host->origin.kvm, ri->host->origin.selftest,
			hostinfo_origin_functional(&ri->host->origin) ?
			(md ? "\n>\n> **functional numbers (TCG)**: compare ratios within this run only, never absolute times" :
			      "\nFUNCTIONAL numbers (TCG): compare ratios within this run only, never absolute times") : "",
			md ? "\n" : "");
	if (md)
		fprintf(f, "| backend | driver | G | variant | reps | private p50 | shared p50 | p99 | max | rep p50 CI95 | warm p50 | exit rt p50 | conv/s | EAGAIN |\n"
			   "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	else
		fprintf(f, "%-8s %-6s %5s %-20s %4s %10s %10s %10s %10s %21s %10s %10s %9s %6s\n",
			"backend", "driver", "G", "variant", "reps", "priv p50", "shared p50",
			"p99", "max", "rep p50 CI95", "warm p50", "exit rt50", "conv/s", "EAGAIN");
	for (i = 0; i < h->nr_groups; i++) {
		struct human_group *g = &h->groups[i];
		struct hist_summary cs;
		char gran[16], a[16], b[16], c[16], d[16], e[16], p[16], ci[40];
		double rate = g->wall_ns ? g->conversions * 1e9 / (double)g->wall_ns : 0.0;

		hist_summarize(g->hist[HG_CONVERT], &cs);
		format_size(g->key.granularity_bytes, gran, sizeof(gran));
		fmt_p50(g->hist[HG_TO_PRIVATE], a, sizeof(a));
		fmt_p50(g->hist[HG_TO_SHARED], p, sizeof(p));
		fmt_ns(cs.p99_ns, b, sizeof(b));
		fmt_ns(cs.max_ns, c, sizeof(c));
		fmt_p50(g->hist[HG_WARM], d, sizeof(d));
		fmt_p50(g->hist[HG_ROUNDTRIP], e, sizeof(e));
		fmt_ci(g, ci, sizeof(ci));
		if (md)
			fprintf(f, "| %s | %s | %s | %s | %u | %s | %s | %s | %s | %s | %s | %s | %.0f | %llu |\n",
				g->key.backend, g->key.driver, gran, g->key.variant, g->reps,
				a, p, b, c, ci, d, e, rate, (unsigned long long)g->eagain);
		else
			fprintf(f, "%-8s %-6s %5s %-20s %4u %10s %10s %10s %10s %21s %10s %10s %9.0f %6llu\n",
				g->key.backend, g->key.driver, gran, g->key.variant, g->reps,
				a, p, b, c, ci, d, e, rate, (unsigned long long)g->eagain);
	}
	if (!h->nr_groups)
		fprintf(f, "(no cell produced measurements)\n");
	if (md && h->nr_notes)
		fputc('\n', f);
	for (i = 0; i < h->nr_notes; i++)
		fprintf(f, md ? "- %s: %s\n" : "%s: %s\n", h->notes[i].what, h->notes[i].reason);
	touch_lines(h, f, md);
	if (md)
		fprintf(f, "\nprivate/shared p50: to_private_ns / to_shared_ns; p99, max and warm p50: convert_ns (both directions); rep p50 CI95: distribution-free 95%% confidence interval of the median of the per-repetition convert_ns p50 (min..max below 6 repetitions); exit rt: exit_roundtrip_ns (guest driver); conv/s: all conversions of the measured repetitions over their summed wall time. Histograms merged over all measured repetitions. Columns: results/README.md.\n");
}

static int human_end(struct sink *s, const struct run_info *ri)
{
	render(s->priv, ri, s->out ? s->out : stdout, false);
	return 0;
}

static int markdown_end(struct sink *s, const struct run_info *ri)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f) {
		snprintf(s->err, sizeof(s->err), "%s: %s", s->path, strerror(errno));
		return -errno;
	}
	render(s->priv, ri, f, true);
	fclose(f);
	r = atomic_write_file(s->path, buf, len, s->err, sizeof(s->err));
	free(buf);
	return r;
}

static void human_free(void *priv)
{
	struct human *h = priv;
	unsigned int i, j;

	for (i = 0; h && i < h->nr_groups; i++) {
		struct human_group *g = &h->groups[i];

		for (j = 0; j < NR_HG; j++)
			hist_free(g->hist[j]);
		free(g->rep_p50);
		free(g->rep_touch_per_s);
		free(g->rep_touched);
	}
	free(h);
}

const struct sink_ops sink_markdown_ops = {
	.name = "markdown", .file_name = "summary.md",
	.begin = human_begin, .cell = human_cell, .end = markdown_end, .free_priv = human_free,
};

const struct sink_ops sink_human_ops = {
	.name = "human", .file_name = NULL,
	.begin = human_begin, .cell = human_cell, .end = human_end, .free_priv = human_free,
};
