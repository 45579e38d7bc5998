// SPDX-License-Identifier: GPL-2.0
/*
 * JSON sink: run begin/cell/end into a temp directory, read the file back
 * with a strict parser and compare every number against the histogram it
 * came from (hist_percentile, hist_bucket_lo/hi), not against constants.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "bench/hist.h"
#include "bench/result.h"
#include "bench/sink.h"

struct fixture {
	char dir[64];
	struct sink s;
	struct run_cfg cfg;
	struct hostinfo host;
	struct run_info ri;
	struct cell_result a, b;
};

/* the real collector, then a few fields we can check exactly */
static void fx_host(struct hostinfo *host)
{
	assert_int_equal(hostinfo_collect(host), 0);
	snprintf(host->hostname, sizeof(host->hostname), "testhost");
	host->online_cpus = 7;
	host->hugepages_1g_total = -1;
	host->mem_total_bytes = 1ULL << 40;
	host->nr_kvm_params = 2;
	host->kvm_params_truncated = true;
	snprintf(host->kvm_params[0].module, 16, "kvm");
	snprintf(host->kvm_params[0].name, HOSTINFO_PARAM_NAME_LEN, "tdp_mmu");
	snprintf(host->kvm_params[0].value, HOSTINFO_PARAM_VALUE_LEN, "Y");
	snprintf(host->kvm_params[1].module, 16, "kvm_intel");
	snprintf(host->kvm_params[1].name, HOSTINFO_PARAM_NAME_LEN, "ept");
	snprintf(host->kvm_params[1].value, HOSTINFO_PARAM_VALUE_LEN, "N");
}

static void fx_cfg(struct run_cfg *cfg)
{
	cfg->backend_mask = 0x3;
	cfg->driver_mask = 1UL << DRIVER_HOST;
	cfg->grans[0] = 4096;
	cfg->grans[1] = 2 << 20;
	cfg->nr_grans = 2;
	cfg->vcpus = 2;
	cfg->region_bytes = 2 << 20;
	cfg->iterations = 3;
	cfg->repetitions = 5;
	cfg->warmup = 1;
	cfg->timeout_ns = 60000000000ULL;
	cfg->seed = 0xdeadbeefcafeULL;
	cfg->policy.max_retries = 17;
	cfg->policy.backoff_us = 9;
	cfg->formats = "json";
	cfg->nr_wl_opts = 1;
	snprintf(cfg->wl_opts[0].key, sizeof(cfg->wl_opts[0].key), "pattern");
	cfg->wl_opts[0].val = "a/b";
}

static void fx_run_info(struct fixture *f)
{
	struct run_info *ri = &f->ri;

	ri->cfg = &f->cfg;
	ri->run_id = "run-42";
	ri->argv_line = "gmembench run --format 'json'";
	snprintf(ri->date_utc, sizeof(ri->date_utc), "2024-01-02T03:04:05Z");
	ri->version = "0.1.0";
	ri->git_sha = "abc123";
	ri->host = &f->host;
	snprintf(ri->topology, sizeof(ri->topology), "1 package, 4 cores");
	snprintf(ri->placement, sizeof(ri->placement), "vcpu0->cpu1");
	ri->channel.channel = CHANNEL_PIO;
	snprintf(ri->channel.reason, sizeof(ri->channel.reason),
		 "hypercall exit never arrived");
	ri->channel.probe_ns = 123456;
	ri->channel_used = true;
	ri->nr_backends = 2;
	ri->backends[0].name = "inplace";
	ri->backends[0].available = true;
	ri->backends[0].vm_type = 1;
	ri->backends[1].name = "dual";
	ri->backends[1].available = false;
	snprintf(ri->backends[1].reason, sizeof(ri->backends[1].reason),
		 "ioctl said ENOTTY");
}

