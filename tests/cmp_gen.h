/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Result sets for the tests of `gmembench compare`, written the way a run
 * writes them: cell_result structs with real histograms through the real
 * CSV and JSON sinks (results.csv with the summary of each histogram,
 * results.json with its raw bins). And a generative model of two runs of
 * a benchmark (per-conversion, per-repetition and per-run noise) to
 * measure the gate's false-positive rate and power by simulation.
 *
 * Static inline: every tests/test_*.c and tests/tool_*.c is its own program.
 */
#ifndef GMB_CMP_GEN_H
#define GMB_CMP_GEN_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/compare.h"
#include "bench/hist.h"
#include "bench/result.h"
#include "bench/rng.h"
#include "bench/sink.h"

/* ---- writing a result set ---- */

struct cgen {
	struct sink csv, json;
	struct run_info ri;
	int with_json;
	int err;		/* first failure: -errno, 0 = fine */
};

static inline void cgen_sink(struct cgen *g, struct sink *s,
			     const struct sink_ops *ops, const char *dir)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	snprintf(s->path, sizeof(s->path), "%s/%s", dir, ops->file_name);
	if (!g->err && ops->begin(s, &g->ri))
		g->err = -EIO;
}

/*
 * start writing dir/results.csv (and dir/results.json when with_json);
 * host (may be NULL) is the run's context.host, e.g. a lab origin
 */
static inline void cgen_begin_host(struct cgen *g, const char *dir,
				   const char *run_id, int with_json,
				   const struct hostinfo *host)
{
	memset(g, 0, sizeof(*g));
	g->ri.host = host;
	mkdir(dir, 0755);
	g->ri.run_id = run_id;
	g->ri.argv_line = "gmembench run (test)";
	g->ri.version = "test";
	g->ri.git_sha = "test";
	g->with_json = with_json;
	cgen_sink(g, &g->csv, &sink_csv_ops, dir);
	if (with_json)
		cgen_sink(g, &g->json, &sink_json_ops, dir);
}

static inline void cgen_begin(struct cgen *g, const char *dir,
			      const char *run_id, int with_json)
{
	cgen_begin_host(g, dir, run_id, with_json, NULL);
}

static inline void cgen_cell(struct cgen *g, const struct cell_result *r)
{
	g->ri.nr_cells++;
	if (!g->err && g->csv.ops->cell(&g->csv, &g->ri, r))
		g->err = -EIO;
	if (!g->err && g->with_json && g->json.ops->cell(&g->json, &g->ri, r))
		g->err = -EIO;
}

/* finish and close both files: 0 or -EIO */
static inline int cgen_end(struct cgen *g)
{
	if (!g->err && g->csv.ops->end(&g->csv, &g->ri))
		g->err = -EIO;
	if (!g->err && g->with_json && g->json.ops->end(&g->json, &g->ri))
		g->err = -EIO;
	sink_destroy(&g->csv);
	if (g->with_json)
		sink_destroy(&g->json);
	return g->err;
}

/* the key of test cell g (granularity index) at repetition rep */
static inline void cgen_key(struct cell_key *k, const char *workload, int g,
			    long rep)
{
	static const uint64_t gran_bytes[] = { 4096, 65536, 2097152, 1 << 30 };

	memset(k, 0, sizeof(*k));
	snprintf(k->workload, sizeof(k->workload), "%s", workload);
	snprintf(k->backend, sizeof(k->backend), "inplace");
	snprintf(k->driver, sizeof(k->driver), "guest");
	snprintf(k->channel, sizeof(k->channel), "hypercall");
	snprintf(k->variant, sizeof(k->variant), "-");
	k->vm_type = 1;
	k->granularity_bytes = gran_bytes[g & 3];
	k->region_bytes = 16 << 20;
	k->vcpus = 1;
	k->iterations = 4;
	k->repetition = (int)rep;
}

/* the throughput as the runner derives it: conversions / wall time */
static inline void cgen_rate(struct cell_result *r, double per_s)
{
	r->ctr.conversions = 100000;
	r->ctr.wall_ns = (uint64_t)llround(1e14 / per_s);
}

/* ---- the generative model ---- */

#define CGEN_NR_GRAN	3
#define CGEN_NR_METRIC	2

static const char *const cgen_metrics[CGEN_NR_METRIC] = {
	"to_private_ns", "to_shared_ns",
};

