// SPDX-License-Identifier: GPL-2.0
/*
 * The histogram bins of results.json for `gmembench compare`.
 *
 * results.csv says which cells and repetitions exist; results.json (written
 * beside it by the same run) holds, per cell, repetition and metric, the
 * raw histogram as [lo_ns, hi_ns, count] bins. Each bin is read as count
 * conversions of value hi_ns clipped to the metric's [min_ns, max_ns],
 * exactly the value hist_percentile() reports, so the median of one
 * repetition's bins equals its p50_ns in results.csv.
 *
 * The JSON file is optional (a results.csv copied alone, an older run):
 * without it the statistics fall back to per-repetition values and the
 * report says so. A JSON file that is present but broken or from another
 * run is refused: it would silently change what is compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench/compare_internal.h"

#define CMP_JSON_MAX_BYTES	(512ULL << 20)
#define CMP_JSON_SCHEMA		1
#define CMP_MAX_COUNT		(1ULL << 53)

/* where in the document a message is about: "results[3] metric 'x'" */
struct cmp_jpos {
	const struct cmp_side *s;
	size_t idx;
	const char *metric;
};

static void __attribute__((format(printf, 3, 4)))
cmp_jerr(FILE *errf, const struct cmp_jpos *at, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at->metric)
		compare_err(errf, "%s: results[%zu] metric '%s': %s",
			    at->s->json_path, at->idx, at->metric, what);
	else
		compare_err(errf, "%s: results[%zu]: %s", at->s->json_path,
			    at->idx, what);
}

void compare_bins_free(struct cmp_side *s)
{
	size_t i, j;

	for (i = 0; i < s->nr_cells; i++)
		for (j = 0; j < s->cells[i].nr_reps; j++) {
			free(s->cells[i].reps[j].bins.value_ns);
			free(s->cells[i].reps[j].bins.count);
		}
	json_object_put(s->context);
	s->context = NULL;
	free(s->json_path);
	s->json_path = NULL;
}

/* results.csv -> results.json, x.csv -> x.json, else PATH.json */
static char *cmp_json_path(const char *csv)
{
	size_t l = strlen(csv);
	char *p;

	if (l >= 4 && !strcmp(csv + l - 4, ".csv")) {
		p = malloc(l + 2);
		if (p)
			sprintf(p, "%.*s.json", (int)(l - 4), csv);
		return p;
	}
	return asprintf(&p, "%s.json", csv) < 0 ? NULL : p;
}

