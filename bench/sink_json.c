// SPDX-License-Identifier: GPL-2.0
/*
 * JSON sink: results.json, modelled on Google Benchmark's "context" +
 * "benchmarks[]" and fio's json+ "bins".
 *
 *   {"schema_version": 1,
 *    "context": {run_id, date_utc, gmembench, argv, seed, config, host,
 *                topology, placement, channel, backends, interrupted,
 *                cells_finished},
 *    "results": [{key fields, status, reason, counters,
 *                 metrics: {name: {summary..., bins: [[lo, hi, n], ...]}}}]}
 *
 * Every metric carries its raw histogram (non-empty buckets only), so a
 * consumer can merge repetitions or runs bucket by bucket and recompute
 * percentiles instead of averaging percentiles, which is wrong.
 *
 * The whole document stays in memory and is rewritten atomically after each
 * cell: an interrupted run leaves a valid document with every finished cell.
 * The rewrite is O(cells) per cell, which is fine for matrices of a few
 * thousand cells and keeps the file valid JSON at every instant (an
 * append-only format would need a trailer that a crash can lose).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "bench/atomic_file.h"
#include "bench/hist.h"
#include "bench/result.h"
#include "bench/sink.h"

struct sink_json {
	struct json_object *root;
	struct json_object *context;	/* borrowed from root */
	struct json_object *config;	/* borrowed; NULL without a cfg */
	struct json_object *results;	/* borrowed from root */
	bool have_workload;
};

/*
 * The builders below use a sticky error: once *err is set every later call
 * is a no-op, so a long run of field additions needs one check at the end.
 * The only error json-c can report while building is allocation failure.
 */

/* add v under key; takes ownership of v whether it succeeds or not */
static void sj_add(struct json_object *o, const char *key,
		   struct json_object *v, int *err)
{
	if (*err || !o || !v || json_object_object_add(o, key, v)) {
		json_object_put(v);
		if (!*err)
			*err = -ENOMEM;
	}
}

static void sj_append(struct json_object *arr, struct json_object *v, int *err)
{
	if (*err || !arr || !v || json_object_array_add(arr, v)) {
		json_object_put(v);
		if (!*err)
			*err = -ENOMEM;
	}
}

/* a new object, or NULL with *err set */
static struct json_object *sj_new(int *err)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		*err = -ENOMEM;
	return o;
}

/* o when everything added to it went in, else NULL (o freed) */
static struct json_object *sj_done(struct json_object *o, int *err)
{
	if (!*err)
		return o;
	json_object_put(o);
	return NULL;
}

static void sj_add_null(struct json_object *o, const char *key, int *err)
{
	/* json-c represents JSON null as a NULL object pointer */
	if (!*err && json_object_object_add(o, key, NULL))
		*err = -ENOMEM;
}

/* sj_add of a scalar, built only while no error is pending */
#define SJ_ADD_SCALAR(fn, type, ctor)					\
static void fn(struct json_object *o, const char *key, type v, int *err) \
{									\
	if (!*err)							\
		sj_add(o, key, ctor(v), err);				\
}

SJ_ADD_SCALAR(sj_add_u64, uint64_t, json_object_new_uint64)
SJ_ADD_SCALAR(sj_add_i64, int64_t, json_object_new_int64)
SJ_ADD_SCALAR(sj_add_bool, bool, json_object_new_boolean)

/* JSON has no NaN or infinity: json-c would print them as bare NaN/Infinity */
static void sj_add_double(struct json_object *o, const char *key, double v,
			  int *err)
{
	if (*err)
		return;
	if (!isfinite(v))
		sj_add_null(o, key, err);
	else
		sj_add(o, key, json_object_new_double(v), err);
}

/* length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid */
static size_t sj_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A JSON string from at most maxlen bytes of s. Kernel-provided text
 * (cmdline, module parameters, hostnames) is not guaranteed UTF-8, and
 * json-c copies bytes >= 0x80 verbatim, so invalid sequences become '?'
 * to keep the document parseable by strict readers.
 */
