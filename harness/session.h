/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session: one VM of the type a backend needs, N vCPUs in long mode, and
 * one data region per vCPU backed the way the backend dictates. Plus the
 * thread runner every workload uses: one thread per vCPU (and optional
 * harness threads), placed on CPUs, supervised for stop and timeout.
 */
#ifndef GMB_SESSION_H
#define GMB_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/backend.h"
#include "harness/memfault.h"
#include "harness/topology.h"
#include "harness/vcpu.h"

#define SESSION_DATA_SLOT	1

struct session {
	const struct kvm_sys *sys;
	const struct conv_backend *be;
	struct vm vm;
	struct conv_mem mem;
	unsigned int nr_vcpus;
	struct vcpu *vcpus;
	uint64_t region_bytes;		/* per vCPU */
	uint64_t region_stride;		/* GPA distance between regions */
	enum guest_channel channel;
	struct conv_policy policy;
	enum mf_policy mf_policy;	/* KVM_EXIT_MEMORY_FAULT that disagrees with us */
	int abort;			/* set by the supervisor: stop now */
	/*
	 * Set when threads stayed stuck (in the kernel) after the stop: they
	 * may still use the session, so session_destroy leaves it allocated
	 * and the run must stop.
	 */
	int wedged;
	void *wedged_slots;		/* the stuck threads' state, kept */
};

struct session_cfg {
	const struct conv_backend *backend;
	unsigned long vm_type;
	unsigned int nr_vcpus;
	uint64_t region_bytes;
	enum guest_channel channel;
	struct conv_policy policy;
	enum mf_policy mf_policy;	/* 0: re-enter (host-driven) */
};

/*
 * A vCPU of the last session_run_threads lost its state to the platform
 * (struct vcpu, state_lost): the runner retries such a repetition once.
 */
bool session_state_lost(const struct session *s);

/*
 * Ask every vCPU's guest loop to stop (its mailbox's stop word): the
 * thread that finishes last, or fails, ends the guests' touch loops.
 */
void session_stop_guests(struct session *s);

/* KVM_EXIT_MEMORY_FAULT exits of every vCPU so far, by the direction asked */
void session_memory_faults(const struct session *s, uint64_t *to_private,
			   uint64_t *to_shared);

int session_create(struct session *s, const struct kvm_sys *sys,
		   const struct session_cfg *cfg, char *why, size_t whylen);
void session_destroy(struct session *s);

static inline uint64_t session_region_gpa(const struct session *s, unsigned int i)
{
	return s->mem.gpa + (uint64_t)i * s->region_stride;
}

/* host view of a guest-physical address in the data region, or NULL */
void *session_data_hva(const struct session *s, uint64_t gpa);

static inline bool session_aborted(const struct session *s)
{
	return __atomic_load_n(&s->abort, __ATOMIC_RELAXED);
}

/* a thread body: idx < nr_vcpus are vCPU threads, the rest harness threads */
typedef int (*session_thread_fn)(struct session *s, unsigned int idx, void *arg);

struct session_threads {
	unsigned int nr_threads;	/* >= nr_vcpus */
	session_thread_fn fn;
	void *arg;
	const struct topology *topo;	/* NULL: no placement */
	const int *cpu_plan;		/* PU per thread, -1 = unpinned */
	uint64_t timeout_ns;		/* 0 = none */
	/*
	 * Progress watchdog (0 = off): a vCPU inside KVM_RUN whose exit count
	 * and guest heartbeat stay unchanged this long is kicked out and its
	 * thread returns -ETIME with its registers in the reason.
	 */
	uint64_t stall_ns;
	uint64_t grace_ns;		/* stop -> wedged; 0 = SESSION_GRACE_NS */
	/* out (optional): what the threads were doing when the timeout or a stop hit */
	char *diag;
	size_t diag_len;
	volatile sig_atomic_t *stop;	/* external stop request (SIGINT) */
	int *thread_ret;		/* out: per-thread return values */
	int *thread_cpu;		/* out: CPU each thread ran on */
};

/*
 * Start the threads behind a barrier (so thread creation does not perturb
 * the first measurements), supervise them, join them. On *stop or timeout
 * sets s->abort and kicks every vCPU out of KVM_RUN until all threads have
 * returned; threads still running the grace period later are described in
 * t->diag (kernel state, wchan, syscall, stack), left alone and the
 * session marked wedged. Returns 0, -EINTR (stopped), -ETIMEDOUT, or a
 * thread's error.
 */
#define SESSION_GRACE_NS	(10ULL * 1000000000ULL)

int session_run_threads(struct session *s, const struct session_threads *t);

#endif /* GMB_SESSION_H */
