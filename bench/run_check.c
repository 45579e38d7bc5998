// SPDX-License-Identifier: GPL-2.0
/*
 * The one validation pass of `gmembench run`. run_args_parse only reads
 * values (and their own fixed ranges); every rule that relates an option
 * to another, to the workload's declared limits or to this host is a row
 * of run_rules below, run by run_cfg_check before /dev/kvm is opened, so
 * bad input is refused (exit 2) on any host. What only KVM can answer is
 * run_cfg_check_host, once, right after /dev/kvm is opened and before the
 * matrix. Pure: no output, no KVM; the message is one line in err.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/parse.h"
#include "bench/run_args.h"
#include "harness/guest_abi.h"
#include "harness/topology.h"
#include "workloads/workload.h"

#define SZ_4K		4096ULL
#define REGION_MAX	(64ULL << 30)

typedef int (*run_rule_fn)(const struct run_cfg *cfg, const struct run_check_env *env,
			   char *err, size_t errlen);

/* -i and -D pick how a repetition ends: one or the other */
static int rule_count_or_duration(const struct run_cfg *cfg, const struct run_check_env *env,
				  char *err, size_t errlen)
{
	if (!env->seen.iterations || !cfg->duration_ns)
		return 0;
	snprintf(err, errlen, "--duration: cannot be combined with --iterations (fixed-duration or fixed-count, not both)");
	return -EINVAL;
}

static int rule_duration_capable(const struct run_cfg *cfg, const struct run_check_env *env,
				 char *err, size_t errlen)
{
	const struct workload *const *w;
	char names[128];
	size_t n = 0;

	if (!cfg->duration_ns || (cfg->wl->needs & WL_CAN_DURATION))
		return 0;
	for (w = workload_registry; *w; w++)
		if ((*w)->needs & WL_CAN_DURATION)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
					      n ? ", " : "", (*w)->name);
	snprintf(err, errlen, "--duration: workload %s runs a fixed number of passes (accepted with: %s)",
		 cfg->wl->name, n ? names : "none");
	return -EINVAL;
}

static int rule_region(const struct run_cfg *cfg, const struct run_check_env *env,
		       char *err, size_t errlen)
{
	char a[32];

	format_size(cfg->region_bytes, a, sizeof(a));
	if (cfg->region_bytes % SZ_4K) {
		snprintf(err, errlen, "--region: '%s' is not a multiple of 4K (accepted: multiples of 4K in 4K..64G)", a);
		return -EINVAL;
	}
	if (cfg->region_bytes < SZ_4K || cfg->region_bytes > REGION_MAX) {
		snprintf(err, errlen, "--region: '%s' is out of range (accepted: multiples of 4K in 4K..64G)", a);
		return -ERANGE;
	}
	return 0;
}

/* the guest page tables map GMB_MAX_PDS GiB, the first 5 of them the system's */
static int rule_guest_physical(const struct run_cfg *cfg, const struct run_check_env *env,
			       char *err, size_t errlen)
{
	char a[32];

	if (cfg->region_bytes * cfg->vcpus <= (GMB_MAX_PDS - 5ULL) << 30)
		return 0;
	format_size(cfg->region_bytes, a, sizeof(a));
	snprintf(err, errlen, "--region x --vcpus: %s x %u exceeds the %d GiB of guest-physical space",
		 a, cfg->vcpus, GMB_MAX_PDS - 5);
	return -ERANGE;
}

static int rule_granularities(const struct run_cfg *cfg, const struct run_check_env *env,
			      char *err, size_t errlen)
{
	char a[32], b[32];
	unsigned int i;

	format_size(cfg->region_bytes, a, sizeof(a));
	for (i = 0; i < cfg->nr_grans; i++) {
		const char *what = NULL;

		if (cfg->grans[i] < SZ_4K || cfg->grans[i] % SZ_4K)
			what = "is not a multiple of 4K";
		else if (cfg->grans[i] > cfg->region_bytes)
			what = "is larger than the region";
		else if (cfg->region_bytes % cfg->grans[i])
			what = "does not divide the region";
		if (what) {
			format_size(cfg->grans[i], b, sizeof(b));
			snprintf(err, errlen, "--granularity: '%s' %s (accepted: multiples of 4K in 4K..%s dividing the region %s)",
				 b, what, a, a);
			return -EINVAL;
		}
	}
	return 0;
}