static struct json_object *sj_string(const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;
	struct json_object *o;
	size_t n = strnlen(s, maxlen), i, l;
	char *copy = NULL;

	if (n > INT32_MAX)
		n = INT32_MAX;
	for (i = 0; i < n; i += l) {
		l = sj_utf8_seq_len(u + i, n - i);
		if (l)
			continue;
		if (!copy) {
			copy = malloc(n);
			if (!copy)
				return NULL;
			memcpy(copy, s, n);
		}
		copy[i] = '?';
		l = 1;
	}
	o = json_object_new_string_len(copy ? copy : s, (int)n);
	free(copy);
	return o;
}

/* maxlen bounds fixed-size arrays that might lack a terminator */
static void sj_add_strn(struct json_object *o, const char *key, const char *s,
			size_t maxlen, int *err)
{
	if (*err)
		return;
	if (!s)
		sj_add_null(o, key, err);
	else
		sj_add(o, key, sj_string(s, maxlen), err);
}

static void sj_add_str(struct json_object *o, const char *key, const char *s,
		       int *err)
{
	sj_add_strn(o, key, s, SIZE_MAX, err);
}

/* for char arrays: sizeof bounds the read */
#define SJ_ADD_ARR(o, key, arr, err) \
	sj_add_strn((o), (key), (arr), sizeof(arr), (err))

static const char *sj_channel_pref_name(enum channel_pref p)
{
	switch (p) {
	case CHANNEL_PREF_AUTO:		return "auto";
	case CHANNEL_PREF_HYPERCALL:	return "hypercall";
	case CHANNEL_PREF_PIO:		return "pio";
	}
	return "?";
}

static struct json_object *sj_config(const struct run_cfg *c, int *err)
{
	struct json_object *o = sj_new(err);
	struct json_object *arr, *pol, *opts;
	size_t i;

	if (!o)
		return NULL;
	/* cfg->wl is opaque here; the first cell's key fills this in */
	sj_add_null(o, "workload", err);

	arr = json_object_new_array();
	for (i = 0; !*err && i < 8 * sizeof(c->backend_mask) && conv_backends[i]; i++)
		if (c->backend_mask & (1UL << i))
			sj_append(arr, json_object_new_string(conv_backends[i]->name), err);
	sj_add(o, "backends", arr, err);
	sj_add_bool(o, "backends_explicit", c->backends_explicit, err);

	arr = json_object_new_array();
	for (i = 0; !*err && i < NR_DRIVERS; i++)
		if (c->driver_mask & (1UL << i))
			sj_append(arr, json_object_new_string(driver_name(i)), err);
	sj_add(o, "drivers", arr, err);

	arr = json_object_new_array();
	for (i = 0; !*err && i < c->nr_grans && i < RUN_MAX_GRANS; i++)
		sj_append(arr, json_object_new_uint64(c->grans[i]), err);
	sj_add(o, "granularities_bytes", arr, err);

	sj_add_u64(o, "region_bytes", c->region_bytes, err);
	sj_add_u64(o, "vcpus", c->vcpus, err);
	sj_add_u64(o, "iterations", c->iterations, err);
	sj_add_u64(o, "repetitions", c->repetitions, err);
	sj_add_u64(o, "warmup", c->warmup, err);
	sj_add_str(o, "channel_pref", sj_channel_pref_name(c->channel_pref), err);
	sj_add_str(o, "cpus", c->cpus, err);
	sj_add_u64(o, "timeout_ns", c->timeout_ns, err);
	sj_add_u64(o, "stall_ns", c->stall_ns, err);
	sj_add_u64(o, "seed", c->seed, err);

	pol = json_object_new_object();
	sj_add_u64(pol, "max_retries", c->policy.max_retries, err);
	sj_add_u64(pol, "backoff_us", c->policy.backoff_us, err);
	sj_add(o, "retry_policy", pol, err);

	SJ_ADD_ARR(o, "out_dir", c->out_dir, err);
	SJ_ADD_ARR(o, "run_id", c->run_id, err);
	sj_add_str(o, "formats", c->formats, err);
	sj_add_bool(o, "quiet", c->quiet, err);

	opts = json_object_new_object();
	for (i = 0; !*err && i < c->nr_wl_opts && i < RUN_MAX_WL_OPTS; i++) {
		char key[sizeof(c->wl_opts[i].key) + 1];

		snprintf(key, sizeof(key), "%.*s", (int)sizeof(c->wl_opts[i].key),
			 c->wl_opts[i].key);
		sj_add_str(opts, key, c->wl_opts[i].val, err);
	}
	sj_add(o, "workload_options", opts, err);

