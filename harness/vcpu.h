/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs in 64-bit long mode running the built-in guest program, and the
 * guest request protocol (port I/O or KVM_HC_MAP_GPA_RANGE exits).
 */
#ifndef GMB_VCPU_H
#define GMB_VCPU_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/guest_mailbox.h"
#include "harness/kvm.h"
#include "harness/memfault.h"

/* the signal used to kick a vCPU out of KVM_RUN (no-op handler) */
#define GMB_KICK_SIGNAL	SIGUSR1

struct vcpu;

/*
 * KVM_EXIT_MEMORY_FAULT handler: 0 re-enters the guest; -errno gives up
 * with a phrase in why (vcpu_next_request prefixes KVM's fields).
 */
typedef int (*vcpu_mf_fn)(struct vcpu *v, uint64_t flags, uint64_t gpa, uint64_t size,
			  char *why, size_t whylen);
/* appends what the harness was doing (e.g. a conversion in flight) to reports */
typedef void (*vcpu_context_fn)(struct vcpu *v, char *buf, size_t len);

/* why a vCPU was kicked out of KVM_RUN (vcpu_kick_for) */
enum vcpu_kick_why {
	VCPU_KICK_STOP = 0,	/* stop or timeout: -EINTR, registers kept in kick_report */
	VCPU_KICK_STALL = 1,	/* watchdog: no progress; -ETIME with the registers */
};

struct vcpu {
	int fd;
	unsigned int id;
	struct vm *vm;
	struct kvm_run *run;
	struct guest_mailbox *mailbox;	/* host view: guest_mailbox.h accessors only */
	uint64_t last_run_ns;	/* duration of the last KVM_RUN that exited */
	uint64_t nr_exits;	/* atomic: read by the watchdog */
	/* progress, for the watchdog (atomics) */
	int in_run;		/* inside KVM_RUN */
	int kick_why;		/* enum vcpu_kick_why of the pending kick */
	uint64_t stall_ns;	/* the watchdog's no-progress time when it kicked */
	char kick_report[512];	/* registers etc. after a stop kick, "" if none */
	/*
	 * Set when a report found the vCPU outside the guest program or with
	 * another cr3, or triple-faulted over intact descriptor tables: its
	 * state was replaced under it (README, known issues), not gmembench's
	 * doing. Cleared by session_run_threads.
	 */
	int state_lost;
	/* KVM_EXIT_MEMORY_FAULT */
	vcpu_mf_fn on_memory_fault;	/* NULL: every such exit is an error */
	void *mf_arg;
	struct mf_repeat mf_rep;
	uint64_t mf_exits_private;	/* exits whose flags ask for private */
	uint64_t mf_exits_shared;	/* ... for shared */
	vcpu_context_fn context;	/* optional */
	void *context_arg;
};

/* the guest's MB_REQ_OP codes (harness/guest_abi.h), typed */
enum guest_req_op {
	REQ_TO_PRIVATE = GUEST_REQ_TO_PRIVATE,
	REQ_TO_SHARED = GUEST_REQ_TO_SHARED,
	REQ_NOP = GUEST_REQ_NOP,
	REQ_DONE = GUEST_REQ_DONE,
};

/*
 * The channel a session asks for; vcpu_mailbox_setup turns it into the
 * guest's MB_CHANNEL code (GUEST_CHANNEL_*), picking the hypercall
 * instruction by CPU vendor.
 */
enum guest_channel {
	CHANNEL_PIO = GUEST_CHANNEL_PIO,
	CHANNEL_HYPERCALL = GUEST_CHANNEL_VMCALL,	/* vmcall or vmmcall by CPU vendor */
};

struct guest_req {
	enum guest_req_op op;
	uint64_t gpa;
	uint64_t bytes;
	bool via_hypercall;	/* KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) */
	uint64_t run_ns;	/* guest time since the previous resume */
};

/* install the no-op kick handler (idempotent, process-wide) */
int vcpu_install_kick_handler(void);

int vcpu_create(struct vm *vm, unsigned int id, struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* point rip at the guest program, rsp at this vCPU's stack, rdi at its mailbox */
int vcpu_reset_regs(struct vcpu *v);
/*
 * Ask a vCPU thread to leave KVM_RUN: sets immediate_exit (so a kick that
 * lands before KVM_RUN is not lost) and signals the thread.
 */
void vcpu_kick(struct vcpu *v, pthread_t thread);
/* the same, saying why (the thread reports accordingly) */
void vcpu_kick_for(struct vcpu *v, pthread_t thread, enum vcpu_kick_why why);

/* fill the mailbox for a command; channel is enum guest_channel */
void vcpu_mailbox_setup(struct vcpu *v, unsigned int cmd, uint64_t region_gpa,
			uint64_t region_bytes, uint64_t gran_bytes,
			uint64_t iterations, uint8_t pattern,
			enum guest_channel channel);

/*
 * Run the vCPU until the guest makes a request. 0 with *req filled;
 * -EINTR when kicked; -ETIME when the watchdog kicked it (why: no progress,
 * with its registers); -EPROTO (bad request), -EFAULT (the guest took an
 * exception: vector, error code, rip, cr2 and the request in flight),
 * -EIO (any other unexpected exit, decoded with KVM's fields) or the
 * memory-fault handler's error, with a one-line description in why.
 * KVM_EXIT_MEMORY_FAULT exits the handler accepts are counted and
 * re-entered.
 */
int vcpu_next_request(struct vcpu *v, struct guest_req *req, char *why,
		      size_t whylen);
/* complete a hypercall request with ret (0 or a KVM error code) */
void vcpu_complete_request(struct vcpu *v, const struct guest_req *req,
			   uint64_t ret);

const char *kvm_exit_name(uint32_t reason);

/* name a guest-physical rip: "touch_loop+0x12", or "outside the guest program" */
void guest_rip_name(uint64_t rip, char *buf, size_t len);
/*
 * One line on where the vCPU is: registers (KVM_GET_REGS/SREGS), the guest
 * routine, the mailbox (command, MB_STOP the loops poll, heartbeat,
 * request). Call with the vCPU out of KVM_RUN.
 */
void vcpu_describe(struct vcpu *v, char *buf, size_t len);

#endif /* GMB_VCPU_H */
