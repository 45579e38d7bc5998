/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result model every sink (human, CSV, JSON, TAP) consumes.
 *
 * A *cell* is one point of the matrix (workload x backend x driver x
 * granularity x vCPUs) for one repetition. A cell carries named latency
 * histograms ("metrics", all in ns) and fixed counters. Metric names carry
 * their unit suffix; see results/README.md for the meaning of each.
 */
#ifndef GMB_RESULT_H
#define GMB_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/hist.h"

#define RESULT_SCHEMA_VERSION	1
#define RESULT_MAX_METRICS	16
#define RESULT_MAX_EXTRA	24
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

struct metric {
	char name[RESULT_NAME_LEN];	/* e.g. "to_private_ns" */
	struct hist *hist;
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
	unsigned int nr_metrics;
	struct metric metrics[RESULT_MAX_METRICS];
	unsigned int nr_extra;
	struct extra_counter extra[RESULT_MAX_EXTRA];
};

/* zero the result and copy the key */
void cell_result_init(struct cell_result *r, const struct cell_key *key);
/* find or create (allocating its histogram) a metric; NULL on ENOMEM/full */
struct hist *cell_metric(struct cell_result *r, const char *name);
const struct hist *cell_metric_find(const struct cell_result *r,
				    const char *name);
void cell_result_free(struct cell_result *r);
/* merge src's metrics and counters into dst (wall_ns: max) */
int cell_result_merge(struct cell_result *dst, const struct cell_result *src);
/* set (or add to, with cell_extra_add) a named extra counter; -ENOSPC if full */
int cell_extra_set(struct cell_result *r, const char *name, double value);
int cell_extra_add(struct cell_result *r, const char *name, double value);
/* NaN when absent */
double cell_extra_get(const struct cell_result *r, const char *name);
void cell_set_status(struct cell_result *r, enum cell_status s,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* derived throughput, 0 when wall_ns is 0 */
double cell_conversions_per_s(const struct cell_result *r);
double cell_bytes_per_s(const struct cell_result *r);

#endif /* GMB_RESULT_H */