/* cell a: two metrics spanning the exact and the log-linear range */
static void fx_cell_a(struct cell_result *a, const struct cell_key *ka)
{
	uint64_t v;

	cell_result_init(a, ka, NULL);
	for (v = 1; v <= 1000; v++)
		cell_record(a, MET_TO_PRIVATE_NS, v * 37);
	cell_record(a, MET_TO_PRIVATE_NS, 5);
	cell_record(a, MET_TO_PRIVATE_NS, 123456789);
	cell_record(a, MET_TO_PRIVATE_NS, 1ULL << 50);	/* clamped */
	for (v = 0; v < 300; v++)
		cell_record(a, MET_TO_SHARED_NS, 200 + v % 100);
	a->ctr.conversions = 1003;
	a->ctr.bytes_converted = 1003 * 4096;
	a->ctr.eagain_total = 4;
	a->ctr.retries_total = 3;
	a->ctr.guest_pages_touched = 999;
	a->ctr.wall_ns = 7777777;
	assert_int_equal(a->rec_err, 0);
}

/* cell b: another key, the warm-up repetition, a metric added by name */
static void fx_cell_b(struct cell_result *b, const struct cell_key *ka)
{
	struct cell_key kb = *ka;
	struct hist *h;
	uint64_t v;

	snprintf(kb.backend, sizeof(kb.backend), "dual");
	snprintf(kb.driver, sizeof(kb.driver), "host");
	snprintf(kb.channel, sizeof(kb.channel), "-");
	kb.granularity_bytes = 2 << 20;
	kb.repetition = -1;
	cell_result_init(b, &kb, NULL);
	h = cell_metric(b, "convert_ns");
	assert_non_null(h);
	for (v = 0; v < 5000; v++)
		hist_record(h, 1000 + (v * 7919) % 100000);
	b->ctr.conversions = 5000;
	b->ctr.wall_ns = 0;	/* throughput 0, not a division by zero */
}

static int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cell_key ka = {
		.workload = "granularity", .backend = "inplace",
		.driver = "guest", .channel = "hypercall", .variant = "-",
		.vm_type = 1, .granularity_bytes = 4096,
		.region_bytes = 2 << 20, .vcpus = 2, .iterations = 3,
		.repetition = 0,
	};

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_sink_json.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->s.ops = &sink_json_ops;
	snprintf(f->s.path, sizeof(f->s.path), "%s/%s", f->dir,
		 sink_json_ops.file_name);
	fx_host(&f->host);
	fx_cfg(&f->cfg);
	fx_run_info(f);
	fx_cell_a(&f->a, &ka);
	fx_cell_b(&f->b, &ka);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (f->s.ops)
		sink_destroy(&f->s);
	cell_result_free(&f->a);
	cell_result_free(&f->b);
	d = opendir(f->dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/*
 * Strict parse of the whole file: no NaN/Infinity literals, valid UTF-8,
 * nothing after the document but whitespace.
 */
static struct json_object *parse_file(const char *path)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *o2;
	size_t len, end;
	char *text = slurp(path, &len);

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o)
		print_message("parse error: %s\n",
			      json_tokener_error_desc(json_tokener_get_error(tok)));
	assert_non_null(o);
	end = json_tokener_get_parse_end(tok);
	while (end < len && (text[end] == '\n' || text[end] == ' '))
		end++;
	assert_int_equal(end, len);
	/* the default (lenient) parser reads the same document */
	o2 = json_tokener_parse(text);
	assert_non_null(o2);
	assert_true(json_object_equal(o, o2));
	json_object_put(o2);
	json_tokener_free(tok);
	free(text);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v)) {
		print_message("missing key '%s'\n", key);
		fail();
	}
	return v;
}

static void assert_str(struct json_object *o, const char *key, const char *want)
{
	struct json_object *v = get(o, key);

	assert_int_equal(json_object_get_type(v), json_type_string);
	assert_string_equal(json_object_get_string(v), want);
}

static void assert_u64(struct json_object *o, const char *key, uint64_t want)
{
	struct json_object *v = get(o, key);

	assert_int_equal(json_object_get_type(v), json_type_int);
	assert_true(json_object_get_uint64(v) == want);
}

static void assert_i64(struct json_object *o, const char *key, int64_t want)
{
	struct json_object *v = get(o, key);

	assert_int_equal(json_object_get_type(v), json_type_int);
	assert_true(json_object_get_int64(v) == want);
}

static void assert_bool(struct json_object *o, const char *key, bool want)
{
	struct json_object *v = get(o, key);

	assert_int_equal(json_object_get_type(v), json_type_boolean);
	assert_int_equal(json_object_get_boolean(v), want);
}

