// SPDX-License-Identifier: GPL-2.0
/*
 * Input hygiene of `gmembench compare`: a gate must not decide on a file
 * that was cut short, hand-edited into nonsense or is about to be
 * overwritten by its own output. Every refusal is one line naming the file
 * and, for a row, its line ("FILE:LINE: ..."), and makes compare exit 2.
 *
 * Checked per results.csv row: every field present (a truncated row is
 * padded by the CSV reader, so the count it really had is checked), the
 * last row ends with a line end, repetition and warmup are what the
 * writer produces, latencies lie in [0, 1 h], rates and the CV are >= 0;
 * every number is finite. Empty fields mean "no value" and pass.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "bench/compare_internal.h"

static int cmp_ends_with(const char *s, const char *sfx)
{
	size_t ls = strlen(s), lx = strlen(sfx);

	return ls >= lx && !strcmp(s + ls - lx, sfx);
}

/* is column name a latency (bounded by an hour), not a duration of a cell */
static int cmp_is_latency(const char *name)
{
	return cmp_ends_with(name, "_ns") && strcmp(name, "wall_ns");
}

static int cmp_check_value(const struct cmp_side *s, size_t r, size_t col,
			   FILE *errf)
{
	const char *name = s->t.header[col], *txt = s->t.rows[r][col];
	const char *why = NULL;
	double v;

	if (!*txt)
		return 0;
	if (!cmp_ends_with(name, "_ns") && !cmp_ends_with(name, "_per_s") &&
	    strcmp(name, "cv"))
		return 0;
	if (compare_parse_double(txt, &v))
		why = "not a finite number";
	else if (v < 0.0)
		why = "negative value";
	else if (cmp_is_latency(name) && v > COMPARE_MAX_LATENCY_NS)
		why = "latency above 1 h (3.6e12 ns)";
	if (!why)
		return 0;
	compare_err(errf, "%s:%lu: column '%s': %s '%s'", s->path,
		    compare_line(s, r), name, why, txt);
	return -EINVAL;
}

/* repetition: an integer >= -1; warmup: 0 or 1 */
static int cmp_check_rep(const struct cmp_side *s, size_t r, FILE *errf)
{
	const char *rep = s->t.rows[r][s->col_rep];
	const char *wu = s->t.rows[r][s->col_warmup];
	char *end;
	long v;

	errno = 0;
	v = strtol(rep, &end, 10);
	if (!*rep || *end || errno || v < -1) {
		compare_err(errf, "%s:%lu: column 'repetition': expected an integer >= -1, got '%s'",
			    s->path, compare_line(s, r), rep);
		return -EINVAL;
	}
	if (strcmp(wu, "0") && strcmp(wu, "1")) {
		compare_err(errf, "%s:%lu: column 'warmup': expected 0 or 1, got '%s'",
			    s->path, compare_line(s, r), wu);
		return -EINVAL;
	}
	return 0;
}

int compare_check_row(const struct cmp_side *s, size_t r, FILE *errf)
{
	const struct csv_table *t = &s->t;
	size_t col;
	int ret;

	if (t->info[r].nr_fields != t->nr_cols) {
		compare_err(errf, "%s:%lu: row has %zu of the header's %zu fields (truncated?)",
			    s->path, compare_line(s, r), t->info[r].nr_fields,
			    t->nr_cols);
		return -EINVAL;
	}
	if (r + 1 == t->nr_rows && t->last_row_unterminated) {
		compare_err(errf, "%s:%lu: last row has no line end (file truncated?)",
			    s->path, compare_line(s, r));
		return -EINVAL;
	}
	ret = cmp_check_rep(s, r, errf);
	for (col = 0; !ret && col < t->nr_cols; col++)
		ret = cmp_check_value(s, r, col, errf);
	return ret;
}

/* same file: device and inode (so links, "./x" and "x" all match) */
static int cmp_same_file(const struct stat *a, const char *path)
{
	struct stat b;

	return path && !stat(path, &b) && a->st_dev == b.st_dev &&
	       a->st_ino == b.st_ino;
}

int compare_check_output(const struct cmp_side *base,
			 const struct cmp_side *cand, const char *path,
			 FILE *errf)
{
	const struct cmp_side *sides[2] = { base, cand };
	struct stat st;
	int i;

	/* a path that does not exist yet is no input */
	if (stat(path, &st))
		return 0;
	for (i = 0; i < 2; i++) {
		const struct cmp_side *s = sides[i];
		const char *hit = NULL;

		if (cmp_same_file(&st, s->path))
			hit = s->path;
		else if (cmp_same_file(&st, s->json_path))
			hit = s->json_path;
		else if (cmp_same_file(&st, s->arg))
			hit = s->arg;
		if (!hit)
			continue;
		compare_err(errf, "--csv '%s' is an input (%s %s): refusing to overwrite it",
			    path, s->label, hit);
		return -EINVAL;
	}
	return 0;
}

/*
 * "lab/tcg", "lab/kvm" or "host": where a side's numbers come from
 * (context.host.origin, written by every run since the lab exists; a
 * results.json without it predates the lab, so it came from a host).
 */
static void cmp_origin(const struct cmp_side *s, char *buf, size_t len)
{
	struct json_object *host, *orig;
	const char *origin = "host", *accel = "";

	if (s->context &&
	    json_object_object_get_ex(s->context, "host", &host) &&
	    json_object_object_get_ex(host, "origin", &orig)) {
		origin = cmp_jstr(orig, "origin") ?: origin;
		accel = cmp_jstr(orig, "accel") ?: accel;
	}
	if (!strcmp(origin, "lab"))
		snprintf(buf, len, "lab/%s", accel);
	else
		snprintf(buf, len, "%s", origin);
}

int compare_check_context(const struct cmp_side *base,
			  const struct cmp_side *cand, FILE *errf)
{
	char ob[64], oc[64];

	/* a lab VM's numbers (TCG: every instruction emulated) are not a host's */
	cmp_origin(base, ob, sizeof(ob));
	cmp_origin(cand, oc, sizeof(oc));
	if (strcmp(ob, oc)) {
		compare_err(errf, "refusing to gate results of different origins: base %s is %s, cand %s is %s (lab and host numbers are not comparable)",
			    base->path, ob, cand->path, oc);
		return -EINVAL;
	}
	return 0;
}