/* the whole file, NUL-terminated, at most CMP_JSON_MAX_BYTES */
static int cmp_read_all(const char *path, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (n + 1 >= cap) {
			char *nb;

			if (cap > CMP_JSON_MAX_BYTES) {
				ret = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 1 << 16;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int cmp_parse(const struct cmp_side *s, const char *text, size_t len,
		     struct json_object **root, FILE *errf)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!*root || jerr != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		compare_err(errf, "%s: not valid JSON (%s, at byte %zu)",
			    s->json_path,
			    jerr == json_tokener_success ? "trailing data" :
			    json_tokener_error_desc(jerr),
			    json_tokener_get_parse_end(tok));
		json_object_put(*root);
		*root = NULL;
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	return 0;
}

/* a JSON integer >= 0 into *v: 0, or -EINVAL */
static int cmp_ju64(struct json_object *o, uint64_t *v)
{
	if (!json_object_is_type(o, json_type_int) ||
	    json_object_get_int64(o) < 0)
		return -EINVAL;
	*v = json_object_get_uint64(o);
	return 0;
}

const char *cmp_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* one [lo, hi, count] into its clipped value and count */
static int cmp_bin(struct json_object *b, uint64_t min_ns, uint64_t max_ns,
		   uint64_t prev_hi, size_t i, double *val, uint64_t *cnt,
		   uint64_t *hi_out, FILE *errf, const struct cmp_jpos *at)
{
	uint64_t lo, hi, n;

	if (!json_object_is_type(b, json_type_array) ||
	    json_object_array_length(b) != 3 ||
	    cmp_ju64(json_object_array_get_idx(b, 0), &lo) ||
	    cmp_ju64(json_object_array_get_idx(b, 1), &hi) ||
	    cmp_ju64(json_object_array_get_idx(b, 2), &n)) {
		cmp_jerr(errf, at, "bins[%zu]: expected [lo_ns, hi_ns, count] of integers >= 0",
			 i);
		return -EINVAL;
	}
	if (lo > hi || (i && lo <= prev_hi) || !n || n > CMP_MAX_COUNT) {
		cmp_jerr(errf, at, "bins[%zu]: [%" PRIu64 ", %" PRIu64 ", %" PRIu64 "] is empty, inverted or not after the previous bin",
			 i, lo, hi, n);
		return -EINVAL;
	}
	if ((double)lo > COMPARE_MAX_LATENCY_NS) {
		cmp_jerr(errf, at, "bins[%zu]: latency %" PRIu64 " ns above 1 h",
			 i, lo);
		return -EINVAL;
	}
	if (hi > max_ns)
		hi = max_ns;
	if (hi < min_ns)
		hi = min_ns;
	*val = (double)hi;
	*cnt = n;
	*hi_out = json_object_get_uint64(json_object_array_get_idx(b, 1));
	return 0;
}

/* the bins of metric object m into b (values merged where clipping met) */
static int cmp_read_bins(struct json_object *m, struct cmp_bins *b,
			 FILE *errf, const struct cmp_jpos *at)
{
	struct json_object *bins, *o;
	uint64_t min_ns = 0, max_ns = UINT64_MAX, prev_hi = 0, total = 0, n;
	size_t i, nr;
	int ret;

	if (!json_object_object_get_ex(m, "bins", &bins))
		return 0;	/* no bins: per-repetition values for this one */
	if (!json_object_is_type(bins, json_type_array)) {
		cmp_jerr(errf, at, "bins: not an array");
		return -EINVAL;
	}
	if ((json_object_object_get_ex(m, "min_ns", &o) && cmp_ju64(o, &min_ns)) ||
	    (json_object_object_get_ex(m, "max_ns", &o) && cmp_ju64(o, &max_ns)) ||
	    min_ns > max_ns) {
		cmp_jerr(errf, at, "min_ns/max_ns: not integers with min_ns <= max_ns");
		return -EINVAL;
	}
	nr = json_object_array_length(bins);
	if (!nr)
		return 0;
	b->value_ns = malloc(nr * sizeof(*b->value_ns));
	b->count = malloc(nr * sizeof(*b->count));
	if (!b->value_ns || !b->count)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		double v;

		ret = cmp_bin(json_object_array_get_idx(bins, i), min_ns,
			      max_ns, prev_hi, i, &v, &n, &prev_hi, errf, at);
		if (ret)
			return ret;
		if (n > CMP_MAX_COUNT - total) {
			cmp_jerr(errf, at, "bins: more than 2^53 values");
			return -EINVAL;
		}
		total += n;
		if (b->nr && b->value_ns[b->nr - 1] == v) {
			b->count[b->nr - 1] += n;
			continue;
		}
		b->value_ns[b->nr] = v;
		b->count[b->nr++] = n;
	}
	if (json_object_object_get_ex(m, "count", &o) &&
	    (cmp_ju64(o, &n) || n != total)) {
		cmp_jerr(errf, at, "count %s but the bins hold %" PRIu64,
			 json_object_get_string(o), total);
		return -EINVAL;
	}
	return 0;
}

/* the key fields of a results[] element as results.csv spells them */
static int cmp_cell_fields(struct json_object *c, char num[3][24],
			   const char *f[CMP_NR_KEY])
{
	static const char *const str_keys[] = {
		"workload", "backend", "driver", "channel", "variant",
	};
	static const char *const num_keys[] = {
		"granularity_bytes", "region_bytes", "vcpus",
	};
	struct json_object *o;
	uint64_t v;
	int k;

	for (k = 0; k < 5; k++) {
		f[k] = cmp_jstr(c, str_keys[k]);
		if (!f[k])
			return -EINVAL;
	}
	for (k = 0; k < 3; k++) {
		if (!json_object_object_get_ex(c, num_keys[k], &o) ||
		    cmp_ju64(o, &v))
			return -EINVAL;
		snprintf(num[k], sizeof(num[k]), "%" PRIu64, v);
		f[CMP_K_GRANULARITY + k] = num[k];
	}
	return 0;
}

/* the rep of this metric cell in results.csv, or NULL (nothing to attach) */
static struct cmp_rep *cmp_match(struct cmp_side *s, const char *f[CMP_NR_KEY],
				 long rep, const char *run_id)
{
	struct cmp_cell *c;
	char *key = compare_make_key(f, 1);
	long idx;
	size_t i;

	if (!key)
		return NULL;
	idx = compare_find_cell(s, key);
	free(key);
	if (idx < 0)
		return NULL;
	c = &s->cells[idx];
	for (i = 0; i < c->nr_reps; i++) {
		struct cmp_rep *p = &c->reps[i];

		if (p->repetition != rep)
			continue;
		if (s->col_run_id < 0 || !run_id ||
		    !strcmp(s->t.rows[p->row][s->col_run_id], run_id))
			return p;
	}
	return NULL;
}

static int cmp_load_cell(struct cmp_side *s, struct json_object *c,
			 const char *run_id, size_t idx, FILE *errf)
{
	struct cmp_jpos at = { .s = s, .idx = idx };
	struct json_object *o, *metrics;
	char num[3][24];
	const char *f[CMP_NR_KEY], *status;
	int64_t rep;
	int ret;

	if (!json_object_is_type(c, json_type_object) ||
	    cmp_cell_fields(c, num, f) ||
	    !json_object_object_get_ex(c, "repetition", &o) ||
	    !json_object_is_type(o, json_type_int)) {
		cmp_jerr(errf, &at, "not a cell (key fields and repetition)");
		return -EINVAL;
	}
	rep = json_object_get_int64(o);
	status = cmp_jstr(c, "status");
	/* as in results.csv: only finished repetitions are samples */
	if (rep < 0 || !status || strcmp(status, "ok") ||
	    !json_object_object_get_ex(c, "metrics", &metrics) ||
	    !json_object_is_type(metrics, json_type_object))
		return 0;
	json_object_object_foreach(metrics, name, m) {
		struct cmp_rep *p;

		if (!m)
			continue;	/* a metric that recorded nothing */
		at.metric = name;
		if (!json_object_is_type(m, json_type_object)) {
			cmp_jerr(errf, &at, "not an object");
			return -EINVAL;
		}
		f[CMP_K_METRIC] = name;
		p = cmp_match(s, f, (long)rep, run_id);
		if (!p)
			continue;	/* not in results.csv: nothing to add to */
		if (p->bins.nr) {
			cmp_jerr(errf, &at, "repetition %" PRId64 " appears twice",
				 rep);
			return -EINVAL;
		}
		ret = cmp_read_bins(m, &p->bins, errf, &at);
		if (ret)
			return ret;
		s->nr_bins += p->bins.nr > 0;
	}
	return 0;
}

static int cmp_load_doc(struct cmp_side *s, struct json_object *root,
			FILE *errf)
{
	struct json_object *o, *results;
	const char *run_id = NULL;
	size_t i, n;
	int ret;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "schema_version", &o) ||
	    !json_object_is_type(o, json_type_int) ||
	    json_object_get_int64(o) != CMP_JSON_SCHEMA ||
	    !json_object_object_get_ex(root, "results", &results) ||
	    !json_object_is_type(results, json_type_array)) {
		compare_err(errf, "%s: not a gmembench results.json (schema_version %d with a results array)",
			    s->json_path, CMP_JSON_SCHEMA);
		return -EINVAL;
	}
	if (json_object_object_get_ex(root, "context", &o) &&
	    json_object_is_type(o, json_type_object)) {
		s->context = json_object_get(o);
		run_id = cmp_jstr(o, "run_id");
	}
	if (run_id && s->run_id && strcmp(run_id, s->run_id)) {
		compare_err(errf, "%s: run_id '%s', but %s holds run '%s': not the same run",
			    s->json_path, run_id, s->path, s->run_id);
		return -EINVAL;
	}
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		ret = cmp_load_cell(s, json_object_array_get_idx(results, i),
				    run_id, i, errf);
		if (ret)
			return ret;
	}
	return 0;
}

int compare_load_bins(struct cmp_side *s, FILE *errf)
{
	struct json_object *root = NULL;
	char *text = NULL;
	size_t len = 0;
	int ret;

	s->json_path = cmp_json_path(s->path);
	if (!s->json_path)
		return -ENOMEM;
	ret = cmp_read_all(s->json_path, &text, &len);
	if (ret == -ENOENT) {
		free(s->json_path);
		s->json_path = NULL;
		return 0;
	}
	if (ret) {
		compare_err(errf, "%s: %s", s->json_path, ret == -EFBIG ?
			    "file is larger than 512 MiB" : strerror(-ret));
		return ret;
	}
	ret = cmp_parse(s, text, len, &root, errf);
	free(text);
	if (ret)
		return ret;
	ret = cmp_load_doc(s, root, errf);
	if (ret == -ENOMEM)
		compare_err(errf, "%s: out of memory", s->json_path);
	json_object_put(root);
	return ret;
}