static void assert_dbl(struct json_object *o, const char *key, double want)
{
	struct json_object *v = get(o, key);
	double got;

	assert_true(json_object_get_type(v) == json_type_double ||
		    json_object_get_type(v) == json_type_int);
	got = json_object_get_double(v);
	assert_true(fabs(got - want) <= 1e-9 * fabs(want) + 1e-12);
}

/* only results.json (no "<path>.tmp.<pid>") may be left in the directory */
static void assert_only_results(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strcmp(de->d_name, "results.json"))
			print_message("stray file %s\n", de->d_name);
		assert_string_equal(de->d_name, "results.json");
		n++;
	}
	closedir(d);
	assert_int_equal(n, 1);
}

static void check_metric(struct json_object *m, const struct hist *h)
{
	struct json_object *bins = get(m, "bins");
	uint64_t sum = 0;
	size_t i, nbins, nonempty = 0;

	assert_u64(m, "count", h->count);
	assert_u64(m, "min_ns", h->min);
	assert_u64(m, "max_ns", h->max);
	assert_u64(m, "p50_ns", hist_percentile(h, 50.0));
	assert_u64(m, "p90_ns", hist_percentile(h, 90.0));
	assert_u64(m, "p99_ns", hist_percentile(h, 99.0));
	assert_u64(m, "p999_ns", hist_percentile(h, 99.9));
	assert_u64(m, "p9999_ns", hist_percentile(h, 99.99));
	assert_dbl(m, "mean_ns", h->sum / (double)h->count);
	assert_dbl(m, "stddev_ns", hist_stddev(h));
	assert_dbl(m, "cv", hist_stddev(h) / (h->sum / (double)h->count));
	assert_u64(m, "clamped", h->clamped);

	assert_int_equal(json_object_get_type(bins), json_type_array);
	nbins = json_object_array_length(bins);
	for (i = 0; i < HIST_NR_BUCKETS; i++)
		nonempty += h->counts[i] != 0;
	assert_int_equal(nbins, nonempty);
	for (i = 0; i < nbins; i++) {
		struct json_object *b = json_object_array_get_idx(bins, i);
		uint64_t lo, hi, c;
		size_t idx;

		assert_int_equal(json_object_array_length(b), 3);
		lo = json_object_get_uint64(json_object_array_get_idx(b, 0));
		hi = json_object_get_uint64(json_object_array_get_idx(b, 1));
		c = json_object_get_uint64(json_object_array_get_idx(b, 2));
		idx = hist_bucket_index(lo);
		assert_true(lo == hist_bucket_lo(idx));
		assert_true(hi == hist_bucket_hi(idx));
		/* hi maps to the same bucket: the bin is a whole bucket */
		assert_int_equal(hist_bucket_index(hi), idx);
		assert_true(c == h->counts[idx]);
		assert_true(c > 0);
		sum += c;
	}
	assert_true(sum == h->count);
}

/* the cell key's fields and the fixed counters, by JSON name */
#define KEY_STR(f)	{ #f, offsetof(struct cell_key, f) }
static const struct { const char *name; size_t off; } key_strs[] = {
	KEY_STR(workload), KEY_STR(backend), KEY_STR(driver), KEY_STR(channel),
	KEY_STR(variant),
};

#define CTR_U64(f)	{ #f, offsetof(struct cell_counters, f) }
static const struct { const char *name; size_t off; } ctr_u64s[] = {
	CTR_U64(conversions), CTR_U64(bytes_converted), CTR_U64(eagain_total),
	CTR_U64(retries_total), CTR_U64(guest_pages_touched), CTR_U64(wall_ns),
};

static void check_key(struct json_object *c, const struct cell_key *k)
{
	size_t i;

	for (i = 0; i < sizeof(key_strs) / sizeof(key_strs[0]); i++)
		assert_str(c, key_strs[i].name, (const char *)k + key_strs[i].off);
	assert_u64(c, "vm_type", k->vm_type);
	assert_u64(c, "granularity_bytes", k->granularity_bytes);
	assert_u64(c, "region_bytes", k->region_bytes);
	assert_u64(c, "vcpus", k->vcpus);
	assert_u64(c, "iterations", k->iterations);
	assert_i64(c, "repetition", k->repetition);
	assert_bool(c, "warmup", k->repetition == -1);
}

