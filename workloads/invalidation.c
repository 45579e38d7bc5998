// SPDX-License-Identifier: GPL-2.0
/*
 * invalidation: what a conversion costs in TLB / second-stage MMU
 * invalidations (EPT/NPT; the shadow MMU under PVM), in three parts
 * selected by the variant option `part`:
 *
 *  counters   harness threads convert the region each vCPU keeps touching
 *             (TOUCH_LOOP), so every conversion has guest mappings to zap,
 *             while kernel events are counted: tlb:tlb_flush (all, and
 *             reason == 1 remote shootdowns), kvm:kvm_unmap_hva_range, the
 *             kvmmmu zap events, page faults of our threads, dTLB misses
 *             when a PMU exists. Tracepoints are counted system-wide on
 *             every online CPU (flushes run in IPI context on whatever task
 *             is there), so the counts include other processes' events.
 *  refault    a vCPU converts a chunk (host-side call from its own thread),
 *             then runs TOUCH_ONCE over it twice: the first KVM_RUN pays the
 *             refault, the second is the steady state.
 *  bystander  k vCPUs touch their own regions, never converted, while a
 *             harness thread converts another vCPU's region: bystander
 *             throughput with the converter idle, then converting. The
 *             victim vCPU touches the converted region; the converter
 *             converts a chunk only once the victim has touched it again
 *             since its last conversion (wait_victim), so that every
 *             conversion has guest mappings to invalidate even where the
 *             victim shares the converter's CPU.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/perfcaps.h"
#include "harness/tracecount.h"
#include "workloads/wl_conv_util.h"
#include "workloads/workload.h"

enum inval_part {
	INVAL_COUNTERS,
	INVAL_REFAULT,
	INVAL_BYSTANDER,
};

static const char *const inval_parts[] = { "counters", "refault", "bystander", NULL };

enum {
	MET_FIRST_TOUCH_NS = NR_CORE_METRICS,
	MET_STEADY_TOUCH_NS,
};

static const struct metric_decl inval_metrics[] = {
	[MET_FIRST_TOUCH_NS - NR_CORE_METRICS] = {
		"first_touch_ns", "guest touching a chunk right after its conversion" },
	[MET_STEADY_TOUCH_NS - NR_CORE_METRICS] = {
		"steady_touch_ns", "the same touch repeated immediately" },
	{ NULL },
};

static const struct wl_option inval_options[] = {
	{ .name = "part", .type = WL_OPT_CHOICE, .def = "counters,refault,bystander",
	  .choices = inval_parts,
	  .help = "comma list of parts, one cell each: counters (kernel event counts per conversion), refault (first vs steady guest touch after a conversion), bystander (throughput of vCPUs whose memory is not converted)" },
	{ .name = "bystanders", .type = WL_OPT_UINT, .def = "1", .min = 1, .max = 64,
	  .help = "bystander: vCPUs touching their own, never converted, memory (the session has bystanders + 1 vCPUs; --vcpus is ignored)" },
	{ .name = "victim", .type = WL_OPT_UINT, .def = "1", .min = 0, .max = 1,
	  .help = "bystander: a vCPU keeps touching the region being converted, so conversions have guest mappings to invalidate" },
	{ .name = "phase_ms", .type = WL_OPT_UINT, .def = "1000", .min = 10, .max = 600000,
	  .help = "bystander: total time of the baseline phase and of the converting phase" },
	{ .name = "slices", .type = WL_OPT_UINT, .def = "10", .min = 1, .max = 1000,
	  .help = "bystander: the baseline and converting phases alternate in this many slices each (phase_ms / slices per slice)" },
	{ .name = "bystander_bytes", .type = WL_OPT_SIZE, .def = "256K", .min = 4096,
	  .max = 64ULL << 30, .max_of = WL_BOUND_REGION,
	  .help = "bystander: bytes of its region each bystander touches per pass (small = fine-grained pass count)" },
	{ .name = "host_touch", .type = WL_OPT_UINT, .def = "0", .min = 0, .max = 1,
	  .help = "counters, bystander: the converter writes every page of a chunk through the host mapping before converting it" },
	WLC_OPT_PATTERN,
	{ .name = NULL },
};

/* what setup decided for the cell */
struct inval_cell {
	enum inval_part part;
	unsigned int bystanders;	/* bystander part */
};