/* dual keeps two backings: shared memfd + guest_memfd */
static int rule_memory(const struct run_cfg *cfg, const struct run_check_env *env,
		       char *err, size_t errlen)
{
	uint64_t stride, need;
	char a[32], b[32];
	bool any_dual = false;
	unsigned int i;

	for (i = 0; conv_backends[i]; i++)
		if ((cfg->backend_mask & (1UL << i)) && conv_backends[i] == &backend_dual)
			any_dual = true;
	stride = (cfg->region_bytes + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	need = stride * cfg->vcpus * (any_dual ? 2 : 1) + GMB_SYS_BYTES;
	if (!env->mem_available_bytes || need <= env->mem_available_bytes)
		return 0;
	format_size(cfg->region_bytes, a, sizeof(a));
	format_size(need, b, sizeof(b));
	snprintf(err, errlen, "--region x --vcpus: the run needs %s of guest memory (%u x %s%s) but MemAvailable is %llu MiB",
		 b, cfg->vcpus, a, any_dual ? " x 2 backings" : "",
		 (unsigned long long)(env->mem_available_bytes >> 20));
	return -ENOMEM;
}

/* one value of option o against the workload's declared range */
static int wl_opt_value_ok(const struct wl_option *o, const char *val, char *err, size_t errlen)
{
	uint64_t u;
	double d;
	int idx, r = 0;

	switch (o->type) {
	case WL_OPT_SIZE:
		r = parse_size(val, &u, err, errlen);
		if (!r && (u < o->min || u > o->max)) {
			snprintf(err, errlen, "'%s' is out of range (accepted: %llu..%llu bytes)",
				 val, (unsigned long long)o->min, (unsigned long long)o->max);
			r = -ERANGE;
		}
		break;
	case WL_OPT_UINT:
		r = parse_u64(val, o->min, o->max, &u, err, errlen);
		break;
	case WL_OPT_DOUBLE:
		r = parse_double(val, (double)o->min, (double)o->max, &d, err, errlen);
		break;
	case WL_OPT_CHOICE:
		r = parse_choice(o->name, val, o->choices, &idx, err, errlen);
		break;
	}
	return r;
}

/* the limit o->max_of puts on the value in this run, or UINT64_MAX */
static uint64_t wl_opt_bound(const struct wl_option *o, const struct run_cfg *cfg,
			     char *what, size_t whatlen)
{
	unsigned int mult = o->max_mult ? o->max_mult : 1;
	char pre[16] = "";

	if (mult > 1)
		snprintf(pre, sizeof(pre), "%u x ", mult);
	switch (o->max_of) {
	case WL_BOUND_REGION:
		snprintf(what, whatlen, "%sthe region", pre);
		return mult * cfg->region_bytes;
	case WL_BOUND_VCPUS:
		snprintf(what, whatlen, "%s--vcpus", pre);
		return (uint64_t)mult * cfg->vcpus;
	case WL_BOUND_NONE:
		break;
	}
	return UINT64_MAX;
}

/* a value within its own range may still break a limit tied to the run */
static int wl_opt_bound_ok(const struct wl_option *o, const struct run_cfg *cfg,
			   const char *val, bool given, char *err, size_t errlen)
{
	char what[32];
	uint64_t u = 0, max = wl_opt_bound(o, cfg, what, sizeof(what));

	if (max == UINT64_MAX || parse_size(val, &u, err, errlen) || u <= max)
		return 0;
	snprintf(err, errlen, "'%s'%s is out of range (accepted: %llu..%llu%s, at most %s)",
		 val, given ? "" : " (the default)", (unsigned long long)o->min,
		 (unsigned long long)max, o->type == WL_OPT_SIZE ? " bytes" : "", what);
	return -ERANGE;
}

static const struct wl_option *wl_opt_find(const struct workload *wl, const char *key)
{
	const struct wl_option *o;

	for (o = wl->options; o && o->name; o++)
		if (!strcmp(o->name, key))
			return o;
	return NULL;
}

static void wl_opt_unknown(const struct workload *wl, const char *key, char *err, size_t errlen)
{
	const struct wl_option *o;
	size_t n = (size_t)snprintf(err, errlen, "workload %s has no option '%s' (accepted:",
				    wl->name, key);

	for (o = wl->options; o && o->name && n < errlen; o++)
		n += (size_t)snprintf(err + n, errlen - n, "%s %s",
				      o == wl->options ? "" : ",", o->name);
	if (n < errlen)
		snprintf(err + n, errlen - n, "%s)", wl->options && wl->options->name ? "" : " none");
}

/* every item of val (the variant option takes a comma list) */
static int wl_opt_check(const struct run_cfg *cfg, const struct wl_option *o,
			const char *val, bool given, char *err, size_t errlen)
{
	const struct workload *wl = cfg->wl;
	char tmp[256], *tok, *save = NULL;
	int r;

	if (!wl->variant_opt || strcmp(o->name, wl->variant_opt) || !strchr(val, ',')) {
		r = wl_opt_value_ok(o, val, err, errlen);
		return r ? r : wl_opt_bound_ok(o, cfg, val, given, err, errlen);
	}
	if (strlen(val) >= sizeof(tmp) || val[strlen(val) - 1] == ',' || *val == ',') {
		snprintf(err, errlen, "bad list '%s'", val);
		return -EINVAL;
	}
	snprintf(tmp, sizeof(tmp), "%s", val);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		r = wl_opt_value_ok(o, tok, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

/* the -O options the user gave, then the defaults of the others */
static int rule_wl_opts(const struct run_cfg *cfg, const struct run_check_env *env,
			char *err, size_t errlen)
{
	const struct wl_option *o;
	char e[384];
	unsigned int i;
	int r;

	for (i = 0; i < cfg->nr_wl_opts; i++) {
		const struct wl_opt_value *v = &cfg->wl_opts[i];

		o = wl_opt_find(cfg->wl, v->key);
		if (!o) {
			wl_opt_unknown(cfg->wl, v->key, e, sizeof(e));
			snprintf(err, errlen, "--opt: %s", e);
			return -EINVAL;
		}
		r = wl_opt_check(cfg, o, v->val, true, e, sizeof(e));
		if (r) {
			snprintf(err, errlen, "--opt: %s: %s", v->key, e);
			return r;
		}
	}
	for (o = cfg->wl->options; o && o->name; o++) {
		const char *val = wl_opt_str(cfg, cfg->wl, o->name);

		if (val == o->def && o->def && wl_opt_bound_ok(o, cfg, val, false, e, sizeof(e))) {
			snprintf(err, errlen, "--opt: %s: %s", o->name, e);
			return -ERANGE;
		}
	}
	return 0;
}

/* --cpus against this host's CPUs: hwloc, no KVM (unpinned without it) */
static int rule_cpus(const struct run_cfg *cfg, const struct run_check_env *env,
		     char *err, size_t errlen)
{
	char e[384] = "";
	int r;

	if (!env->plan)
		return 0;
	r = topology_plan(env->topo, env->topo ? cfg->cpus : "none", cfg->vcpus * 2,
			  env->plan, e, sizeof(e));
	if (r)
		snprintf(err, errlen, "--cpus: %s", e[0] ? e : strerror(-r));
	return r;
}

/* in this order: the first broken rule is the one reported */
static const run_rule_fn run_rules[] = {
	rule_count_or_duration,
	rule_duration_capable,
	rule_region,
	rule_guest_physical,
	rule_granularities,
	rule_memory,
	rule_wl_opts,
	rule_cpus,
};

int run_cfg_check(const struct run_cfg *cfg, const struct run_check_env *env,
		  char *err, size_t errlen)
{
	size_t i;
	int r;

	for (i = 0; i < sizeof(run_rules) / sizeof(run_rules[0]); i++) {
		r = run_rules[i](cfg, env, err, errlen);
		if (r) {
			run_err_one_line(err);
			return r;
		}
	}
	return 0;
}

int run_cfg_check_host(const struct run_cfg *cfg, int kvm_max_vcpus,
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
