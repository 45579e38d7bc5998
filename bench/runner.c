// SPDX-License-Identifier: GPL-2.0
/*
 * The matrix runner: backends x drivers x granularities x variants, each
 * cell run by cell_run (bench/cell_run.c), its rows fed to the sinks.
 *
 * SIGINT/SIGTERM: the first stops the current cell (vCPUs are kicked out
 * of KVM_RUN, the VM is torn down), its partial result is written marked
 * "interrupted" together with every finished row; a second one exits at
 * once. Result files are rewritten atomically after every cell.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/atomic_file.h"
#include "bench/cell_run.h"
#include "bench/cmd.h"
#include "bench/parse.h"
#include "bench/runner.h"
#include "bench/sink.h"
#include "harness/clock.h"
#include "harness/kmsg.h"
#include "harness/topology.h"
#include "workloads/workload.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	static const char msg[] = "\ngmembench: interrupted, finishing the current cell (again to abort)\n";

	if (g_stop) {
		atomic_file_abort();
		_exit(EXIT_INTR);
	}
	g_stop = 1;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct runner {
	struct run_cfg *cfg;
	struct run_info ri;
	struct sink sinks[8];
	unsigned int nr_sinks;
	unsigned int cells_total, cells_done;
	uint64_t t_start;
	bool any_error, any_ok;
	bool channel_ok;		/* a guest request channel works */
	bool output_failed;		/* a sink could not write: stop the run */
	bool wedged;			/* threads stuck in the kernel: stop the run */
	struct kmsg_watch kmsg;		/* dmesg splat scan per cell */
	bool tty;
};

static void progress(struct runner *rn, const struct cell_key *k)
{
	char g[16];
	double el, eta;

	if (!rn->tty || rn->cfg->quiet)
		return;
	format_size(k->granularity_bytes, g, sizeof(g));
	el = (now_ns() - rn->t_start) / 1e9;
	eta = rn->cells_done ? el / rn->cells_done * (rn->cells_total - rn->cells_done) : 0;
	fprintf(stderr, "\r\033[K[%u/%u] %s %s G=%s %s%d  elapsed %.0fs eta %.0fs",
		rn->cells_done + 1, rn->cells_total, k->backend, k->driver, g,
		k->repetition < 0 ? "warm-up" : "rep ", k->repetition < 0 ? 0 : k->repetition + 1,
		el, eta);
}

static int emit(struct runner *rn, const struct cell_result *r)
{
	unsigned int i;
	int ret = 0;

	if (r->status == CELL_OK)
		rn->any_ok = true;
	if (r->status == CELL_ERROR || r->status == CELL_TIMEOUT)
		rn->any_error = true;
	rn->ri.nr_cells++;
	for (i = 0; i < rn->nr_sinks; i++) {
		struct sink *s = &rn->sinks[i];
		int e = s->ops->cell(s, &rn->ri, r);

		if (e) {
			gmb_err("%s output: %s", s->ops->name, s->err[0] ? s->err : strerror(-e));
			ret = e;
		}
	}
	/*
	 * Results that cannot be saved (disk full, directory gone): stop after
	 * this cell rather than measure what would be lost. The files keep the
	 * last version that was written whole.
	 */
	if (ret && !rn->output_failed) {
		rn->output_failed = true;
		gmb_err("stopping: results can no longer be written to %s", rn->cfg->out_dir);
	}
	return ret;
}

static void key_init(struct cell_key *k, const struct run_cfg *cfg,
		     const struct conv_backend *be, unsigned long vm_type,
		     enum driver d, uint64_t gran, const char *channel,
		     const char *variant, int rep)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->workload, sizeof(k->workload), "%s", cfg->wl->name);
	snprintf(k->backend, sizeof(k->backend), "%s", be->name);
	snprintf(k->driver, sizeof(k->driver), "%s", driver_name(d));
	snprintf(k->channel, sizeof(k->channel), "%s", channel);
	snprintf(k->variant, sizeof(k->variant), "%s", variant);
	k->vm_type = vm_type;
	k->granularity_bytes = gran;
	k->region_bytes = cfg->region_bytes;
	k->vcpus = cfg->vcpus;
	k->iterations = rep < 0 ? cfg->warmup : cfg->iterations;
	k->repetition = rep;
}

/* cell_run's hooks: a row to the sinks, the progress line, the dmesg scan */
static int hook_emit(void *arg, const struct cell_result *r)
{
	struct runner *rn = arg;
	int e = emit(rn, r);

	rn->cells_done++;
	return e;
}

static void hook_progress(void *arg, const struct cell_key *k)
{
	progress(arg, k);
}

