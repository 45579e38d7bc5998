/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The validated configuration of one `gmembench run`.
 */
#ifndef GMB_RUN_CFG_H
#define GMB_RUN_CFG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/backend.h"
#include "harness/channel.h"

enum driver {
	DRIVER_GUEST = 0,	/* the guest requests each conversion */
	DRIVER_HOST = 1,	/* harness threads convert while vCPUs touch */
	NR_DRIVERS
};

const char *driver_name(enum driver d);

#define RUN_MAX_GRANS		32
#define RUN_MAX_WL_OPTS		16

struct wl_opt_value {
	char key[32];
	const char *val;
};

struct run_cfg {
	const struct workload *wl;
	unsigned long backend_mask;	/* bit i = conv_backends[i] */
	bool backends_explicit;		/* user named them: report skips loudly */
	unsigned long driver_mask;	/* bit = enum driver */
	uint64_t grans[RUN_MAX_GRANS];
	unsigned int nr_grans;
	unsigned int vcpus;
	uint64_t region_bytes;		/* per vCPU */
	unsigned int iterations;	/* passes over the region per repetition */
	uint64_t duration_ns;		/* fixed-duration mode instead (0 = off) */
	unsigned int repetitions;
	unsigned int warmup;		/* warm-up passes before the repetitions */
	enum channel_pref channel_pref;
	const char *cpus;		/* placement spec (topology_plan) */
	uint64_t timeout_ns;		/* per cell; 0 = none */
	uint64_t stall_ns;		/* vCPU progress watchdog; 0 = off */
	uint64_t seed;
	struct conv_policy policy;
	char out_dir[PATH_MAX];
	char run_id[96];
	const char *formats;		/* comma list of sinks */
	bool quiet;
	struct wl_opt_value wl_opts[RUN_MAX_WL_OPTS];
	unsigned int nr_wl_opts;
};

#endif /* GMB_RUN_CFG_H */
