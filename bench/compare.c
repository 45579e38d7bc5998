// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench compare`: the statistics of each matched row, the verdict,
 * and compare_run(), which loads both sides (compare_load.c), checks them
 * (compare_check.c), compares them and hands the rows to the report
 * (compare_report.c). Option parsing is in compare_cli.c.
 *
 * A row is one statistic of one matched cell. Its value on each side is
 * the p50 or p99 of the merged histograms of all repetitions (never an
 * average of percentiles), or for conversions/s and when there are no
 * bins, the median of the per-repetition values. Its interval is the
 * hierarchical bootstrap of bench/boot.h with a seed derived from
 * (--seed, cell, statistic), so a row's interval does not depend on which
 * other rows exist. Verdict, for a lower-is-better statistic with
 * threshold t: regression when ratio > 1 + t and the lower end of the
 * interval > 1 + t; improvement when ratio < 1 - t and the upper end
 * < 1 - t; mirrored for higher-is-better. The repetitions of one run do
 * not show the drift between two runs (another boot, another placement),
 * so t is the budget for it, and the interval must clear it, not just 1.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/boot.h"
#include "bench/compare.h"
#include "bench/compare_internal.h"
#include "bench/rng.h"
#include "bench/stats.h"

const struct cmp_stat_def compare_stat_defs[COMPARE_NR_STATS] = {
	[COMPARE_P50_NS] = { "p50_ns", 1, 0, 50.0 },
	[COMPARE_P99_NS] = { "p99_ns", 1, 0, 99.0 },
	[COMPARE_CONVERSIONS_PER_S] = { "conversions_per_s", 0, 1, 0.0 },
};

const char *const compare_verdict_names[3] = {
	[CMP_SAME] = "same",
	[CMP_REGRESSION] = "regression",
	[CMP_IMPROVEMENT] = "improvement",
};

const char *compare_stat_name(enum compare_stat s)
{
	if ((unsigned int)s >= COMPARE_NR_STATS)
		return "?";
	return compare_stat_defs[s].name;
}

void compare_err(FILE *errf, const char *fmt, ...)
{
	va_list ap;

	if (!errf)
		return;
	fputs(CMP_PREFIX, errf);
	va_start(ap, fmt);
	vfprintf(errf, fmt, ap);
	va_end(ap);
	fputc('\n', errf);
}

int compare_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/*
 * Not parse_double() from bench/parse.h: that one refuses leading blanks
 * (" 0.5") and takes an underflowing value ("1e-310"), this one the
 * opposite, and results.csv files and command lines that worked must keep
 * working the same way.
 */
int compare_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int compare_fails(const struct cmp_result *res, const struct compare_opts *o)
{
	size_t missing = res->nr_health[CMP_MISSING] +
			 res->nr_health[CMP_SKIPPED] + res->nr_only_base;

	return res->nr_regressions || res->nr_health[CMP_FAILED] ||
	       (o->strict && missing);
}

/* one side of a row: its repetitions as bootstrap input */
struct cmp_data {
	struct boot_rep *reps;
	double *one;		/* per-repetition values */
	uint64_t *ones;		/* their counts: 1 */
	size_t nr;
};

static void cmp_data_free(struct cmp_data *d)
{
	free(d->reps);
	free(d->one);
	free(d->ones);
}

/* does every repetition with a value on this cell have bins */
static int cmp_all_bins(const struct cmp_cell *c, int stat)
{
	size_t i;

	for (i = 0; i < c->nr_reps; i++)
		if (!isnan(c->reps[i].v[stat]) && !c->reps[i].bins.nr)
			return 0;
	return 1;
}

/*
 * The repetitions of c that have a value of stat: their values in d->one
 * (for the U test) and, as bootstrap input, their bins or those values.
 */
static int cmp_data_init(struct cmp_data *d, const struct cmp_cell *c,
			 int stat, enum cmp_from from)
{
	size_t i;

	d->reps = calloc(c->nr_reps + 1, sizeof(*d->reps));
	d->one = calloc(c->nr_reps + 1, sizeof(*d->one));
	d->ones = calloc(c->nr_reps + 1, sizeof(*d->ones));
	if (!d->reps || !d->one || !d->ones)
		return -ENOMEM;
	for (i = 0; i < c->nr_reps; i++) {
		const struct cmp_rep *p = &c->reps[i];

		if (isnan(p->v[stat]))
			continue;
		d->one[d->nr] = p->v[stat];
		d->ones[d->nr] = 1;
		if (from == CMP_FROM_BINS)
			d->reps[d->nr] = (struct boot_rep){
				p->bins.value_ns, p->bins.count, p->bins.nr };
		else
			d->reps[d->nr] = (struct boot_rep){
				&d->one[d->nr], &d->ones[d->nr], 1 };
		d->nr++;
	}
	return 0;
}

static uint64_t cmp_hash_key(const char *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h;
}