static void check_cell(struct json_object *c, const struct cell_result *r)
{
	struct json_object *ctr = get(c, "counters");
	struct json_object *metrics = get(c, "metrics");
	const struct metric *m;
	size_t i;

	check_key(c, &r->key);
	assert_str(c, "status", cell_status_name(r->status));
	assert_str(c, "reason", r->reason);

	for (i = 0; i < sizeof(ctr_u64s) / sizeof(ctr_u64s[0]); i++)
		assert_u64(ctr, ctr_u64s[i].name,
			   *(const uint64_t *)((const char *)&r->ctr + ctr_u64s[i].off));
	assert_dbl(ctr, "conversions_per_s", r->ctr.wall_ns ?
		   (double)r->ctr.conversions * 1e9 / (double)r->ctr.wall_ns : 0);
	assert_dbl(ctr, "bytes_per_s", r->ctr.wall_ns ?
		   (double)r->ctr.bytes_converted * 1e9 / (double)r->ctr.wall_ns : 0);

	/* only metrics with samples are written, in declaration order */
	assert_int_equal(json_object_get_type(metrics), json_type_object);
	assert_int_equal(json_object_object_length(metrics), cell_nr_metrics_recorded(r));
	cell_for_each_metric(r, m)
		check_metric(get(metrics, m->name), m->hist);
}

static void check_context(struct json_object *ctx, const struct fixture *f,
			  const char *workload)
{
	struct json_object *cfg = get(ctx, "config"), *host = get(ctx, "host");
	struct json_object *v, *ch, *be;

	assert_str(ctx, "run_id", "run-42");
	assert_str(ctx, "date_utc", f->ri.date_utc);
	assert_str(get(ctx, "gmembench"), "version", "0.1.0");
	assert_str(get(ctx, "gmembench"), "git_sha", "abc123");
	assert_str(ctx, "argv", f->ri.argv_line);
	assert_u64(ctx, "seed", f->cfg.seed);
	assert_str(ctx, "topology", f->ri.topology);
	assert_str(ctx, "placement", f->ri.placement);

	if (workload)
		assert_str(cfg, "workload", workload);
	else
		assert_null(get(cfg, "workload"));
	v = get(cfg, "granularities_bytes");
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_get_uint64(json_object_array_get_idx(v, 1)) ==
		    f->cfg.grans[1]);
	v = get(cfg, "backends");
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    conv_backends[0]->name);
	v = get(cfg, "drivers");
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    "host");
	assert_u64(cfg, "region_bytes", f->cfg.region_bytes);
	assert_u64(cfg, "vcpus", 2);
	assert_u64(cfg, "iterations", 3);
	assert_u64(cfg, "repetitions", 5);
	assert_u64(cfg, "warmup", 1);
	assert_u64(cfg, "timeout_ns", f->cfg.timeout_ns);
	assert_u64(get(cfg, "retry_policy"), "max_retries", 17);
	assert_u64(get(cfg, "retry_policy"), "backoff_us", 9);
	assert_null(get(cfg, "cpus"));
	assert_str(get(cfg, "workload_options"), "pattern", "a/b");

	assert_str(host, "hostname", "testhost");
	assert_str(host, "kernel_release", f->host.kernel_release);
	assert_str(host, "cmdline", f->host.cmdline);
	assert_i64(host, "online_cpus", 7);
	assert_i64(host, "hugepages_1g_total", -1);
	assert_u64(host, "mem_total_bytes", 1ULL << 40);
	assert_str(host, "mmu_kind", f->host.mmu_kind);
	assert_str(get(host, "kvm_params"), "kvm.tdp_mmu", "Y");
	assert_str(get(host, "kvm_params"), "kvm_intel.ept", "N");
	assert_int_equal(json_object_object_length(get(host, "kvm_params")), 2);
	assert_bool(host, "kvm_params_truncated", true);

	ch = get(ctx, "channel");
	assert_str(ch, "name", "pio");
	assert_str(ch, "reason", f->ri.channel.reason);
	assert_u64(ch, "probe_ns", 123456);
	assert_bool(ch, "used", true);

	be = get(ctx, "backends");
	assert_int_equal(json_object_array_length(be), 2);
	assert_str(json_object_array_get_idx(be, 0), "name", "inplace");
	assert_bool(json_object_array_get_idx(be, 0), "available", true);
	assert_u64(json_object_array_get_idx(be, 0), "vm_type", 1);
	assert_str(json_object_array_get_idx(be, 0), "reason", "");
	assert_str(json_object_array_get_idx(be, 1), "name", "dual");
	assert_bool(json_object_array_get_idx(be, 1), "available", false);
	assert_str(json_object_array_get_idx(be, 1), "reason", "ioctl said ENOTTY");
}