	return sj_done(o, err);
}

/* where the numbers come from: host, or the QEMU lab (and how) */
static struct json_object *sj_origin(const struct hostinfo_origin *g, int *err)
{
	struct json_object *o = sj_new(err);

	if (!o)
		return NULL;
	SJ_ADD_ARR(o, "origin", g->origin, err);
	SJ_ADD_ARR(o, "accel", g->accel, err);
	SJ_ADD_ARR(o, "accel_why", g->accel_why, err);
	SJ_ADD_ARR(o, "qemu", g->qemu, err);
	SJ_ADD_ARR(o, "kernel", g->kernel, err);
	SJ_ADD_ARR(o, "kvm", g->kvm, err);
	SJ_ADD_ARR(o, "vm", g->vm, err);
	SJ_ADD_ARR(o, "selftest", g->selftest, err);
	sj_add_bool(o, "functional_only", hostinfo_origin_functional(g), err);
	return o;
}

static struct json_object *sj_host(const struct hostinfo *h, int *err)
{
	struct json_object *o = sj_new(err);
	struct json_object *params;
	unsigned int i;

	if (!o)
		return NULL;
	sj_add(o, "origin", sj_origin(&h->origin, err), err);
	SJ_ADD_ARR(o, "hostname", h->hostname, err);
	SJ_ADD_ARR(o, "kernel_release", h->kernel_release, err);
	SJ_ADD_ARR(o, "kernel_version", h->kernel_version, err);
	SJ_ADD_ARR(o, "cmdline", h->cmdline, err);
	SJ_ADD_ARR(o, "cpu_vendor", h->cpu_vendor, err);
	SJ_ADD_ARR(o, "cpu_model_name", h->cpu_model_name, err);
	sj_add_i64(o, "cpu_family", h->cpu_family, err);
	sj_add_i64(o, "cpu_model", h->cpu_model, err);
	sj_add_i64(o, "cpu_stepping", h->cpu_stepping, err);
	SJ_ADD_ARR(o, "microcode", h->microcode, err);
	/* -1 stays -1: "unknown", exactly as hostinfo.h defines it */
	sj_add_i64(o, "online_cpus", h->online_cpus, err);
	sj_add_i64(o, "smt_active", h->smt_active, err);
	SJ_ADD_ARR(o, "governor", h->governor, err);
	SJ_ADD_ARR(o, "mitigations", h->mitigations, err);
	SJ_ADD_ARR(o, "hypervisor", h->hypervisor, err);
	SJ_ADD_ARR(o, "thp_enabled", h->thp_enabled, err);
	SJ_ADD_ARR(o, "thp_shmem_enabled", h->thp_shmem_enabled, err);
	sj_add_i64(o, "hugepages_2m_total", h->hugepages_2m_total, err);
	sj_add_i64(o, "hugepages_2m_free", h->hugepages_2m_free, err);
	sj_add_i64(o, "hugepages_1g_total", h->hugepages_1g_total, err);
	sj_add_i64(o, "hugepages_1g_free", h->hugepages_1g_free, err);
	sj_add_u64(o, "mem_total_bytes", h->mem_total_bytes, err);
	sj_add_u64(o, "mem_available_bytes", h->mem_available_bytes, err);
	SJ_ADD_ARR(o, "kvm_vendor_module", h->kvm_vendor_module, err);
	SJ_ADD_ARR(o, "mmu_kind", h->mmu_kind, err);
	SJ_ADD_ARR(o, "kvm_tdp_mmu", h->kvm_tdp_mmu, err);
	SJ_ADD_ARR(o, "gmem_mode_param", h->gmem_mode_param, err);

	/* "module.name" keys: kvm and kvm_intel may share a parameter name */
	params = json_object_new_object();
	for (i = 0; !*err && i < h->nr_kvm_params && i < HOSTINFO_MAX_KVM_PARAMS; i++) {
		const struct hostinfo_kvm_param *p = &h->kvm_params[i];
		char key[sizeof(p->module) + sizeof(p->name) + 1];

		snprintf(key, sizeof(key), "%.*s.%.*s",
			 (int)sizeof(p->module), p->module,
			 (int)sizeof(p->name), p->name);
		SJ_ADD_ARR(params, key, p->value, err);
	}
	sj_add(o, "kvm_params", params, err);
	sj_add_bool(o, "kvm_params_truncated", h->kvm_params_truncated, err);

