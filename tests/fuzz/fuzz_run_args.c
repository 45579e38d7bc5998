// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: `gmembench run`'s option parser and validation
 * (bench/run_args.c, bench/run_check.c), the code every bad command line goes through. The
 * input is split at NUL bytes into argv; its first byte picks the workload
 * (so each workload's -O option table is reached). Invariants: an error is
 * exactly one line; an accepted configuration is self-consistent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run_args.h"
#include "workloads/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_ARGS	24

#define FUZZ_CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_cfg cfg;
	struct run_check_env env = { .mem_available_bytes = 24ULL << 30 };
	const struct workload *wl;
	char *buf, *argv[FZ_MAX_ARGS + 2], err[512];
	size_t nr_wl = 0, i, off;
	int argc = 1, r;

	if (size < 1)
		return 0;
	while (workload_registry[nr_wl])
		nr_wl++;
	wl = workload_registry[data[0] % nr_wl];
	buf = malloc(size);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	argv[0] = (char *)wl->name;
	for (off = 0; off < size - 1 && argc <= FZ_MAX_ARGS; ) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[argc] = NULL;

	run_cfg_defaults(&cfg, wl);
	err[0] = 0;
	r = run_args_parse(argc, argv, &cfg, &env.seen, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(err[0] && !strchr(err, '\n'));
		goto out;
	}
	if (r > 0)
		goto out;
	run_cfg_host_defaults(&cfg, &env.seen, 2);
	r = run_cfg_check(&cfg, &env, err, sizeof(err));
	if (!r)
		r = run_cfg_check_host(&cfg, 1024, err, sizeof(err));
	if (r) {
		FUZZ_CHECK(r < 0 && err[0] && !strchr(err, '\n'));
		goto out;
	}
	/* accepted: everything the runner relies on holds */
	FUZZ_CHECK(cfg.vcpus >= 1 && cfg.vcpus <= 256);
	FUZZ_CHECK(cfg.region_bytes >= 4096 && cfg.region_bytes % 4096 == 0);
	FUZZ_CHECK(cfg.nr_grans >= 1 && cfg.nr_grans <= RUN_MAX_GRANS);
	for (i = 0; i < cfg.nr_grans; i++) {
		FUZZ_CHECK(cfg.grans[i] % 4096 == 0 && cfg.grans[i] <= cfg.region_bytes);
		FUZZ_CHECK(cfg.region_bytes % cfg.grans[i] == 0);
		FUZZ_CHECK(i == 0 || cfg.grans[i] > cfg.grans[i - 1]);
	}
	FUZZ_CHECK(cfg.repetitions >= 1 && cfg.iterations >= 1);
	FUZZ_CHECK(cfg.backend_mask && cfg.driver_mask);
	for (i = 0; i < cfg.nr_wl_opts; i++)
		FUZZ_CHECK(cfg.wl_opts[i].key[0] && cfg.wl_opts[i].val);
out:
	free(buf);
	return 0;
}
