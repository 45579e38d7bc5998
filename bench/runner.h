/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GMB_RUNNER_H
#define GMB_RUNNER_H

#include "bench/run_cfg.h"
#include "harness/hostinfo.h"
#include "harness/kvm.h"
#include "harness/topology.h"

/*
 * Walk the matrix of a validated configuration: probe backends, decide the
 * request channel, run every cell (warm-up + repetitions), feed the sinks.
 * @plan holds the CPU of each of the cfg->vcpus * 2 threads (vCPUs, then
 * converters; -1 unpinned) planned on @topo, NULL if hwloc failed to load.
 * Returns the process exit code (see bench/cmd.h).
 */
int runner_execute(struct run_cfg *cfg, const struct kvm_sys *sys,
		   const struct hostinfo *hi, const struct topology *topo,
		   const int *plan, const char *argv_line);

#endif /* GMB_RUNNER_H */
