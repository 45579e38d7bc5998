/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the conversion workloads (granularity, layouts,
 * pinned, invalidation, contention, bounce, footprint): per-thread partial
 * results merged into the cell, the first error as the cell's reason,
 * conversion bookkeeping, and extra guest_memfd-backed memslots beyond the
 * session's data region.
 */
#ifndef GMB_WL_CONV_UTIL_H
#define GMB_WL_CONV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/result.h"
#include "harness/backend.h"
#include "harness/convert.h"
#include "harness/session.h"
#include "workloads/workload.h"

/* the threads of one repetition: vCPU threads first, then harness threads */
struct wlc_threads {
	struct wl_ctx *c;
	unsigned int nr_threads;
	struct cell_result *parts;	/* one per thread, merged by wlc_threads_run */
	int *cpus;			/* PU per thread, built from c->cpu_plan */
	int *rets;
	int *thread_cpu;		/* optional out, the caller's: CPU each thread ran on */
	int failed;			/* wlc_set_why was called: waiting threads give up */
	char why[512];			/* first error, becomes the cell's reason */
	char diag[512];			/* the supervisor's: where threads were at a timeout */
	uint64_t mf_before[2];		/* memory-fault exits before exec: private, shared */
};

/*
 * cpus[] is the runner's plan (vCPUs, then harness threads round-robin on
 * the converter PUs); a caller with a placement of its own overwrites it
 * after init.
 */
int wlc_threads_init(struct wlc_threads *t, struct wl_ctx *c, unsigned int nr_threads);
/*
 * Run fn on every thread (arg is handed through), merge the parts into r,
 * set r's status from the outcome (interrupted, timeout, error + why) and
 * free the parts. Returns 0 or -errno.
 */
int wlc_threads_run(struct wlc_threads *t, session_thread_fn fn, void *arg,
		    struct cell_result *r);
/*
 * wlc_threads_run in steps, for workloads that act between them (sample
 * after the threads, turn a late error into the cell's): exec runs the
 * threads and returns session_run_threads' result; merge folds the parts
 * into r, adds the vCPUs' KVM_EXIT_MEMORY_FAULT exits during exec
 * (memory_fault_to_private_count, memory_fault_to_shared_count) on VMs
 * with private memory, and returns ret (a failure to record is kept in
 * r->rec_err, which cell_run turns into an error); status sets r's
 * status for a non-zero ret.
 * wlc_threads_fini still frees (nothing once the session is wedged: a
 * stuck thread may still write its part).
 */
int wlc_threads_exec(struct wlc_threads *t, session_thread_fn fn, void *arg);
/*
 * What is left of the cell's --timeout for this repetition's threads
 * (at least 1 ns once spent); 0 = no timeout.
 */
uint64_t wlc_timeout_ns(const struct wl_ctx *c);
int wlc_threads_merge(struct wlc_threads *t, struct cell_result *r, int ret);
void wlc_threads_status(const struct wlc_threads *t, struct cell_result *r, int ret);
/* release what wlc_threads_init allocated (wlc_threads_run does it too) */
void wlc_threads_fini(struct wlc_threads *t);

/*
 * Start guest command cmd on v: registers back at the guest's entry, the
 * mailbox filled (vcpu_mailbox_setup). The next KVM_RUN runs it. -errno.
 */
int wlc_guest_start(struct vcpu *v, unsigned int cmd, uint64_t gpa, uint64_t bytes,
		    uint64_t step, uint64_t passes, uint8_t pattern,
		    enum guest_channel channel);

/*
 * Wait until the guest command on v is done (its REQ_DONE request, kept in
 * req). Any other request is -EPROTO, a failure -errno, both with the
 * reason in t->why named by what; -EINTR (stopped) leaves no reason.
 */
int wlc_guest_done(struct wlc_threads *t, struct vcpu *v, struct guest_req *req,
		   const char *what);

/*
 * A converter thread of a cell whose guests touch memory until told to
 * stop is done (r its result): the last one (*remaining reaches 0), or
 * one that failed, stops the guests.
 */
static inline void wlc_converter_done(struct session *s, int *remaining, int r)
{
	if (__atomic_sub_fetch(remaining, 1, __ATOMIC_SEQ_CST) == 0 || r)
		session_stop_guests(s);
}

/* stopped (signal, timeout), or another thread failed: its error is the cell's */
static inline bool wlc_should_stop(const struct wlc_threads *t, const struct session *s)
{
	return session_aborted(s) || __atomic_load_n(&t->failed, __ATOMIC_SEQ_CST);
}