static void cmp_set_ratio(struct cmp_row *row)
{
	if (row->base_val == row->cand_val) {
		row->delta_pct = 0.0;
		row->ratio = 1.0;
	} else if (row->base_val == 0.0) {
		row->delta_pct = copysign(INFINITY, row->cand_val);
		row->ratio = copysign(INFINITY, row->cand_val);
	} else {
		row->delta_pct = (row->cand_val - row->base_val) /
				 row->base_val * 100.0;
		row->ratio = row->cand_val / row->base_val;
	}
}

/* Mann-Whitney U on the per-repetition values, for information */
static int cmp_set_p(struct cmp_row *row, const struct cmp_data *b,
		     const struct cmp_data *c)
{
	double u, p;
	int ret;

	row->p = NAN;
	if (b->nr < 2 || c->nr < 2)
		return 0;
	ret = stats_mann_whitney(b->one, b->nr, c->one, c->nr, &u, &p);
	if (ret == -ENOMEM)
		return ret;
	if (!ret)
		row->p = p;
	return 0;
}

static void cmp_set_verdict(struct cmp_row *row, double floor_pct,
			    int higher_better)
{
	double up = 1.0 + floor_pct / 100.0, down = 1.0 - floor_pct / 100.0;
	int rise = row->ratio > up && row->ci_lo > up;
	int fall = row->ratio < down && row->ci_hi < down;
	int worse = higher_better ? fall : rise;
	int better = higher_better ? rise : fall;

	row->significant = row->ci_lo > 1.0 || row->ci_hi < 1.0;
	row->verdict = worse ? CMP_REGRESSION :
		       better ? CMP_IMPROVEMENT : CMP_SAME;
}

static int cmp_compare_one(const struct cmp_cell *bc,
			   const struct cmp_cell *cc, int stat,
			   const struct compare_opts *o, struct cmp_row *row)
{
	const struct cmp_stat_def *def = &compare_stat_defs[stat];
	struct boot_opts bo = {
		.pct = def->pct, .resamples = o->resamples,
		.alpha = o->alpha,
		.seed = rng_mix(rng_mix(o->seed, cmp_hash_key(bc->key)),
				(uint64_t)stat),
	};
	struct boot_side sb = { 0 }, sc = { 0 };
	struct cmp_data db = { 0 }, dc = { 0 };
	int ret;

	memset(row, 0, sizeof(*row));
	row->cell = bc;
	row->stat = stat;
	row->from = def->per_metric && cmp_all_bins(bc, stat) &&
		    cmp_all_bins(cc, stat) ? CMP_FROM_BINS : CMP_FROM_REPS;
	bo.kind = row->from == CMP_FROM_BINS ? BOOT_CONVERSIONS : BOOT_VALUES;
	ret = cmp_data_init(&db, bc, stat, row->from);
	if (!ret)
		ret = cmp_data_init(&dc, cc, stat, row->from);
	if (ret)
		goto out;
	row->base_n = db.nr;
	row->cand_n = dc.nr;
	ret = boot_side_init(&sb, db.reps, db.nr);
	if (!ret)
		ret = boot_side_init(&sc, dc.reps, dc.nr);
	if (ret)
		goto out;
	row->base_count = boot_side_count(&sb);
	row->cand_count = boot_side_count(&sc);
	row->base_val = boot_point(&sb, &bo);
	row->cand_val = boot_point(&sc, &bo);
	if (isnan(row->base_val) || isnan(row->cand_val)) {
		ret = -ENOMEM;
		goto out;
	}
	cmp_set_ratio(row);
	ret = boot_ratio_ci(&sb, &sc, &bo, &row->ci_lo, &row->ci_hi);
	if (ret)
		goto out;
	row->effect_only = row->from == CMP_FROM_REPS &&
			   (db.nr < 2 || dc.nr < 2);
	cmp_set_verdict(row, compare_floor_pct(o, stat), def->higher_better);
	ret = cmp_set_p(row, &db, &dc);
out:
	boot_side_free(&sb);
	boot_side_free(&sc);
	cmp_data_free(&db);
	cmp_data_free(&dc);
	return ret;
}

/* base metric cells cand lacks although it ran their cell fine */
static void cmp_mark_gone(struct cmp_side *base, const struct cmp_side *cand,
			  struct cmp_result *res)
{
	size_t i;

	for (i = 0; i < base->nr_cells; i++) {
		struct cmp_cell *bc = &base->cells[i];
		const char *f[CMP_NR_KEY];
		char *key;
		long j;
		int k;

		if (bc->matched || !bc->per_metric || !bc->nr_reps)
			continue;
		for (k = 0; k < CMP_NR_KEY; k++)
			f[k] = bc->f[k];
		key = compare_make_key(f, 0);
		j = key ? compare_find_cell(cand, key) : -1;
		free(key);
		/* a cell cand failed, skipped or lacks is in res->st already */
		if (j >= 0 && cand->cells[j].nr_ok_rows &&
		    cand->cells[j].bad_row < 0) {
			bc->gone = 1;
			res->nr_only_base++;
		}
	}
}