static int hook_splat(void *arg, char *why, size_t whylen)
{
	struct runner *rn = arg;

	return rn->kmsg.fd >= 0 ? kmsg_watch_scan(&rn->kmsg, why, whylen) : 0;
}

/* the rows a cell emits when all of it runs (cell_plan_rows of its plan) */
static unsigned int rows_per_cell(const struct run_cfg *cfg)
{
	return cfg->repetitions + (cfg->warmup ? 1 : 0);
}

/* one cell through cell_run; -EINTR when the run must stop */
static int run_cell(struct runner *rn, struct wl_ctx *c, const char *channel)
{
	const struct run_cfg *cfg = rn->cfg;
	const struct cell_hooks hooks = {
		.emit = hook_emit,
		.progress = hook_progress,
		.splat = hook_splat,
		.arg = rn,
	};
	struct cell_plan plan = {
		.wl = cfg->wl,
		.warmup = cfg->warmup,
		.iterations = cfg->iterations,
		.repetitions = cfg->repetitions,
		.timeout_ns = cfg->timeout_ns,
		.stop = &g_stop,
	};
	unsigned int done = rn->cells_done;
	int r;

	key_init(&plan.key, cfg, c->backend, c->vm_type, c->driver, c->gran_bytes, channel,
		 c->variant, 0);
	r = cell_run(&plan, c, &hooks);
	/* the progress count skips what a failed or stopped cell did not run */
	rn->cells_done = done + cell_plan_rows(&plan);
	if (r == -EDEADLK) {
		gmb_err("stopping: threads of this cell are stuck in the kernel (see its reason)");
		rn->wedged = true;
		rn->any_error = true;
		return -EINTR;
	}
	return r || rn->output_failed ? -EINTR : 0;
}

static int open_sinks(struct runner *rn, char *err, size_t errlen)
{
	char tmp[256], *tok, *save = NULL;
	struct run_cfg *cfg = rn->cfg;

	snprintf(tmp, sizeof(tmp), "%s", cfg->formats);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct sink_ops *ops = sink_find(tok);
		struct sink *s;
		int r;

		if (!ops || rn->nr_sinks >= 8)
			continue;
		s = &rn->sinks[rn->nr_sinks];
		memset(s, 0, sizeof(*s));
		s->ops = ops;
		if (ops->file_name)
			snprintf(s->path, sizeof(s->path), "%s/%s", cfg->out_dir, ops->file_name);
		else
			s->out = stdout;
		r = ops->begin(s, &rn->ri);
		if (r) {
			snprintf(err, errlen, "%s output: %s", ops->name,
				 s->err[0] ? s->err : strerror(-r));
			sink_destroy(s);
			return r;
		}
		rn->nr_sinks++;
	}
	return 0;
}

static void close_sinks(struct runner *rn)
{
	unsigned int i;

	for (i = 0; i < rn->nr_sinks; i++) {
		struct sink *s = &rn->sinks[i];

		if (s->ops->end(s, &rn->ri))
			gmb_err("%s output: %s", s->ops->name, s->err);
		sink_destroy(s);
	}
}

static void describe_plan(char *buf, size_t len, const int *plan, unsigned int n,
			  unsigned int nr_vcpus)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s%u->%d", i ? " " : "",
					i < nr_vcpus ? "vcpu" : "conv",
					i < nr_vcpus ? i : i - nr_vcpus, plan[i]);
}

/*
 * A workload without an axis runs it once: the first driver (reported as
 * "-"), the first granularity.
 */
static bool has_axis(const struct run_cfg *cfg, unsigned int axis, unsigned int idx)
{
	if (cfg->wl->axes & axis)
		return true;
	if (axis == WL_AXIS_DRIVER)
		return idx == (unsigned int)__builtin_ctzl(cfg->driver_mask);
	return idx == 0;
}