/* event labels and the extras they become; labels double as tracecount names */
struct inval_event {
	const char *label;		/* extra name prefix */
	const char *sys, *ev;		/* tracepoint, or NULL for a perf event */
	const char *filter;
	uint32_t type;			/* perf event when sys == NULL */
	uint64_t config;
	enum tracecount_scope scope;
};

#define DTLB_LOAD_MISSES (PERF_COUNT_HW_CACHE_DTLB |				\
			  (PERF_COUNT_HW_CACHE_OP_READ << 8) |			\
			  (PERF_COUNT_HW_CACHE_RESULT_MISS << 16))

static const struct inval_event inval_events[] = {
	{ "tlb_flush", "tlb", "tlb_flush", NULL, 0, 0, TRACECOUNT_SYSTEM },
	/* TLB_REMOTE_SHOOTDOWN: counted on the CPU that received the IPI */
	{ "tlb_remote_flush", "tlb", "tlb_flush", "reason == 1", 0, 0, TRACECOUNT_SYSTEM },
	{ "kvm_unmap_hva_range", "kvm", "kvm_unmap_hva_range", NULL, 0, 0, TRACECOUNT_SYSTEM },
	/* shadow MMU: a whole shadow page zapped */
	{ "mmu_zap_page", "kvmmmu", "kvm_mmu_prepare_zap_page", NULL, 0, 0, TRACECOUNT_SYSTEM },
	/* TDP MMU (EPT/NPT): every SPTE change, zaps included */
	{ "tdp_spte_changed", "kvmmmu", "kvm_tdp_mmu_spte_changed", NULL, 0, 0, TRACECOUNT_SYSTEM },
	/* our threads only: exact, no other process's faults */
	{ "page_faults", NULL, NULL, NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
	  TRACECOUNT_TASK },
	{ "dtlb_load_misses", NULL, NULL, NULL, PERF_TYPE_HW_CACHE, DTLB_LOAD_MISSES,
	  TRACECOUNT_TASK },
};

#define NR_INVAL_EVENTS (sizeof(inval_events) / sizeof(inval_events[0]))

struct inval_run {
	struct wlc_threads t;		/* t.failed: some thread gave up, stop waiting */
	struct inval_cell *ic;
	unsigned int passes;
	uint8_t pattern;
	bool host_touch;
	/* counters */
	struct tracecount *tc;
	int arrived;			/* converters whose vCPU has mapped its region */
	int go;
	int remaining;			/* converters still running */
	uint64_t t_go, t_end;
	int tc_err;
	/* bystander */
	bool victim;
	uint64_t phase_ns;		/* per side, split into slices */
	unsigned int slices;
	uint64_t bystander_bytes;
	uint64_t base_passes, base_ns, conv_passes, conv_ns;
	uint64_t victim_wait_ns;	/* converting phase spent waiting for the victim */
	uint64_t victim_chunks;		/* chunks converted with the victim's mapping */
};

static void inval_pause(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 200000 };

	nanosleep(&ts, NULL);
}

static uint64_t vcpu_passes(struct session *s, unsigned int idx)
{
	return mb_passes(s->vcpus[idx].mailbox);
}

/* wait until vCPU idx finished one pass over its region; -EINTR on stop */
static int wait_mapped(struct inval_run *ir, struct session *s, unsigned int idx)
{
	while (vcpu_passes(s, idx) < 1)
		if (wlc_should_stop(&ir->t, s))
			return -EINTR;
		else
			inval_pause();
	return 0;
}

/*
 * Guest command cmd (TOUCH_LOOP, TOUCH_ONCE) over [gpa, gpa + bytes) on
 * vCPU idx, until the guest reports it done; what names it in errors.
 */
static int guest_touch(struct inval_run *ir, struct session *s, unsigned int idx,
		       unsigned int cmd, const char *what, uint64_t gpa, uint64_t bytes,
		       struct guest_req *req)
{
	struct vcpu *v = &s->vcpus[idx];
	int r;

	r = wlc_guest_start(v, cmd, gpa, bytes, GMB_PAGE_SIZE, 1, ir->pattern, CHANNEL_PIO);
	if (r) {
		wlc_set_why(&ir->t, "vCPU %u: KVM_SET_REGS: %s", idx, strerror(-r));
		return r;
	}
	/*
	 * The setup clears MB_STOP: a stop a converter asked for before this
	 * thread got here (another thread failed, or the cell stops) would be
	 * lost and the touch loop run to the cell timeout. Those conditions
	 * are sticky, so asking again after the setup closes the window.
	 */
	if (wlc_should_stop(&ir->t, s))
		mb_set_stop(v->mailbox);
	return wlc_guest_done(&ir->t, v, req, what);
}

