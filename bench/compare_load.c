// SPDX-License-Identifier: GPL-2.0
/*
 * Loading one side of `gmembench compare`: find its results.csv, check the
 * schema, the columns and every row (compare_check.c), and group the rows
 * into cells; then attach the bins of results.json (compare_json.c).
 *
 * Latency statistics are keyed by the full cell key including the metric,
 * one repetition per row. conversions_per_s is a per-cell counter repeated
 * on every metric row, so it is keyed without the metric and taken once
 * per (run_id, repetition). That metric-less counter cell also records the
 * status of every row of the cell (ok, failed, skipped), whatever its
 * repetition, for compare_status.c. Cells live in an array indexed by an
 * open-addressing hash of their key, so matching base against cand is one
 * lookup per cell.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/compare_internal.h"
#include "bench/csv.h"

#define CMP_KNOWN_SCHEMA	1
#define CMP_RESULTS_NAME	"results.csv"

static const char *const cmp_key_cols[CMP_NR_KEY] = {
	"workload", "backend", "driver", "channel", "variant",
	"granularity_bytes", "region_bytes", "vcpus", "metric",
};

void compare_side_free(struct cmp_side *s)
{
	size_t i;

	compare_bins_free(s);
	for (i = 0; i < s->nr_cells; i++) {
		free(s->cells[i].key);
		free(s->cells[i].reps);
	}
	free(s->cells);
	free(s->hash);
	free(s->path);
	if (s->have_table)
		csv_table_free(&s->t);
	memset(s, 0, sizeof(*s));
}

unsigned long compare_line(const struct cmp_side *s, size_t r)
{
	return s->t.info ? s->t.info[r].line : (unsigned long)r + 2;
}

/* FNV-1a: keys are short and this needs no tuning */
static size_t cmp_hash_str(const char *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

long compare_find_cell(const struct cmp_side *s, const char *key)
{
	size_t mask = s->hash_cap - 1, i;

	if (!s->hash_cap)
		return -1;
	for (i = cmp_hash_str(key) & mask; s->hash[i]; i = (i + 1) & mask) {
		const struct cmp_cell *c = &s->cells[s->hash[i] - 1];

		if (!strcmp(c->key, key))
			return (long)(s->hash[i] - 1);
	}
	return -1;
}

static int cmp_rehash(struct cmp_side *s, size_t cap)
{
	size_t *h = calloc(cap, sizeof(*h));
	size_t i, j;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < s->nr_cells; i++) {
		for (j = cmp_hash_str(s->cells[i].key) & (cap - 1); h[j];
		     j = (j + 1) & (cap - 1))
			;
		h[j] = i + 1;
	}
	free(s->hash);
	s->hash = h;
	s->hash_cap = cap;
	return 0;
}

/* 0x1f is a control character that never occurs in the schema's values */
char *compare_make_key(const char *const f[CMP_NR_KEY], int per_metric)
{
	size_t len = 2, off;
	char *key;
	int k;

	for (k = 0; k < CMP_NR_KEY; k++)
		len += strlen(f[k]) + 1;
	key = malloc(len);
	if (!key)
		return NULL;
	key[0] = per_metric ? 'm' : 'c';
	off = 1;
	for (k = 0; k < CMP_NR_KEY; k++) {
		size_t l = strlen(f[k]);

		if (k == CMP_K_METRIC && !per_metric)
			continue;
		memcpy(key + off, f[k], l);
		off += l;
		key[off++] = '\x1f';
	}
	key[off] = '\0';
	return key;
}

static int cmp_get_cell(struct cmp_side *s, char **row, int per_metric,
			struct cmp_cell **out)
{
	const char *f[CMP_NR_KEY];
	struct cmp_cell *c;
	size_t slot;
	char *key;
	long idx;
	int k, ret;

