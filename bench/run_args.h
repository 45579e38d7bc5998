/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `gmembench run` argument parsing and validation, free of side effects.
 */
#ifndef GMB_RUN_ARGS_H
#define GMB_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/run_cfg.h"

struct topology;
struct workload;

/* which options the user gave (defaults that depend on the host) */
struct run_args_seen {
	bool vcpus;
	bool region;
	bool iterations;
};

void run_usage(FILE *f);
/* the documented defaults for a run of wl */
void run_cfg_defaults(struct run_cfg *cfg, const struct workload *wl);
/*
 * Parse the options after the workload name (argv[0] is the workload).
 * 0 = ok, 1 = help requested, -errno = bad input with one line in err
 * naming the value and the accepted range. Only each value's own syntax
 * and fixed range are checked here; run_cfg_check does the rest. Strings
 * in cfg point into argv.
 */
int run_args_parse(int argc, char **argv, struct run_cfg *cfg,
		   struct run_args_seen *seen, char *err, size_t errlen);
/* the defaults that depend on the host (--vcpus: one per online CPU) */
void run_cfg_host_defaults(struct run_cfg *cfg, const struct run_args_seen *seen,
			   long online_cpus);
/* control characters of a user's value in @s become '?': one line stays one */
void run_err_one_line(char *s);

/* what run_cfg_check may know of the host without KVM */
struct run_check_env {
	struct run_args_seen seen;	/* from run_args_parse */
	uint64_t mem_available_bytes;	/* 0 = unknown: not checked */
	const struct topology *topo;	/* NULL: hwloc unavailable, run unpinned */
	int *plan;			/* out: PU per thread (2 x vcpus); NULL = --cpus not checked */
};

/*
 * Every input check that needs no KVM, in one table of rules (bench/
 * run_check.c): option against option, the workload's declared limits,
 * memory and --cpus against this host. 0 or -errno with one line in err.
 */
int run_cfg_check(const struct run_cfg *cfg, const struct run_check_env *env,
		  char *err, size_t errlen);
/* the checks needing KVM's limits: once, after /dev/kvm is opened */
int run_cfg_check_host(const struct run_cfg *cfg, int kvm_max_vcpus,
		       char *err, size_t errlen);

#endif /* GMB_RUN_ARGS_H */