/* vCPU side: touch [gpa, gpa + bytes) until told to stop */
static int touch_loop_vcpu(struct inval_run *ir, struct session *s, unsigned int idx,
			   uint64_t gpa, uint64_t bytes)
{
	struct guest_req req;
	int r;

	r = guest_touch(ir, s, idx, GUEST_CMD_TOUCH_LOOP, "touch loop", gpa, bytes, &req);
	/* whole passes the guest made (cleared before the threads started) */
	ir->t.parts[idx].ctr.guest_pages_touched = vcpu_passes(s, idx) * (bytes / GMB_PAGE_SIZE);
	return r;
}

/* write every page of a chunk through the host mapping (shared memory in use) */
static void host_touch_chunk(struct inval_run *ir, struct session *s, uint64_t gpa,
			     uint64_t bytes)
{
	volatile uint8_t *hva = session_data_hva(s, gpa);
	uint64_t off;

	if (!hva)
		return;
	for (off = 0; off < bytes; off += GMB_PAGE_SIZE)
		hva[off] = ir->pattern;
}

/* one chunk both ways, as a guest that uses and then returns memory */
static int convert_chunk(struct inval_run *ir, struct session *s, struct cell_result *p,
			 uint64_t gpa, uint64_t bytes)
{
	int r;

	if (ir->host_touch)
		host_touch_chunk(ir, s, gpa, bytes);
	r = wlc_convert(&ir->t, s, &s->mem, p, gpa, bytes, true);
	if (!r)
		r = wlc_convert(&ir->t, s, &s->mem, p, gpa, bytes, false);
	return r;
}

/* ---- counters ---- */

static int counters_converter(struct inval_run *ir, struct session *s, unsigned int j)
{
	struct wl_ctx *c = ir->t.c;
	struct cell_result *p = &ir->t.parts[s->nr_vcpus + j];
	uint64_t lo = session_region_gpa(s, j), gpa;
	unsigned int pass;
	int r;

	r = wait_mapped(ir, s, j);
	if (r)
		goto out;
	/*
	 * Count only once every vCPU has mapped its whole region: the first
	 * pass's faults are population, not invalidation. The last converter
	 * to arrive starts the counters.
	 */
	if (__atomic_add_fetch(&ir->arrived, 1, __ATOMIC_SEQ_CST) == (int)s->nr_vcpus) {
		ir->tc_err = tracecount_start(ir->tc);
		ir->t_go = now_ns();
		__atomic_store_n(&ir->go, 1, __ATOMIC_SEQ_CST);
	}
	while (!__atomic_load_n(&ir->go, __ATOMIC_SEQ_CST)) {
		if (wlc_should_stop(&ir->t, s)) {
			r = -EINTR;
			goto out;
		}
		inval_pause();
	}
	for (pass = 0; pass < ir->passes && !r; pass++)
		for (gpa = lo; gpa < lo + s->region_bytes && !r; gpa += c->gran_bytes) {
			if (wlc_should_stop(&ir->t, s)) {
				r = -EINTR;
				break;
			}
			r = convert_chunk(ir, s, p, gpa, c->gran_bytes);
		}
out:
	if (__atomic_sub_fetch(&ir->remaining, 1, __ATOMIC_SEQ_CST) == 0) {
		if (__atomic_load_n(&ir->go, __ATOMIC_SEQ_CST)) {
			int e = tracecount_stop(ir->tc);

			if (!ir->tc_err)
				ir->tc_err = e;
			ir->t_end = now_ns();
		}
	}
	/* the vCPUs stop when their converter is done or anything failed */
	if (r && r != -EINTR)
		session_stop_guests(s);
	else
		mb_set_stop(s->vcpus[j].mailbox);
	if (r == -EINTR && !session_aborted(s))
		r = 0;	/* stopped because another thread failed: its error is the cell's */
	return r;
}