	for (k = 0; k < CMP_NR_KEY; k++)
		f[k] = row[s->col_key[k]];
	if (!per_metric)
		f[CMP_K_METRIC] = "";
	key = compare_make_key(f, per_metric);
	if (!key)
		return -ENOMEM;
	idx = compare_find_cell(s, key);
	if (idx >= 0) {
		free(key);
		*out = &s->cells[idx];
		return 0;
	}
	/* keep the table at most half full so probe chains stay short */
	if ((s->nr_cells + 1) * 2 > s->hash_cap) {
		ret = cmp_rehash(s, s->hash_cap ? s->hash_cap * 2 : 64);
		if (ret)
			goto fail;
	}
	ret = compare_grow((void **)&s->cells, &s->cap_cells,
			   s->nr_cells + 1, sizeof(*s->cells));
	if (ret)
		goto fail;
	c = &s->cells[s->nr_cells];
	memset(c, 0, sizeof(*c));
	c->key = key;
	c->per_metric = per_metric;
	c->bad_row = c->skip_row = -1;
	for (k = 0; k < CMP_NR_KEY; k++)
		c->f[k] = f[k];
	/* the hash holds indexes, so the realloc above did not stale it */
	for (slot = cmp_hash_str(key) & (s->hash_cap - 1); s->hash[slot];
	     slot = (slot + 1) & (s->hash_cap - 1))
		;
	s->hash[slot] = ++s->nr_cells;
	*out = c;
	return 0;
fail:
	free(key);
	return ret;
}

/* the repetition of c that row r belongs to (same run_id and number), or NULL */
static struct cmp_rep *cmp_find_rep(const struct cmp_side *s,
				    struct cmp_cell *c, size_t r, long rep)
{
	size_t i;

	for (i = 0; i < c->nr_reps; i++) {
		struct cmp_rep *p = &c->reps[i];

		if (p->repetition != rep)
			continue;
		if (s->col_run_id < 0 ||
		    !strcmp(s->t.rows[p->row][s->col_run_id],
			    s->t.rows[r][s->col_run_id]))
			return p;
	}
	return NULL;
}

static int cmp_resolve_path(struct cmp_side *s, const char *arg, FILE *errf)
{
	struct stat st;

	if (stat(arg, &st)) {
		int ret = -errno;

		compare_err(errf, "%s: %s", arg, strerror(-ret));
		return ret;
	}
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&s->path, "%s/%s", arg, CMP_RESULTS_NAME) < 0) {
			s->path = NULL;
			return -ENOMEM;
		}
		if (stat(s->path, &st)) {
			compare_err(errf, "%s: %s", s->path, strerror(errno));
			return -ENOENT;
		}
	} else {
		s->path = strdup(arg);
		if (!s->path)
			return -ENOMEM;
	}
	return 0;
}

struct cmp_req {
	const char *name;
	int *col;
};

static int cmp_find_columns(struct cmp_side *s, FILE *errf)
{
	char missing[512] = "";
	size_t off = 0;
	int nr_missing = 0, k;
	struct cmp_req req[CMP_NR_KEY + COMPARE_NR_STATS + 4];
	int nr_req = 0;

	req[nr_req++] = (struct cmp_req){ "schema_version", &s->col_schema };
	for (k = 0; k < CMP_NR_KEY; k++)
		req[nr_req++] = (struct cmp_req){ cmp_key_cols[k],
						  &s->col_key[k] };
	req[nr_req++] = (struct cmp_req){ "repetition", &s->col_rep };
	req[nr_req++] = (struct cmp_req){ "warmup", &s->col_warmup };
	req[nr_req++] = (struct cmp_req){ "status", &s->col_status };
	for (k = 0; k < COMPARE_NR_STATS; k++)
		req[nr_req++] = (struct cmp_req){ compare_stat_defs[k].name,
						  &s->col_stat[k] };

	for (k = 0; k < nr_req; k++) {
		*req[k].col = csv_col(&s->t, req[k].name);
		if (*req[k].col >= 0)
			continue;
		nr_missing++;
		if (off < sizeof(missing))
			off += (size_t)snprintf(missing + off,
						sizeof(missing) - off,
						"%s'%s'", off ? ", " : "",
						req[k].name);
	}
	/* optional: run_id sharpens the once-per-repetition rule */
	s->col_run_id = csv_col(&s->t, "run_id");
	s->col_reason = csv_col(&s->t, "reason");
	if (nr_missing) {
		compare_err(errf, "%s: missing column%s %s", s->path,
			    nr_missing > 1 ? "s" : "", missing);
		return -EINVAL;
	}
	return 0;
}

/* empty = no value (csv_double writes NaN that way); checked already */
static double cmp_value(const struct cmp_side *s, size_t r, int col)
{
	const char *txt = s->t.rows[r][col];
	double v;

	if (!*txt || compare_parse_double(txt, &v))
		return NAN;
	return v;
}

static int cmp_add_rep(struct cmp_cell *c, size_t r, long rep,
		       struct cmp_rep **out)
{
	struct cmp_rep *p;
	int k;