/* record an error for the cell (the first one wins) and set t->failed */
void wlc_set_why(struct wlc_threads *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Account one successful conversion in p: convert_ns, to_private_ns or
 * to_shared_ns, attr_ioctl_ns / punch_ns / retry_wait_ns / retry_to_success_ns
 * when the conversion had them (the core's phases), and the fixed counters.
 */
void wlc_record_conversion(struct cell_result *p, bool to_private,
			   uint64_t bytes, const struct conv_result *cr);
/*
 * The same without retry_to_success_ns, eagain_total and retries_total:
 * for callers that account EAGAIN across conversions they issue again.
 */
void wlc_record_conversion_times(struct cell_result *p, bool to_private,
				 uint64_t bytes, const struct conv_result *cr);

/*
 * The one place workloads convert: m through s's backend and retry
 * policy (conv_convert, which fills cr). Nothing recorded, no reason
 * kept: for callers that account the result themselves (untimed setup,
 * re-issue on EAGAIN).
 */
int wlc_convert_raw(struct session *s, struct conv_mem *m, uint64_t gpa, uint64_t bytes,
		    bool to_private, struct conv_result *cr);

/* one timed conversion recorded in p; -errno with the reason in t->why */
int wlc_convert(struct wlc_threads *t, struct session *s, struct conv_mem *m,
		struct cell_result *p, uint64_t gpa, uint64_t bytes, bool to_private);

/*
 * Every backing file of m behind [gpa, gpa + bytes) punched: the guest_memfd
 * and, for two-backing memory (dual), the shared memfd too. Leaves no page
 * allocated in the range, whatever the backend.
 */
int wlc_punch_all(struct conv_mem *m, uint64_t gpa, uint64_t bytes);

/*
 * Pages of [gpa, gpa + bytes) present in the page cache of the file that
 * backs m's host mapping (the guest_memfd for discard/inplace, the shared
 * memfd for dual), counted with mincore(2). st_blocks is not maintained for
 * guest_memfd (always 0 on 6.18), so fstat cannot answer this. vec must
 * hold bytes / GMB_PAGE_SIZE entries. -errno, or -ENODEV without a mapping.
 */
long wlc_resident_pages(const struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			unsigned char *vec);

/* host view of gpa in m (guest_memfd mapping, else the shared memfd), or NULL */
void *wlc_mem_hva(const struct conv_mem *m, uint64_t gpa);

/*
 * An extra data memslot (slot SESSION_DATA_SLOT + 1 + idx) of bytes, backed
 * by the session's backend, placed above the session's data region at a
 * 2 MiB-aligned GPA. The guest page tables may not cover it: host-side
 * conversions only. Destroy it before session_destroy.
 */
int wlc_extra_mem_create(struct session *s, unsigned int idx, uint64_t bytes,
			 struct conv_mem *m, char *why, size_t whylen);
void wlc_extra_mem_destroy(struct session *s, struct conv_mem *m);

/*
 * The cell's session: c's backend and VM type, the run's vCPUs, region
 * and retry policy, with the request channel and the policy for
 * KVM_EXIT_MEMORY_FAULT the workload runs under. wlc_session_cfg fills
 * sc for a workload that changes more (a larger region) before
 * session_create.
 */
void wlc_session_cfg(const struct wl_ctx *c, enum guest_channel channel,
		     enum mf_policy mf_policy, struct session_cfg *sc);
int wlc_session_create(struct wl_ctx *c, enum guest_channel channel,
		       enum mf_policy mf_policy, char *why, size_t whylen);

/*
 * Passes of repetition rep: --warmup for the warm-up (-1), UINT_MAX in
 * fixed-duration mode (the workload stops at the deadline), else
 * --iterations.
 */
unsigned int wlc_passes(const struct wl_ctx *c, int rep);

/* the value of a SIZE/UINT workload option (user's -O or the default) */
uint64_t wlc_opt_u64(const struct wl_ctx *c, const char *name);

/* the guest's write pattern, an option of every workload that runs the guest */
#define WLC_OPT_PATTERN							\
	{ .name = "pattern", .type = WL_OPT_UINT, .def = "165", .min = 0, .max = 255, \
	  .help = "byte value the guest writes on every touch" }

/*
 * The common teardown: the session and a plain-malloc'd c->priv (NULL is
 * fine). Workloads with more state write their own.
 */
void wlc_teardown(struct wl_ctx *c);

#endif /* GMB_WL_CONV_UTIL_H */