static int counters_thread(struct session *s, unsigned int idx, void *arg)
{
	struct inval_run *ir = arg;

	if (idx < s->nr_vcpus)
		return touch_loop_vcpu(ir, s, idx, session_region_gpa(s, idx), s->region_bytes);
	return counters_converter(ir, s, idx - s->nr_vcpus);
}

/* open what this host can count; unavailable events are simply absent */
static int counters_open(struct tracecount *tc, bool *dtlb_ok, char *why, size_t whylen)
{
	unsigned int i;
	int r, nr_tp = 0;

	*dtlb_ok = false;
	r = tracecount_init(tc);
	if (r) {
		snprintf(why, whylen, "online CPUs: %s", strerror(-r));
		return r;
	}
	for (i = 0; i < NR_INVAL_EVENTS; i++) {
		const struct inval_event *e = &inval_events[i];
		char ewhy[256];

		if (e->sys)
			r = tracecount_add_tracepoint(tc, e->label, e->sys, e->ev, e->filter,
						      e->scope, ewhy, sizeof(ewhy));
		else
			r = tracecount_add_event(tc, e->label, e->type, e->config, e->scope,
						 ewhy, sizeof(ewhy));
		if (r >= 0 && e->sys)
			nr_tp++;
		if (r >= 0 && e->type == PERF_TYPE_HW_CACHE)
			*dtlb_ok = true;
	}
	if (!nr_tp) {
		snprintf(why, whylen, "no tracepoint of tlb:tlb_flush, kvm:kvm_unmap_hva_range, kvmmmu:* opens system-wide");
		tracecount_close(tc);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void counters_report(struct inval_run *ir, struct cell_result *r, bool dtlb_ok)
{
	struct tracecount *tc = ir->tc;
	double conv = (double)r->ctr.conversions;
	unsigned int i;

	cell_extra_set(r, "hw_dtlb_supported", dtlb_ok ? 1 : 0);
	for (i = 0; i < tc->nr_events; i++) {
		char name[RESULT_NAME_LEN];
		uint64_t n;

		if (tracecount_read(tc, i, &n))
			continue;
		snprintf(name, sizeof(name), "%s_count", tc->ev[i].name);
		cell_extra_set(r, name, (double)n);
		snprintf(name, sizeof(name), "%s_per_conv", tc->ev[i].name);
		cell_extra_set(r, name, conv > 0 ? (double)n / conv : 0);
	}
	if (ir->t_end > ir->t_go)
		r->ctr.wall_ns = ir->t_end - ir->t_go;
}

/* ---- refault ---- */

/* one TOUCH_ONCE over [gpa, gpa + bytes): the KVM_RUN time in *ns */
static int touch_once(struct inval_run *ir, struct session *s, unsigned int idx,
		      uint64_t gpa, uint64_t bytes, uint64_t *ns)
{
	struct guest_req req;
	int r;

	r = guest_touch(ir, s, idx, GUEST_CMD_TOUCH_ONCE, "touch once", gpa, bytes, &req);
	if (!r)
		*ns = req.run_ns;
	return r;
}

static int refault_thread(struct session *s, unsigned int idx, void *arg)
{
	struct inval_run *ir = arg;
	struct wl_ctx *c = ir->t.c;
	struct cell_result *p = &ir->t.parts[idx];
	uint64_t lo = session_region_gpa(s, idx), gpa, t0 = now_ns(), ns;
	unsigned int pass, dir;
	int r = 0;

	for (pass = 0; pass < ir->passes && !r; pass++)
		for (gpa = lo; gpa < lo + s->region_bytes && !r; gpa += c->gran_bytes)
			for (dir = 0; dir < 2 && !r; dir++) {
				if (session_aborted(s)) {
					r = -EINTR;
					break;
				}
				r = wlc_convert(&ir->t, s, &s->mem, p, gpa, c->gran_bytes,
						dir == 0);
				if (!r)
					r = touch_once(ir, s, idx, gpa, c->gran_bytes, &ns);
				if (!r)
					cell_record(p, MET_FIRST_TOUCH_NS, ns);
				if (!r)
					r = touch_once(ir, s, idx, gpa, c->gran_bytes, &ns);
				if (!r)
					cell_record(p, MET_STEADY_TOUCH_NS, ns);
				if (!r)
					p->ctr.guest_pages_touched += 2 * (c->gran_bytes / GMB_PAGE_SIZE);
			}
	p->ctr.wall_ns = now_ns() - t0;
	return r;
}

static void refault_report(struct cell_result *r)
{
	/* by name, after the run: r may be a result without the declaration */
	const struct hist *first =
		cell_metric_find(r, WL_METRIC_NAME(inval_metrics, MET_FIRST_TOUCH_NS));
	const struct hist *steady =
		cell_metric_find(r, WL_METRIC_NAME(inval_metrics, MET_STEADY_TOUCH_NS));
	uint64_t s50;

	if (!first || !steady || !first->count || !steady->count)
		return;
	s50 = hist_percentile(steady, 50);
	if (s50)
		cell_extra_set(r, "refault_ratio", (double)hist_percentile(first, 50) / (double)s50);
}

/* ---- bystander ---- */

static uint64_t bystander_passes(struct inval_run *ir, struct session *s)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < ir->ic->bystanders; i++)
		sum += vcpu_passes(s, i);
	return sum;
}

