// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench run` arguments: parsing into a run_cfg, driven by one table
 * of options (run_opts). The checks that relate options to each other, to
 * the workload and to the host are bench/run_check.c's. Pure (no KVM, no
 * output): errors come back as one line in a buffer, so the parser can be
 * fuzzed (tests/fuzz/fuzz_cli.c, fuzz_run_args.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/parse.h"
#include "bench/run_args.h"
#include "bench/sink.h"
#include "harness/guest_abi.h"
#include "workloads/workload.h"


void run_usage(FILE *f)
{
	const struct workload *const *w;

	fprintf(f,
"usage: gmembench run WORKLOAD [options]\n"
"\n"
"  -b, --backend LIST      conversion backends: inplace,dual,discard or all (default all;\n"
"                          unavailable ones are reported skipped with the reason)\n"
"  -d, --driver LIST       guest,host or all (default all)\n"
"  -g, --granularity LIST  bytes per conversion: list 4K,64K,2M, range 4K:1G (powers of\n"
"                          two) or 4K:1G:x8; multiples of 4K dividing the region\n"
"                          (default 4K,64K,2M)\n"
"  -v, --vcpus N           vCPUs (default: one per core)\n"
"  -m, --region SIZE       guest memory per vCPU, multiple of 4K (default 64M)\n"
"  -i, --iterations N      passes over the region per repetition (default 1)\n"
"  -D, --duration SEC      fixed-duration mode: each repetition converts for SEC seconds\n"
"                          instead of a number of passes (exclusive with -i)\n"
"  -r, --repetitions N     measured repetitions per cell (default 3)\n"
"  -w, --warmup N          one warm-up repetition of N passes per cell, reported as\n"
"                          repetition -1 (default 1, 0 = none)\n"
"      --channel C         guest request channel: auto, hypercall or pio (default auto)\n"
"      --cpus SPEC         thread placement: spread, none or a CPU list (default spread)\n"
"  -t, --timeout SEC       time limit of a whole cell, from its setup over the warm-up\n"
"                          and all repetitions (default 600, 0 = none)\n"
"      --stall SEC         report a vCPU that makes no progress for SEC s, with its\n"
"                          registers, and fail the cell (default 30, 0 = off)\n"
"      --retries N         EAGAIN retries per conversion (default 1000)\n"
"      --backoff-us N      sleep between EAGAIN retries, 0 = sched_yield (default 0)\n"
"  -s, --seed N            seed recorded with the results (default 1)\n"
"  -o, --output DIR        results directory: an existing one, or a new one inside an\n"
"                          existing directory (default results/<run-id>)\n"
"      --run-id ID         run identifier (default <host>-<UTC time>-<workload>)\n"
"  -f, --format LIST       human,csv,json,markdown,simple,tap (default human,csv,json)\n"
"  -O, --opt KEY=VALUE     workload option (see 'gmembench list')\n"
"  -q, --quiet             no progress line\n"
"\nworkloads:\n");
	for (w = workload_registry; *w; w++)
		fprintf(f, "  %-12s %s\n", (*w)->name, (*w)->summary);
}

/*
 * One row per option: how its value is read and where it lands. Ranges
 * that need no other option are checked here, while the value is parsed;
 * everything that relates options to each other, to the workload or to
 * the host is run_cfg_check's (bench/run_check.c).
 */
enum ropt_kind {
	RO_UINT,	/* unsigned int field, [min, max] */
	RO_U64,		/* uint64_t field, [min, max] */
	RO_SECS,	/* uint64_t ns field, whole seconds in [min, max] */
	RO_DSECS,	/* uint64_t ns field, seconds in [dmin, dmax] */
	RO_SIZE,	/* uint64_t bytes field, range in run_cfg_check */
	RO_CHOICE,	/* enum field, index into choices */
	RO_MASK,	/* unsigned long field, comma list of choices or all */
	RO_STR,		/* const char * field, pointing into argv */
	RO_FLAG,	/* bool field, set */
	RO_FN,		/* fn parses it */
	RO_HELP,
};

struct run_opt {
	const char *name;
	int key;		/* short option letter, or RO_LONG + n */
	enum ropt_kind kind;
	size_t off;		/* field in struct run_cfg */
	uint64_t min, max;
	double dmin, dmax;
	const char *const *choices;
	const char *what;	/* for choices: "unknown <what> 'x'" */
	int (*fn)(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
	size_t seen;		/* SEEN(flag) in struct run_args_seen, or 0 */
};

#define RO_LONG		0x100
#define F(field)	offsetof(struct run_cfg, field)
#define SEEN(flag)	(offsetof(struct run_args_seen, flag) + 1)

/* RO_CHOICE writes the index through an int */
_Static_assert(sizeof(enum channel_pref) == sizeof(int), "channel_pref is not an int");

static const char *const driver_names[] = { "guest", "host", NULL };
static const char *const channel_names[] = { "auto", "hypercall", "pio", NULL };

static int opt_backend(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
static int opt_granularity(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
static int opt_output(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
static int opt_run_id(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
static int opt_format(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);
static int opt_wl_opt(struct run_cfg *cfg, const char *arg, char *err, size_t errlen);

static const struct run_opt run_opts[] = {
	{ .name = "backend", .key = 'b', .kind = RO_FN, .fn = opt_backend },
	{ .name = "driver", .key = 'd', .kind = RO_MASK, .off = F(driver_mask),
	  .choices = driver_names, .what = "driver" },
	{ .name = "granularity", .key = 'g', .kind = RO_FN, .fn = opt_granularity },
	{ .name = "vcpus", .key = 'v', .kind = RO_UINT, .off = F(vcpus), .min = 1,
	  .max = GMB_MAX_VCPUS, .seen = SEEN(vcpus) },
	{ .name = "region", .key = 'm', .kind = RO_SIZE, .off = F(region_bytes),
	  .seen = SEEN(region) },
	{ .name = "iterations", .key = 'i', .kind = RO_UINT, .off = F(iterations),
	  .min = 1, .max = 1000000, .seen = SEEN(iterations) },
	{ .name = "duration", .key = 'D', .kind = RO_DSECS, .off = F(duration_ns),
	  .dmin = 0.001, .dmax = 86400 },
	{ .name = "repetitions", .key = 'r', .kind = RO_UINT, .off = F(repetitions),
	  .min = 1, .max = 10000 },
	{ .name = "warmup", .key = 'w', .kind = RO_UINT, .off = F(warmup), .min = 0,
	  .max = 1000 },
	{ .name = "channel", .key = RO_LONG + 1, .kind = RO_CHOICE,
	  .off = F(channel_pref), .choices = channel_names, .what = "channel" },
	{ .name = "cpus", .key = RO_LONG + 2, .kind = RO_STR, .off = F(cpus) },
	{ .name = "timeout", .key = 't', .kind = RO_SECS, .off = F(timeout_ns), .min = 0,
	  .max = 86400 },
	{ .name = "retries", .key = RO_LONG + 3, .kind = RO_UINT,
	  .off = F(policy.max_retries), .min = 0, .max = 1000000 },
	{ .name = "backoff-us", .key = RO_LONG + 4, .kind = RO_UINT,
	  .off = F(policy.backoff_us), .min = 0, .max = 1000000 },
	{ .name = "seed", .key = 's', .kind = RO_U64, .off = F(seed), .min = 0,
	  .max = UINT64_MAX },
	{ .name = "output", .key = 'o', .kind = RO_FN, .fn = opt_output },
	{ .name = "run-id", .key = RO_LONG + 5, .kind = RO_FN, .fn = opt_run_id },
	{ .name = "format", .key = 'f', .kind = RO_FN, .fn = opt_format },
	{ .name = "opt", .key = 'O', .kind = RO_FN, .fn = opt_wl_opt },
	{ .name = "stall", .key = RO_LONG + 6, .kind = RO_SECS, .off = F(stall_ns),
	  .min = 0, .max = 86400 },
	{ .name = "quiet", .key = 'q', .kind = RO_FLAG, .off = F(quiet) },
	{ .name = "help", .key = 'h', .kind = RO_HELP },
};

#define NR_RUN_OPTS	(sizeof(run_opts) / sizeof(run_opts[0]))

static int opt_backend(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	const char *names[9];
	unsigned int i;

	for (i = 0; conv_backends[i] && i < 8; i++)
		names[i] = conv_backends[i]->name;
	names[i] = NULL;
	cfg->backends_explicit = strcmp(arg, "all") != 0;
	return parse_choice_list("backend", arg, names, &cfg->backend_mask, err, errlen);
}

static int opt_granularity(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	size_t nr;
	int r;

	r = parse_size_list(arg, cfg->grans, RUN_MAX_GRANS, &nr, err, errlen);
	if (!r)
		cfg->nr_grans = (unsigned int)nr;
	return r;
}

static int opt_output(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen,
			 "'' is empty (accepted: a writable directory, or a new one inside an existing directory)");
		return -EINVAL;
	}
	if (strlen(arg) >= sizeof(cfg->out_dir) - 32) {
		snprintf(err, errlen, "'%.40s...' is too long", arg);
		return -ENAMETOOLONG;
	}
	snprintf(cfg->out_dir, sizeof(cfg->out_dir), "%s", arg);
	return 0;
}

static int opt_run_id(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	static const char ok[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

	if (!*arg || strlen(arg) >= sizeof(cfg->run_id) || strspn(arg, ok) != strlen(arg)) {
		snprintf(err, errlen,
			 "'%s' is not a valid run id (accepted: 1..%zu characters of [A-Za-z0-9._-])",
			 arg, sizeof(cfg->run_id) - 1);
		return -EINVAL;
	}
	snprintf(cfg->run_id, sizeof(cfg->run_id), "%s", arg);
	return 0;
}

static int opt_format(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	static const char accepted[] = "(accepted: human, csv, json, markdown, simple, tap)";
	char tmp[256], *tok, *save = NULL;
	unsigned int n = 0;

	snprintf(tmp, sizeof(tmp), "%s", arg);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		if (!sink_find(tok)) {
			snprintf(err, errlen, "unknown format '%s' %s", tok, accepted);
			return -EINVAL;
		}
	}
	if (!n) {
		snprintf(err, errlen, "empty format list %s", accepted);
		return -EINVAL;
	}
	cfg->formats = arg;
	return 0;
}

/* -O key=value is only split here: run_cfg_check holds it to the workload */
static int opt_wl_opt(struct run_cfg *cfg, const char *arg, char *err, size_t errlen)
{
	struct wl_opt_value *o = &cfg->wl_opts[cfg->nr_wl_opts];
	int r;

	if (cfg->nr_wl_opts >= RUN_MAX_WL_OPTS) {
		snprintf(err, errlen, "too many -O options (maximum %d)", RUN_MAX_WL_OPTS);
		return -E2BIG;
	}
	r = parse_kv(arg, o->key, sizeof(o->key), &o->val, err, errlen);
	if (!r)
		cfg->nr_wl_opts++;
	return r;
}
void run_cfg_defaults(struct run_cfg *cfg, const struct workload *wl)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->wl = wl;
	cfg->backend_mask = ~0UL >> (64 - conv_backend_count());
	cfg->driver_mask = (1UL << NR_DRIVERS) - 1;
	cfg->grans[0] = 4ULL << 10;
	cfg->grans[1] = 64ULL << 10;
	cfg->grans[2] = 2ULL << 20;
	cfg->nr_grans = 3;
	cfg->region_bytes = 64ULL << 20;
	cfg->iterations = 1;
	cfg->repetitions = 3;
	cfg->warmup = 1;
	cfg->timeout_ns = 600ULL * 1000000000ULL;
	cfg->stall_ns = 30ULL * 1000000000ULL;
	cfg->seed = 1;
	cfg->policy.max_retries = 1000;
	cfg->formats = "human,csv,json";
	cfg->cpus = "spread";
}

/*
 * The error line quotes the user's value: control characters in it (a
 * newline in an argument) must not break the "one line" promise.
 */
void run_err_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int parse_args(int argc, char **argv, struct run_cfg *cfg,
		      struct run_args_seen *seen, char *errbuf, size_t errlen);

int run_args_parse(int argc, char **argv, struct run_cfg *cfg,
		   struct run_args_seen *seen, char *err, size_t errlen)
{
	int r = parse_args(argc, argv, cfg, seen, err, errlen);

	if (r < 0)
		run_err_one_line(err);
	return r;
}

/* parse one option's value into its field of cfg */
static int run_opt_apply(const struct run_opt *o, struct run_cfg *cfg, const char *arg,
			 char *err, size_t errlen)
{
	char *field = (char *)cfg + o->off;
	uint64_t u;
	double d;
	int idx, r;

	switch (o->kind) {
	case RO_UINT:
		return parse_uint(arg, (unsigned int)o->min, (unsigned int)o->max,
				  (unsigned int *)field, err, errlen);
	case RO_U64:
		return parse_u64(arg, o->min, o->max, (uint64_t *)field, err, errlen);
	case RO_SECS:
		r = parse_u64(arg, o->min, o->max, &u, err, errlen);
		if (!r)
			*(uint64_t *)field = u * 1000000000ULL;
		return r;
	case RO_DSECS:
		r = parse_double(arg, o->dmin, o->dmax, &d, err, errlen);
		if (!r)
			*(uint64_t *)field = (uint64_t)(d * 1e9);
		return r;
	case RO_SIZE:
		return parse_size(arg, (uint64_t *)field, err, errlen);
	case RO_CHOICE:
		r = parse_choice(o->what, arg, o->choices, &idx, err, errlen);
		if (!r)
			*(int *)field = idx;
		return r;
	case RO_MASK:
		return parse_choice_list(o->what, arg, o->choices, (unsigned long *)field,
					 err, errlen);
	case RO_STR:
		*(const char **)field = arg;
		return 0;
	case RO_FLAG:
		*(bool *)field = true;
		return 0;
	case RO_FN:
		return o->fn(cfg, arg, err, errlen);
	case RO_HELP:
		break;
	}
	return 0;
}

/* getopt_long's view of run_opts */
static void run_getopt_tables(struct option *lo, char *shortopts)
{
	size_t i, n = 0;

	shortopts[n++] = '+';	/* stop at the first non-option */
	shortopts[n++] = ':';	/* a missing value is ':', not '?' */
	for (i = 0; i < NR_RUN_OPTS; i++) {
		const struct run_opt *o = &run_opts[i];
		bool has_arg = o->kind != RO_FLAG && o->kind != RO_HELP;

		lo[i] = (struct option){ o->name, has_arg ? required_argument : no_argument,
					 NULL, o->key };
		if (o->key < RO_LONG) {
			shortopts[n++] = (char)o->key;
			if (has_arg)
				shortopts[n++] = ':';
		}
	}
	lo[i] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[n] = '\0';
}

static const struct run_opt *run_opt_find(int key)
{
	size_t i;

	for (i = 0; i < NR_RUN_OPTS; i++)
		if (run_opts[i].key == key)
			return &run_opts[i];
	return NULL;
}

/* the value of o was bad: "--name: why", a time range said in seconds */
static void run_opt_err(const struct run_opt *o, char *e, size_t elen,
			char *errbuf, size_t errlen)
{
	size_t n = strlen(e);

	if ((o->kind == RO_SECS || o->kind == RO_DSECS) && n > 1 && e[n - 1] == ')' &&
	    n + 8 < elen)
		snprintf(e + n - 1, elen - n + 1, " seconds)");
	snprintf(errbuf, errlen, "--%s: %s", o->name, e);
}

static int parse_args(int argc, char **argv, struct run_cfg *cfg,
		      struct run_args_seen *seen, char *errbuf, size_t errlen)
{
	struct option lo[NR_RUN_OPTS + 1];
	char shortopts[3 * NR_RUN_OPTS + 3], err[512];
	const struct run_opt *o;
	int key, r;

	run_getopt_tables(lo, shortopts);
	optind = 0;	/* full getopt reset: the parser may run many times (fuzzing) */
	opterr = 0;
	while ((key = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (key == ':') {
			snprintf(errbuf, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		}
		o = run_opt_find(key);
		if (!o) {
			snprintf(errbuf, errlen, "unknown option '%s' (see 'gmembench run -h')",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (o->kind == RO_HELP)
			return 1;
		r = run_opt_apply(o, cfg, optarg, err, sizeof(err));
		if (r) {
			run_opt_err(o, err, sizeof(err), errbuf, errlen);
			return r;
		}
		if (o->seen)
			*((bool *)seen + o->seen - 1) = true;
	}
	if (optind < argc) {
		snprintf(errbuf, errlen, "unexpected argument '%s' (run takes one WORKLOAD, then options only)",
			 argv[optind]);
		return -EINVAL;
	}
	return 0;
}

void run_cfg_host_defaults(struct run_cfg *cfg, const struct run_args_seen *seen,
			   long online_cpus)
{
	/* one vCPU per CPU by default, as many as the guest layout holds */
	if (!seen->vcpus)
		cfg->vcpus = online_cpus > 0 ? (unsigned int)online_cpus : 1;
	if (!seen->vcpus && cfg->vcpus > GMB_MAX_VCPUS)
		cfg->vcpus = GMB_MAX_VCPUS;
}
