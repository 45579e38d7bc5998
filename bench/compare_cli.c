// SPDX-License-Identifier: GPL-2.0
/*
 * Options of `gmembench compare`: their defaults, --threshold STAT=PCT,
 * --seed, --resamples, --strict, and compare_main(), the argv front end
 * over compare_run().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/compare.h"
#include "bench/compare_internal.h"
#include "bench/parse.h"

#define CMP_FLOOR_MAX_PCT	1000.0
/* longer than any statistic name, so only a wrong name gets cut */
#define CMP_STAT_NAME_MAX	32

void compare_opts_init(struct compare_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->alpha = COMPARE_DEFAULT_ALPHA;
	o->floor_pct = COMPARE_DEFAULT_FLOOR_PCT;
	for (i = 0; i < COMPARE_NR_STATS; i++)
		o->stat_floor_pct[i] = NAN;
	o->format = COMPARE_FORMAT_TEXT;
	o->seed = COMPARE_DEFAULT_SEED;
	o->resamples = COMPARE_DEFAULT_RESAMPLES;
}

/*
 * parse_kv() only splits: every statistic name is a valid key, so a spec it
 * refuses names no statistic either, and its message is replaced by the
 * one line that lists what is accepted.
 */
int compare_opts_set_threshold(struct compare_opts *o, const char *spec,
			       char *err, size_t errlen)
{
	char name[CMP_STAT_NAME_MAX];
	const char *val;
	double pct;
	int i;

	if (parse_kv(spec, name, sizeof(name), &val, NULL, 0) ||
	    compare_parse_double(val, &pct) || pct < 0.0 ||
	    pct > CMP_FLOOR_MAX_PCT)
		goto bad;
	if (!strcmp(name, "default")) {
		o->floor_pct = pct;
		return 0;
	}
	for (i = 0; i < COMPARE_NR_STATS; i++) {
		if (!strcmp(name, compare_stat_defs[i].name)) {
			o->stat_floor_pct[i] = pct;
			return 0;
		}
	}
bad:
	snprintf(err, errlen,
		 "invalid --threshold '%s': expected STAT=PERCENT with STAT one of default, p50_ns, p99_ns, conversions_per_s and PERCENT in 0..1000",
		 spec);
	return -EINVAL;
}

double compare_floor_pct(const struct compare_opts *o, int stat)
{
	double f = o->stat_floor_pct[stat];

	return isnan(f) ? o->floor_pct : f;
}

static void cmp_usage(FILE *out)
{
	fprintf(out,
		"usage: gmembench compare [options] BASE CAND\n"
		"Compare two runs; BASE and CAND are results.csv files or directories holding one\n"
		"(with the results.json beside it for per-conversion histograms).\n"
		"Per cell and statistic: ratio cand/base of the p50/p99 of the merged histograms\n"
		"(conversions/s: median of the repetitions) and its hierarchical bootstrap interval\n"
		"(repetitions, then conversions). A row regresses when the ratio AND the whole\n"
		"interval lie beyond the threshold; a cell failed in CAND but ok in BASE regresses.\n"
		"  --alpha P             1 - confidence level of the interval, 0 < P < 1 (default %g)\n"
		"  --threshold STAT=PCT  minimum effect in percent, 0..1000 (default %g);\n"
		"                        STAT: default, p50_ns, p99_ns, conversions_per_s; repeatable\n"
		"  --seed N              bootstrap seed (default %d): same inputs, same verdict\n"
		"  --resamples N         bootstrap resamples, %d..%d (default %d)\n"
		"  --strict              cells or metrics of BASE missing in CAND fail the gate\n"
		"  --format text|markdown  report format (default text)\n"
		"  --csv PATH            also write the comparison as CSV (atomically; never an input)\n"
		"  -h, --help            this help\n"
		"Exit status: 0 no regression, 1 regression (or failed cells, or missing cells\n"
		"with --strict), 2 incomparable or bad input, or usage error.\n",
		COMPARE_DEFAULT_ALPHA, COMPARE_DEFAULT_FLOOR_PCT,
		COMPARE_DEFAULT_SEED, COMPARE_MIN_RESAMPLES,
		COMPARE_MAX_RESAMPLES, COMPARE_DEFAULT_RESAMPLES);
}

enum cmp_opt {
	CMP_OPT_ALPHA,
	CMP_OPT_THRESHOLD,
	CMP_OPT_FORMAT,
	CMP_OPT_CSV,
	CMP_OPT_SEED,
	CMP_OPT_RESAMPLES,
	CMP_OPT_STRICT,		/* the flags, taking no value, from here */
	CMP_NR_OPTS,
};