	if (compare_grow((void **)&c->reps, &c->cap_reps, c->nr_reps + 1,
			 sizeof(*c->reps)))
		return -ENOMEM;
	p = &c->reps[c->nr_reps++];
	memset(p, 0, sizeof(*p));
	p->row = r;
	p->repetition = rep;
	for (k = 0; k < COMPARE_NR_STATS; k++)
		p->v[k] = NAN;
	*out = p;
	return 0;
}

/* the row's latency statistics into its metric cell, one repetition */
static int cmp_load_metric(struct cmp_side *s, size_t r, long rep,
			   FILE *errf)
{
	char **row = s->t.rows[r];
	struct cmp_cell *c;
	struct cmp_rep *p;
	int k, ret;

	ret = cmp_get_cell(s, row, 1, &c);
	if (ret)
		return ret;
	p = cmp_find_rep(s, c, r, rep);
	if (p) {
		compare_err(errf, "%s:%lu: repetition %ld of metric '%s' already on line %lu",
			    s->path, compare_line(s, r), rep,
			    row[s->col_key[CMP_K_METRIC]],
			    compare_line(s, p->row));
		return -EINVAL;
	}
	ret = cmp_add_rep(c, r, rep, &p);
	if (ret)
		return ret;
	for (k = 0; k < COMPARE_NR_STATS; k++)
		if (compare_stat_defs[k].per_metric)
			p->v[k] = cmp_value(s, r, s->col_stat[k]);
	return 0;
}

static int cmp_load_row(struct cmp_side *s, size_t r, FILE *errf)
{
	char **row = s->t.rows[r];
	const char *sv = row[s->col_schema], *status = row[s->col_status];
	struct cmp_cell *c;
	struct cmp_rep *p;
	char *end;
	long ver, rep;
	int k, ret;

	errno = 0;
	ver = strtol(sv, &end, 10);
	if (!*sv || *end || errno || ver != CMP_KNOWN_SCHEMA) {
		compare_err(errf, "%s:%lu: schema_version '%s' not supported (known: %d)",
			    s->path, compare_line(s, r), sv, CMP_KNOWN_SCHEMA);
		return -EINVAL;
	}
	/* checked by compare_check_row(): an integer >= -1 */
	rep = strtol(row[s->col_rep], NULL, 10);

	/* every row tells the cell's health */
	ret = cmp_get_cell(s, row, 0, &c);
	if (ret)
		return ret;
	if (!strcmp(status, "ok"))
		c->nr_ok_rows++;
	else if (!strcmp(status, "skipped") && c->skip_row < 0)
		c->skip_row = (long)r;
	else if (strcmp(status, "skipped") && c->bad_row < 0)
		c->bad_row = (long)r;

	/* warm-up passes and failed/partial cells are not samples */
	if (!strcmp(row[s->col_warmup], "1") || rep < 0 || strcmp(status, "ok"))
		return 0;
	s->nr_usable++;
	if (!s->run_id && s->col_run_id >= 0)
		s->run_id = row[s->col_run_id];

	if (!cmp_find_rep(s, c, r, rep)) {
		ret = cmp_add_rep(c, r, rep, &p);
		if (ret)
			return ret;
		for (k = 0; k < COMPARE_NR_STATS; k++)
			if (!compare_stat_defs[k].per_metric)
				p->v[k] = cmp_value(s, r, s->col_stat[k]);
	}
	if (*row[s->col_key[CMP_K_METRIC]])
		return cmp_load_metric(s, r, rep, errf);
	return 0;
}

int compare_load(struct cmp_side *s, const char *label, const char *arg,
		 FILE *errf)
{
	char err[256] = "";
	size_t r;
	int ret;

	s->label = label;
	s->arg = arg;
	ret = cmp_resolve_path(s, arg, errf);
	if (ret)
		return ret;
	ret = csv_read_file(s->path, &s->t, err, sizeof(err));
	if (ret) {
		/* csv_read_file's message already names the file */
		if (err[0])
			compare_err(errf, "%s", err);
		else
			compare_err(errf, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	s->have_table = 1;
	ret = cmp_find_columns(s, errf);
	if (ret)
		return ret;
	for (r = 0; r < s->t.nr_rows; r++) {
		ret = compare_check_row(s, r, errf);
		if (!ret)
			ret = cmp_load_row(s, r, errf);
		if (ret == -ENOMEM)
			compare_err(errf, "%s: out of memory", s->path);
		if (ret)
			return ret;
	}
	if (!s->nr_cells) {
		compare_err(errf, "%s: no data rows", s->path);
		return -EINVAL;
	}
	return compare_load_bins(s, errf);
}
