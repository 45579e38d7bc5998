// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench run` arguments: parsing into a run_cfg and the checks that
 * refuse bad input before any VM exists. Pure (no KVM, no output): errors
 * come back as one line in a buffer, so the parser can be fuzzed
 * (tests/fuzz/fuzz_cli.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/parse.h"
#include "bench/run_args.h"
#include "bench/sink.h"
#include "harness/guest_abi.h"
#include "workloads/workload.h"

#define SZ_4K		4096ULL
#define REGION_MAX	(64ULL << 30)

static const char *const driver_names[] = { "guest", "host", NULL };

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
"  -w, --warmup N          warm-up passes per cell, reported separately (default 1)\n"
"      --channel C         guest request channel: auto, hypercall or pio (default auto)\n"
"      --cpus SPEC         thread placement: spread, none or a CPU list (default spread)\n"
"  -t, --timeout SEC       per-cell time limit (default 600, 0 = none)\n"
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

static const struct option run_longopts[] = {
	{ "backend", required_argument, NULL, 'b' },
	{ "driver", required_argument, NULL, 'd' },
	{ "granularity", required_argument, NULL, 'g' },
	{ "vcpus", required_argument, NULL, 'v' },
	{ "region", required_argument, NULL, 'm' },
	{ "iterations", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'D' },
	{ "repetitions", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "channel", required_argument, NULL, 1 },
	{ "cpus", required_argument, NULL, 2 },
	{ "timeout", required_argument, NULL, 't' },
	{ "retries", required_argument, NULL, 3 },
	{ "backoff-us", required_argument, NULL, 4 },
	{ "seed", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "run-id", required_argument, NULL, 5 },
	{ "format", required_argument, NULL, 'f' },
	{ "opt", required_argument, NULL, 'O' },
	{ "stall", required_argument, NULL, 6 },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int check_wl_opt_one(const struct workload *wl, const struct wl_option *o,
			    const char *key, const char *val, char *err, size_t errlen);

/* validate one -O key=value against the workload's option table */
static int check_wl_opt(const struct workload *wl, const char *key, const char *val,
			char *err, size_t errlen)
{
	const struct wl_option *o;
	int r;

	for (o = wl->options; o && o->name; o++)
		if (!strcmp(o->name, key))
			break;
	/* the variant option takes a comma list: check every item */
	if (o && o->name && wl->variant_opt && !strcmp(key, wl->variant_opt) &&
	    strchr(val, ',')) {
		char tmp[256], *tok, *save = NULL;

		if (strlen(val) >= sizeof(tmp) || val[strlen(val) - 1] == ',' || *val == ',') {
			snprintf(err, errlen, "-O %s: bad list '%s'", key, val);
			return -EINVAL;
		}
		snprintf(tmp, sizeof(tmp), "%s", val);
		for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			r = check_wl_opt_one(wl, o, key, tok, err, errlen);
			if (r)
				return r;
		}
		return 0;
	}
	if (!o || !o->name) {
		size_t n = (size_t)snprintf(err, errlen, "workload %s has no option '%s' (accepted:",
					    wl->name, key);

		for (o = wl->options; o && o->name && n < errlen; o++)
			n += (size_t)snprintf(err + n, errlen - n, "%s %s",
					      o == wl->options ? "" : ",", o->name);
		if (n < errlen)
			snprintf(err + n, errlen - n, "%s)", wl->options && wl->options->name ? "" : " none");
		return -EINVAL;
	}
	return check_wl_opt_one(wl, o, key, val, err, errlen);
}

static int check_wl_opt_one(const struct workload *wl, const struct wl_option *o,
			    const char *key, const char *val, char *err, size_t errlen)
{
	char e[256];
	uint64_t u;
	double d;
	int idx, r = 0;

	switch (o->type) {
	case WL_OPT_SIZE:
		r = parse_size(val, &u, e, sizeof(e));
		if (!r && (u < o->min || u > o->max)) {
			snprintf(e, sizeof(e), "'%s' is out of range (accepted: %llu..%llu bytes)",
				 val, (unsigned long long)o->min, (unsigned long long)o->max);
			r = -ERANGE;
		}
		break;
	case WL_OPT_UINT:
		r = parse_u64(val, o->min, o->max, &u, e, sizeof(e));
		break;
	case WL_OPT_DOUBLE:
		r = parse_double(val, (double)o->min, (double)o->max, &d, e, sizeof(e));
		break;
	case WL_OPT_CHOICE:
		r = parse_choice(key, val, o->choices, &idx, e, sizeof(e));
		break;
	}
	if (r)
		snprintf(err, errlen, "%s: %s", key, e);
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

static int parse_args(int argc, char **argv, struct run_cfg *cfg,
		      struct run_args_seen *seen, char *errbuf, size_t errlen);

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

int run_args_parse(int argc, char **argv, struct run_cfg *cfg,
		   struct run_args_seen *seen, char *err, size_t errlen)
{
	int r = parse_args(argc, argv, cfg, seen, err, errlen);

	if (r < 0)
		run_err_one_line(err);
	return r;
}

static int parse_args(int argc, char **argv, struct run_cfg *cfg,
		      struct run_args_seen *seen, char *errbuf, size_t errlen)
{
	static const char *const channels[] = { "auto", "hypercall", "pio", NULL };
	const char *backend_names[9];
	bool iterations_set = false;
	double dur;
	char err[512];
	uint64_t u;
	size_t nr;
	int opt, idx, r;
	unsigned int i;

	for (i = 0; conv_backends[i] && i < 8; i++)
		backend_names[i] = conv_backends[i]->name;
	backend_names[i] = NULL;

	optind = 0;	/* full getopt reset: the parser may run many times (fuzzing) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:b:d:g:v:m:i:D:r:w:t:s:o:f:O:qh",
				  run_longopts, NULL)) != -1) {
		r = 0;
		switch (opt) {
		case 'b':
			r = parse_choice_list("backend", optarg, backend_names,
					      &cfg->backend_mask, err, sizeof(err));
			cfg->backends_explicit = strcmp(optarg, "all") != 0;
			break;
		case 'd':
			r = parse_choice_list("driver", optarg, driver_names,
					      &cfg->driver_mask, err, sizeof(err));
			break;
		case 'g':
			r = parse_size_list(optarg, cfg->grans, RUN_MAX_GRANS, &nr, err, sizeof(err));
			cfg->nr_grans = (unsigned int)nr;
			break;
		case 'v':
			r = parse_uint(optarg, 1, GMB_MAX_VCPUS, &cfg->vcpus, err, sizeof(err));
			seen->vcpus = true;
			break;
		case 'm':
			r = parse_size(optarg, &cfg->region_bytes, err, sizeof(err));
			seen->region = true;
			break;
		case 'i':
			r = parse_uint(optarg, 1, 1000000, &cfg->iterations, err, sizeof(err));
			iterations_set = true;
			break;
		case 'D':
			r = parse_double(optarg, 0.001, 86400, &dur, err, sizeof(err));
			cfg->duration_ns = (uint64_t)(dur * 1e9);
			break;
		case 'r':
			r = parse_uint(optarg, 1, 10000, &cfg->repetitions, err, sizeof(err));
			break;
		case 'w':
			r = parse_uint(optarg, 0, 1000, &cfg->warmup, err, sizeof(err));
			break;
		case 1:
			r = parse_choice("channel", optarg, channels, &idx, err, sizeof(err));
			cfg->channel_pref = (enum channel_pref)idx;
			break;
		case 2:
			cfg->cpus = optarg;
			break;
		case 't':
			r = parse_u64(optarg, 0, 86400, &u, err, sizeof(err));
			cfg->timeout_ns = u * 1000000000ULL;
			break;
		case 6:
			r = parse_u64(optarg, 0, 86400, &u, err, sizeof(err));
			cfg->stall_ns = u * 1000000000ULL;
			break;
		case 3:
			r = parse_uint(optarg, 0, 1000000, &cfg->policy.max_retries, err, sizeof(err));
			break;
		case 4:
			r = parse_uint(optarg, 0, 1000000, &cfg->policy.backoff_us, err, sizeof(err));
			break;
		case 's':
			r = parse_u64(optarg, 0, UINT64_MAX, &cfg->seed, err, sizeof(err));
			break;
		case 'o':
			if (!*optarg) {
				snprintf(err, sizeof(err),
					 "'' is empty (accepted: a writable directory, or a new one inside an existing directory)");
				r = -EINVAL;
			} else if (strlen(optarg) >= sizeof(cfg->out_dir) - 32) {
				snprintf(err, sizeof(err), "'%.40s...' is too long", optarg);
				r = -ENAMETOOLONG;
			}
			snprintf(cfg->out_dir, sizeof(cfg->out_dir), "%s", optarg);
			break;
		case 5:
			if (!*optarg || strlen(optarg) >= sizeof(cfg->run_id) ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(optarg)) {
				snprintf(err, sizeof(err),
					 "'%s' is not a valid run id (accepted: 1..%zu characters of [A-Za-z0-9._-])",
					 optarg, sizeof(cfg->run_id) - 1);
				r = -EINVAL;
			}
			snprintf(cfg->run_id, sizeof(cfg->run_id), "%s", optarg);
			break;
		case 'f': {
			char tmp[256], *tok, *save = NULL;

			unsigned int n = 0;

			snprintf(tmp, sizeof(tmp), "%s", optarg);
			for (tok = strtok_r(tmp, ",", &save); tok && !r;
			     tok = strtok_r(NULL, ",", &save), n++) {
				if (!sink_find(tok)) {
					snprintf(err, sizeof(err),
						 "unknown format '%s' (accepted: human, csv, json, markdown, simple, tap)", tok);
					r = -EINVAL;
				}
			}
			if (!r && !n) {
				snprintf(err, sizeof(err), "empty format list (accepted: human, csv, json, markdown, simple, tap)");
				r = -EINVAL;
			}
			cfg->formats = optarg;
			break;
		}
		case 'O': {
			struct wl_opt_value *o = &cfg->wl_opts[cfg->nr_wl_opts];

			if (cfg->nr_wl_opts >= RUN_MAX_WL_OPTS) {
				snprintf(err, sizeof(err), "too many -O options (maximum %d)", RUN_MAX_WL_OPTS);
				r = -E2BIG;
				break;
			}
			r = parse_kv(optarg, o->key, sizeof(o->key), &o->val, err, sizeof(err));
			if (!r)
				r = check_wl_opt(cfg->wl, o->key, o->val, err, sizeof(err));
			if (!r)
				cfg->nr_wl_opts++;
			break;
		}
		case 'q':
			cfg->quiet = true;
			break;
		case 'h':
			return 1;
		case ':':
			snprintf(errbuf, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(errbuf, errlen, "unknown option '%s' (see 'gmembench run -h')",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (r) {
			const struct option *lo;
			const char *name = NULL;
			size_t n = strlen(err);

			/* the range of a time option is in seconds: say so */
			if ((opt == 't' || opt == 'D' || opt == 6) && n > 1 && err[n - 1] == ')' &&
			    n + 8 < sizeof(err))
				snprintf(err + n - 1, sizeof(err) - n + 1, " seconds)");

			for (lo = run_longopts; lo->name; lo++)
				if (lo->val == opt)
					name = lo->name;
			snprintf(errbuf, errlen, "--%s: %s", name ? name : "?", err);
			return r;
		}
	}
	if (optind < argc) {
		snprintf(errbuf, errlen, "unexpected argument '%s' (run takes one WORKLOAD, then options only)",
			 argv[optind]);
		return -EINVAL;
	}
	if (iterations_set && cfg->duration_ns) {
		snprintf(errbuf, errlen, "--duration: cannot be combined with --iterations (fixed-duration or fixed-count, not both)");
		return -EINVAL;
	}
	return 0;
}