	return sj_done(o, err);
}

static struct json_object *sj_backends(const struct run_info *ri, int *err)
{
	struct json_object *arr = json_object_new_array();
	unsigned int i, n = ri->nr_backends;

	if (n > sizeof(ri->backends) / sizeof(ri->backends[0]))
		n = sizeof(ri->backends) / sizeof(ri->backends[0]);
	for (i = 0; !*err && i < n; i++) {
		const struct backend_status *b = &ri->backends[i];
		struct json_object *o = json_object_new_object();

		sj_add_str(o, "name", b->name, err);
		sj_add_bool(o, "available", b->available, err);
		sj_add_u64(o, "vm_type", b->vm_type, err);
		SJ_ADD_ARR(o, "reason", b->reason, err);
		sj_append(arr, o, err);
	}
	if (*err || !arr) {
		json_object_put(arr);
		*err = *err ? *err : -ENOMEM;
		return NULL;
	}
	return arr;
}

static struct json_object *sj_context(const struct run_info *ri,
				      struct sink_json *sj, int *err)
{
	struct json_object *o = sj_new(err);
	struct json_object *v, *ch;

	if (!o)
		return NULL;
	sj_add_str(o, "run_id", ri->run_id, err);
	SJ_ADD_ARR(o, "date_utc", ri->date_utc, err);

	v = json_object_new_object();
	sj_add_str(v, "version", ri->version, err);
	sj_add_str(v, "git_sha", ri->git_sha, err);
	sj_add(o, "gmembench", v, err);

	sj_add_str(o, "argv", ri->argv_line, err);
	if (ri->cfg) {
		sj_add_u64(o, "seed", ri->cfg->seed, err);
		v = sj_config(ri->cfg, err);
		/* borrowed pointer; root keeps the only reference */
		sj->config = *err ? NULL : v;
		sj_add(o, "config", v, err);
	} else {
		sj_add_null(o, "seed", err);
		sj_add_null(o, "config", err);
	}
	if (ri->host)
		sj_add(o, "host", sj_host(ri->host, err), err);
	else
		sj_add_null(o, "host", err);
	SJ_ADD_ARR(o, "topology", ri->topology, err);
	SJ_ADD_ARR(o, "placement", ri->placement, err);

	ch = json_object_new_object();
	sj_add_str(ch, "name", channel_name(ri->channel.channel), err);
	SJ_ADD_ARR(ch, "reason", ri->channel.reason, err);
	sj_add_u64(ch, "probe_ns", ri->channel.probe_ns, err);
	sj_add_bool(ch, "used", ri->channel_used, err);
	sj_add(o, "channel", ch, err);

	sj_add(o, "backends", sj_backends(ri, err), err);
	sj_add_bool(o, "interrupted", ri->interrupted, err);
	sj_add_u64(o, "cells_finished", ri->nr_cells, err);

	if (*err) {
		json_object_put(o);
		sj->config = NULL;
		return NULL;
	}
	return o;
}

/*
 * A bin prints as one line "[lo, hi, n]" instead of five: with the pretty
 * layout a histogram of a few hundred buckets otherwise dominates the file
 * (and the cost of rewriting it after every cell). It is still a plain
 * array to any reader.
 */
static int sj_bin_to_string(struct json_object *jso, struct printbuf *pb,
			    int level, int flags)
{
	uint64_t v[3];
	size_t i;

	for (i = 0; i < 3; i++)
		v[i] = json_object_get_uint64(json_object_array_get_idx(jso, i));
	return sprintbuf(pb, "[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
			 v[0], v[1], v[2]) < 0 ? -1 : 0;
}

static struct json_object *sj_metric(const struct hist *h, int *err)
{
	struct json_object *o = sj_new(err);
	struct json_object *bins;
	struct hist_summary s;
	size_t i;