static void test_full_run(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc, *res;

	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	/* begin already leaves a valid document with no results */
	doc = parse_file(f->s.path);
	assert_i64(doc, "schema_version", RESULT_SCHEMA_VERSION);
	assert_int_equal(json_object_array_length(get(doc, "results")), 0);
	check_context(get(doc, "context"), f, NULL);
	assert_u64(get(doc, "context"), "cells_finished", 0);
	json_object_put(doc);

	f->ri.nr_cells = 1;
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), 0);
	f->ri.nr_cells = 2;
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->b), 0);
	assert_int_equal(f->s.ops->end(&f->s, &f->ri), 0);
	assert_only_results(f->dir);

	doc = parse_file(f->s.path);
	assert_i64(doc, "schema_version", 1);
	check_context(get(doc, "context"), f, "granularity");
	assert_u64(get(doc, "context"), "cells_finished", 2);
	assert_bool(get(doc, "context"), "interrupted", false);
	res = get(doc, "results");
	assert_int_equal(json_object_array_length(res), 2);
	check_cell(json_object_array_get_idx(res, 0), &f->a);
	check_cell(json_object_array_get_idx(res, 1), &f->b);
	json_object_put(doc);
}

/* channel.used follows the run: set by the first guest-driven cell, after begin */
static void test_channel_used_after_begin(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc;

	f->ri.channel_used = false;
	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	doc = parse_file(f->s.path);
	assert_bool(get(get(doc, "context"), "channel"), "used", false);
	json_object_put(doc);

	f->ri.channel_used = true;
	f->ri.nr_cells = 1;
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), 0);
	doc = parse_file(f->s.path);
	assert_bool(get(get(doc, "context"), "channel"), "used", true);
	json_object_put(doc);
	assert_int_equal(f->s.ops->end(&f->s, &f->ri), 0);
}

/* a run killed after its first cell: the file is complete up to there */
static void test_interrupted_after_first_cell(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc, *res;

	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	f->ri.nr_cells = 1;
	f->ri.interrupted = true;
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), 0);
	/* no end(): the process "dies" here */
	assert_only_results(f->dir);
	doc = parse_file(f->s.path);
	assert_u64(get(doc, "context"), "cells_finished", 1);
	assert_bool(get(doc, "context"), "interrupted", true);
	res = get(doc, "results");
	assert_int_equal(json_object_array_length(res), 1);
	check_cell(json_object_array_get_idx(res, 0), &f->a);
	json_object_put(doc);
}

static void test_nan_is_null(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc, *m;
	struct hist *h = cell_metric(&f->a, "to_private_ns");
	struct hist *h2 = cell_metric(&f->a, "to_shared_ns");

	/* a poisoned sum makes mean, stddev and cv NaN; an infinite sumsq
	 * makes stddev and cv infinite */
	h->sum = NAN;
	h2->sumsq = INFINITY;
	assert_true(isnan(hist_mean(h)));
	assert_true(isinf(hist_stddev(h2)));

	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), 0);
	doc = parse_file(f->s.path);
	m = get(get(json_object_array_get_idx(get(doc, "results"), 0), "metrics"),
		"to_private_ns");
	assert_null(get(m, "mean_ns"));
	assert_null(get(m, "stddev_ns"));
	assert_null(get(m, "cv"));
	/* the integers of the same metric are still there */
	assert_u64(m, "p50_ns", hist_percentile(h, 50.0));
	m = get(get(json_object_array_get_idx(get(doc, "results"), 0), "metrics"),
		"to_shared_ns");
	assert_non_null(get(m, "mean_ns"));
	assert_null(get(m, "stddev_ns"));
	assert_null(get(m, "cv"));
	json_object_put(doc);
}

