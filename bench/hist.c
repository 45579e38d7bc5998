// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear latency histogram: everything but the inline hot path.
 *
 * Bucket layout (see bench/hist.h): indices [0, HIST_SUB_COUNT) hold the
 * exact values 0..255; after that every octave [2^msb, 2^(msb+1)) with
 * msb >= HIST_SUB_BITS owns HIST_HALF_SUB equally wide buckets of width
 * 2^(msb - HIST_SUB_BITS + 1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	/* so the first hist_record() always lowers it */
	h->min = UINT64_MAX;
}

struct hist *hist_new(void)
{
	struct hist *h = calloc(1, sizeof(*h));

	if (h)
		hist_init(h);
	return h;
}

void hist_free(struct hist *h)
{
	free(h);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	if (!src->count)
		return;
	for (i = 0; i < HIST_NR_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* octave (msb) and the log2 of the bucket width for a bucket >= SUB_COUNT */
static void hist_bucket_geometry(size_t idx, unsigned int *msb,
				 unsigned int *shift, uint64_t *sub)
{
	size_t rel = idx - HIST_SUB_COUNT;

	*msb = HIST_SUB_BITS + (unsigned int)(rel / HIST_HALF_SUB);
	*shift = *msb - HIST_SUB_BITS + 1;
	/* top HIST_SUB_BITS bits of any value in the bucket, leading 1 set */
	*sub = HIST_HALF_SUB + (uint64_t)(rel % HIST_HALF_SUB);
}

/*
 * Lowest (top = 0) or highest (top = 1) value of bucket idx. Out-of-range
 * indices return UINT64_MAX so a caller bug shows up as an absurd value
 * instead of silently aliasing a real bucket.
 */
static uint64_t hist_bucket_bound(size_t idx, unsigned int top)
{
	unsigned int msb, shift;
	uint64_t sub;

	if (idx >= HIST_NR_BUCKETS)
		return UINT64_MAX;
	if (idx < HIST_SUB_COUNT)
		return idx;
	hist_bucket_geometry(idx, &msb, &shift, &sub);
	return ((sub + top) << shift) - top;
}

uint64_t hist_bucket_lo(size_t idx)
{
	return hist_bucket_bound(idx, 0);
}

uint64_t hist_bucket_hi(size_t idx)
{
	return hist_bucket_bound(idx, 1);
}

uint64_t hist_rank(uint64_t count, double pct)
{
	double x = pct * (double)count / 100.0;
	double r;

	if (!count)
		return 0;
	/*
	 * pct * count is exact for the usual integer or short-decimal pcts;
	 * the tiny relative slack absorbs the last-bit error of the division
	 * (and of decimal pcts like 99.9) so that e.g. p7 of 100 samples is
	 * rank 7, not 8. It only matters when x is within 1e-12 of an integer.
	 */
	r = ceil(x - x * 1e-12);
	if (r < 1.0)
		return 1;
	if (r >= (double)count)
		return count;
	return (uint64_t)r;
}

uint64_t hist_percentile(const struct hist *h, double pct)
{
	uint64_t rank, seen = 0, v;
	size_t i;

	if (!h->count)
		return 0;
	/* !(pct > 0) also catches NaN */
	if (!(pct > 0.0))
		return h->min;
	if (pct >= 100.0)
		return h->max;
	rank = hist_rank(h->count, pct);
	for (i = 0; i < HIST_NR_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_NR_BUCKETS)	/* counts[] inconsistent with count */
		return h->max;
	v = hist_bucket_hi(i);
	/* the bucket's top may lie beyond any recorded value */
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double hist_mean(const struct hist *h)
{
	if (!h->count)
		return 0.0;
	return h->sum / (double)h->count;
}

double hist_stddev(const struct hist *h)
{
	double n = (double)h->count, var;

	if (h->count < 2)
		return 0.0;
	var = (h->sumsq - h->sum * h->sum / n) / (n - 1.0);
	/* the one-pass formula can dip just below 0 for near-constant data */
	if (var <= 0.0)
		return 0.0;
	return sqrt(var);
}

void hist_summarize(const struct hist *h, struct hist_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->count = h->count;
	if (!h->count)
		return;
	s->min_ns = h->min;
	s->p50_ns = hist_percentile(h, 50.0);
	s->p90_ns = hist_percentile(h, 90.0);
	s->p99_ns = hist_percentile(h, 99.0);
	s->p999_ns = hist_percentile(h, 99.9);
	s->p9999_ns = hist_percentile(h, 99.99);
	s->max_ns = h->max;
	s->mean_ns = hist_mean(h);
	s->stddev_ns = hist_stddev(h);
	s->cv = s->mean_ns != 0.0 ? s->stddev_ns / s->mean_ns : 0.0;
}