/*
 * Busy-wait until deadline (now_ns clock); -EINTR on stop. The converter
 * spins rather than sleeps through a baseline slice so that its CPU is as
 * busy as while converting: an idle CPU next to the bystander's (SMT
 * sibling, shared power budget, the hypervisor's scheduling of our vCPUs)
 * would make the baseline faster for reasons that are not invalidation.
 */
static int spin_until(struct inval_run *ir, struct session *s, uint64_t deadline)
{
	unsigned int n = 0;

	while (now_ns() < deadline)
		if (!(++n & 1023) && wlc_should_stop(&ir->t, s))
			return -EINTR;
	return 0;
}

/*
 * The premise of a converting slice: the chunk about to be converted is
 * mapped in the victim's guest page tables, i.e. the victim touched it
 * since its last conversion. The victim (vCPU k) counts whole passes over
 * its region, so a pass that started after the conversion has ended once
 * its count reaches the count seen then plus 2: until it does, wait:
 * sleeping when the victim shares the converter's CPU (2 CPUs leave no
 * other place for it) or placement is unknown, so that the victim runs;
 * spinning when it has a CPU of its own, so that the converter's CPU stays
 * as busy as in a baseline slice. 0 when mapped, 1 when the deadline came
 * first, -EINTR on stop.
 */
static int wait_victim(struct inval_run *ir, struct session *s, uint64_t passes,
		       uint64_t deadline, bool spin)
{
	unsigned int k = ir->ic->bystanders;
	uint64_t t0 = now_ns(), t;
	int r = 0;

	while (vcpu_passes(s, k) < passes) {
		t = now_ns();
		if (t >= deadline) {
			r = 1;
			break;
		}
		if (wlc_should_stop(&ir->t, s)) {
			r = -EINTR;
			break;
		}
		if (!spin)
			inval_pause();
	}
	ir->victim_wait_ns += now_ns() - t0;
	return r;
}

/* where the bystander converter is in its region */
struct bystander_pos {
	uint64_t lo, gpa;	/* the region, the next chunk */
	uint64_t *need;		/* victim passes each chunk needs first; NULL: no victim */
	bool spin;		/* wait for the victim spinning (it has a CPU of its own) */
};

/* the converting half of a slice: chunk after chunk until end; 0 or -errno */
static int bystander_convert(struct inval_run *ir, struct session *s, struct cell_result *p,
			     struct bystander_pos *pos, uint64_t end)
{
	uint64_t gran = ir->t.c->gran_bytes;
	int r;

	while (now_ns() < end) {
		uint64_t chunk = (pos->gpa - pos->lo) / gran;

		if (wlc_should_stop(&ir->t, s))
			return -EINTR;
		if (pos->need) {
			r = wait_victim(ir, s, pos->need[chunk], end, pos->spin);
			if (r)	/* > 0: the slice ended first */
				return r < 0 ? r : 0;
		}
		r = convert_chunk(ir, s, p, pos->gpa, gran);
		if (r)
			return r;
		if (pos->need) {
			pos->need[chunk] = vcpu_passes(s, ir->ic->bystanders) + 2;
			ir->victim_chunks++;
		}
		pos->gpa += gran;
		if (pos->gpa >= pos->lo + s->region_bytes)
			pos->gpa = pos->lo;
	}
	return 0;
}

/* one baseline slice, then one converting slice, both counted */
static int bystander_slice(struct inval_run *ir, struct session *s, struct cell_result *p,
			   struct bystander_pos *pos, uint64_t slice_ns)
{
	uint64_t p0, p1, t0, t1;
	int r;

