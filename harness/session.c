// SPDX-License-Identifier: GPL-2.0
/*
 * Session setup/teardown and the supervised thread runner.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/hostinfo.h"
#include "harness/session.h"

#define SZ_2M	(2ULL << 20)

/* KVM_EXIT_MEMORY_FAULT: what we hold for the range decides (memfault.h) */
static int session_memory_fault(struct vcpu *v, uint64_t flags, uint64_t gpa,
				uint64_t size, char *why, size_t whylen)
{
	struct session *s = v->mf_arg;
	uint64_t gen = 0;
	int attr = conv_attrs_get(&s->mem, gpa, size ? size : GMB_PAGE_SIZE, &gen);

	return mf_decide(&v->mf_rep, s->mf_policy, attr, gen, flags, gpa, size, why, whylen);
}

/* the host side of a report: the conversion in flight on the data region */
static void session_vcpu_context(struct vcpu *v, char *buf, size_t len)
{
	struct session *s = v->context_arg;

	conv_attrs_describe(&s->mem, buf, len);
}

bool session_state_lost(const struct session *s)
{
	unsigned int i;

	for (i = 0; s->vcpus && i < s->nr_vcpus; i++)
		if (__atomic_load_n(&s->vcpus[i].state_lost, __ATOMIC_SEQ_CST))
			return true;
	return false;
}

void session_stop_guests(struct session *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_vcpus; i++)
		mb_set_stop(s->vcpus[i].mailbox);
}

void session_memory_faults(const struct session *s, uint64_t *to_private,
			   uint64_t *to_shared)
{
	unsigned int i;

	*to_private = *to_shared = 0;
	for (i = 0; s->vcpus && i < s->nr_vcpus; i++) {
		*to_private += __atomic_load_n(&s->vcpus[i].mf_exits_private, __ATOMIC_RELAXED);
		*to_shared += __atomic_load_n(&s->vcpus[i].mf_exits_shared, __ATOMIC_RELAXED);
	}
}

int session_create(struct session *s, const struct kvm_sys *sys,
		   const struct session_cfg *cfg, char *why, size_t whylen)
{
	uint64_t data_bytes;
	unsigned int i;
	int r;

	memset(s, 0, sizeof(*s));
	s->sys = sys;
	s->be = cfg->backend;
	s->nr_vcpus = cfg->nr_vcpus;
	s->region_bytes = cfg->region_bytes;
	s->region_stride = (cfg->region_bytes + SZ_2M - 1) & ~(SZ_2M - 1);
	s->channel = cfg->channel;
	s->policy = cfg->policy;
	s->mf_policy = cfg->mf_policy;
	s->vm.fd = -1;
	conv_mem_init(&s->mem, SESSION_DATA_SLOT, GMB_DATA_GPA, 0);
	if (!cfg->nr_vcpus || cfg->nr_vcpus > GMB_MAX_VCPUS) {
		snprintf(why, whylen, "vcpus %u out of range 1..%u", cfg->nr_vcpus, GMB_MAX_VCPUS);
		return -EINVAL;
	}
	data_bytes = s->region_stride * cfg->nr_vcpus;
	s->mem.bytes = data_bytes;

	r = vcpu_install_kick_handler();
	if (r)
		return r;
	r = vm_create(&s->vm, sys, cfg->vm_type);
	if (r) {
		snprintf(why, whylen, "KVM_CREATE_VM(type %lu): %s", cfg->vm_type, strerror(-r));
		return r;
	}
	r = vm_setup_system(&s->vm, GMB_DATA_GPA + data_bytes);
	if (r) {
		snprintf(why, whylen, "guest system memory (page tables for %llu bytes): %s",
			 (unsigned long long)data_bytes, strerror(-r));
		goto fail;
	}
	if (cfg->channel == CHANNEL_HYPERCALL) {
		r = vm_enable_hypercall_exit(&s->vm);
		if (r) {
			snprintf(why, whylen, "KVM_ENABLE_CAP(EXIT_HYPERCALL): %s", strerror(-r));
			goto fail;
		}
	}
	r = s->be->setup(&s->vm, &s->mem);
	if (r) {
		snprintf(why, whylen, "%s backend: data region of %llu bytes: %s",
			 s->be->name, (unsigned long long)data_bytes, strerror(-r));
		goto fail;
	}
	s->vcpus = calloc(cfg->nr_vcpus, sizeof(*s->vcpus));
	if (!s->vcpus) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < cfg->nr_vcpus; i++)
		s->vcpus[i].fd = -1;
	for (i = 0; i < cfg->nr_vcpus; i++) {
		r = vcpu_create(&s->vm, i, &s->vcpus[i]);
		if (r) {
			snprintf(why, whylen, "KVM_CREATE_VCPU %u: %s", i, strerror(-r));
			goto fail;
		}
		s->vcpus[i].on_memory_fault = session_memory_fault;
		s->vcpus[i].mf_arg = s;
		s->vcpus[i].context = session_vcpu_context;
		s->vcpus[i].context_arg = s;
	}
	return 0;
