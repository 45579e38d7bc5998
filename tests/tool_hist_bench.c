// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmark of the recording hot path (`make bench-self`):
 * hist_record(), cell_record() through a metric handle (target: 20 ns/op
 * or less), and the overhead of a timer pair (two now_ns() calls), the
 * floor under every latency gmembench reports. Not a test: it prints the
 * speeds and never fails on them.
 *
 * Values are generated up front and cycled so only the recording is timed;
 * they are log-uniformly spread over 100 ns .. 1 ms so every octave in that
 * range (and its cache lines of counts[]) is exercised, as with real
 * conversion latencies.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/hist.h"
#include "bench/result.h"
#include "harness/clock.h"

#define BENCH_OPS	50000000ULL
#define BENCH_VALUES	(1u << 20)	/* power of two: cycle with a mask */
#define BENCH_MIN_NS	100ULL
#define BENCH_MAX_NS	1000000ULL
#define TIMER_PAIRS	10000000ULL
#define TARGET_NS	20.0

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void fill_values(uint64_t *vals)
{
	uint64_t seed = 0x853c49e6748fea9bULL, i;

	for (i = 0; i < BENCH_VALUES; i++) {
		uint64_t r = xorshift64(&seed);
		/* octave 6..19 (64 ns .. 1 Mi ns), random mantissa */
		unsigned int msb = 6 + (unsigned int)(r % 14);
		uint64_t v = (1ULL << msb) | ((r >> 8) & ((1ULL << msb) - 1));

		if (v < BENCH_MIN_NS)
			v = BENCH_MIN_NS + (v & 63);
		if (v > BENCH_MAX_NS)
			v = BENCH_MAX_NS - (v & 0xffff);
		vals[i] = v;
	}
}

static void report(const char *what, uint64_t ns, uint64_t ops, bool target)
{
	double per = (double)ns / (double)ops;

	printf("%-24s %6.2f ns/op (%llu ops)%s\n", what, per, (unsigned long long)ops,
	       !target ? "" : per <= TARGET_NS ? ", target <= 20 ns met" :
	       ", target <= 20 ns NOT met");
}

/* hist_record on a bare histogram */
static int bench_hist(const uint64_t *vals)
{
	struct hist *h = hist_new();
	uint64_t t0, t1, i;

	if (!h)
		return -1;
	t0 = now_ns();
	for (i = 0; i < BENCH_OPS; i++)
		hist_record(h, vals[i & (BENCH_VALUES - 1)]);
	t1 = now_ns();
	/* reading the result keeps the loop from being optimised away */
	if (h->count != BENCH_OPS) {
		hist_free(h);
		return -1;
	}
	report("hist_record", t1 - t0, BENCH_OPS, true);
	hist_free(h);
	return 0;
}

/* cell_record through a handle, as a workload's timed loop does */
static int bench_cell(const uint64_t *vals)
{
	struct cell_result r;
	uint64_t t0, t1, i;
	int ret = -1;

	if (cell_result_init(&r, NULL, NULL))
		goto out;
	t0 = now_ns();
	for (i = 0; i < BENCH_OPS; i++)
		cell_record(&r, MET_TO_PRIVATE_NS, vals[i & (BENCH_VALUES - 1)]);
	t1 = now_ns();
	if (r.rec_err || cell_metric_get(&r, MET_TO_PRIVATE_NS)->count != BENCH_OPS)
		goto out;
	report("cell_record (handle)", t1 - t0, BENCH_OPS, true);
	ret = 0;
out:
	cell_result_free(&r);
	return ret;
}

/* a timer pair: what an empty timed region measures */
static void bench_timer_pair(void)
{
	uint64_t t0, t1, i, sum = 0, min = UINT64_MAX;

	t0 = now_ns();
	for (i = 0; i < TIMER_PAIRS; i++) {
		uint64_t a = now_ns(), b = now_ns();

		sum += b - a;
		if (b - a < min)
			min = b - a;
	}
	t1 = now_ns();
	printf("%-24s %6.2f ns/pair (%llu pairs; b - a: mean %.2f ns, min %llu ns)\n",
	       "timer pair (2x now_ns)", (double)(t1 - t0) / (double)TIMER_PAIRS,
	       (unsigned long long)TIMER_PAIRS, (double)sum / (double)TIMER_PAIRS,
	       (unsigned long long)min);
}

int main(void)
{
	uint64_t *vals = malloc(BENCH_VALUES * sizeof(*vals));
	int ret = 0;

	if (!vals) {
		fprintf(stderr, "tool_hist_bench: out of memory\n");
		return 1;
	}
	fill_values(vals);
	if (bench_hist(vals) || bench_cell(vals)) {
		fprintf(stderr, "tool_hist_bench: recording failed\n");
		ret = 1;
	}
	bench_timer_pair();
	free(vals);
	return ret;
}
