// SPDX-License-Identifier: GPL-2.0
/*
 * Bootstrap of a ratio of medians or percentiles over repetitions of
 * histograms (see bench/boot.h for the method).
 *
 * A side keeps, per repetition, the cumulative count at every value of the
 * side's common grid. A resample is a list of drawn repetitions; the
 * pooled count at grid index j is the sum of their cum[j] (a repetition
 * drawn twice counts twice), monotone in j, so the value at any rank is a
 * binary search: O(R log K) per resample for R repetitions on K values.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/boot.h"
#include "bench/hist.h"
#include "bench/rng.h"
#include "bench/stats.h"

#define BOOT_MAX_COUNT	(1ULL << 53)	/* counts stay exact as doubles */

void boot_side_free(struct boot_side *s)
{
	free(s->grid);
	free(s->cum);
	memset(s, 0, sizeof(*s));
}

/* the sorted distinct values of every repetition into s->grid */
static int boot_build_grid(struct boot_side *s, const struct boot_rep *reps,
			   size_t nr_reps)
{
	size_t total = 0, r, i, n = 0;

	for (r = 0; r < nr_reps; r++)
		total += reps[r].nr;
	s->grid = malloc(total * sizeof(*s->grid));
	if (!s->grid)
		return -ENOMEM;
	for (r = 0; r < nr_reps; r++) {
		memcpy(s->grid + n, reps[r].value,
		       reps[r].nr * sizeof(*s->grid));
		n += reps[r].nr;
	}
	qsort(s->grid, total, sizeof(*s->grid), stats_cmp_double);
	for (i = 0, n = 0; i < total; i++)
		if (!n || s->grid[n - 1] != s->grid[i])
			s->grid[n++] = s->grid[i];
	s->nr_grid = n;
	return 0;
}

static int boot_check_rep(const struct boot_rep *rep, uint64_t *sum)
{
	size_t i;

	if (!rep->nr)
		return -EINVAL;
	for (i = 0; i < rep->nr; i++) {
		if (!isfinite(rep->value[i]) || !rep->count[i] ||
		    (i && !(rep->value[i - 1] < rep->value[i])))
			return -EINVAL;
		if (rep->count[i] > BOOT_MAX_COUNT - *sum)
			return -EINVAL;
		*sum += rep->count[i];
	}
	return 0;
}

int boot_side_init(struct boot_side *s, const struct boot_rep *reps,
		   size_t nr_reps)
{
	uint64_t sum = 0;
	size_t r, i, j;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!nr_reps)
		return -EINVAL;
	for (r = 0; r < nr_reps; r++) {
		ret = boot_check_rep(&reps[r], &sum);
		if (ret)
			return ret;
	}
	ret = boot_build_grid(s, reps, nr_reps);
	if (ret)
		return ret;
	if (s->nr_grid > SIZE_MAX / sizeof(*s->cum) / nr_reps)
		return -ENOMEM;
	s->cum = malloc(nr_reps * s->nr_grid * sizeof(*s->cum));
	if (!s->cum)
		return -ENOMEM;
	s->nr_reps = nr_reps;
	for (r = 0; r < nr_reps; r++) {
		uint64_t *c = s->cum + r * s->nr_grid, run = 0;

		/* both ascending: one merge walk */
		for (i = 0, j = 0; j < s->nr_grid; j++) {
			if (i < reps[r].nr && reps[r].value[i] == s->grid[j])
				run += reps[r].count[i++];
			c[j] = run;
		}
	}
	return 0;
}

uint64_t boot_side_count(const struct boot_side *s)
{
	uint64_t n = 0;
	size_t r;

	for (r = 0; r < s->nr_reps; r++)
		n += s->cum[r * s->nr_grid + s->nr_grid - 1];
	return n;
}

/* pooled count of the drawn repetitions at grid index j */
static double boot_pooled(const struct boot_side *s, const size_t *drawn,
			  size_t nr_drawn, size_t j)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < nr_drawn; i++)
		n += s->cum[drawn[i] * s->nr_grid + j];
	return (double)n;
}