static int one_cell(struct runner *rn, const struct conv_backend *be,
		    const struct backend_status *bs, unsigned int d, uint64_t gran,
		    const char *variant, const struct topology *topo, const int *plan,
		    unsigned int nr_plan, const struct kvm_sys *sys)
{
	const struct run_cfg *cfg = rn->cfg;
	bool axis_driver = cfg->wl->axes & WL_AXIS_DRIVER;
	/* the guest makes requests: --driver guest, or always (WL_GUEST_REQUESTS) */
	bool guest = (axis_driver && d == DRIVER_GUEST) ||
		     (cfg->wl->needs & WL_GUEST_REQUESTS);
	const char *channel = guest ? channel_name(rn->ri.channel.channel) : "-";
	struct cell_result res;
	struct cell_key key;
	struct wl_ctx *c;
	int r;

	if (!bs->available || (guest && !rn->channel_ok)) {
		key_init(&key, cfg, be, bs->vm_type, axis_driver ? d : NR_DRIVERS, gran,
			 "-", variant, 0);
		cell_result_init(&res, &key, NULL);
		cell_set_status(&res, CELL_SKIPPED, "%s",
				!bs->available ? bs->reason : rn->ri.channel.reason);
		emit(rn, &res);
		cell_result_free(&res);
		rn->cells_done += rows_per_cell(cfg);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = cfg;
	c->sys = sys;
	c->backend = be;
	c->vm_type = bs->vm_type;
	c->driver = axis_driver ? (enum driver)d : NR_DRIVERS;
	c->gran_bytes = gran;
	c->variant = variant;
	c->channel = &rn->ri.channel;
	c->topo = topo;
	c->cpu_plan = plan;
	c->nr_plan = nr_plan;
	c->stop = &g_stop;
	if (guest)
		rn->ri.channel_used = true;
	r = run_cell(rn, c, channel);
	/* a wedged cell's threads still hold c->sess */
	if (!c->sess.wedged)
		free(c);
	return r;
}

/* the run's description every sink gets: versions, date, placement */
static void run_info_init(struct runner *rn, struct run_cfg *cfg, const struct hostinfo *hi,
			  const struct topology *topo, const int *plan,
			  const char *argv_line)
{
	time_t now = time(NULL);
	struct tm tm;

	rn->kmsg.fd = -1;
	rn->cfg = cfg;
	rn->tty = isatty(STDERR_FILENO);
	rn->ri.cfg = cfg;
	rn->ri.run_id = cfg->run_id;
	rn->ri.argv_line = argv_line;
	rn->ri.version = GMB_VERSION;
	rn->ri.git_sha = GMB_GIT_SHA;
	rn->ri.host = hi;
	gmtime_r(&now, &tm);
	strftime(rn->ri.date_utc, sizeof(rn->ri.date_utc), "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* placement: vCPU threads first, then the harness (converter) threads */
	if (topo) {
		topology_summary(topo, rn->ri.topology, sizeof(rn->ri.topology));
		describe_plan(rn->ri.placement, sizeof(rn->ri.placement), plan,
			      cfg->vcpus * 2, cfg->vcpus);
	} else {
		snprintf(rn->ri.topology, sizeof(rn->ri.topology), "unavailable (hwloc topology failed to load)");
		snprintf(rn->ri.placement, sizeof(rn->ri.placement), "unpinned");
	}
}

/*
 * Which backends this host offers, decided by probing the ioctls, then the
 * request channel when a cell will need one. 0, or -errno said on stderr.
 */
static int probe_host(struct runner *rn, const struct kvm_sys *sys)
{
	const struct run_cfg *cfg = rn->cfg;
	unsigned long avail_mask = 0;
	unsigned int bi;
	int r;

	for (bi = 0; conv_backends[bi]; bi++) {
		struct backend_status *bs = &rn->ri.backends[rn->ri.nr_backends++];

		bs->name = conv_backends[bi]->name;
		if (!(cfg->backend_mask & (1UL << bi)))
			continue;
		r = conv_backends[bi]->probe(sys, &bs->vm_type, bs->reason, sizeof(bs->reason));
		bs->available = r == 0;
		if (!r)
			avail_mask |= 1UL << bi;
		else if (!bs->reason[0])
			snprintf(bs->reason, sizeof(bs->reason), "probe failed: %s", strerror(-r));
	}
	if (!avail_mask || !((((cfg->driver_mask & (1UL << DRIVER_GUEST)) &&
			       (cfg->wl->axes & WL_AXIS_DRIVER)) ||
			      (cfg->wl->needs & WL_GUEST_REQUESTS))))
		return 0;
	r = channel_decide(sys, cfg->channel_pref, 250, &rn->ri.channel);
	rn->channel_ok = r == 0;
	if (r && r != -EOPNOTSUPP) {
		gmb_err("request channel: %s", rn->ri.channel.reason);
		return r;
	}
	return 0;
}

/* the output directory and the sinks; 0, or -errno said on stderr */
static int open_output(struct runner *rn)
{
	char err[512];
	int r;

	r = mkdir_p(rn->cfg->out_dir, 0755, err, sizeof(err));
	if (r) {
		gmb_err("--output: %s", err);
		return r;
	}
	r = open_sinks(rn, err, sizeof(err));
	if (r) {
		gmb_err("%s", err);
		close_sinks(rn);
	}
	return r;
}

/* the workload's own axis, if any: one cell per comma item of buf */
static unsigned int split_variants(const struct run_cfg *cfg, char *buf, size_t len,
				   char **variants, unsigned int max)
{
	char *save = NULL, *tok;
	unsigned int n = 0;

	snprintf(buf, len, "%s",
		 cfg->wl->variant_opt ? wl_opt_str(cfg, cfg->wl, cfg->wl->variant_opt) : "-");
	for (tok = strtok_r(buf, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save))
		variants[n++] = tok;
	return n;
}

static unsigned int count_cells(const struct run_cfg *cfg, unsigned int nr_variants)
{
	unsigned int bi, n = 0;

	for (bi = 0; conv_backends[bi]; bi++)
		if (cfg->backend_mask & (1UL << bi))
			n += ((cfg->wl->axes & WL_AXIS_DRIVER) ?
			      __builtin_popcountl(cfg->driver_mask) : 1) *
			     ((cfg->wl->axes & WL_AXIS_GRAN) ? cfg->nr_grans : 1) *
			     nr_variants * rows_per_cell(cfg);
	return n;
}

static bool run_goes_on(const struct runner *rn)
{
	return !g_stop && !rn->output_failed && !rn->wedged;
}

/* what the matrix walk hands every cell */
struct matrix {
	const struct kvm_sys *sys;
	const struct topology *topo;
	const int *plan;
	char **variants;
	unsigned int nr_variants;
};

/* the cells of one backend: drivers x granularities x variants */
static void walk_backend(struct runner *rn, const struct matrix *mx, unsigned int bi)
{
	const struct run_cfg *cfg = rn->cfg;
	unsigned int d, g, v;
	int r;

	for (d = 0; d < NR_DRIVERS && run_goes_on(rn); d++) {
		if (!(cfg->driver_mask & (1UL << d)) || !has_axis(cfg, WL_AXIS_DRIVER, d))
			continue;
		for (g = 0; g < cfg->nr_grans && run_goes_on(rn); g++) {
			if (!has_axis(cfg, WL_AXIS_GRAN, g))
				continue;
			for (v = 0; v < mx->nr_variants && run_goes_on(rn); v++) {
				r = one_cell(rn, conv_backends[bi], &rn->ri.backends[bi], d,
					     cfg->grans[g], mx->variants[v], mx->topo,
					     mx->plan, cfg->vcpus * 2, mx->sys);
				if (r == -EINTR || r == -ENOMEM)
					break;
			}
		}
	}
}

/* the process exit code of a finished (or stopped) run */
static int run_exit_code(const struct runner *rn)
{
	if (g_stop)
		return EXIT_INTR;
	if (rn->any_error || rn->output_failed || rn->wedged)
		return 1;
	return rn->any_ok ? 0 : EXIT_SKIP;
}

int runner_execute(struct run_cfg *cfg, const struct kvm_sys *sys,
		   const struct hostinfo *hi, const struct topology *topo,
		   const int *plan, const char *argv_line)
{
	char variant_buf[512], *variants[32];
	struct matrix mx = { .sys = sys, .topo = topo, .plan = plan, .variants = variants };
	struct runner *rn;
	unsigned int bi;
	int ret;

	rn = calloc(1, sizeof(*rn));
	if (!rn) {
		gmb_err("out of memory");
		return 1;
	}
	mx.nr_variants = split_variants(cfg, variant_buf, sizeof(variant_buf), variants, 32);
	run_info_init(rn, cfg, hi, topo, plan, argv_line);
	if (probe_host(rn, sys) || open_output(rn)) {
		free(rn);
		return 1;
	}
	rn->cells_total = count_cells(cfg, mx.nr_variants);
	install_signals();
	/* dmesg before/after each cell; unreadable /dev/kmsg is only noted */
	if (kmsg_watch_open(&rn->kmsg))
		gmb_err("note: /dev/kmsg unreadable, kernel splats will not be detected");
	rn->t_start = now_ns();

	for (bi = 0; conv_backends[bi] && run_goes_on(rn); bi++)
		if (cfg->backend_mask & (1UL << bi))
			walk_backend(rn, &mx, bi);
	if (rn->tty && !cfg->quiet)
		fprintf(stderr, "\r\033[K");
	rn->ri.interrupted = g_stop;
	close_sinks(rn);
	kmsg_watch_close(&rn->kmsg);
	fflush(stdout);
	fprintf(stderr, "results: %s/\n", cfg->out_dir);
	ret = run_exit_code(rn);
	free(rn);
	return ret;
}
