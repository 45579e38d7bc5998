/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the bench/compare*.c files: the loaded sides, their cells and
 * the comparison rows, shared by
 *   compare_load.c    read results.csv, group rows into cells
 *   compare_check.c   input hygiene (rows, values, --csv path, context)
 *   compare_json.c    the histogram bins of results.json
 *   compare_status.c  failed, skipped and missing cells
 *   compare.c         per-row statistics, the verdict, compare_run()
 *   compare_report.c  text/markdown report and the comparison CSV
 *   compare_cli.c     options and compare_main()
 */
#ifndef GMB_COMPARE_INTERNAL_H
#define GMB_COMPARE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/compare.h"
#include "bench/csv.h"

#define CMP_PREFIX		"gmembench compare: "

/* the cell key, in the order of the comparison CSV */
enum {
	CMP_K_WORKLOAD,
	CMP_K_BACKEND,
	CMP_K_DRIVER,
	CMP_K_CHANNEL,
	CMP_K_VARIANT,
	CMP_K_GRANULARITY,
	CMP_K_REGION,
	CMP_K_VCPUS,
	CMP_K_METRIC,
	CMP_NR_KEY,
};

struct cmp_stat_def {
	const char *name;
	int per_metric;		/* keyed with the metric (latency) or not */
	int higher_better;
	double pct;		/* percentile of the bins (per_metric only) */
};

/* indexed by enum compare_stat */
extern const struct cmp_stat_def compare_stat_defs[COMPARE_NR_STATS];

/* one repetition of one metric from results.json */
struct cmp_bins {
	double *value_ns;	/* ascending, distinct: bin tops within [min, max] */
	uint64_t *count;
	size_t nr;		/* 0: no bins for this repetition */
};

/* one repetition of a cell: its first results.csv row and its values */
struct cmp_rep {
	size_t row;			/* data row index */
	long repetition;
	double v[COMPARE_NR_STATS];	/* NaN: empty in results.csv */
	struct cmp_bins bins;		/* metric cells only */
};

struct cmp_cell {
	char *key;			/* kind + joined fields: the hash key */
	const char *f[CMP_NR_KEY];	/* into the table; metric "" if !per_metric */
	int per_metric;
	int matched;
	int gone;			/* base metric cell whose cell cand ran without it */
	struct cmp_rep *reps;		/* usable repetitions (status ok, no warm-up) */
	size_t nr_reps, cap_reps;
	/* counter cells only: the status of every row of the cell */
	size_t nr_ok_rows;
	long bad_row;			/* first error/timeout/interrupted row, -1 */
	long skip_row;			/* first skipped row, -1 */
};

struct cmp_side {
	const char *label;		/* "base" or "cand" */
	const char *arg;		/* as given on the command line */
	char *path;			/* the results.csv actually read */
	char *json_path;		/* the results.json read, NULL: none */
	void *context;			/* its "context" (struct json_object *) */
	size_t nr_bins;			/* repetitions that got bins */
	struct csv_table t;
	int have_table;
	int col_key[CMP_NR_KEY];
	int col_stat[COMPARE_NR_STATS];
	int col_schema, col_warmup, col_status, col_rep, col_run_id;
	int col_reason;			/* -1: no such column */
	const char *run_id;		/* of the first usable row, or NULL */
	size_t nr_usable;		/* rows with status ok, no warm-up */
	struct cmp_cell *cells;
	size_t nr_cells, cap_cells;
	size_t *hash;			/* cell index + 1; 0 = empty slot */
	size_t hash_cap;		/* power of two */
};

enum cmp_verdict {
	CMP_SAME,
	CMP_REGRESSION,
	CMP_IMPROVEMENT,
};

/* indexed by enum cmp_verdict: "same", "regression", "improvement" */
extern const char *const compare_verdict_names[3];

/* where a row's values come from */
enum cmp_from {
	CMP_FROM_BINS,		/* per-conversion values of the histograms */
	CMP_FROM_REPS,		/* one value per repetition (results.csv) */
};

struct cmp_row {
	const struct cmp_cell *cell;	/* the base side's cell */
	int stat;
	enum cmp_from from;
	size_t base_n, cand_n;		/* repetitions */
	uint64_t base_count, cand_count;	/* values pooled */
	double base_val, cand_val, delta_pct, ratio, ci_lo, ci_hi, p;
	int significant;		/* the interval excludes 1 */
	int effect_only;		/* per-repetition values, a side has 1 */
	enum cmp_verdict verdict;
};

enum cmp_health {
	CMP_FAILED,		/* failed in cand, ok in base: a regression */
	CMP_FAILED_BOTH,	/* failed in cand and in base */
	CMP_SKIPPED,		/* skipped in cand, ok in base */
	CMP_MISSING,		/* ok in base, absent from cand */
	CMP_NR_HEALTH,
};

