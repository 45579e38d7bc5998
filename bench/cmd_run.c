// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench run WORKLOAD [options]`: parse (bench/run_args.c) and check
 * (bench/run_check.c) every option before /dev/kvm is opened, check KVM's
 * limits once, then hand the matrix to the runner.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/atomic_file.h"
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
	int r = mkdir_one(path, 0755, created);

	if (r == -ENOTDIR) {
		snprintf(err, errlen, "--output: '%s' is not a directory %s", path, accepted);
		return r;
	}
	if (r) {
		snprintf(err, errlen, "--output: '%s' cannot be created: %s %s", path,
			 strerror(-r), accepted);
		return r;
	}
	if (!*created && access(path, W_OK | X_OK)) {
		r = -errno;
		snprintf(err, errlen, "--output: '%s' is not writable: %s %s", path,
			 strerror(-r), accepted);
		return r;
	}
	return 0;
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

/* everything one `run` holds, released by run_state_free */
struct run_state {
	struct run_cfg *cfg;
	struct hostinfo *hi;
	struct kvm_sys sys;
	struct topology topo;
	bool have_topo;
	bool out_created;	/* -o made here: removed again if nothing ran */
	int *plan;
};

static void run_state_free(struct run_state *st)
{
	/* nothing ran (skip, bad input for this KVM): leave no directory */
	if (st->out_created)
		rmdir(st->cfg->out_dir);
	if (st->have_topo)
		topology_fini(&st->topo);
	kvm_sys_close(&st->sys);
	free(st->plan);
	free(st->cfg);
	free(st->hi);
}

/* argv[1] names a workload: else the one line listing the workloads */
static const struct workload *run_find_workload(const char *name)
{
	const struct workload *const *w, *wl = workload_find(name);
	char line[1024];
	size_t n = 0;

	if (wl)
		return wl;
	for (w = workload_registry; *w; w++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
				      n ? ", " : "", (*w)->name);
	gmb_err("unknown workload '%s' (accepted: %s)", name, line);
	return NULL;
}

/*
 * Parse, then the one validation pass, all before /dev/kvm is opened:
 * -1 to go on, else the exit code.
 */
static int run_prepare(struct run_state *st, int argc, char **argv)
{
	struct run_check_env env = { .topo = NULL };
	char err[512];
	int r;

	run_cfg_defaults(st->cfg, st->cfg->wl);
	r = run_args_parse(argc - 1, argv + 1, st->cfg, &env.seen, err, sizeof(err));
	if (r > 0) {
		run_usage(stdout);
		return 0;
	}
	if (r < 0) {
		gmb_err("%s", err);
		return EXIT_USAGE;
	}
	hostinfo_collect(st->hi);
	run_cfg_host_defaults(st->cfg, &env.seen, st->hi->online_cpus);
	st->plan = calloc(st->cfg->vcpus * 2, sizeof(*st->plan));
	if (!st->plan) {
		gmb_err("out of memory");
		return 1;
	}
	st->have_topo = topology_init(&st->topo) == 0;
	env.mem_available_bytes = st->hi->mem_available_bytes;
	env.topo = st->have_topo ? &st->topo : NULL;
	env.plan = st->plan;
	if (run_cfg_check(st->cfg, &env, err, sizeof(err)) ||
	    (st->cfg->out_dir[0] &&
	     prepare_out_dir(st->cfg->out_dir, &st->out_created, err, sizeof(err)))) {
		run_err_one_line(err);
		gmb_err("%s", err);
		return EXIT_USAGE;
	}
	return -1;
}

/* open KVM, its limits checked once, then the whole matrix */
static int run_execute(struct run_state *st, int argc, char **argv)
{
	struct run_cfg *cfg = st->cfg;
	char why[512], line[4096];
	int r;

	r = kvm_sys_open(&st->sys, why, sizeof(why));
	if (r) {
		/* not an error of the user's input: the host cannot run it */
		gmb_err("SKIP: %s", why);
		return EXIT_SKIP;
	}
	if (run_cfg_check_host(cfg, st->sys.max_vcpus, why, sizeof(why))) {
		gmb_err("%s", why);
		return EXIT_USAGE;
	}
	if (!cfg->run_id[0])
		default_run_id(cfg, st->hi);
	if (!cfg->out_dir[0])
		snprintf(cfg->out_dir, sizeof(cfg->out_dir), "results/%s", cfg->run_id);
	argv_line(argc, argv, line, sizeof(line));
	r = runner_execute(cfg, &st->sys, st->hi, st->have_topo ? &st->topo : NULL,
			   st->plan, line);
	st->out_created = false;	/* it ran: the directory holds its results */
	return r;
}

int cmd_run(int argc, char **argv)
{
	struct run_state st = { .sys = { .fd = -1 } };
	const struct workload *wl;
	int ret;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			run_usage(stdout);
			return 0;
		}
		gmb_err("run: missing WORKLOAD (see 'gmembench list workloads')");
		return EXIT_USAGE;
	}
	st.cfg = calloc(1, sizeof(*st.cfg));
	st.hi = calloc(1, sizeof(*st.hi));
	if (!st.cfg || !st.hi) {
		run_state_free(&st);
		gmb_err("out of memory");
		return 1;
	}
	wl = run_find_workload(argv[1]);
	if (!wl) {
		run_state_free(&st);
		return EXIT_USAGE;
	}
	st.cfg->wl = wl;
	ret = run_prepare(&st, argc, argv);
	if (ret < 0)
		ret = run_execute(&st, argc, argv);
	run_state_free(&st);
	return ret;
}
