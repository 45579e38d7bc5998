// SPDX-License-Identifier: GPL-2.0
/*
 * The matrix runner: backends x drivers x granularities, each cell set up
 * once, a warm-up pass reported separately, then the repetitions.
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

/*
 * A repetition failed because a vCPU lost its state to the platform
 * (QEMU TCG's emulated SVM wrote the host's state into the guest's VMCB:
 * README, known issues; lab/repro/svm_state_loss.c). Once per cell: a
 * fresh VM, the repetition again, marked with platform_retry_count=1 and
 * the first attempt's reason. 0, or -errno when the new VM cannot be set
 * up (res then says so).
 */
static int retry_lost_state(struct runner *rn, struct wl_ctx *c, const struct cell_key *key,
			    struct cell_result *res, int rep)
{
	const struct workload *wl = rn->cfg->wl;
	char first[400], why[512] = "";
	int r;

	snprintf(first, sizeof(first), "%s", res->reason);
	gmb_err("note: %s %s rep %d: a vCPU lost its state to the platform (README, known issues); retrying once on a fresh VM",
		key->backend, key->driver, rep);
	cell_result_free(res);
	wl->teardown(c);
	r = wl->setup(c, why, sizeof(why));
	cell_result_init(res, key, wl->metrics);
	if (r) {
		cell_set_status(res, CELL_ERROR, "setup for the retry after a platform fault: %s; first attempt: %s",
				why[0] ? why : strerror(-r), first);
		return r;
	}
	r = wl->run(c, res, rep);
	if (r && res->status == CELL_OK)
		cell_set_status(res, CELL_ERROR, "%s", strerror(-r));
	cell_result_check(res);
	cell_extra_set(res, "platform_retry_count", 1);
	if (res->status == CELL_OK) {
		cell_set_status(res, CELL_OK, "ok after one retry; first attempt: %s", first);
	} else {
		char again[RESULT_REASON_LEN];

		snprintf(again, sizeof(again), "%s", res->reason);
		cell_set_status(res, res->status, "%s (on the retry after a platform fault; first attempt: %s)",
				again, first);
	}
	return 0;
}

