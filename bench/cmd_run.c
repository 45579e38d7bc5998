// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench run WORKLOAD [options]`: parse and validate every option
 * (bench/run_args.c) before any VM exists, then hand the matrix to the
 * runner.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/cmd.h"
#include "bench/run_args.h"
#include "bench/runner.h"
#include "harness/guest_abi.h"
#include "harness/hostinfo.h"
#include "harness/topology.h"
#include "workloads/workload.h"

static void default_run_id(struct run_cfg *cfg, const struct hostinfo *hi)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	/* the pid keeps two runs started within one second apart */
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(cfg->run_id, sizeof(cfg->run_id), "%.40s-%s-%s-%ld", hi->hostname, stamp,
		 cfg->wl->name, (long)getpid());
}

/*
 * -o DIR: an existing writable directory, or a new one made here inside an
 * existing directory. Done before KVM is opened, so that a path that cannot
 * hold results is bad input (exit 2) on every host; *created says the
 * directory is new, to be removed again if nothing runs.
 */
static int prepare_out_dir(const char *path, bool *created, char *err, size_t errlen)
{
	static const char accepted[] =
		"(accepted: a writable directory, or a new one inside an existing directory)";
	struct stat st;
	int e;

	*created = false;
	if (!mkdir(path, 0755)) {
		*created = true;
		return 0;
	}
	e = errno;
	if (e == EEXIST) {
		if (stat(path, &st)) {
			e = errno;
			snprintf(err, errlen, "--output: '%s': %s %s", path, strerror(e), accepted);
			return -e;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--output: '%s' is not a directory %s", path, accepted);
			return -ENOTDIR;
		}
		if (access(path, W_OK | X_OK)) {
			e = errno;
			snprintf(err, errlen, "--output: '%s' is not writable: %s %s", path,
				 strerror(e), accepted);
			return -e;
		}
		return 0;
	}
	snprintf(err, errlen, "--output: '%s' cannot be created: %s %s", path, strerror(e),
		 accepted);
	return -e;
}

/* shell-quote argv into one line for the metadata */
static void argv_line(int argc, char **argv, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "gmembench");
	int i;

	for (i = 0; i < argc && n < len; i++) {
		const char *a = argv[i];
		bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+") == strlen(a);

		if (plain) {
			n += (size_t)snprintf(buf + n, len - n, " %s", a);
		} else {
			n += (size_t)snprintf(buf + n, len - n, " '");
			for (; *a && n < len; a++)
				n += (size_t)snprintf(buf + n, len - n, *a == '\'' ? "'\\''" : "%c", *a);
			if (n < len)
				n += (size_t)snprintf(buf + n, len - n, "'");
		}
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_cfg *cfg;
	struct hostinfo *hi;
	struct kvm_sys sys = { .fd = -1 };
	const struct workload *wl;
	struct run_args_seen seen = { 0 };
	struct topology topo;
	bool have_topo = false, out_created = false;
	int *plan = NULL;
	char why[512], err[512], line[4096];
	int r, ret;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			run_usage(stdout);
			return 0;
		}
		gmb_err("run: missing WORKLOAD (see 'gmembench list workloads')");
		return EXIT_USAGE;
	}
	cfg = calloc(1, sizeof(*cfg));
	hi = calloc(1, sizeof(*hi));
	if (!cfg || !hi) {
		free(cfg);
		free(hi);
		gmb_err("out of memory");
		return 1;
	}
	wl = workload_find(argv[1]);
	if (!wl) {
		const struct workload *const *w;
		size_t n = 0;

		for (w = workload_registry; *w; w++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
					      n ? ", " : "", (*w)->name);
		gmb_err("unknown workload '%s' (accepted: %s)", argv[1], line);
		ret = EXIT_USAGE;
		goto out;
	}
	run_cfg_defaults(cfg, wl);
	r = run_args_parse(argc - 1, argv + 1, cfg, &seen, err, sizeof(err));
	if (r) {
		if (r > 0) {
			run_usage(stdout);
			ret = 0;
		} else {
			gmb_err("%s", err);
			ret = EXIT_USAGE;
		}
		goto out;
	}
	hostinfo_collect(hi);
	if (!seen.vcpus)
		cfg->vcpus = hi->online_cpus > 0 ? (unsigned int)hi->online_cpus : 1;
	if (!seen.vcpus && cfg->vcpus > GMB_MAX_VCPUS)
		cfg->vcpus = GMB_MAX_VCPUS;

	if (run_cfg_validate(cfg, hi->mem_available_bytes, err, sizeof(err))) {
		gmb_err("%s", err);
		ret = EXIT_USAGE;
		goto out;
	}
	/* --cpus against this host's CPUs: hwloc, no KVM (unpinned without it) */
	plan = calloc(cfg->vcpus * 2, sizeof(*plan));
	if (!plan) {
		gmb_err("out of memory");
		ret = 1;
		goto out;
	}
	have_topo = topology_init(&topo) == 0;
	err[0] = '\0';
	r = topology_plan(have_topo ? &topo : NULL, have_topo ? cfg->cpus : "none",
			  cfg->vcpus * 2, plan, err, sizeof(err));
	if (r) {
		run_err_one_line(err);
		gmb_err("--cpus: %s", err[0] ? err : strerror(-r));
		ret = EXIT_USAGE;
		goto out;
	}
	if (cfg->out_dir[0] &&
	    prepare_out_dir(cfg->out_dir, &out_created, err, sizeof(err))) {
		run_err_one_line(err);
		gmb_err("%s", err);
		ret = EXIT_USAGE;
		goto out;
	}
	r = kvm_sys_open(&sys, why, sizeof(why));
	if (r) {
		/* not an error of the user's input: the host cannot run it */
		gmb_err("SKIP: %s", why);
		ret = EXIT_SKIP;
		goto out;
	}
	if (run_cfg_validate_host(cfg, sys.max_vcpus, err, sizeof(err))) {
		gmb_err("%s", err);
		ret = EXIT_USAGE;
		goto out;
	}
	if (!cfg->run_id[0])
		default_run_id(cfg, hi);
	if (!cfg->out_dir[0])
		snprintf(cfg->out_dir, sizeof(cfg->out_dir), "results/%s", cfg->run_id);
	argv_line(argc, argv, line, sizeof(line));
	ret = runner_execute(cfg, &sys, hi, have_topo ? &topo : NULL, plan, line);
	out_created = false;	/* it ran: the directory holds its results */
out:
	/* nothing ran (skip, bad input for this KVM): leave no directory */
	if (out_created)
		rmdir(cfg->out_dir);
	if (have_topo)
		topology_fini(&topo);
	kvm_sys_close(&sys);
	free(plan);
	free(cfg);
	free(hi);
	return ret;
}
