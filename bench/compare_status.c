// SPDX-License-Identifier: GPL-2.0
/*
 * The health of cand's cells against base's: a cell that ran fine in base
 * but failed in cand (status error, timeout, interrupted, or anything not
 * ok or skipped, in any repetition including the warm-up) is a regression,
 * whatever its numbers. One that cand skipped (the host could not run it)
 * or never reached (absent) is missing: reported, and a failure under
 * --strict. Judged per cell (the metric-less key), so a cell is listed
 * once, not once per metric.
 */
#include <errno.h>
#include <string.h>

#include "bench/compare_internal.h"

const char *const compare_health_names[CMP_NR_HEALTH] = {
	[CMP_FAILED] = "failed",
	[CMP_FAILED_BOTH] = "failed in base too",
	[CMP_SKIPPED] = "skipped",
	[CMP_MISSING] = "missing",
};

static const char *cmp_field(const struct cmp_side *s, long r, int col)
{
	if (r < 0 || col < 0)
		return "";
	return s->t.rows[r][col];
}

static int cmp_add_status(struct cmp_result *res, const struct cmp_cell *bc,
			  enum cmp_health h, const struct cmp_side *cand,
			  long row)
{
	struct cmp_status *st;

	if (compare_grow((void **)&res->st, &res->cap_st, res->nr_st + 1,
			 sizeof(*res->st)))
		return -ENOMEM;
	st = &res->st[res->nr_st++];
	st->cell = bc;
	st->health = h;
	st->status = cmp_field(cand, row, cand->col_status);
	st->reason = cmp_field(cand, row, cand->col_reason);
	res->nr_health[h]++;
	return 0;
}

int compare_status(const struct cmp_side *base, const struct cmp_side *cand,
		   struct cmp_result *res)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < base->nr_cells && !ret; i++) {
		const struct cmp_cell *bc = &base->cells[i], *cc;
		long j;

		/* counter cells carry the health; base must have run it */
		if (bc->per_metric || !bc->nr_ok_rows)
			continue;
		j = compare_find_cell(cand, bc->key);
		if (j < 0) {
			ret = cmp_add_status(res, bc, CMP_MISSING, cand, -1);
			continue;
		}
		cc = &cand->cells[j];
		if (cc->bad_row >= 0)
			ret = cmp_add_status(res, bc, bc->bad_row >= 0 ?
					     CMP_FAILED_BOTH : CMP_FAILED,
					     cand, cc->bad_row);
		else if (!cc->nr_ok_rows)
			ret = cmp_add_status(res, bc, CMP_SKIPPED, cand,
					     cc->skip_row);
	}
	return ret;
}
