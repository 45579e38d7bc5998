/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmocka pieces the tests of `gmembench compare` share: compare_main with
 * its output captured, and the fixture of the simulation tests (a scratch
 * directory, the quiet host, a counted batch of tries). Include after
 * <cmocka.h>.
 */
#ifndef GMB_CMP_TEST_H
#define GMB_CMP_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/compare.h"
#include "tests/cmp_gen.h"
#include "tests/test_util.h"

/*
 * compare_main on the NULL-terminated arguments after "compare"; what it
 * printed replaces *out and *err (malloc'ed). Returns its exit code.
 */
static inline int cmp_run(char **out, char **err, ...)
{
	char *argv[16];
	size_t out_len, err_len;
	FILE *o, *e;
	va_list ap;
	int argc = 0, rc;

	argv[argc++] = "compare";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	free(*out);
	free(*err);
	o = open_memstream(out, &out_len);
	e = open_memstream(err, &err_len);
	assert_non_null(o);
	assert_non_null(e);
	rc = compare_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return rc;
}

/* the report line (into line, len bytes) of (cell name, stat), or fail */
static inline char *cmp_find_line(const char *out, const char *name,
				  const char *stat, char *line, size_t len)
{
	const char *p = out;

	while (*p) {
		size_t l = strcspn(p, "\n");
		char cell[256], st[64];

		snprintf(line, len, "%.*s", (int)l, p);
		/* a '!' in front marks a regression */
		if (sscanf(line, "%255s %63s", cell, st) == 2 &&
		    !strcmp(cell + (cell[0] == '!'), name) && !strcmp(st, stat))
			return line;
		p += l + (p[l] == '\n');
	}
	fail_msg("no row for %s %s in:\n%s", name, stat, out);
	return NULL;
}

/* ---- the end-to-end tests: two runs side by side in a scratch dir ---- */

struct cmp_fix {
	char dir[64], base[128], cand[128], base_csv[160], cand_csv[160];
	char base_json[160], out_csv[160];
	char *out, *err;	/* of the last cmp_fix_run() */
};

/* compare_main on the NULL-terminated arguments, into f->out and f->err */
#define cmp_fix_run(f, ...)	cmp_run(&(f)->out, &(f)->err, __VA_ARGS__)

/*
 * cmocka setup of a fixture of size bytes that starts with a struct
 * cmp_fix: dir/base and dir/cand made, the paths of their files set.
 */
static inline int cmp_fix_setup(void **state, size_t size)
{
	struct cmp_fix *f = calloc(1, size);

	if (!f || tu_tmpdir(f->dir, sizeof(f->dir),
			    program_invocation_short_name)) {
		free(f);
		return -1;
	}
	snprintf(f->base, sizeof(f->base), "%s/base", f->dir);
	snprintf(f->cand, sizeof(f->cand), "%s/cand", f->dir);
	snprintf(f->base_csv, sizeof(f->base_csv), "%s/results.csv", f->base);
	snprintf(f->cand_csv, sizeof(f->cand_csv), "%s/results.csv", f->cand);
	snprintf(f->base_json, sizeof(f->base_json), "%s/results.json",
		 f->base);
	snprintf(f->out_csv, sizeof(f->out_csv), "%s/cmp.csv", f->dir);
	*state = f;
	if (mkdir(f->base, 0755) || mkdir(f->cand, 0755))
		return -1;
	return 0;
}

static inline int cmp_fix_teardown(void **state)
{
	struct cmp_fix *f = *state;

	tu_rmtree(f->dir);
	free(f->out);
	free(f->err);
	free(f);
	return 0;
}

/* ---- the simulation tests: *state is a scratch directory ---- */

/* the quiet host of results/README.md */
static const struct cgen_model cmp_sim_quiet = CGEN_QUIET_HOST;

static inline int cmp_sim_setup(void **state)
{
	char *dir = malloc(64);

	if (!dir || tu_tmpdir(dir, 64, program_invocation_short_name)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static inline int cmp_sim_teardown(void **state)
{
	tu_rmtree(*state);
	free(*state);
	return 0;
}

/* how many of tries simulated comparisons exit 1, printed as it goes */
static inline int cmp_sim_count(void **state, const struct cgen_model *m,
				int tries, int with_json)
{
	int n = cgen_sim_count(*state, m, tries, 2024, with_json);

	assert_true(n >= 0);
	print_message("slowdown %.2fx, run sd %.1f%%, %s: %d of %d exit 1\n",
		      m->slowdown, m->run_sigma * 100.0,
		      with_json ? "bins" : "no results.json", n, tries);
	return n;
}

#endif /* GMB_CMP_TEST_H */
