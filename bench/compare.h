/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `gmembench compare BASE CAND`: A/B regression gate between two result
 * sets (results.csv, with the results.json beside it when there is one).
 *
 * Cells (workload, backend, driver, channel, variant, granularity_bytes,
 * region_bytes, vcpus, metric) present in both runs are compared statistic
 * by statistic: p50 and p99 latency from the per-conversion values of the
 * merged histograms (results.json bins), conversions/s from the
 * per-repetition values. Each row gets the ratio cand/base and a
 * hierarchical bootstrap confidence interval of it (repetitions, then
 * conversions; see bench/boot.h). A row regresses only when both the
 * ratio and the whole interval lie beyond the effect-size threshold, so
 * neither sampling noise nor a small run-to-run drift the repetitions of
 * one run cannot show fails the gate. Without bins (no results.json) the
 * latency rows fall back to the per-repetition p50/p99 of results.csv, and
 * the report says so. Mann-Whitney U on the per-repetition values is
 * printed for information only. Cells that failed in cand but were ok in
 * base are regressions; cells missing from cand fail under --strict.
 * Markers follow mmtests' compare-kernels: '*' after a delta whose
 * interval excludes 1, '!' before a regressed row.
 */
#ifndef GMB_COMPARE_H
#define GMB_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* the compared statistics, in report order */
enum compare_stat {
	COMPARE_P50_NS,			/* per latency metric, lower is better */
	COMPARE_P99_NS,			/* per latency metric, lower is better */
	COMPARE_CONVERSIONS_PER_S,	/* per cell, higher is better */
	COMPARE_NR_STATS,
};

enum compare_format {
	COMPARE_FORMAT_TEXT = 0,
	COMPARE_FORMAT_MARKDOWN = 1,
};

/* exit codes of compare_run() / compare_main() */
#define COMPARE_OK		0	/* no regression */
#define COMPARE_REGRESSION	1	/* at least one regression */
#define COMPARE_INCOMPARABLE	2	/* bad input or usage error */

#define COMPARE_DEFAULT_ALPHA		0.05
#define COMPARE_DEFAULT_FLOOR_PCT	5.0
#define COMPARE_DEFAULT_SEED		1
#define COMPARE_DEFAULT_RESAMPLES	2000
#define COMPARE_MIN_RESAMPLES		100
#define COMPARE_MAX_RESAMPLES		1000000
/*
 * fewer repetitions than this on either side triggers a warning: with one
 * or two the bootstrap sees (almost) nothing of the run-to-run variance
 */
#define COMPARE_MIN_RELIABLE_REPS	3
/* latencies above one hour are refused as absurd input */
#define COMPARE_MAX_LATENCY_NS		3.6e12

struct compare_opts {
	double alpha;			/* 1 - confidence level, 0 < alpha < 1 */
	double floor_pct;		/* effect-size threshold, percent */
	/* per-statistic threshold in percent; NaN = use floor_pct */
	double stat_floor_pct[COMPARE_NR_STATS];
	int format;			/* enum compare_format */
	const char *csv_path;		/* comparison CSV, NULL = none */
	int strict;			/* cells missing from cand fail */
	uint64_t seed;			/* bootstrap seed */
	unsigned int resamples;		/* bootstrap resamples */
};

/* name of a statistic as used in --threshold and the outputs */
const char *compare_stat_name(enum compare_stat s);

void compare_opts_init(struct compare_opts *o);

/*
 * Apply "STAT=PERCENT" ("p99_ns=10") or "default=PERCENT". Returns 0 or
 * -EINVAL with a one-line message (no newline) in err naming the bad value
 * and the accepted names and range 0..1000.
 */
int compare_opts_set_threshold(struct compare_opts *o, const char *spec,
			       char *err, size_t errlen);

/*
 * BASE and CAND are results.csv paths or directories holding one. Writes
 * the report to out and warnings/errors (one line each) to errf. Returns
 * COMPARE_OK, COMPARE_REGRESSION or COMPARE_INCOMPARABLE.
 */
int compare_run(const char *base, const char *cand,
		const struct compare_opts *o, FILE *out, FILE *errf);

/*
 * argv-style entry for `gmembench compare`; argv[0] is the subcommand name.
 * Options: --alpha P, --threshold STAT=PCT (repeatable), --format
 * text|markdown, --csv PATH, --seed N, --resamples N, --strict, -h/--help;
 * "--opt=value" is accepted too.
 * A bad option prints one line on errf and returns COMPARE_INCOMPARABLE.
 */
int compare_main(int argc, char **argv, FILE *out, FILE *errf);

#endif /* GMB_COMPARE_H */
