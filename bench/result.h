/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result model every sink (human, CSV, JSON, TAP) consumes.
 *
 * A *cell* is one point of the matrix (workload x backend x driver x
 * granularity x vCPUs) for one repetition. A cell carries latency
 * histograms ("metrics", all in ns, declared up front and recorded by id),
 * fixed counters and named extra counters. Metric names carry their unit
 * suffix; see results/README.md for the meaning of each.
 */
#ifndef GMB_RESULT_H
#define GMB_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/hist.h"

#define RESULT_SCHEMA_VERSION	1
#define RESULT_NAME_LEN		32
#define RESULT_REASON_LEN	640

enum cell_status {
	CELL_OK = 0,
	CELL_SKIPPED,		/* the host cannot run it; reason says why */
	CELL_INTERRUPTED,	/* SIGINT/SIGTERM mid-cell; partial metrics */
	CELL_TIMEOUT,		/* per-cell deadline hit; partial metrics */
	CELL_ERROR,		/* a kernel call failed unexpectedly */
};

const char *cell_status_name(enum cell_status s);

struct cell_key {
	char workload[RESULT_NAME_LEN];
	char backend[RESULT_NAME_LEN];
	char driver[RESULT_NAME_LEN];	/* "guest" | "host" | "-" */
	char channel[RESULT_NAME_LEN];	/* "hypercall" | "pio" | "-" */
	char variant[RESULT_NAME_LEN];	/* workload-specific axis, "-" if none */
	unsigned long vm_type;
	uint64_t granularity_bytes;
	uint64_t region_bytes;		/* per vCPU */
	unsigned int vcpus;
	unsigned int iterations;	/* passes over the region */
	int repetition;			/* 0-based; -1 for warm-up */
};

/*
 * A metric is declared up front and recorded by its index (its id), so a
 * timed loop never looks a name up. The name carries the unit suffix.
 */
struct metric_decl {
	const char *name;		/* e.g. "to_private_ns" */
	const char *help;		/* one line, for `gmembench list` and docs */
	unsigned int flags;		/* MET_F_* */
};

/* the guest exit round trip the human summary reports next to convert_ns */
#define MET_F_ROUNDTRIP		(1u << 0)

/*
 * Metrics every conversion workload records (wlc_record_conversion); their
 * ids are fixed. A workload's own metrics (struct workload.metrics) take
 * the ids from NR_CORE_METRICS on, in the order of its table.
 */
enum core_metric {
	MET_CONVERT_NS,			/* the headline: one conversion, any direction */
	MET_TO_PRIVATE_NS,
	MET_TO_SHARED_NS,
	MET_ATTR_IOCTL_NS,
	MET_PUNCH_NS,
	MET_RETRY_WAIT_NS,
	MET_RETRY_TO_SUCCESS_NS,
	NR_CORE_METRICS,
};

extern const struct metric_decl core_metrics[NR_CORE_METRICS];
/* the name of workload metric id in its table (struct workload.metrics) */
#define WL_METRIC_NAME(table, id)	((table)[(id) - NR_CORE_METRICS].name)

struct metric {
	char name[RESULT_NAME_LEN];
	const struct metric_decl *decl;	/* NULL when added by name (loaders) */
	struct hist *hist;		/* empty until recorded: sinks skip it */
};

struct cell_counters {
	uint64_t conversions;		/* successful conversion requests */
	uint64_t bytes_converted;
	uint64_t eagain_total;		/* EAGAIN returns seen (in-place) */
	uint64_t retries_total;		/* re-issued ioctls after EAGAIN */
	uint64_t guest_pages_touched;	/* reported by the guest */
	uint64_t wall_ns;		/* measured phase of the cell */
};

/* workload-specific scalar results; names carry their unit suffix */
struct extra_counter {
	char name[RESULT_NAME_LEN];	/* e.g. "pinned_pages", "rss_peak_bytes" */
	double value;
};

struct cell_result {
	struct cell_key key;
	enum cell_status status;
	char reason[RESULT_REASON_LEN];
	struct cell_counters ctr;
	/* [0, NR_CORE_METRICS) the core metrics, then the workload's */
	unsigned int nr_metrics, cap_metrics;
	struct metric *metrics;
	unsigned int nr_extra, cap_extra;
	struct extra_counter *extra;
	/*
	 * First failure to record (-ENOMEM, -ENAMETOOLONG, -ERANGE for an id
	 * that was not declared): the sample or counter is lost, so
	 * cell_result_check turns it into a cell error.
	 */
	int rec_err;
};

/*
 * Zero the result, copy the key and allocate the histograms of the core
 * metrics and of wl_metrics (a workload's table, NULL-name terminated;
 * NULL for none). -ENOMEM (also kept in rec_err).
 */
int cell_result_init(struct cell_result *r, const struct cell_key *key,
		     const struct metric_decl *wl_metrics);
void cell_result_free(struct cell_result *r);

void cell_record_fail(struct cell_result *r, unsigned int id);

/*
 * The hot path: one sample of a declared metric, by id. Every metric below
 * nr_metrics has its histogram (metric_add counts it only then).
 */
static inline void cell_record(struct cell_result *r, unsigned int id, uint64_t ns)
{
	if (__builtin_expect(id < r->nr_metrics, 1))
		hist_record(r->metrics[id].hist, ns);
	else
		cell_record_fail(r, id);
}

/* the histogram of metric id when it has samples, else NULL */
const struct hist *cell_metric_get(const struct cell_result *r, unsigned int id);
/* the first metric with samples whose declaration has flag, or NULL */
const struct hist *cell_metric_flagged(const struct cell_result *r, unsigned int flag);
/*
 * By name, for code that is not timed (loaders, tests, merges): find or
 * add a metric. NULL on ENOMEM or a name too long (rec_err says which).
 */
struct hist *cell_metric(struct cell_result *r, const char *name);
/* by name, NULL when absent or without samples */
const struct hist *cell_metric_find(const struct cell_result *r,
				    const char *name);
/* the metric after prev (NULL: the first) that has samples, or NULL */
const struct metric *cell_metric_next(const struct cell_result *r,
				      const struct metric *prev);
#define cell_for_each_metric(r, m)					\
	for ((m) = cell_metric_next((r), NULL); (m); (m) = cell_metric_next((r), (m)))
unsigned int cell_nr_metrics_recorded(const struct cell_result *r);

/*
 * Merge src's metrics, extras, counters and rec_err into dst (wall_ns:
 * max; extras add up). -ENOMEM (also in dst->rec_err).
 */
int cell_result_merge(struct cell_result *dst, const struct cell_result *src);
/*
 * Set (or add to, with cell_extra_add) a named extra counter. The array
 * grows as needed; a failure (-ENOMEM, -ENAMETOOLONG) is also kept in
 * rec_err, so callers need not check.
 */
int cell_extra_set(struct cell_result *r, const char *name, double value);
int cell_extra_add(struct cell_result *r, const char *name, double value);
/* NaN when absent */
double cell_extra_get(const struct cell_result *r, const char *name);
void cell_set_status(struct cell_result *r, enum cell_status s,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * A recording failure (rec_err) makes an ok cell an error: "out of memory
 * recording results". Returns rec_err.
 */
int cell_result_check(struct cell_result *r);

/* derived throughput, 0 when wall_ns is 0 */
double cell_conversions_per_s(const struct cell_result *r);
double cell_bytes_per_s(const struct cell_result *r);

/* test hook: fail the next n allocations of result.c (0: never) */
void cell_result_fail_allocs(unsigned int n);

#endif /* GMB_RESULT_H */