/*
 * Cross-option checks that need nothing from KVM, so bad input is refused
 * (exit 2) even on a host without /dev/kvm.
 */
int run_cfg_validate(const struct run_cfg *cfg, uint64_t mem_available_bytes,
		     char *err, size_t errlen)
{
	char a[32], b[128], c[32];
	uint64_t stride, need;
	unsigned int i;
	bool any_dual;

	if (cfg->duration_ns && !(cfg->wl->needs & WL_CAN_DURATION)) {
		size_t n = 0;

		for (i = 0; workload_registry[i]; i++)
			if (workload_registry[i]->needs & WL_CAN_DURATION)
				n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%s", n ? ", " : "",
						      workload_registry[i]->name);
		snprintf(err, errlen, "--duration: workload %s runs a fixed number of passes (accepted with: %s)",
			 cfg->wl->name, b);
		return -EINVAL;
	}
	format_size(cfg->region_bytes, a, sizeof(a));
	if (cfg->region_bytes % SZ_4K) {
		snprintf(err, errlen, "--region: '%s' is not a multiple of 4K (accepted: multiples of 4K in 4K..64G)", a);
		return -EINVAL;
	}
	if (cfg->region_bytes < SZ_4K || cfg->region_bytes > REGION_MAX) {
		snprintf(err, errlen, "--region: '%s' is out of range (accepted: multiples of 4K in 4K..64G)", a);
		return -ERANGE;
	}
	if (cfg->region_bytes * cfg->vcpus > (GMB_MAX_PDS - 5ULL) << 30) {
		snprintf(err, errlen, "--region x --vcpus: %s x %u exceeds the %d GiB of guest-physical space",
			a, cfg->vcpus, GMB_MAX_PDS - 5);
		return -ERANGE;
	}
	for (i = 0; i < cfg->nr_grans; i++) {
		const char *what = NULL;

		format_size(cfg->grans[i], b, sizeof(b));
		if (cfg->grans[i] < SZ_4K || cfg->grans[i] % SZ_4K)
			what = "is not a multiple of 4K";
		else if (cfg->grans[i] > cfg->region_bytes)
			what = "is larger than the region";
		else if (cfg->region_bytes % cfg->grans[i])
			what = "does not divide the region";
		if (what) {
			snprintf(err, errlen, "--granularity: '%s' %s (accepted: multiples of 4K in 4K..%s dividing the region %s)",
				b, what, a, a);
			return -EINVAL;
		}
	}
	/* dual keeps two backings: shared memfd + guest_memfd */
	any_dual = false;
	for (i = 0; conv_backends[i]; i++)
		if ((cfg->backend_mask & (1UL << i)) && conv_backends[i] == &backend_dual)
			any_dual = true;
	stride = (cfg->region_bytes + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	need = stride * cfg->vcpus * (any_dual ? 2 : 1) + GMB_SYS_BYTES;
	if (mem_available_bytes && need > mem_available_bytes) {
		format_size(need, b, sizeof(b));
		snprintf(c, sizeof(c), "%llu MiB",
			 (unsigned long long)(mem_available_bytes >> 20));
		snprintf(err, errlen, "--region x --vcpus: the run needs %s of guest memory (%u x %s%s) but MemAvailable is %s",
			b, cfg->vcpus, a, any_dual ? " x 2 backings" : "", c);
		return -ENOMEM;
	}
	return 0;
}

/* the checks that need to ask KVM */
int run_cfg_validate_host(const struct run_cfg *cfg, int kvm_max_vcpus,
			  char *err, size_t errlen)
{
	unsigned int max_vcpus;

	max_vcpus = kvm_max_vcpus > 0 && (unsigned int)kvm_max_vcpus < GMB_MAX_VCPUS ?
		    (unsigned int)kvm_max_vcpus : GMB_MAX_VCPUS;
	if (cfg->vcpus > max_vcpus) {
		snprintf(err, errlen, "--vcpus: '%u' is out of range (accepted: 1..%u on this host)",
			cfg->vcpus, max_vcpus);
		return -ERANGE;
	}
	return 0;
}