static void test_skipped_cell(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc, *c;
	struct cell_result r;

	cell_result_init(&r, &f->a.key, NULL);
	cell_set_status(&r, CELL_SKIPPED, "backend %s: %s", "dual",
			"KVM_SET_MEMORY_ATTRIBUTES2 missing");
	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &r), 0);
	assert_int_equal(f->s.ops->end(&f->s, &f->ri), 0);
	doc = parse_file(f->s.path);
	c = json_object_array_get_idx(get(doc, "results"), 0);
	assert_non_null(c);
	assert_str(c, "status", "skipped");
	assert_str(c, "reason", "backend dual: KVM_SET_MEMORY_ATTRIBUTES2 missing");
	assert_int_equal(json_object_get_type(get(c, "metrics")), json_type_object);
	assert_int_equal(json_object_object_length(get(c, "metrics")), 0);
	check_cell(c, &r);
	json_object_put(doc);
	cell_result_free(&r);
}

/* kernel text is not guaranteed UTF-8; the file must still be strict JSON */
static void test_invalid_utf8(void **state)
{
	struct fixture *f = *state;
	struct json_object *doc, *c;
	struct cell_result r;

	/*
	 * lone continuation byte, overlong '/', UTF-16 surrogate U+D800,
	 * truncated 3-byte sequence
	 */
	snprintf(f->host.hostname, sizeof(f->host.hostname),
		 "h\x80st\xc0\xaf-\xed\xa0\x80-\xe2\x82");
	cell_result_init(&r, &f->a.key, NULL);
	/* valid multi-byte text must survive unchanged */
	cell_set_status(&r, CELL_ERROR, "bad \xff byte, ok \xc3\xa9\xe2\x82\xac");
	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &r), 0);
	doc = parse_file(f->s.path);
	assert_str(get(get(doc, "context"), "host"), "hostname",
		   "h?st\?\?-\?\?\?-\?\?");
	c = json_object_array_get_idx(get(doc, "results"), 0);
	assert_str(c, "status", "error");
	assert_str(c, "reason", "bad ? byte, ok \xc3\xa9\xe2\x82\xac");
	json_object_put(doc);
	cell_result_free(&r);
}

static void test_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	snprintf(f->s.path, sizeof(f->s.path), "%s/no/such/dir/results.json",
		 f->dir);
	assert_true(f->s.ops->begin(&f->s, &f->ri) < 0);
	assert_non_null(strstr(f->s.err, f->s.path));
	assert_null(strchr(f->s.err, '\n'));
	assert_int_equal(stat(f->s.path, &st), -1);
}

/* the directory vanishes mid-run: the next cell reports it */
static void test_dir_removed_mid_run(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->s.ops->begin(&f->s, &f->ri), 0);
	assert_int_equal(unlink(f->s.path), 0);
	assert_int_equal(rmdir(f->dir), 0);
	f->s.err[0] = '\0';
	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), -ENOENT);
	assert_non_null(strstr(f->s.err, f->s.path));
	assert_int_equal(f->s.ops->end(&f->s, &f->ri), -ENOENT);
	assert_non_null(strstr(f->s.err, f->s.path));
	/* teardown's rmdir fails harmlessly; recreate so it stays simple */
	assert_int_equal(mkdir(f->dir, 0700), 0);
}

static void test_cell_before_begin(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->s.ops->cell(&f->s, &f->ri, &f->a), -EINVAL);
	assert_non_null(strstr(f->s.err, f->s.path));
	assert_int_equal(f->s.ops->end(&f->s, &f->ri), -EINVAL);
	/* destroy without begin is harmless (teardown calls it again) */
	sink_destroy(&f->s);
}

static void test_ops_table(void **state)
{
	(void)state;
	assert_string_equal(sink_json_ops.name, "json");
	assert_string_equal(sink_json_ops.file_name, "results.json");
	assert_non_null(sink_json_ops.begin);
	assert_non_null(sink_json_ops.cell);
	assert_non_null(sink_json_ops.end);
	assert_non_null(sink_json_ops.free_priv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_table),
		cmocka_unit_test_setup_teardown(test_full_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_channel_used_after_begin, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_after_first_cell,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nan_is_null, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_skipped_cell, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dir_removed_mid_run,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cell_before_begin,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("sink_json", tests, NULL, NULL);
}