fail:
	session_destroy(s);
	return r;
}

void session_destroy(struct session *s)
{
	unsigned int i;

	/* a thread stuck in the kernel may still use all of it: leave it */
	if (s->wedged)
		return;
	if (s->vcpus) {
		for (i = 0; i < s->nr_vcpus; i++)
			if (s->vcpus[i].fd >= 0)
				vcpu_destroy(&s->vcpus[i]);
		free(s->vcpus);
		s->vcpus = NULL;
	}
	/* the VM holds references on the memslot backing: close it last */
	if (s->be)
		s->be->teardown(&s->mem);
	if (s->vm.fd >= 0)
		vm_destroy(&s->vm);
}

void *session_data_hva(const struct session *s, uint64_t gpa)
{
	char *base = s->mem.gmem_map ? s->mem.gmem_map : s->mem.shared_map;

	if (!base || gpa < s->mem.gpa || gpa >= s->mem.gpa + s->mem.bytes)
		return NULL;
	return base + (gpa - s->mem.gpa);
}

/* start gate: threads wait for all to exist, then go (or abort) together */
struct start_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;		/* 0 wait, 1 go, -1 abort */
};

struct thread_slot {
	struct session *s;
	const struct session_threads *t;	/* valid until the gate opens */
	struct start_gate *gate;		/* the same */
	int *ret;				/* &t->thread_ret[idx] or NULL */
	unsigned int idx;
	pthread_t tid;
	int ktid;				/* kernel thread id, for /proc */
	int done;
	int abandoned;				/* wedged: the supervisor left */
};