	if (!o)
		return NULL;
	hist_summarize(h, &s);
	sj_add_u64(o, "count", s.count, err);
	sj_add_u64(o, "min_ns", s.min_ns, err);
	sj_add_u64(o, "p50_ns", s.p50_ns, err);
	sj_add_u64(o, "p90_ns", s.p90_ns, err);
	sj_add_u64(o, "p99_ns", s.p99_ns, err);
	sj_add_u64(o, "p999_ns", s.p999_ns, err);
	sj_add_u64(o, "p9999_ns", s.p9999_ns, err);
	sj_add_u64(o, "max_ns", s.max_ns, err);
	sj_add_double(o, "mean_ns", s.mean_ns, err);
	sj_add_double(o, "stddev_ns", s.stddev_ns, err);
	sj_add_double(o, "cv", s.cv, err);
	sj_add_u64(o, "clamped", h->clamped, err);

	bins = json_object_new_array();
	for (i = 0; !*err && i < HIST_NR_BUCKETS; i++) {
		struct json_object *b;

		if (!h->counts[i])
			continue;
		b = json_object_new_array_ext(3);
		if (b)
			json_object_set_serializer(b, sj_bin_to_string, NULL, NULL);
		sj_append(b, json_object_new_uint64(hist_bucket_lo(i)), err);
		sj_append(b, json_object_new_uint64(hist_bucket_hi(i)), err);
		sj_append(b, json_object_new_uint64(h->counts[i]), err);
		sj_append(bins, b, err);
	}
	sj_add(o, "bins", bins, err);

	return sj_done(o, err);
}

static struct json_object *sj_cell(const struct cell_result *r, int *err)
{
	const struct cell_key *k = &r->key;
	struct json_object *o = sj_new(err);
	struct json_object *ctr, *metrics;
	const struct metric *m;
	unsigned int i;

	if (!o)
		return NULL;
	SJ_ADD_ARR(o, "workload", k->workload, err);
	SJ_ADD_ARR(o, "backend", k->backend, err);
	SJ_ADD_ARR(o, "driver", k->driver, err);
	SJ_ADD_ARR(o, "channel", k->channel, err);
	SJ_ADD_ARR(o, "variant", k->variant, err);
	sj_add_u64(o, "vm_type", k->vm_type, err);
	sj_add_u64(o, "granularity_bytes", k->granularity_bytes, err);
	sj_add_u64(o, "region_bytes", k->region_bytes, err);
	sj_add_u64(o, "vcpus", k->vcpus, err);
	sj_add_u64(o, "iterations", k->iterations, err);
	sj_add_i64(o, "repetition", k->repetition, err);
	sj_add_bool(o, "warmup", k->repetition == -1, err);
	sj_add_str(o, "status", cell_status_name(r->status), err);
	SJ_ADD_ARR(o, "reason", r->reason, err);

	ctr = json_object_new_object();
	sj_add_u64(ctr, "conversions", r->ctr.conversions, err);
	sj_add_u64(ctr, "bytes_converted", r->ctr.bytes_converted, err);
	sj_add_u64(ctr, "eagain_total", r->ctr.eagain_total, err);
	sj_add_u64(ctr, "retries_total", r->ctr.retries_total, err);
	sj_add_u64(ctr, "guest_pages_touched", r->ctr.guest_pages_touched, err);
	sj_add_u64(ctr, "wall_ns", r->ctr.wall_ns, err);
	sj_add_double(ctr, "conversions_per_s", cell_conversions_per_s(r), err);
	sj_add_double(ctr, "bytes_per_s", cell_bytes_per_s(r), err);
	/* workload-specific scalars next to the fixed ones (names carry units) */
	for (i = 0; i < r->nr_extra; i++)
		sj_add_double(ctr, r->extra[i].name, r->extra[i].value, err);
	sj_add(o, "counters", ctr, err);

	metrics = json_object_new_object();
	cell_for_each_metric(r, m) {
		char name[sizeof(m->name) + 1];

		if (*err)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(m->name), m->name);
		sj_add(metrics, name, sj_metric(m->hist, err), err);
	}
	sj_add(o, "metrics", metrics, err);

	return sj_done(o, err);
}

