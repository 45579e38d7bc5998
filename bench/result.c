// SPDX-License-Identifier: GPL-2.0
/*
 * Cell results: declared histograms recorded by id, counters, and named
 * extra counters in growable arrays.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/result.h"

const struct metric_decl core_metrics[NR_CORE_METRICS] = {
	[MET_CONVERT_NS] = { "convert_ns", "one conversion request, either direction" },
	[MET_TO_PRIVATE_NS] = { "to_private_ns", "convert_ns of shared-to-private requests" },
	[MET_TO_SHARED_NS] = { "to_shared_ns", "convert_ns of private-to-shared requests" },
	[MET_ATTR_IOCTL_NS] = { "attr_ioctl_ns", "time in the memory-attributes ioctl" },
	[MET_PUNCH_NS] = { "punch_ns", "time punching the stale backing" },
	[MET_RETRY_WAIT_NS] = { "retry_wait_ns", "time sleeping between EAGAIN retries" },
	[MET_RETRY_TO_SUCCESS_NS] = { "retry_to_success_ns",
				      "first EAGAIN to the successful attempt" },
};

/* the test hook: how many more allocations succeed before they fail */
static unsigned int fail_after;

void cell_result_fail_allocs(unsigned int n)
{
	fail_after = n;
}

static bool alloc_fails(void)
{
	if (!fail_after)
		return false;
	return --fail_after == 0;
}

static void *res_realloc(void *p, size_t nmemb, size_t size)
{
	return alloc_fails() ? NULL : reallocarray(p, nmemb, size);
}

static struct hist *res_hist_new(void)
{
	return alloc_fails() ? NULL : hist_new();
}

static int rec_fail(struct cell_result *r, int err)
{
	if (!r->rec_err)
		r->rec_err = err;
	return err;
}

/*
 * arr (nr elements of size, room for *cap) with room for one more: arr, or
 * a larger copy. NULL with r->rec_err set when the name does not fit or
 * memory is short.
 */
static void *room_for(struct cell_result *r, const char *name, void *arr,
		      unsigned int nr, unsigned int *cap, size_t size)
{
	unsigned int n = *cap ? 2 * *cap : 16;
	void *p;

	if (strlen(name) >= RESULT_NAME_LEN) {
		rec_fail(r, -ENAMETOOLONG);
		return NULL;
	}
	if (nr < *cap)
		return arr;
	p = res_realloc(arr, n, size);
	if (!p) {
		rec_fail(r, -ENOMEM);
		return NULL;
	}
	*cap = n;
	return p;
}

const char *cell_status_name(enum cell_status s)
{
	switch (s) {
	case CELL_OK:		return "ok";
	case CELL_SKIPPED:	return "skipped";
	case CELL_INTERRUPTED:	return "interrupted";
	case CELL_TIMEOUT:	return "timeout";
	case CELL_ERROR:	return "error";
	}
	return "?";
}

