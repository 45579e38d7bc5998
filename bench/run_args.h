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

struct workload;

/* which options the user gave (defaults that depend on the host) */
struct run_args_seen {
	bool vcpus;
	bool region;
};

void run_usage(FILE *f);
/* the documented defaults for a run of wl */
void run_cfg_defaults(struct run_cfg *cfg, const struct workload *wl);
/*
 * Parse the options after the workload name (argv[0] is the workload).
 * 0 = ok, 1 = help requested, -errno = bad input with one line in err
 * naming the value and the accepted range. Strings in cfg point into argv.
 */
int run_args_parse(int argc, char **argv, struct run_cfg *cfg,
		   struct run_args_seen *seen, char *err, size_t errlen);
/* cross-option checks needing no KVM (sizes, granularities, memory) */
int run_cfg_validate(const struct run_cfg *cfg, uint64_t mem_available_bytes,
		     char *err, size_t errlen);
/* control characters of a user's value in @s become '?': one line stays one */
void run_err_one_line(char *s);
/* the checks needing KVM's limits */
int run_cfg_validate_host(const struct run_cfg *cfg, int kvm_max_vcpus,
			  char *err, size_t errlen);

#endif /* GMB_RUN_ARGS_H */