	p0 = bystander_passes(ir, s);
	t0 = now_ns();
	r = spin_until(ir, s, t0 + slice_ns);
	if (r)
		return r;
	p1 = bystander_passes(ir, s);
	t1 = now_ns();
	r = bystander_convert(ir, s, p, pos, t1 + slice_ns);
	if (r)
		return r;
	ir->base_passes += p1 - p0;
	ir->base_ns += t1 - t0;
	ir->conv_passes += bystander_passes(ir, s) - p1;
	ir->conv_ns += now_ns() - t1;
	return 0;
}

static int bystander_converter(struct inval_run *ir, struct session *s)
{
	unsigned int k = ir->ic->bystanders, i, sl;
	struct cell_result *p = &ir->t.parts[k + 1];
	uint64_t nr_chunks = s->region_bytes / ir->t.c->gran_bytes;
	struct bystander_pos pos = {
		.lo = session_region_gpa(s, k),
		.gpa = session_region_gpa(s, k),
		.spin = ir->t.cpus[k] >= 0 && ir->t.cpus[k] != ir->t.cpus[k + 1],
	};
	int r = 0;

	/* victim passes each chunk needs before its next conversion */
	if (ir->victim) {
		pos.need = calloc(nr_chunks ? nr_chunks : 1, sizeof(*pos.need));
		if (!pos.need) {
			r = -ENOMEM;
			goto out;
		}
		for (i = 0; i < nr_chunks; i++)
			pos.need[i] = 1;
	}
	/* measure only once every vCPU has mapped what it touches */
	for (i = 0; i < k + (ir->victim ? 1 : 0) && !r; i++)
		r = wait_mapped(ir, s, i);
	/*
	 * Alternate baseline and converting slices: load from outside this
	 * process (other tenants, other CPUs' work) then hits both sides
	 * alike instead of whichever phase it happened to coincide with.
	 */
	for (sl = 0; sl < ir->slices && !r; sl++)
		r = bystander_slice(ir, s, p, &pos, ir->phase_ns / ir->slices);
	if (!r)
		p->ctr.wall_ns = ir->conv_ns;
out:
	free(pos.need);
	session_stop_guests(s);
	if (r == -EINTR && !session_aborted(s))
		r = 0;	/* another thread failed: its error is the cell's */
	return r;
}

static int bystander_thread(struct session *s, unsigned int idx, void *arg)
{
	struct inval_run *ir = arg;
	unsigned int k = ir->ic->bystanders;

	if (idx < k)
		return touch_loop_vcpu(ir, s, idx, session_region_gpa(s, idx), ir->bystander_bytes);
	if (idx == k)
		return ir->victim ? touch_loop_vcpu(ir, s, idx, session_region_gpa(s, idx),
						    s->region_bytes) : 0;
	return bystander_converter(ir, s);
}

/*
 * Bystanders first, each on its own PU; the victim vCPU and the converter
 * on the PUs left over (shared if none is), so that the bystanders never
 * share a CPU with the conversions they are measured against.
 */
static void bystander_plan(const struct wl_ctx *c, unsigned int k, int *plan)
{
	int pus[64];
	unsigned int nd = 0, i, j;

	for (i = 0; c->cpu_plan && i < c->nr_plan && nd < 64; i++) {
		bool dup = false;

		if (c->cpu_plan[i] < 0)
			continue;
		for (j = 0; j < nd; j++)
			dup |= pus[j] == c->cpu_plan[i];
		if (!dup)
			pus[nd++] = c->cpu_plan[i];
	}
	for (i = 0; i < k + 2; i++)
		plan[i] = -1;
	if (!nd)
		return;
	for (i = 0; i < k; i++)
		plan[i] = pus[i % nd];
	if (nd > k) {
		plan[k] = pus[k];
		plan[k + 1] = pus[k + 1 < nd ? k + 1 : k];
	} else {
		plan[k] = pus[k % nd];
		plan[k + 1] = pus[k % nd];
	}
}