/* the smallest grid value whose pooled count reaches target (> 0) */
static double boot_value_at(const struct boot_side *s, const size_t *drawn,
			    size_t nr_drawn, double target)
{
	size_t lo = 0, hi = s->nr_grid - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (boot_pooled(s, drawn, nr_drawn, mid) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return s->grid[lo];
}

/*
 * The statistic of the drawn repetitions; r == NULL: as observed (the
 * stage-two draw is skipped, the rank taken as is).
 */
static double boot_stat(const struct boot_side *s, const size_t *drawn,
			size_t nr_drawn, const struct boot_opts *o,
			struct rng *r)
{
	double n = boot_pooled(s, drawn, nr_drawn, s->nr_grid - 1);
	uint64_t k;

	if (o->kind == BOOT_VALUES) {
		/* ranks floor((n+1)/2) and ceil((n+1)/2), 1-based */
		uint64_t n64 = (uint64_t)n;
		double a = boot_value_at(s, drawn, nr_drawn,
					 (double)((n64 + 1) / 2));
		double b = boot_value_at(s, drawn, nr_drawn,
					 (double)(n64 / 2 + 1));

		return a == b ? a : (a + b) / 2.0;
	}
	k = hist_rank((uint64_t)n, o->pct);
	if (!r)
		return boot_value_at(s, drawn, nr_drawn, (double)k);
	/* the k-th of n draws from the pooled distribution: F^-1(U_(k)) */
	return boot_value_at(s, drawn, nr_drawn,
			     rng_beta(r, (double)k, n - (double)k + 1.0) * n);
}

double boot_point(const struct boot_side *s, const struct boot_opts *o)
{
	size_t *all = malloc(s->nr_reps * sizeof(*all)), i;
	double v;

	if (!all)
		return NAN;
	for (i = 0; i < s->nr_reps; i++)
		all[i] = i;
	v = boot_stat(s, all, s->nr_reps, o, NULL);
	free(all);
	return v;
}

static double boot_resample(const struct boot_side *s, size_t *drawn,
			    const struct boot_opts *o, struct rng *r)
{
	size_t i;

	for (i = 0; i < s->nr_reps; i++)
		drawn[i] = (size_t)rng_below(r, s->nr_reps);
	return boot_stat(s, drawn, s->nr_reps, o, r);
}

static double boot_ratio(double num, double den)
{
	if (den == 0.0)
		return num == 0.0 ? 1.0 : INFINITY;
	return num / den;
}

/* 1-based order statistic ceil(p * n), within [1, n] */
static size_t boot_order(double p, size_t n)
{
	double k = ceil(p * (double)n - 1e-9);

	if (k < 1.0)
		return 1;
	if (k > (double)n)
		return n;
	return (size_t)k;
}

int boot_ratio_ci(const struct boot_side *base, const struct boot_side *cand,
		  const struct boot_opts *o, double *lo, double *hi)
{
	size_t *drawn, nr = base->nr_reps > cand->nr_reps ? base->nr_reps :
			    cand->nr_reps, b;
	double *ratio;
	struct rng r;

	if (!o->resamples || !(o->alpha > 0.0 && o->alpha < 1.0) ||
	    (o->kind == BOOT_CONVERSIONS && !(o->pct > 0.0 && o->pct <= 100.0)))
		return -EINVAL;
	drawn = malloc(nr * sizeof(*drawn));
	ratio = malloc(o->resamples * sizeof(*ratio));
	if (!drawn || !ratio) {
		free(drawn);
		free(ratio);
		return -ENOMEM;
	}
	rng_seed(&r, o->seed);
	for (b = 0; b < o->resamples; b++) {
		double sb = boot_resample(base, drawn, o, &r);
		double sc = boot_resample(cand, drawn, o, &r);

		ratio[b] = boot_ratio(sc, sb);
	}
	qsort(ratio, o->resamples, sizeof(*ratio), stats_cmp_double);
	*lo = ratio[boot_order(o->alpha / 2.0, o->resamples) - 1];
	*hi = ratio[boot_order(1.0 - o->alpha / 2.0, o->resamples) - 1];
	free(drawn);
	free(ratio);
	return 0;
}