/* one cell: setup, warm-up, repetitions, teardown; -EINTR when stopped */
static int run_cell(struct runner *rn, struct wl_ctx *c, const char *channel)
{
	const struct run_cfg *cfg = rn->cfg;
	const struct workload *wl = cfg->wl;
	struct cell_result res;
	struct cell_key key;
	char why[512] = "";
	bool retried = false;
	int rep, r, ret = 0;

	key_init(&key, cfg, c->backend, c->vm_type, c->driver, c->gran_bytes, channel,
		 c->variant, cfg->warmup ? -1 : 0);
	progress(rn, &key);
	r = wl->cell_check ? wl->cell_check(c, why, sizeof(why)) : 0;
	if (!r)
		r = wl->setup(c, why, sizeof(why));
	if (r) {
		cell_result_init(&res, &key, wl->metrics);
		if (r == -EOPNOTSUPP)
			cell_set_status(&res, CELL_SKIPPED, "%s", why);
		else
			cell_set_status(&res, CELL_ERROR, "setup: %s", why[0] ? why : strerror(-r));
		emit(rn, &res);
		cell_result_free(&res);
		rn->cells_done += cfg->repetitions + (cfg->warmup ? 1 : 0);
		return 0;
	}
	for (rep = cfg->warmup ? -1 : 0; rep < (int)cfg->repetitions; rep++) {
		key_init(&key, cfg, c->backend, c->vm_type, c->driver, c->gran_bytes,
			 channel, c->variant, rep);
		progress(rn, &key);
		cell_result_init(&res, &key, wl->metrics);
		r = wl->run(c, &res, rep);
		if (r && res.status == CELL_OK)
			cell_set_status(&res, CELL_ERROR, "%s", strerror(-r));
		cell_result_check(&res);
		if (res.status != CELL_OK && res.status != CELL_INTERRUPTED && !retried &&
		    !c->sess.wedged && session_state_lost(&c->sess)) {
			r = retry_lost_state(rn, c, &key, &res, rep);
			retried = true;
			if (r) {
				emit(rn, &res);
				cell_result_free(&res);
				rn->cells_done += cfg->repetitions - rep;
				return 0;
			}
		}
		if (rn->kmsg.fd >= 0 && kmsg_watch_scan(&rn->kmsg, why, sizeof(why)) > 0)
			cell_set_status(&res, CELL_ERROR, "kernel log splat during the cell: %s", why);
		emit(rn, &res);
		cell_result_free(&res);
		rn->cells_done++;
		if (c->sess.wedged) {
			/* its threads may still use the VM: no teardown, no next cell */
			gmb_err("stopping: threads of this cell are stuck in the kernel (see its reason)");
			rn->wedged = true;
			rn->any_error = true;
			return -EINTR;
		}
		if (res.status == CELL_INTERRUPTED || g_stop || rn->output_failed) {
			ret = -EINTR;
			break;
		}
		if (res.status != CELL_OK)
			break;	/* a failed repetition says nothing about the next */
	}
	wl->teardown(c);
	return ret;
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
		rn->cells_done += cfg->repetitions + (cfg->warmup ? 1 : 0);
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

int runner_execute(struct run_cfg *cfg, const struct kvm_sys *sys,
		   const struct hostinfo *hi, const struct topology *topo,
		   const int *plan, const char *argv_line)
{
	struct runner *rn;
	unsigned int nr_plan = cfg->vcpus * 2, bi, d, g, v, nr_variants = 0;
	char variant_buf[512], *variants[32], *save = NULL, *tok;
	unsigned long avail_mask = 0;
	char err[512];
	time_t now = time(NULL);
	struct tm tm;
	int r, ret = 0;

	rn = calloc(1, sizeof(*rn));
	if (!rn) {
		gmb_err("out of memory");
		return 1;
	}
	/* the workload's own axis, if any: one cell per comma item */
	snprintf(variant_buf, sizeof(variant_buf), "%s",
		 cfg->wl->variant_opt ? wl_opt_str(cfg, cfg->wl, cfg->wl->variant_opt) : "-");
	for (tok = strtok_r(variant_buf, ",", &save); tok && nr_variants < 32;
	     tok = strtok_r(NULL, ",", &save))
		variants[nr_variants++] = tok;
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
		describe_plan(rn->ri.placement, sizeof(rn->ri.placement), plan, nr_plan,
			      cfg->vcpus);
	} else {
		snprintf(rn->ri.topology, sizeof(rn->ri.topology), "unavailable (hwloc topology failed to load)");
		snprintf(rn->ri.placement, sizeof(rn->ri.placement), "unpinned");
	}

	/* which backends this host offers, decided by probing the ioctls */
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
	if (avail_mask && (((cfg->driver_mask & (1UL << DRIVER_GUEST)) &&
			    (cfg->wl->axes & WL_AXIS_DRIVER)) ||
			   (cfg->wl->needs & WL_GUEST_REQUESTS))) {
		r = channel_decide(sys, cfg->channel_pref, 250, &rn->ri.channel);
		rn->channel_ok = r == 0;
		if (r && r != -EOPNOTSUPP) {
			gmb_err("request channel: %s", rn->ri.channel.reason);
			ret = 1;
			goto out;
		}
	}

	r = mkdir_p(cfg->out_dir, 0755, err, sizeof(err));
	if (r) {
		gmb_err("--output: %s", err);
		ret = 1;
		goto out;
	}
	r = open_sinks(rn, err, sizeof(err));
	if (r) {
		gmb_err("%s", err);
		close_sinks(rn);
		ret = 1;
		goto out;
	}
	for (bi = 0; conv_backends[bi]; bi++)
		if (cfg->backend_mask & (1UL << bi))
			rn->cells_total += ((cfg->wl->axes & WL_AXIS_DRIVER) ?
					    __builtin_popcountl(cfg->driver_mask) : 1) *
					   ((cfg->wl->axes & WL_AXIS_GRAN) ? cfg->nr_grans : 1) *
					   nr_variants * (cfg->repetitions + (cfg->warmup ? 1 : 0));
	install_signals();
	/* dmesg before/after each cell; unreadable /dev/kmsg is only noted */
	if (kmsg_watch_open(&rn->kmsg))
		gmb_err("note: /dev/kmsg unreadable, kernel splats will not be detected");
	rn->t_start = now_ns();

	for (bi = 0; conv_backends[bi] && !g_stop && !rn->output_failed && !rn->wedged; bi++) {
		const struct conv_backend *be = conv_backends[bi];
		struct backend_status *bs = &rn->ri.backends[bi];

		if (!(cfg->backend_mask & (1UL << bi)))
			continue;
		for (d = 0; d < NR_DRIVERS && !g_stop && !rn->output_failed && !rn->wedged; d++) {
			if (!(cfg->driver_mask & (1UL << d)) || !has_axis(cfg, WL_AXIS_DRIVER, d))
				continue;
			for (g = 0; g < cfg->nr_grans && !g_stop && !rn->output_failed && !rn->wedged; g++) {
				if (!has_axis(cfg, WL_AXIS_GRAN, g))
					continue;
				for (v = 0; v < nr_variants && !g_stop && !rn->output_failed && !rn->wedged; v++) {
					r = one_cell(rn, be, bs, d, cfg->grans[g], variants[v],
						     topo, plan, nr_plan, sys);
					if (r == -EINTR || r == -ENOMEM)
						break;
				}
			}
		}
	}
	if (rn->tty && !cfg->quiet)
		fprintf(stderr, "\r\033[K");
	rn->ri.interrupted = g_stop;
	close_sinks(rn);
	kmsg_watch_close(&rn->kmsg);
	fflush(stdout);
	fprintf(stderr, "results: %s/\n", cfg->out_dir);
	if (g_stop)
		ret = EXIT_INTR;
	else if (rn->any_error || rn->output_failed || rn->wedged)
		ret = 1;
	else if (!rn->any_ok)
		ret = EXIT_SKIP;
out:
	free(rn);
	return ret;
}