static void __attribute__((format(printf, 3, 4)))
sj_err_line(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* s->err is one line: "cannot write '<path>': <what>" */
static void __attribute__((format(printf, 2, 3)))
sj_errf(struct sink *s, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* vsnprintf: a very long path is cut without -Wformat-truncation noise */
	sj_err_line(s->err, sizeof(s->err), "cannot write '%s': %s", s->path, what);
}

static void sj_set_err(struct sink *s, int ret)
{
	char ebuf[128];

	sj_errf(s, "building JSON: %s", strerror_r(-ret, ebuf, sizeof(ebuf)));
}

/* refresh the progress fields and replace the file */
static int sj_write(struct sink *s, const struct run_info *ri)
{
	struct sink_json *sj = s->priv;
	struct json_object *ch;
	const char *text;
	char *buf;
	size_t len;
	int err = 0, ret;

	sj_add_bool(sj->context, "interrupted", ri->interrupted, &err);
	sj_add_u64(sj->context, "cells_finished", ri->nr_cells, &err);
	/* a guest-driven cell sets it once the run is under way */
	if (json_object_object_get_ex(sj->context, "channel", &ch))
		sj_add_bool(ch, "used", ri->channel_used, &err);
	if (err) {
		sj_set_err(s, err);
		return err;
	}
	text = json_object_to_json_string_ext(sj->root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text) {
		sj_set_err(s, -ENOMEM);
		return -ENOMEM;
	}
	/* a text file ends in a newline; atomic_write_file takes one buffer */
	len = strlen(text);
	buf = malloc(len + 1);
	if (!buf) {
		sj_set_err(s, -ENOMEM);
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = '\n';
	ret = atomic_write_file(s->path, buf, len + 1, s->err, sizeof(s->err));
	free(buf);
	return ret;
}

static void sj_free(void *priv)
{
	struct sink_json *sj = priv;

	if (!sj)
		return;
	json_object_put(sj->root);
	free(sj);
}

static int sj_begin(struct sink *s, const struct run_info *ri)
{
	struct sink_json *sj;
	int err = 0;

	s->err[0] = '\0';
	if (!ri || !s->path[0]) {
		sj_errf(s, "%s", !ri ? "no run info" : "empty path");
		return -EINVAL;
	}
	sj_free(s->priv);
	s->priv = NULL;
	sj = calloc(1, sizeof(*sj));
	if (!sj) {
		sj_set_err(s, -ENOMEM);
		return -ENOMEM;
	}
	sj->root = json_object_new_object();
	if (!sj->root)
		err = -ENOMEM;
	sj_add_i64(sj->root, "schema_version", RESULT_SCHEMA_VERSION, &err);
	sj->context = sj_context(ri, sj, &err);
	sj_add(sj->root, "context", sj->context, &err);
	sj->results = json_object_new_array();
	sj_add(sj->root, "results", sj->results, &err);
	if (err) {
		sj_free(sj);
		sj_set_err(s, err);
		return err;
	}
	s->priv = sj;
	/*
	 * Write the empty document now: an unwritable results directory
	 * fails the run before the first (possibly hour-long) cell, and a run
	 * killed before any cell finishes still leaves its context behind.
	 */
	return sj_write(s, ri);
}

static int sj_cell_op(struct sink *s, const struct run_info *ri,
		      const struct cell_result *r)
{
	struct sink_json *sj = s->priv;
	struct json_object *c;
	int err = 0;

	if (!sj) {
		sj_errf(s, "sink not begun");
		return -EINVAL;
	}
	c = sj_cell(r, &err);
	sj_append(sj->results, c, &err);
	if (!err && sj->config && !sj->have_workload && r->key.workload[0]) {
		SJ_ADD_ARR(sj->config, "workload", r->key.workload, &err);
		sj->have_workload = !err;
	}
	if (err) {
		sj_set_err(s, err);
		return err;
	}
	return sj_write(s, ri);
}

static int sj_end(struct sink *s, const struct run_info *ri)
{
	if (!s->priv) {
		sj_errf(s, "sink not begun");
		return -EINVAL;
	}
	return sj_write(s, ri);
}

const struct sink_ops sink_json_ops = {
	.name = "json", .file_name = "results.json",
	.begin = sj_begin, .cell = sj_cell_op, .end = sj_end, .free_priv = sj_free,
};
