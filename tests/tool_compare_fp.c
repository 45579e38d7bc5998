// SPDX-License-Identifier: GPL-2.0
/*
 * How often does `gmembench compare` cry wolf, and does it catch a real
 * slowdown? Simulates pairs of runs from the model of tests/cmp_gen.h
 * (two runs of the same build: only their noise differs) and counts the
 * comparisons that exit 1, for a grid of run-to-run noise levels; then the
 * same with the candidate slowed down, and without results.json (the
 * per-repetition fallback). results/README.md quotes its output.
 *
 *   build/tests/tool_compare_fp [TRIES] [REPS]     (default 200 3)
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cmp_gen.h"

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	return remove(path);
}

static int row(const char *dir, struct cgen_model *m, int tries,
	       int with_json)
{
	int n = cgen_sim_count(dir, m, tries, 12345, with_json);

	if (n < 0) {
		fprintf(stderr, "tool_compare_fp: %s\n", strerror(-n));
		return n;
	}
	printf("%-5s %4u %9.1f%% %8.1f%% %6.1f%% %9.2fx %8.0f%% %6d/%d  %5.1f%%\n",
	       with_json ? "bins" : "reps", m->reps, m->run_sigma * 100.0,
	       m->cell_run_sigma * 100.0, m->rep_sigma * 100.0, m->slowdown,
	       m->threshold_pct ? m->threshold_pct : COMPARE_DEFAULT_FLOOR_PCT,
	       n, tries, 100.0 * n / tries);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const double run_pct[] = { 0.0, 1.0, 1.5, 2.0, 3.0, 4.0 };
	static const double slow[] = { 1.05, 1.1, 1.2, 10.0 };
	struct cgen_model m = CGEN_QUIET_HOST;
	char dir[64];
	int tries = argc > 1 ? atoi(argv[1]) : 200, ret = 0;
	size_t i;

	if (argc > 2)
		m.reps = (unsigned int)atoi(argv[2]);
	/* tmpfs when there is one: the sinks fsync every rewrite */
	snprintf(dir, sizeof(dir), "%s/tool_compare_fp.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (tries < 1 || !m.reps || !mkdtemp(dir)) {
		fprintf(stderr, "usage: tool_compare_fp [TRIES] [REPS]\n");
		return 2;
	}
	printf("from  reps  run_sigma cell_run rep_sd  slowdown threshold   exit 1   rate\n");
	for (i = 0; !ret && i < sizeof(run_pct) / sizeof(run_pct[0]); i++) {
		m.run_sigma = run_pct[i] / 100.0;
		ret = row(dir, &m, tries, 1);
	}
	/* a noisier host with a wider threshold */
	m.threshold_pct = 10.0;
	for (i = 4; !ret && i < sizeof(run_pct) / sizeof(run_pct[0]); i++) {
		m.run_sigma = run_pct[i] / 100.0;
		ret = row(dir, &m, tries, 1);
	}
	m.threshold_pct = 0.0;
	m.run_sigma = 0.015;
	if (!ret)
		ret = row(dir, &m, tries, 0);
	for (i = 0; !ret && i < sizeof(slow) / sizeof(slow[0]); i++) {
		m.slowdown = slow[i];
		ret = row(dir, &m, tries, 1);
	}
	if (!ret)
		ret = row(dir, &m, tries, 0);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return ret ? 1 : 0;
}