/* a new metric at the end of r's array, with its (empty) histogram */
static struct metric *metric_add(struct cell_result *r, const char *name,
				 const struct metric_decl *decl)
{
	struct metric *m = room_for(r, name, r->metrics, r->nr_metrics, &r->cap_metrics,
				    sizeof(*m));

	if (!m)
		return NULL;
	r->metrics = m;
	m = &r->metrics[r->nr_metrics];
	m->hist = res_hist_new();
	if (!m->hist) {
		rec_fail(r, -ENOMEM);
		return NULL;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->decl = decl;
	r->nr_metrics++;
	return m;
}

int cell_result_init(struct cell_result *r, const struct cell_key *key,
		     const struct metric_decl *wl_metrics)
{
	const struct metric_decl *d;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (key)
		r->key = *key;
	/* ids index the array: stop at the first failure, later ids fail */
	for (i = 0; i < NR_CORE_METRICS; i++)
		if (!metric_add(r, core_metrics[i].name, &core_metrics[i]))
			return r->rec_err;
	for (d = wl_metrics; d && d->name; d++)
		if (!metric_add(r, d->name, d))
			return r->rec_err;
	return 0;
}

void cell_record_fail(struct cell_result *r, unsigned int id)
{
	/* an id past a failed init, or one the workload did not declare */
	rec_fail(r, id < r->nr_metrics ? -ENOMEM : -ERANGE);
}

static struct metric *metric_by_name(const struct cell_result *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->nr_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

static const struct hist *recorded(const struct metric *m)
{
	return m && m->hist && m->hist->count ? m->hist : NULL;
}

const struct hist *cell_metric_get(const struct cell_result *r, unsigned int id)
{
	const struct metric *m = id < r->nr_metrics ? &r->metrics[id] : NULL;

	/* a core id in a result whose metrics were added by name: by name */
	if (id < NR_CORE_METRICS && (!m || m->decl != &core_metrics[id]))
		m = metric_by_name(r, core_metrics[id].name);
	return recorded(m);
}

const struct hist *cell_metric_flagged(const struct cell_result *r, unsigned int flag)
{
	const struct metric *m;

	cell_for_each_metric(r, m)
		if (m->decl && (m->decl->flags & flag))
			return m->hist;
	return NULL;
}

const struct hist *cell_metric_find(const struct cell_result *r, const char *name)
{
	return recorded(metric_by_name(r, name));
}

struct hist *cell_metric(struct cell_result *r, const char *name)
{
	struct metric *m = metric_by_name(r, name);

	if (!m)
		m = metric_add(r, name, NULL);
	return m ? m->hist : NULL;
}

const struct metric *cell_metric_next(const struct cell_result *r,
				      const struct metric *prev)
{
	const struct metric *m = prev ? prev + 1 : r->metrics;

	for (; m && m < r->metrics + r->nr_metrics; m++)
		if (recorded(m))
			return m;
	return NULL;
}

unsigned int cell_nr_metrics_recorded(const struct cell_result *r)
{
	const struct metric *m;
	unsigned int n = 0;

	cell_for_each_metric(r, m)
		n++;
	return n;
}

void cell_result_free(struct cell_result *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_metrics; i++)
		hist_free(r->metrics[i].hist);
	free(r->metrics);
	free(r->extra);
	r->metrics = NULL;
	r->extra = NULL;
	r->nr_metrics = r->cap_metrics = 0;
	r->nr_extra = r->cap_extra = 0;
}

/* dst's metric for src's: the same id when both declared it, else by name */
static struct hist *merge_target(struct cell_result *dst, const struct metric *sm,
				 unsigned int id)
{
	struct metric *dm = id < dst->nr_metrics ? &dst->metrics[id] : NULL;

	if (!dm || strcmp(dm->name, sm->name))
		dm = metric_by_name(dst, sm->name);
	if (!dm)
		dm = metric_add(dst, sm->name, sm->decl);
	return dm ? dm->hist : NULL;
}

int cell_result_merge(struct cell_result *dst, const struct cell_result *src)
{
	const struct metric *sm;
	unsigned int i;

	if (src->rec_err)
		rec_fail(dst, src->rec_err);
	cell_for_each_metric(src, sm) {
		struct hist *h = merge_target(dst, sm, (unsigned int)(sm - src->metrics));

		if (!h)
			return -ENOMEM;
		hist_merge(h, sm->hist);
	}
	/* extras add up across threads (counts, bytes); workloads that need
	 * another rule set them on the merged result instead */
	for (i = 0; i < src->nr_extra; i++)
		if (cell_extra_add(dst, src->extra[i].name, src->extra[i].value))
			return -ENOMEM;
	dst->ctr.conversions += src->ctr.conversions;
	dst->ctr.bytes_converted += src->ctr.bytes_converted;
	dst->ctr.eagain_total += src->ctr.eagain_total;
	dst->ctr.retries_total += src->ctr.retries_total;
	dst->ctr.guest_pages_touched += src->ctr.guest_pages_touched;
	if (src->ctr.wall_ns > dst->ctr.wall_ns)
		dst->ctr.wall_ns = src->ctr.wall_ns;
	return 0;
}

static struct extra_counter *extra_slot(struct cell_result *r, const char *name)
{
	struct extra_counter *e;
	unsigned int i;

	for (i = 0; i < r->nr_extra; i++)
		if (!strcmp(r->extra[i].name, name))
			return &r->extra[i];
	e = room_for(r, name, r->extra, r->nr_extra, &r->cap_extra, sizeof(*e));
	if (!e)
		return NULL;
	r->extra = e;
	e = &r->extra[r->nr_extra++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->value = 0;
	return e;
}

int cell_extra_set(struct cell_result *r, const char *name, double value)
{
	struct extra_counter *e = extra_slot(r, name);

	if (!e)
		return r->rec_err;
	e->value = value;
	return 0;
}

int cell_extra_add(struct cell_result *r, const char *name, double value)
{
	struct extra_counter *e = extra_slot(r, name);

	if (!e)
		return r->rec_err;
	e->value += value;
	return 0;
}

double cell_extra_get(const struct cell_result *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->nr_extra; i++)
		if (!strcmp(r->extra[i].name, name))
			return r->extra[i].value;
	return NAN;
}

void cell_set_status(struct cell_result *r, enum cell_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

int cell_result_check(struct cell_result *r)
{
	if (!r->rec_err || r->status != CELL_OK)
		return r->rec_err;
	if (r->rec_err == -ENOMEM)
		cell_set_status(r, CELL_ERROR, "out of memory recording results");
	else
		cell_set_status(r, CELL_ERROR, "recording results: %s",
				r->rec_err == -ERANGE ? "a metric that was not declared" :
				strerror(-r->rec_err));
	return r->rec_err;
}

double cell_conversions_per_s(const struct cell_result *r)
{
	return r->ctr.wall_ns ? r->ctr.conversions * 1e9 / (double)r->ctr.wall_ns : 0;
}

double cell_bytes_per_s(const struct cell_result *r)
{
	return r->ctr.wall_ns ? r->ctr.bytes_converted * 1e9 / (double)r->ctr.wall_ns : 0;
}
