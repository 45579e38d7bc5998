/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram (HDR-histogram style), values in ns.
 *
 * Values below 2^HIST_SUB_BITS are exact; above, each power of two is split
 * into 2^(HIST_SUB_BITS-1) linear sub-buckets, so any recorded value is
 * reported within 1/2^(HIST_SUB_BITS-1) relative error (<= 0.79% with 8 bits).
 * Range: 0 .. 2^HIST_MAX_BITS-1 ns (~73 minutes); larger values clamp into
 * the last bucket and are counted in `clamped`.
 *
 * Histograms are mergeable: per-thread and per-repetition histograms are
 * added bucket by bucket, never by averaging percentiles.
 */
#ifndef GMB_HIST_H
#define GMB_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS	8
#define HIST_MAX_BITS	42
#define HIST_SUB_COUNT	(1u << HIST_SUB_BITS)
#define HIST_HALF_SUB	(HIST_SUB_COUNT / 2)
/* bucket groups: group 0 = [0, 2^SUB_BITS), group g>0 = half-octave-split */
#define HIST_NR_BUCKETS	(HIST_SUB_COUNT + (HIST_MAX_BITS - HIST_SUB_BITS) * HIST_HALF_SUB)

struct hist {
	uint64_t count;
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t clamped;	/* values >= 2^HIST_MAX_BITS */
	double sum;		/* for mean; exact enough for ns sums < 2^53 */
	double sumsq;		/* for stddev */
	uint64_t counts[HIST_NR_BUCKETS];
};

struct hist_summary {
	uint64_t count;
	uint64_t min_ns, p50_ns, p90_ns, p99_ns, p999_ns, p9999_ns, max_ns;
	double mean_ns, stddev_ns, cv;
};

/* index of the bucket holding v (v already clamped) */
static inline size_t hist_bucket_index(uint64_t v)
{
	unsigned int msb;

	if (v < HIST_SUB_COUNT)
		return (size_t)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	/* top HIST_SUB_BITS bits of v select the sub-bucket in the octave */
	return HIST_SUB_COUNT + (size_t)(msb - HIST_SUB_BITS) * HIST_HALF_SUB +
	       (size_t)((v >> (msb - HIST_SUB_BITS + 1)) - HIST_HALF_SUB);
}

/* The hot path: a few instructions, no branches beyond min/max/clamp. */
static inline void hist_record(struct hist *h, uint64_t v)
{
	double d = (double)v;

	if (v >= (1ULL << HIST_MAX_BITS)) {
		h->clamped++;
		v = (1ULL << HIST_MAX_BITS) - 1;
	}
	h->counts[hist_bucket_index(v)]++;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->sum += d;
	h->sumsq += d * d;
}

void hist_init(struct hist *h);
struct hist *hist_new(void);		/* calloc + init; NULL on ENOMEM */
void hist_free(struct hist *h);
void hist_merge(struct hist *dst, const struct hist *src);
/* lowest and highest value that map to bucket idx */
uint64_t hist_bucket_lo(size_t idx);
uint64_t hist_bucket_hi(size_t idx);
/*
 * 1-based rank of the sample that defines percentile pct (0 < pct <= 100)
 * among count samples: ceil(pct/100 * count), at least 1, at most count;
 * 0 when count is 0. hist_percentile() and the bootstrap of `compare` both
 * use it, so they agree on what "the p50" of a set of values is.
 */
uint64_t hist_rank(uint64_t count, double pct);
/*
 * Value at percentile pct (0 < pct <= 100): the highest value of the bucket
 * that holds the ceil(pct/100 * count)-th smallest sample, clipped to
 * [min, max]. 0 for an empty histogram.
 */
uint64_t hist_percentile(const struct hist *h, double pct);
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);	/* sample stddev (n-1) */
void hist_summarize(const struct hist *h, struct hist_summary *s);

#endif /* GMB_HIST_H */