static void *thread_main(void *arg)
{
	struct thread_slot *ts = arg;
	const struct session_threads *t = ts->t;
	session_thread_fn fn = t->fn;
	void *fn_arg = t->arg;
	int state, r;

	__atomic_store_n(&ts->ktid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	if (t->topo && t->cpu_plan)
		(void)topology_bind_thread(t->topo, t->cpu_plan[ts->idx]);
	pthread_mutex_lock(&ts->gate->lock);
	while (!ts->gate->state)
		pthread_cond_wait(&ts->gate->cond, &ts->gate->lock);
	state = ts->gate->state;
	pthread_mutex_unlock(&ts->gate->lock);
	if (state > 0) {
		if (t->thread_cpu)
			t->thread_cpu[ts->idx] = topology_current_cpu();
		r = fn(ts->s, ts->idx, fn_arg);
	} else {
		r = -ECANCELED;
	}
	/* after a wedge nothing of the caller's may be touched any more */
	if (ts->ret && !__atomic_load_n(&ts->abandoned, __ATOMIC_ACQUIRE))
		*ts->ret = r;
	__atomic_store_n(&ts->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void gate_open(struct start_gate *g, int state)
{
	pthread_mutex_lock(&g->lock);
	g->state = state;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * What a thread that does not return is doing in the kernel: state,
 * wchan, syscall (number and first args) and the top of its kernel stack
 * (root only), from /proc/self/task/<tid>.
 */
static void describe_stuck_thread(const struct session *s, const struct thread_slot *ts,
				  char *buf, size_t len)
{
	char path[64], stat[256], wchan[64], sc[128], stack[512], frames[160] = "";
	const char *st = "?", *p;
	int tid = __atomic_load_n(&ts->ktid, __ATOMIC_ACQUIRE);
	size_t n = 0;
	int lines = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	hostinfo_read_sysfs_str(path, stat, sizeof(stat));
	p = strrchr(stat, ')');
	if (p && p[1] == ' ')
		st = p + 2;
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	hostinfo_read_sysfs_str(path, wchan, sizeof(wchan));
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	hostinfo_read_sysfs_str(path, sc, sizeof(sc));
	/* three frames of the kernel stack, if we may read it */
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	{
		char *line, *save = NULL;

		hostinfo_read_sysfs_str(path, stack, sizeof(stack));
		for (line = strtok_r(stack, "\n", &save); line && lines < 3;
		     line = strtok_r(NULL, "\n", &save), lines++) {
			char *sym = strchr(line, ']');

			sym = sym ? sym + 2 : line;
			n += (size_t)snprintf(frames + n, n < sizeof(frames) ? sizeof(frames) - n : 0,
					      "%s%.*s", lines ? " < " : "", (int)strcspn(sym, "+"), sym);
		}
	}
	snprintf(buf, len, "%s %u (tid %d) state %.1s wchan %s syscall %.40s%s%s",
		 ts->idx < s->nr_vcpus ? "vCPU thread" : "harness thread",
		 ts->idx < s->nr_vcpus ? ts->idx : ts->idx - s->nr_vcpus, tid, st,
		 wchan[0] ? wchan : "?", sc[0] ? sc : "?", frames[0] ? ", kernel stack " : "", frames);
}

static void diag_append(const struct session_threads *t, const char *what)
{
	size_t n;

	if (!t->diag || !t->diag_len)
		return;
	n = strlen(t->diag);
	if (n + 1 < t->diag_len)
		snprintf(t->diag + n, t->diag_len - n, "%s%s", n ? "; " : "", what);
}

/* per vCPU, for the watchdog */
struct vcpu_watch {
	uint64_t exits;
	uint64_t heartbeat;
	uint64_t since_ns;	/* last progress seen */
	uint64_t kicked_ns;	/* watchdog kick sent (0: none) */
};

/*
 * The progress watchdog: a vCPU inside KVM_RUN with the same exit count
 * and guest heartbeat for t->stall_ns is kicked; its thread reports
 * -ETIME. Returns true when a kicked vCPU has not left KVM_RUN within the
 * grace period: it is stuck in the kernel.
 */
static bool watch_vcpus(struct session *s, const struct session_threads *t,
			struct thread_slot *slots, unsigned int nr, struct vcpu_watch *w,
			uint64_t now, uint64_t grace_ns)
{
	unsigned int i;
	bool stuck = false;

	for (i = 0; i < nr && i < s->nr_vcpus; i++) {
		struct vcpu *v = &s->vcpus[i];
		uint64_t ex = __atomic_load_n(&v->nr_exits, __ATOMIC_RELAXED);
		uint64_t hb = mb_heartbeat(v->mailbox);

		if (__atomic_load_n(&slots[i].done, __ATOMIC_ACQUIRE))
			continue;
		if (ex != w[i].exits || hb != w[i].heartbeat ||
		    !__atomic_load_n(&v->in_run, __ATOMIC_ACQUIRE)) {
			w[i].exits = ex;
			w[i].heartbeat = hb;
			w[i].since_ns = now;
			w[i].kicked_ns = 0;
			continue;
		}
		if (!t->stall_ns || now - w[i].since_ns < t->stall_ns)
			continue;
		if (!w[i].kicked_ns) {
			__atomic_store_n(&v->stall_ns, now - w[i].since_ns, __ATOMIC_SEQ_CST);
			w[i].kicked_ns = now;
		} else if (now - w[i].kicked_ns > grace_ns) {
			stuck = true;
		}
		/* again until it is out: a kick may land before KVM_RUN */
		vcpu_kick_for(v, slots[i].tid, VCPU_KICK_STALL);
	}
	return stuck;
}

/* one session_run_threads call, as its supervisor sees it */
struct supervisor {
	struct session *s;
	const struct session_threads *t;
	struct thread_slot *slots;
	struct vcpu_watch *watch;
	unsigned int nr_started;
	uint64_t grace_ns;
};

static bool slot_done(const struct thread_slot *ts)
{
	return __atomic_load_n(&ts->done, __ATOMIC_ACQUIRE);
}

/* a run starts with no stop asked for and no state left from the last one */
static void reset_for_run(struct session *s, const struct session_threads *t)
{
	unsigned int i;

	if (t->diag && t->diag_len)
		t->diag[0] = 0;
	__atomic_store_n(&s->abort, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < s->nr_vcpus; i++) {
		__atomic_store_n(&s->vcpus[i].run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->vcpus[i].kick_why, VCPU_KICK_STOP, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->vcpus[i].state_lost, 0, __ATOMIC_SEQ_CST);
		s->vcpus[i].kick_report[0] = 0;
	}
}

/* create the threads, which wait at the gate; -errno when one could not be */
static int start_threads(struct supervisor *sv, struct start_gate *gate)
{
	const struct session_threads *t = sv->t;
	unsigned int i;
	int r;

	for (i = 0; i < t->nr_threads; i++) {
		sv->slots[i].s = sv->s;
		sv->slots[i].t = t;
		sv->slots[i].gate = gate;
		sv->slots[i].idx = i;
		sv->slots[i].ret = t->thread_ret ? &t->thread_ret[i] : NULL;
		r = pthread_create(&sv->slots[i].tid, NULL, thread_main, &sv->slots[i]);
		if (r)
			return -r;
		sv->nr_started++;
	}
	return 0;
}

static bool all_done(const struct supervisor *sv)
{
	unsigned int i;

	for (i = 0; i < sv->nr_started; i++)
		if (!slot_done(&sv->slots[i]))
			return false;
	return true;
}

/*
 * Describe the unfinished threads from index @from on in t->diag; with
 * @abandon, also mark them left to themselves (wedged).
 */
static void describe_unfinished(struct supervisor *sv, unsigned int from,
				bool abandon)
{
	char line[640];
	unsigned int i;

	for (i = from; i < sv->nr_started; i++) {
		if (slot_done(&sv->slots[i]))
			continue;
		describe_stuck_thread(sv->s, &sv->slots[i], line, sizeof(line));
		diag_append(sv->t, line);
		if (abandon)
			__atomic_store_n(&sv->slots[i].abandoned, 1, __ATOMIC_RELEASE);
	}
}

/* why the threads must stop now (-EINTR, -ETIMEDOUT, -ETIME), or 0 */
static int stop_reason(struct supervisor *sv, uint64_t start, uint64_t now)
{
	const struct session_threads *t = sv->t;

	if (t->stop && *t->stop)
		return -EINTR;
	if (t->timeout_ns && now - start > t->timeout_ns)
		return -ETIMEDOUT;
	if (watch_vcpus(sv->s, t, sv->slots, sv->nr_started, sv->watch, now,
			sv->grace_ns))
		return -ETIME;
	return 0;
}

/* keep kicking: a kick may land before KVM_RUN is entered */
static void kick_unfinished_vcpus(struct supervisor *sv)
{
	unsigned int i;

	for (i = 0; i < sv->s->nr_vcpus && i < sv->nr_started; i++)
		if (!slot_done(&sv->slots[i]))
			vcpu_kick(&sv->s->vcpus[i], sv->slots[i].tid);
}

/*
 * Wait for every thread to return, stopping them all on *t->stop, the
 * timeout or a stalled vCPU. @ret is the start's result (nonzero: nothing
 * to supervise). Sets *wedged when the stop was not honoured in time.
 */
static int supervise(struct supervisor *sv, int ret, bool *wedged)
{
	struct session *s = sv->s;
	uint64_t start = now_ns(), now, stop_ns = 0;
	bool stopping = false;
	unsigned int i;

	for (i = 0; i < s->nr_vcpus; i++)
		sv->watch[i].since_ns = start;
	while (!ret || stopping) {
		if (all_done(sv))
			break;
		now = now_ns();
		if (!stopping) {
			ret = stop_reason(sv, start, now);
			if (ret) {
				stopping = true;
				stop_ns = now;
				/* harness threads as the stop found them (vCPUs report when kicked) */
				if (ret != -EINTR)
					describe_unfinished(sv, s->nr_vcpus, false);
				__atomic_store_n(&s->abort, 1, __ATOMIC_SEQ_CST);
			}
		}
		if (stopping && now - stop_ns > sv->grace_ns) {
			/* the stop was not honoured: say who hangs where, and leave them */
			describe_unfinished(sv, 0, true);
			*wedged = true;
			break;
		}
		if (stopping)
			kick_unfinished_vcpus(sv);
		sleep_ms(stopping ? 5 : 10);
	}
	return ret;
}

/* threads still running keep their slots: never freed */
static void leave_wedged(struct supervisor *sv)
{
	unsigned int i;

	__atomic_store_n(&sv->s->wedged, 1, __ATOMIC_SEQ_CST);
	sv->s->wedged_slots = sv->slots;
	for (i = 0; i < sv->nr_started; i++)
		if (!__atomic_load_n(&sv->slots[i].abandoned, __ATOMIC_ACQUIRE))
			pthread_join(sv->slots[i].tid, NULL);
		else
			pthread_detach(sv->slots[i].tid);
}

/* join every thread; the result is @ret or else the first thread's error */
static int join_threads(struct supervisor *sv, int ret)
{
	struct session *s = sv->s;
	const struct session_threads *t = sv->t;
	char line[640];
	unsigned int i;

	for (i = 0; i < sv->nr_started; i++)
		pthread_join(sv->slots[i].tid, NULL);
	for (i = 0; i < s->nr_vcpus; i++)
		__atomic_store_n(&s->vcpus[i].run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	/* where each vCPU was when the timeout or the stop kicked it */
	if (ret == -ETIMEDOUT || ret == -EINTR)
		for (i = 0; i < s->nr_vcpus && i < sv->nr_started; i++) {
			if (!s->vcpus[i].kick_report[0])
				continue;
			snprintf(line, sizeof(line), "vCPU %u %s", i, s->vcpus[i].kick_report);
			diag_append(t, line);
		}
	if (!ret && t->thread_ret)
		for (i = 0; i < t->nr_threads; i++)
			if (t->thread_ret[i] && t->thread_ret[i] != -EINTR)
				return t->thread_ret[i];
	return ret;
}

int session_run_threads(struct session *s, const struct session_threads *t)
{
	struct start_gate gate = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct supervisor sv = {
		.s = s,
		.t = t,
		.grace_ns = t->grace_ns ? t->grace_ns : SESSION_GRACE_NS,
	};
	bool wedged = false;
	int ret;

	if (t->nr_threads < s->nr_vcpus)
		return -EINVAL;
	sv.slots = calloc(t->nr_threads, sizeof(*sv.slots));
	sv.watch = calloc(s->nr_vcpus ? s->nr_vcpus : 1, sizeof(*sv.watch));
	if (!sv.slots || !sv.watch) {
		free(sv.slots);
		free(sv.watch);
		return -ENOMEM;
	}
	reset_for_run(s, t);
	ret = start_threads(&sv, &gate);
	/* thread creation takes mmap_lock: start measuring only once all exist */
	gate_open(&gate, ret ? -1 : 1);
	ret = supervise(&sv, ret, &wedged);
	free(sv.watch);
	if (wedged) {
		leave_wedged(&sv);
		return ret;
	}
	ret = join_threads(&sv, ret);
	free(sv.slots);
	return ret;
}
