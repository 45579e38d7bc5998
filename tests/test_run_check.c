// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the one validation pass of `gmembench run` (bench/run_args.c,
 * bench/run_check.c): the option table fills run_cfg, run_cfg_check runs
 * every rule that needs no KVM (the first broken one is reported, as one
 * line), workload limits tied to the run are refused there, and
 * run_cfg_check_host only holds --vcpus to KVM's limit. No /dev/kvm.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/run_args.h"
#include "workloads/workload.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static struct fx {
	struct run_cfg cfg;
	struct run_check_env env;
	char err[512];
} the_fx;

/*
 * parse "WORKLOAD ARGS..." (space separated), apply the host defaults of a
 * 4-CPU host with 16G available: the return of run_args_parse
 */
static int parse(struct fx *f, const char *line)
{
	static char buf[512];
	char *argv[64], *save = NULL, *tok;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	memset(&f->env, 0, sizeof(f->env));
	run_cfg_defaults(&f->cfg, workload_find(argv[0]));
	assert_non_null(f->cfg.wl);
	f->err[0] = '\0';
	return run_args_parse(argc, argv, &f->cfg, &f->env.seen, f->err, sizeof(f->err));
}

/* parse and check: 0, or the -errno with the one line in f->err */
static int parse_check(struct fx *f, const char *line)
{
	int r = parse(f, line);

	if (r)
		return r;
	run_cfg_host_defaults(&f->cfg, &f->env.seen, 4);
	f->env.mem_available_bytes = 16ULL << 30;
	return run_cfg_check(&f->cfg, &f->env, f->err, sizeof(f->err));
}

static void host_defaults(struct fx *f)
{
	assert_int_equal(parse(f, "granularity"), 0);
	run_cfg_host_defaults(&f->cfg, &f->env.seen, 1000);
	assert_int_equal(f->cfg.vcpus, 256);
	run_cfg_host_defaults(&f->cfg, &f->env.seen, -1);
	assert_int_equal(f->cfg.vcpus, 1);
	assert_int_equal(parse(f, "granularity -v 5"), 0);
	run_cfg_host_defaults(&f->cfg, &f->env.seen, 2);
	assert_int_equal(f->cfg.vcpus, 5);
}

/* --cpus is planned only when the caller asks (env.plan) */
static void cpus_rule(struct fx *f)
{
	int plan[8];

	assert_int_equal(parse(f, "granularity -v 2 -m 1M -g 4K --cpus 0"), 0);
	f->env.plan = plan;
	/* without a topology the run is unpinned: nothing to refuse */
	assert_int_equal(run_cfg_check(&f->cfg, &f->env, f->err, sizeof(f->err)), 0);
	assert_int_equal(plan[0], -1);
}

/* the option table lands each value in its field */
static void test_table_fills_cfg(void **state)
{
	struct fx *f = &the_fx;

	assert_int_equal(parse(f, "granularity -v 3 -m 2M -i 5 -r 7 -w 0 -t 10 --stall 2 "
			       "--retries 9 --backoff-us 4 -s 42 --channel pio -d host "
			       "-b discard -g 4K,64K -q --cpus none -O nops=3"), 0);
	assert_int_equal(f->cfg.vcpus, 3);
	assert_true(f->cfg.region_bytes == 2ULL << 20);
	assert_int_equal(f->cfg.iterations, 5);
	assert_int_equal(f->cfg.repetitions, 7);
	assert_int_equal(f->cfg.warmup, 0);
	assert_true(f->cfg.timeout_ns == 10ULL * 1000000000ULL);
	assert_true(f->cfg.stall_ns == 2ULL * 1000000000ULL);
	assert_int_equal(f->cfg.policy.max_retries, 9);
	assert_int_equal(f->cfg.policy.backoff_us, 4);
	assert_true(f->cfg.seed == 42);
	assert_int_equal(f->cfg.channel_pref, CHANNEL_PREF_PIO);
	assert_true(f->cfg.driver_mask == 1UL << DRIVER_HOST);
	assert_true(f->cfg.backends_explicit);
	assert_int_equal(f->cfg.nr_grans, 2);
	assert_true(f->cfg.quiet);
	assert_string_equal(f->cfg.cpus, "none");
	assert_int_equal(f->cfg.nr_wl_opts, 1);
	assert_true(f->env.seen.vcpus && f->env.seen.region && f->env.seen.iterations);

	assert_int_equal(parse(f, "granularity -D 1.5"), 0);
	assert_true(f->cfg.duration_ns == 1500000000ULL);
	assert_false(f->env.seen.iterations);
	assert_int_equal(parse(f, "granularity --help"), 1);
	host_defaults(f);
}

