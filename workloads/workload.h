/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A workload is one file with one descriptor and one row in
 * workloads/registry.c, as in perf bench and fio's ioengines.
 *
 * The runner (bench/runner.c) walks the matrix the workload declares
 * (backends x drivers x granularities); bench/cell_run.c runs each cell:
 * setup once, run once for the warm-up (repetition -1, --warmup passes)
 * and once per repetition, then teardown (not after a failed setup, which
 * cleans up after itself). Everything kernel-facing goes through harness/.
 */
#ifndef GMB_WORKLOAD_H
#define GMB_WORKLOAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/channel.h"
#include "harness/session.h"
#include "harness/topology.h"

/*
 * What a workload needs from the host has no flag: every workload needs
 * KVM, which cmd_run requires before the matrix, and whether guest_memfd
 * can be mmap()ed is a property of the backend, decided by its probe
 * (harness/backends.c), which skips the backend's cells with the reason
 * before any VM is made.
 */

/* workload honours --duration (fixed-duration repetitions) */
#define WL_CAN_DURATION		(1u << 8)
/*
 * the guest requests conversions through the request channel in every
 * cell, without a driver axis (footprint): the runner decides the channel
 * for it as for --driver guest and records it in the cell and the context
 */
#define WL_GUEST_REQUESTS	(1u << 9)

/* which matrix axes apply */
#define WL_AXIS_BACKEND		(1u << 0)
#define WL_AXIS_DRIVER		(1u << 1)
#define WL_AXIS_GRAN		(1u << 2)

enum wl_opt_type {
	WL_OPT_SIZE,
	WL_OPT_UINT,
	WL_OPT_DOUBLE,
	WL_OPT_CHOICE,
};

/*
 * An upper bound that depends on the run's other options: the value (given
 * or default) must not exceed max_mult x the region (bytes per vCPU) or
 * max_mult x --vcpus. Checked with every other input check, before KVM.
 */
enum wl_opt_bound {
	WL_BOUND_NONE,
	WL_BOUND_REGION,
	WL_BOUND_VCPUS,
};

/*
 * A workload option, given as -O key=value. The workload declares its
 * limits here and does not check them again: run_cfg_check
 * (bench/run_check.c) refuses a run that breaks one before /dev/kvm is
 * opened.
 */
struct wl_option {
	const char *name;
	enum wl_opt_type type;
	const char *def;		/* default, as a string */
	uint64_t min, max;		/* SIZE / UINT range */
	enum wl_opt_bound max_of;	/* and at most max_mult x this */
	unsigned int max_mult;		/* 0 = 1 */
	const char *const *choices;	/* CHOICE, NULL-terminated */
	const char *help;
};

/* one cell as the runner hands it to the workload */
struct wl_ctx {
	const struct run_cfg *cfg;
	const struct kvm_sys *sys;
	const struct conv_backend *backend;
	unsigned long vm_type;
	enum driver driver;		/* NR_DRIVERS without WL_AXIS_DRIVER */
	uint64_t gran_bytes;
	const char *variant;		/* this cell's variant_opt item, or "-" */
	const struct channel_info *channel;
	const struct topology *topo;	/* NULL when hwloc is unavailable */
	const int *cpu_plan;		/* PU per thread: vCPUs, then harness */
	unsigned int nr_plan;
	volatile sig_atomic_t *stop;
	/*
	 * End of the cell (now_ns), set by cell_run from --timeout: each
	 * repetition's threads get what is left. 0 = none set (a caller
	 * outside cell_run): cfg->timeout_ns per repetition.
	 */
	uint64_t deadline_ns;
	struct session sess;
	void *priv;
};

struct workload {
	const char *name;
	const char *summary;
	unsigned int needs;
	unsigned int axes;
	const struct wl_option *options;	/* NULL-name terminated */
	/*
	 * Optional workload-specific axis: the name of one of `options` whose
	 * value is a comma list; one cell per item, recorded in the `variant`
	 * column (e.g. layouts: layout=none,all,alternate).
	 */
	const char *variant_opt;
	/*
	 * The workload's own metrics, NULL-name terminated: entry i has the
	 * id NR_CORE_METRICS + i (cell_record). The core conversion metrics
	 * (bench/result.h) are always declared.
	 */
	const struct metric_decl *metrics;
	/*
	 * Optional: whether this cell (c->cfg, c->gran_bytes, c->variant) can
	 * exist at all, decided from the configuration alone (no KVM, no
	 * session): 0, or -EOPNOTSUPP + why and the runner reports the cell
	 * skipped with that reason without calling setup. Such limits live
	 * here, not in setup.
	 */
	int (*cell_check)(const struct wl_ctx *c, char *why, size_t whylen);
	/*
	 * -EOPNOTSUPP + why: the cell is reported skipped with that reason;
	 * only for what the host decides (a missing capability, a probe)
	 */
	int (*setup)(struct wl_ctx *c, char *why, size_t whylen);
	/* one pass set; repetition -1 = warm-up. Fill r; return -errno */
	int (*run)(struct wl_ctx *c, struct cell_result *r, int repetition);
	void (*teardown)(struct wl_ctx *c);
};

/*
 * The descriptor wl_<name> of workload <name>, whose options, setup and
 * run are <prefix>_options, <prefix>_setup and <prefix>_run; the other
 * fields (.axes, .teardown, .summary, ...) follow as designated
 * initializers. Then add it to workloads/registry.c.
 */
#define WL_DEFINE(name_, prefix, ...)					\
	const struct workload wl_##name_ = {				\
		.name = #name_,						\
		.options = prefix##_options,				\
		.setup = prefix##_setup,				\
		.run = prefix##_run,					\
		__VA_ARGS__						\
	}

extern const struct workload *const workload_registry[];
const struct workload *workload_find(const char *name);

/* the value of option name for this run (user's -O or the default) */
const char *wl_opt_str(const struct run_cfg *cfg, const struct workload *wl,
		       const char *name);

#endif /* GMB_WORKLOAD_H */