static void bystander_report(struct inval_run *ir, struct cell_result *r, const int *cpus)
{
	unsigned int k = ir->ic->bystanders;
	double pages = (double)(ir->bystander_bytes / GMB_PAGE_SIZE);
	double base = 0, conv = 0;

	if (ir->base_ns)
		base = (double)ir->base_passes * pages / (ir->base_ns / 1e9);
	if (ir->conv_ns)
		conv = (double)ir->conv_passes * pages / (ir->conv_ns / 1e9);
	cell_extra_set(r, "bystander_pages_per_s_baseline", base);
	cell_extra_set(r, "bystander_pages_per_s_convert", conv);
	cell_extra_set(r, "bystander_slowdown_pct", base > 0 ? (1 - conv / base) * 100 : 0);
	cell_extra_set(r, "bystander_vcpus", k);
	cell_extra_set(r, "bystander_cpu", cpus[0]);
	cell_extra_set(r, "victim_cpu", ir->victim ? cpus[k] : -1);
	cell_extra_set(r, "converter_cpu", cpus[k + 1]);
	/* the converter's wall time is the converting phase */
	r->ctr.wall_ns = ir->conv_ns;
	if (!ir->victim) {
		cell_set_status(r, CELL_OK,
				"victim=0: the converted region is never touched, so conversions have no guest mappings to invalidate (as asked)");
		return;
	}
	cell_extra_set(r, "victim_mapped_chunks_count", (double)ir->victim_chunks);
	cell_extra_set(r, "victim_wait_pct",
		       ir->conv_ns ? 100.0 * (double)ir->victim_wait_ns / (double)ir->conv_ns : 0);
	if (!ir->victim_chunks)
		cell_set_status(r, CELL_SKIPPED,
				"premise failed: the victim vCPU (CPU %d) never re-touched a chunk within a converting slice (converter on CPU %d), so no conversion had guest mappings to invalidate; raise -O phase_ms or give the victim a CPU of its own",
				cpus[k], cpus[k + 1]);
	else if (cpus[k] >= 0 && cpus[k] == cpus[k + 1])
		cell_set_status(r, CELL_OK,
				"victim vCPU and converter share CPU %d (too few CPUs for a CPU each): the converter waits for the victim to re-touch each chunk before converting it (victim_wait_pct of the converting phase), so every conversion had guest mappings to invalidate, at a lower conversion rate",
				cpus[k]);
}

/* ---- descriptor ---- */

static int inval_setup(struct wl_ctx *c, char *why, size_t whylen)
{
	struct inval_cell *ic;
	struct session_cfg sc;
	int i, r;

	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return -ENOMEM;
	for (i = 0; inval_parts[i]; i++)
		if (c->variant && !strcmp(c->variant, inval_parts[i]))
			break;
	if (!inval_parts[i]) {
		snprintf(why, whylen, "unknown part '%s' (accepted: counters, refault, bystander)",
			 c->variant ? c->variant : "");
		free(ic);
		return -EINVAL;
	}
	ic->part = (enum inval_part)i;
	if (ic->part == INVAL_COUNTERS) {
		char err[256];

		/* mounting tracefs is the one system change a root benchmark makes */
		r = perfcaps_mount_tracefs(err, sizeof(err));
		if (r) {
			snprintf(why, whylen, "tracefs unavailable for tracepoint counting: %s", err);
			free(ic);
			return -EOPNOTSUPP;
		}
	}
	wlc_session_cfg(c, CHANNEL_PIO, MF_POLICY_REENTER, &sc);
	if (ic->part == INVAL_BYSTANDER) {
		ic->bystanders = (unsigned int)wlc_opt_u64(c, "bystanders");
		sc.nr_vcpus = ic->bystanders + 1;
	}
	r = session_create(&c->sess, c->sys, &sc, why, whylen);
	if (r) {
		free(ic);
		return r;
	}
	c->priv = ic;
	return 0;
}

/* the threads of the cell's part: how many, and their body */
static unsigned int inval_threads(const struct inval_cell *ic, const struct session *s,
				  session_thread_fn *fn)
{
	switch (ic->part) {
	case INVAL_COUNTERS:
		*fn = counters_thread;
		return 2 * s->nr_vcpus;
	case INVAL_REFAULT:
		*fn = refault_thread;
		return s->nr_vcpus;
	default:
		*fn = bystander_thread;
		return ic->bystanders + 2;
	}
}

/*
 * The counters part's perf and trace counters, fresh per repetition so
 * that nothing carries over between them: 0, or -errno with r's status set
 * (skipped when the host has none).
 */