/*
 * One run of CGEN_NR_GRAN cells x CGEN_NR_METRIC latency metrics plus the
 * cells' conversions/s. A conversion's latency is lognormal:
 *   median(cell) * run * cell_run * rep * exp(within_sigma * Z)
 * with run = exp(run_sigma * Z) shared by every cell of the run (machine
 * state: boot, frequency, memory placement), cell_run = exp(cell_run_sigma
 * * Z) per cell and run, rep = exp(rep_sigma * Z) per cell and repetition.
 * Two runs of the same build differ only by these draws; slowdown
 * multiplies every latency (and divides every rate) of a candidate.
 */
struct cgen_model {
	unsigned int reps;
	unsigned int conversions;	/* per repetition and metric */
	double within_sigma;
	double rep_sigma;
	double cell_run_sigma;
	double run_sigma;
	double slowdown;		/* 1 = the same build */
	double threshold_pct;		/* compare --threshold; 0 = default */
};

/* the quiet host of results/README.md (run-to-run drift ~1.8 % sd) */
#define CGEN_QUIET_HOST {						\
	.reps = 3, .conversions = 2000, .within_sigma = 0.3,		\
	.rep_sigma = 0.01, .cell_run_sigma = 0.01, .run_sigma = 0.015,	\
	.slowdown = 1.0,						\
}

static inline double cgen_lognormal(struct rng *r, double sigma)
{
	return exp(sigma * rng_normal(r));
}

/* write one simulated run into dir; 0 or -errno */
static inline int cgen_sim_run(const char *dir, const char *run_id,
			       const struct cgen_model *m, struct rng *r,
			       int with_json)
{
	double run = cgen_lognormal(r, m->run_sigma) * m->slowdown;
	struct cell_result cr;
	struct cell_key k;
	struct cgen g;
	unsigned int rep, i;
	int gi, mi;

	cgen_begin(&g, dir, run_id, with_json);
	for (gi = 0; gi < CGEN_NR_GRAN; gi++) {
		double cell = run * cgen_lognormal(r, m->cell_run_sigma);
		double median_ns = 2000.0 * (1.0 + gi);

		for (rep = 0; rep < m->reps; rep++) {
			double f = cell * cgen_lognormal(r, m->rep_sigma);

			cgen_key(&k, "granularity", gi, rep);
			cell_result_init(&cr, &k, NULL);
			for (mi = 0; mi < CGEN_NR_METRIC; mi++) {
				struct hist *h = cell_metric(&cr,
							     cgen_metrics[mi]);

				if (!h) {
					cell_result_free(&cr);
					return -ENOMEM;
				}
				for (i = 0; i < m->conversions; i++)
					hist_record(h, (uint64_t)llround(
						median_ns * (1.0 + 0.3 * mi) * f *
						cgen_lognormal(r, m->within_sigma)));
			}
			cgen_rate(&cr, 1e9 / median_ns / f);
			cgen_cell(&g, &cr);
			cell_result_free(&cr);
		}
	}
	return cgen_end(&g);
}

/*
 * One try: a base and a candidate run drawn from the model (the candidate
 * slowed by m->slowdown) into dir/base and dir/cand, compared with the
 * default options. Returns compare's exit code or -errno.
 */
static inline int cgen_sim_try(const char *dir, const struct cgen_model *m,
			       uint64_t seed, int with_json)
{
	struct cgen_model same = *m;
	struct compare_opts o;
	char b[512], c[512];
	struct rng r;
	FILE *null;
	int ret;

	rng_seed(&r, seed);
	same.slowdown = 1.0;
	snprintf(b, sizeof(b), "%s/base", dir);
	snprintf(c, sizeof(c), "%s/cand", dir);
	ret = cgen_sim_run(b, "base-run", &same, &r, with_json);
	if (!ret)
		ret = cgen_sim_run(c, "cand-run", m, &r, with_json);
	if (ret)
		return ret;
	null = fopen("/dev/null", "w");
	if (!null)
		return -errno;
	compare_opts_init(&o);
	if (m->threshold_pct > 0.0)
		o.floor_pct = m->threshold_pct;
	ret = compare_run(b, c, &o, null, null);
	fclose(null);
	return ret;
}

/* of tries runs: how many exited 1 (regression); -errno on a failure */
static inline int cgen_sim_count(const char *dir, const struct cgen_model *m,
				 int tries, uint64_t seed, int with_json)
{
	int i, n = 0, ret;

	for (i = 0; i < tries; i++) {
		ret = cgen_sim_try(dir, m, rng_mix(seed, (uint64_t)i),
				   with_json);
		if (ret < 0)
			return ret;
		n += ret == COMPARE_REGRESSION;
	}
	return n;
}

#endif /* GMB_CMP_GEN_H */