static const char *const cmp_opt_names[CMP_NR_OPTS] = {
	"--alpha", "--threshold", "--format", "--csv", "--seed", "--resamples",
	"--strict",
};

/* a decimal integer in [lo, hi], the whole string */
static int cmp_parse_u64(const char *s, uint64_t lo, uint64_t hi,
			 uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int cmp_apply_opt(struct compare_opts *o, int opt, const char *val,
			 FILE *errf)
{
	char err[256];
	uint64_t n;
	double a;

	switch (opt) {
	case CMP_OPT_ALPHA:
		if (compare_parse_double(val, &a) || !(a > 0.0 && a < 1.0)) {
			compare_err(errf, "invalid --alpha '%s': expected a number between 0 and 1 (exclusive)",
				val);
			return -EINVAL;
		}
		o->alpha = a;
		return 0;
	case CMP_OPT_THRESHOLD:
		if (compare_opts_set_threshold(o, val, err, sizeof(err))) {
			compare_err(errf, "%s", err);
			return -EINVAL;
		}
		return 0;
	case CMP_OPT_FORMAT:
		if (!strcmp(val, "text")) {
			o->format = COMPARE_FORMAT_TEXT;
		} else if (!strcmp(val, "markdown")) {
			o->format = COMPARE_FORMAT_MARKDOWN;
		} else {
			compare_err(errf, "invalid --format '%s': expected text or markdown",
				val);
			return -EINVAL;
		}
		return 0;
	case CMP_OPT_CSV:
		if (!*val) {
			compare_err(errf, "invalid --csv '': expected a file path");
			return -EINVAL;
		}
		o->csv_path = val;
		return 0;
	case CMP_OPT_SEED:
		if (cmp_parse_u64(val, 0, UINT64_MAX, &o->seed)) {
			compare_err(errf, "invalid --seed '%s': expected an integer 0..%" PRIu64,
				val, UINT64_MAX);
			return -EINVAL;
		}
		return 0;
	case CMP_OPT_RESAMPLES:
		if (cmp_parse_u64(val, COMPARE_MIN_RESAMPLES,
				  COMPARE_MAX_RESAMPLES, &n)) {
			compare_err(errf, "invalid --resamples '%s': expected an integer %d..%d",
				val, COMPARE_MIN_RESAMPLES,
				COMPARE_MAX_RESAMPLES);
			return -EINVAL;
		}
		o->resamples = (unsigned int)n;
		return 0;
	case CMP_OPT_STRICT:
		o->strict = 1;
		return 0;
	}
	return -EINVAL;
}

int compare_main(int argc, char **argv, FILE *out, FILE *errf)
{
	struct compare_opts o;
	const char *pos[2];
	int nr_pos = 0, only_pos = 0, i, k;

	compare_opts_init(&o);
	/* by hand, not getopt: a library entry must not depend on optind */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		size_t name_len;
		int opt = -1;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (nr_pos == 2) {
				compare_err(errf, "unexpected argument '%s': expected only BASE and CAND (try --help)",
					a);
				return COMPARE_INCOMPARABLE;
			}
			pos[nr_pos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cmp_usage(out);
			return COMPARE_OK;
		}
		name_len = strcspn(a, "=");
		for (k = 0; k < CMP_NR_OPTS; k++)
			if (name_len == strlen(cmp_opt_names[k]) &&
			    !strncmp(a, cmp_opt_names[k], name_len))
				opt = k;
		if (opt < 0) {
			compare_err(errf, "unknown option '%.*s' (try --help)",
				(int)name_len, a);
			return COMPARE_INCOMPARABLE;
		}
		if (opt >= CMP_OPT_STRICT) {
			if (a[name_len] == '=') {
				compare_err(errf, "option '%s' takes no value",
					cmp_opt_names[opt]);
				return COMPARE_INCOMPARABLE;
			}
		} else if (a[name_len] == '=') {
			val = a + name_len + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			compare_err(errf, "option '%s' needs a value", a);
			return COMPARE_INCOMPARABLE;
		}
		if (cmp_apply_opt(&o, opt, val, errf))
			return COMPARE_INCOMPARABLE;
	}
	if (nr_pos != 2) {
		compare_err(errf, "expected BASE and CAND (try --help)");
		return COMPARE_INCOMPARABLE;
	}
	return compare_run(pos[0], pos[1], &o, out, errf);
}