static int inval_counters_open(struct inval_run *ir, struct cell_result *r, bool *dtlb_ok)
{
	char why[256];
	int ret;

	ir->tc = calloc(1, sizeof(*ir->tc));
	if (!ir->tc)
		return -ENOMEM;
	ret = counters_open(ir->tc, dtlb_ok, why, sizeof(why));
	if (ret) {
		cell_set_status(r, ret == -EOPNOTSUPP ? CELL_SKIPPED : CELL_ERROR, "%s", why);
		free(ir->tc);
		ir->tc = NULL;
	}
	return ret;
}

/* after the threads (ret theirs, merged): the cell's status or the part's report */
static int inval_finish(struct inval_run *ir, struct cell_result *r, int ret, bool dtlb_ok,
			const int *cpus)
{
	if (!ret && ir->ic->part == INVAL_COUNTERS && ir->tc_err) {
		wlc_set_why(&ir->t, "perf counters: %s", strerror(-ir->tc_err));
		ret = ir->tc_err;
	}
	if (ret) {
		wlc_threads_status(&ir->t, r, ret);
		return ret;
	}
	if (ir->t.failed) {
		/* a thread gave up and the others stopped cleanly */
		cell_set_status(r, CELL_ERROR, "%s", ir->t.why);
		return -EIO;
	}
	switch (ir->ic->part) {
	case INVAL_COUNTERS:
		counters_report(ir, r, dtlb_ok);
		break;
	case INVAL_REFAULT:
		refault_report(r);
		break;
	case INVAL_BYSTANDER:
		bystander_report(ir, r, cpus);
		break;
	}
	return 0;
}

static int inval_run(struct wl_ctx *c, struct cell_result *r, int repetition)
{
	struct session *s = &c->sess;
	struct inval_cell *ic = c->priv;
	struct inval_run ir = {
		.ic = ic,
		.passes = wlc_passes(c, repetition),
		.pattern = (uint8_t)wlc_opt_u64(c, "pattern"),
		.host_touch = wlc_opt_u64(c, "host_touch") != 0,
		.remaining = (int)s->nr_vcpus,
		.victim = wlc_opt_u64(c, "victim") != 0,
		.phase_ns = wlc_opt_u64(c, "phase_ms") * 1000000ULL,
		.slices = (unsigned int)wlc_opt_u64(c, "slices") ?: 1,
		.bystander_bytes = wlc_opt_u64(c, "bystander_bytes") & ~(uint64_t)(GMB_PAGE_SIZE - 1),
	};
	session_thread_fn fn;
	unsigned int nr_threads = inval_threads(ic, s, &fn), i;
	int *cpus = NULL;
	bool dtlb_ok = false;
	int ret;

	ret = wlc_threads_init(&ir.t, c, nr_threads);
	if (ret)
		return ret;
	/* where each thread really ran: the bystander report names the CPUs */
	cpus = calloc(nr_threads, sizeof(*cpus));
	if (!cpus) {
		ret = -ENOMEM;
		goto out;
	}
	ir.t.thread_cpu = cpus;
	if (ic->part == INVAL_BYSTANDER)
		bystander_plan(c, ic->bystanders, ir.t.cpus);
	if (ic->part == INVAL_COUNTERS) {
		ret = inval_counters_open(&ir, r, &dtlb_ok);
		if (ret)
			goto out;
	}
	/*
	 * Pass counts survive from the previous repetition until a vCPU thread
	 * sets up its mailbox: clear them first, or a converter could take a
	 * stale count for "mapped" and for its first reading.
	 */
	for (i = 0; i < s->nr_vcpus; i++)
		mb_reset_progress(s->vcpus[i].mailbox);
	ret = wlc_threads_exec(&ir.t, fn, &ir);
	ret = wlc_threads_merge(&ir.t, r, ret);
	ret = inval_finish(&ir, r, ret, dtlb_ok, cpus);
out:
	if (ir.tc) {
		tracecount_close(ir.tc);
		free(ir.tc);
	}
	wlc_threads_fini(&ir.t);
	free(cpus);
	return ret;
}

WL_DEFINE(invalidation, inval, .axes = WL_AXIS_BACKEND | WL_AXIS_GRAN,
	  .variant_opt = "part", .metrics = inval_metrics, .teardown = wlc_teardown,
	  .summary = "invalidation cost of conversions: kernel event counts, refault after a conversion, bystander vCPU slowdown");