static int cmp_add_row(struct cmp_result *res, const struct cmp_cell *bc,
		       const struct cmp_cell *cc, int stat,
		       const struct compare_opts *o)
{
	struct cmp_row *row;
	int ret;

	if (compare_grow((void **)&res->rows, &res->cap_rows,
			 res->nr_rows + 1, sizeof(*res->rows)))
		return -ENOMEM;
	row = &res->rows[res->nr_rows];
	ret = cmp_compare_one(bc, cc, stat, o, row);
	if (ret)
		return ret;
	res->nr_rows++;
	if (row->verdict == CMP_REGRESSION)
		res->nr_regressions++;
	else if (row->verdict == CMP_IMPROVEMENT)
		res->nr_improvements++;
	res->nr_effect_only += row->effect_only;
	res->nr_from_reps += compare_stat_defs[stat].per_metric &&
			     row->from == CMP_FROM_REPS;
	if (row->base_n < res->min_base_n)
		res->min_base_n = row->base_n;
	if (row->cand_n < res->min_cand_n)
		res->min_cand_n = row->cand_n;
	return 0;
}

static int cmp_build(struct cmp_side *base, struct cmp_side *cand,
		     const struct compare_opts *o, struct cmp_result *res)
{
	size_t i;
	int stat, ret;

	res->min_base_n = res->min_cand_n = SIZE_MAX;
	for (i = 0; i < base->nr_cells; i++) {
		long j = compare_find_cell(cand, base->cells[i].key);

		if (j < 0)
			continue;
		base->cells[i].matched = 1;
		cand->cells[j].matched = 1;
	}
	cmp_mark_gone(base, cand, res);
	/* statistic-major: one block of rows per statistic, in base order */
	for (stat = 0; stat < COMPARE_NR_STATS; stat++) {
		for (i = 0; i < base->nr_cells; i++) {
			const struct cmp_cell *bc = &base->cells[i], *cc;
			size_t k, nb = 0, nc = 0;

			if (!bc->matched ||
			    bc->per_metric != compare_stat_defs[stat].per_metric)
				continue;
			cc = &cand->cells[compare_find_cell(cand, bc->key)];
			for (k = 0; k < bc->nr_reps; k++)
				nb += !isnan(bc->reps[k].v[stat]);
			for (k = 0; k < cc->nr_reps; k++)
				nc += !isnan(cc->reps[k].v[stat]);
			/* a side without any value has nothing to compare */
			if (!nb || !nc)
				continue;
			ret = cmp_add_row(res, bc, cc, stat, o);
			if (ret)
				return ret;
		}
	}
	return compare_status(base, cand, res);
}

static void cmp_result_free(struct cmp_result *res)
{
	free(res->rows);
	free(res->st);
}

static int cmp_load_both(struct cmp_side *sb, struct cmp_side *sc,
			 const char *base, const char *cand,
			 const struct compare_opts *o, FILE *errf)
{
	if (compare_load(sb, "base", base, errf) ||
	    compare_load(sc, "cand", cand, errf))
		return -EINVAL;
	if (!sb->nr_usable) {
		compare_err(errf, "%s: no usable rows (warmup=0, status=ok): nothing to compare against",
			    sb->path);
		return -EINVAL;
	}
	if (o->csv_path && compare_check_output(sb, sc, o->csv_path, errf))
		return -EINVAL;
	return compare_check_context(sb, sc, errf);
}

int compare_run(const char *base, const char *cand,
		const struct compare_opts *o, FILE *out, FILE *errf)
{
	struct cmp_side sb = { 0 }, sc = { 0 };
	struct cmp_result res = { 0 };
	int ret, rc = COMPARE_INCOMPARABLE;

	if (cmp_load_both(&sb, &sc, base, cand, o, errf))
		goto out;
	ret = cmp_build(&sb, &sc, o, &res);
	if (ret) {
		compare_err(errf, "%s", strerror(-ret));
		goto out;
	}
	/* nothing compared and nothing failed: these runs have nothing in common */
	if (!res.nr_rows && !res.nr_health[CMP_FAILED]) {
		compare_err(errf, "no common cell between %s and %s",
			    sb.path, sc.path);
		goto out;
	}
	if (res.nr_rows && (res.min_base_n < COMPARE_MIN_RELIABLE_REPS ||
			    res.min_cand_n < COMPARE_MIN_RELIABLE_REPS) &&
	    errf)
		fprintf(errf, "warning: fewer than %d repetitions (base %zu, cand %zu): the intervals cannot see run-to-run variance\n",
			COMPARE_MIN_RELIABLE_REPS, res.min_base_n,
			res.min_cand_n);
	ret = compare_report(&sb, &sc, &res, o, out);
	if (ret) {
		compare_err(errf, "%s", strerror(-ret));
		goto out;
	}
	if (o->csv_path && compare_write_csv(&res, o->csv_path, errf))
		goto out;
	rc = compare_fails(&res, o) ? COMPARE_REGRESSION : COMPARE_OK;
out:
	cmp_result_free(&res);
	compare_side_free(&sb);
	compare_side_free(&sc);
	return rc;
}