/* each rule of the table, refused with its line; parse only reads values */
static void test_rules(void **state)
{
	static const struct {
		const char *line;
		int ret;
		const char *err;
	} cases[] = {
		{ "granularity -m 2M -g 4K", 0, "" },
		{ "granularity -i 2 -D 1", -EINVAL,
		  "--duration: cannot be combined with --iterations (fixed-duration or fixed-count, not both)" },
		{ "layouts -D 1", -EINVAL,
		  "--duration: workload layouts runs a fixed number of passes (accepted with: granularity)" },
		{ "granularity -m 5000", -EINVAL,
		  "--region: '5000' is not a multiple of 4K (accepted: multiples of 4K in 4K..64G)" },
		{ "granularity -m 128G", -ERANGE,
		  "--region: '128G' is out of range (accepted: multiples of 4K in 4K..64G)" },
		{ "granularity -m 64G -v 256", -ERANGE,
		  "--region x --vcpus: 64G x 256 exceeds the 251 GiB of guest-physical space" },
		{ "granularity -m 192K -g 128K", -EINVAL,
		  "--granularity: '128K' does not divide the region (accepted: multiples of 4K in 4K..192K dividing the region 192K)" },
		{ "granularity -b discard -v 4 -m 8G", -ENOMEM,
		  "--region x --vcpus: the run needs 32776M of guest memory (4 x 8G) but MemAvailable is 16384 MiB" },
		{ "granularity -O nope=1", -EINVAL,
		  "--opt: workload granularity has no option 'nope' (accepted: nops, pattern, host_touch)" },
		{ "granularity -O nops=0", -ERANGE,
		  "--opt: nops: '0' is out of range (accepted: 1..100000)" },
		{ "layouts -O layout=none,", -EINVAL, "--opt: layout: bad list 'none,'" },
		{ "layouts -O layout=none,bogus", -EINVAL,
		  "--opt: layout: unknown layout 'bogus' (accepted: none, all, alternate, first_half, sparse64, random)" },
	};
	struct fx *f = &the_fx;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(parse_check(f, cases[i].line), cases[i].ret);
		assert_string_equal(f->err, cases[i].err);
	}
}

/* limits a workload declares against the run (wl_option.max_of) */
static void test_workload_bounds(void **state)
{
	struct fx *f = &the_fx;

	assert_int_equal(parse_check(f, "contention -v 2 -m 1M -g 4K -O threads=4"), 0);
	assert_int_equal(parse_check(f, "contention -v 2 -m 1M -g 4K -O threads=5"), -ERANGE);
	assert_string_equal(f->err,
		"--opt: threads: '5' is out of range (accepted: 0..4, at most 2 x --vcpus)");
	/* --vcpus defaults to the host's CPUs: the bound follows */
	assert_int_equal(parse_check(f, "contention -m 1M -g 4K -O threads=8"), 0);
	assert_int_equal(parse_check(f, "invalidation -m 512K -g 4K -O bystander_bytes=1M"), -ERANGE);
	assert_string_equal(f->err,
		"--opt: bystander_bytes: '1M' is out of range (accepted: 4096..524288 bytes, at most the region)");
	/* a default that breaks the bound is refused too, and says so */
	assert_int_equal(parse_check(f, "invalidation -m 128K -g 4K"), -ERANGE);
	assert_string_equal(f->err,
		"--opt: bystander_bytes: '256K' (the default) is out of range (accepted: 4096..131072 bytes, at most the region)");
	assert_int_equal(parse_check(f, "invalidation -m 128K -g 4K -O bystander_bytes=64K"), 0);
	cpus_rule(f);
}

static void test_check_host(void **state)
{
	struct fx *f = &the_fx;

	assert_int_equal(parse(f, "granularity -v 8"), 0);
	assert_int_equal(run_cfg_check_host(&f->cfg, 8, f->err, sizeof(f->err)), 0);
	assert_int_equal(run_cfg_check_host(&f->cfg, 0, f->err, sizeof(f->err)), 0);
	assert_int_equal(run_cfg_check_host(&f->cfg, 4, f->err, sizeof(f->err)), -ERANGE);
	assert_string_equal(f->err, "--vcpus: '8' is out of range (accepted: 1..4 on this host)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_fills_cfg),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_workload_bounds),
		cmocka_unit_test(test_check_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