/* indexed by enum cmp_health */
extern const char *const compare_health_names[CMP_NR_HEALTH];

/* a cell of base whose counterpart in cand is not ok */
struct cmp_status {
	const struct cmp_cell *cell;	/* the base side's counter cell */
	enum cmp_health health;
	const char *status, *reason;	/* of cand's row; "" when missing */
};

struct cmp_result {
	struct cmp_row *rows;
	size_t nr_rows, cap_rows;
	struct cmp_status *st;
	size_t nr_st, cap_st;
	size_t nr_regressions, nr_improvements, nr_effect_only, nr_from_reps;
	size_t nr_health[CMP_NR_HEALTH];
	size_t nr_only_base;		/* metric cells of base absent from cand */
	size_t min_base_n, min_cand_n;
};

/* compare.c */

/* one line "gmembench compare: ...\n" on errf; nothing when errf is NULL */
void compare_err(FILE *errf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* make room for need elements of elem bytes in *p (doubling): 0 or -ENOMEM */
int compare_grow(void **p, size_t *cap, size_t need, size_t elem);

/* the whole string a finite number (strtod syntax, no range error): 0 or -EINVAL */
int compare_parse_double(const char *s, double *out);

/* does the gate fail: regressions, failed cells, or missing under strict */
int compare_fails(const struct cmp_result *res, const struct compare_opts *o);

/* compare_cli.c */

/* effect-size floor of a statistic in percent: its own, else the default */
double compare_floor_pct(const struct compare_opts *o, int stat);

/* compare_load.c */

/*
 * Load BASE or CAND (a results.csv or a directory holding one) into s,
 * labelled label, with the bins of the results.json beside it. 0 or a
 * negative errno, the reason already on errf. s must be zeroed before;
 * compare_side_free() it in every case.
 */
int compare_load(struct cmp_side *s, const char *label, const char *arg,
		 FILE *errf);
void compare_side_free(struct cmp_side *s);

/* index of the cell with this key in s, or -1 */
long compare_find_cell(const struct cmp_side *s, const char *key);

/*
 * The hash key of a cell from its fields: 'm' (per metric) or 'c' (the
 * cell's counters, metric left out), then the fields, each ended by 0x1f.
 * malloc'ed; NULL on ENOMEM.
 */
char *compare_make_key(const char *const f[CMP_NR_KEY], int per_metric);

/* a 1-based line of s's results.csv for messages: its data row r */
unsigned long compare_line(const struct cmp_side *s, size_t r);

/* compare_check.c */

/* row r of s: complete, and every value compare reads in range. 0 or -EINVAL */
int compare_check_row(const struct cmp_side *s, size_t r, FILE *errf);

/* is path (if it exists) one of the inputs of either side? 0 or -EINVAL */
int compare_check_output(const struct cmp_side *base,
			 const struct cmp_side *cand, const char *path,
			 FILE *errf);

/*
 * May these two runs be gated against each other at all? The place for
 * provenance rules (e.g. a lab VM's results against a host's); 0 or
 * -EINVAL with the reason on errf.
 */
int compare_check_context(const struct cmp_side *base,
			  const struct cmp_side *cand, FILE *errf);

/* compare_json.c */

/*
 * Attach the bins of the results.json beside s->path to s's metric cells.
 * No such file: 0, s->json_path stays NULL. A file that cannot be read or
 * holds bad data: -EINVAL/-ENOMEM/-errno with one line on errf.
 */
int compare_load_bins(struct cmp_side *s, FILE *errf);
void compare_bins_free(struct cmp_side *s);

/* compare_status.c */

/* failed/skipped/missing cells of cand against base into res: 0 or -ENOMEM */
int compare_status(const struct cmp_side *base, const struct cmp_side *cand,
		   struct cmp_result *res);

/* compare_report.c */

/* "workload/backend/.../v1[/metric]" of a cell; malloc'ed, NULL on ENOMEM */
char *compare_cell_name(const struct cmp_cell *c);

/* the text or markdown report of res on out: 0 or -ENOMEM */
int compare_report(const struct cmp_side *base, const struct cmp_side *cand,
		   const struct cmp_result *res, const struct compare_opts *o,
		   FILE *out);

/* res as CSV into path (atomically): 0 or a negative errno, said on errf */
int compare_write_csv(const struct cmp_result *res, const char *path,
		      FILE *errf);

struct json_object;
/* o's string member key, or NULL when absent or not a string */
const char *cmp_jstr(struct json_object *o, const char *key);

#endif /* GMB_COMPARE_INTERNAL_H */
