/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C view of the guest ABI (harness/guest_abi.h): the mailbox as a
 * struct tied to the MB_* offsets guest.S uses, and the only accessors the
 * host has to it. Nothing outside this header reads or writes the mailbox
 * by offset.
 *
 * Memory ordering, one rule for every field: the guest program runs on
 * another CPU while host threads (the vCPU's own, the watchdog, converters)
 * touch its mailbox, so every access here is atomic.
 *   - Host stores are __ATOMIC_SEQ_CST: a guest loop polling the field
 *     (MB_STOP) sees it, and a store is ordered before whatever the host
 *     does next (a kick, KVM_RUN, reading a guest counter).
 *   - Host loads are __ATOMIC_ACQUIRE: a counter the guest bumps while
 *     running (MB_PASSES, MB_HEARTBEAT) is read whole, and a field read
 *     after it is no older than it.
 * The guest side needs nothing more: x86 stores are not reordered with
 * other stores, and an aligned 8-byte access is never torn.
 */
#ifndef GMB_GUEST_MAILBOX_H
#define GMB_GUEST_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "harness/guest_abi.h"
#include "harness/kvm_uapi.h"

/* what the guest's exception handler (exc_common) records: MB_EXC_* */
struct guest_exc_report {
	uint64_t count;		/* exceptions taken (> 1: one in the handler) */
	uint64_t vector;
	uint64_t error;		/* error code, 0 for vectors without one */
	uint64_t rip;
	uint64_t cr2;
	uint64_t rsp;
	uint64_t rflags;
	uint64_t rdi;		/* the mailbox pointer the program used */
	uint64_t r12;		/* chunk being requested/touched */
	uint64_t r15;		/* touch cursor */
};

/* GUEST_CMD_READ_ONCE's result: MB_READ_BAD* */
struct guest_read_result {
	uint64_t bad;		/* bytes != MB_PATTERN */
	uint64_t bad_gpa;	/* the first such byte */
	uint64_t bad_val;	/* its value */
};

/* the request the guest published before its exit: MB_REQ_* */
struct guest_mb_req {
	uint64_t op;		/* GUEST_REQ_*, 0 before the first */
	uint64_t gpa;
	uint64_t bytes;
};

/* what a command starts from (vcpu_mailbox_setup) */
struct guest_mb_setup {
	uint64_t cmd;		/* GUEST_CMD_* */
	uint64_t region_gpa;
	uint64_t region_bytes;
	uint64_t gran_bytes;
	uint64_t iterations;
	uint64_t pattern;	/* the low byte is written/compared */
	uint64_t channel;	/* GUEST_CHANNEL_* */
	uint64_t stride;
};

/* one vCPU's mailbox page, as guest.S addresses it */
struct guest_mailbox {
	uint64_t magic;
	uint64_t cmd;
	uint64_t region_gpa;
	uint64_t region_bytes;
	uint64_t gran_bytes;
	uint64_t iterations;
	uint64_t pattern;
	uint64_t channel;
	uint64_t stop;		/* host: the loops end at the next check */
	uint64_t passes;	/* guest: completed passes */
	uint64_t req_op;
	uint64_t req_gpa;
	uint64_t req_bytes;
	uint64_t stride;
	uint64_t heartbeat;	/* guest: +1 per page touched or request made */
	struct guest_exc_report exc;
	struct guest_read_result read;
};

#define GMB_MB_AT(field, off) \
	_Static_assert(offsetof(struct guest_mailbox, field) == (off), \
		       "struct guest_mailbox." #field " is not at " #off)
/* the command's inputs, set up by the host before KVM_RUN */
GMB_MB_AT(magic, MB_MAGIC);
GMB_MB_AT(cmd, MB_CMD);
GMB_MB_AT(region_gpa, MB_REGION_GPA);
GMB_MB_AT(region_bytes, MB_REGION_BYTES);
GMB_MB_AT(gran_bytes, MB_GRAN_BYTES);
GMB_MB_AT(iterations, MB_ITERATIONS);
GMB_MB_AT(pattern, MB_PATTERN);
GMB_MB_AT(channel, MB_CHANNEL);
/* control and progress, while the guest runs; the last request */
GMB_MB_AT(stop, MB_STOP);
GMB_MB_AT(passes, MB_PASSES);
GMB_MB_AT(req_op, MB_REQ_OP);
GMB_MB_AT(req_gpa, MB_REQ_GPA);
GMB_MB_AT(req_bytes, MB_REQ_BYTES);
GMB_MB_AT(stride, MB_STRIDE);
GMB_MB_AT(heartbeat, MB_HEARTBEAT);
GMB_MB_AT(exc, MB_EXC_COUNT);
GMB_MB_AT(read, MB_READ_BAD);
#undef GMB_MB_AT

/* the reports' own layouts, from where they start in the mailbox */
#define GMB_EXC_AT(field, off) \
	_Static_assert(offsetof(struct guest_exc_report, field) == (off) - MB_EXC_COUNT, \
		       "struct guest_exc_report." #field " is not at " #off)
GMB_EXC_AT(count, MB_EXC_COUNT);
GMB_EXC_AT(vector, MB_EXC_VECTOR);
GMB_EXC_AT(error, MB_EXC_ERROR);
GMB_EXC_AT(rip, MB_EXC_RIP);
GMB_EXC_AT(cr2, MB_EXC_CR2);
GMB_EXC_AT(rsp, MB_EXC_RSP);
GMB_EXC_AT(rflags, MB_EXC_RFLAGS);
GMB_EXC_AT(rdi, MB_EXC_RDI);
GMB_EXC_AT(r12, MB_EXC_R12);
GMB_EXC_AT(r15, MB_EXC_R15);
#undef GMB_EXC_AT
#define GMB_READ_AT(field, off) \
	_Static_assert(offsetof(struct guest_read_result, field) == (off) - MB_READ_BAD, \
		       "struct guest_read_result." #field " is not at " #off)
GMB_READ_AT(bad, MB_READ_BAD);
GMB_READ_AT(bad_gpa, MB_READ_BAD_GPA);
GMB_READ_AT(bad_val, MB_READ_BAD_VAL);
#undef GMB_READ_AT
_Static_assert(sizeof(struct guest_mailbox) == MB_SIZE, "MB_SIZE is not the mailbox's size");
_Static_assert(MB_SIZE <= GMB_PAGE_SIZE, "a mailbox is one page");

/* what guest.S assumes of the other constants it shares with C */
_Static_assert(GUEST_CHANNEL_PIO == 0, "guest.S tests MB_CHANNEL for zero to pick port I/O");
_Static_assert(GUEST_REQ_TO_PRIVATE == 1 && GUEST_REQ_TO_SHARED == 2 &&
	       GUEST_REQ_NOP == 3 && GUEST_REQ_DONE == 4,
	       "request codes are 1..4, contiguous: the host checks them as a range");
_Static_assert(GMB_HC_MAP_GPA_RANGE == KVM_HC_MAP_GPA_RANGE, "guest.S's hypercall number");
_Static_assert(GMB_MAP_GPA_RANGE_ENCRYPTED == KVM_MAP_GPA_RANGE_ENCRYPTED,
	       "guest.S's to-private attribute");
_Static_assert((1ULL << GMB_PAGE_SHIFT) == GMB_PAGE_SIZE, "guest.S's page shift");

static inline void mb_store(uint64_t *field, uint64_t val)
{
	__atomic_store_n(field, val, __ATOMIC_SEQ_CST);
}

static inline uint64_t mb_load(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_ACQUIRE);
}

static inline void mb_zero(uint64_t *fields, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes / sizeof(*fields); i++)
		mb_store(&fields[i], 0);
}

/* a fresh page with its magic (vcpu_create); the guest is not running */
static inline void mb_init(struct guest_mailbox *mb)
{
	memset(mb, 0, GMB_PAGE_SIZE);
	mb_store(&mb->magic, GMB_MAILBOX_MAGIC);
}

/*
 * Arm a command: its inputs, and cleared stop, progress, request,
 * exception report and READ_ONCE result. The heartbeat keeps counting:
 * the watchdog only looks for change.
 */
static inline void mb_setup(struct guest_mailbox *mb, const struct guest_mb_setup *su)
{
	mb_store(&mb->cmd, su->cmd);
	mb_store(&mb->region_gpa, su->region_gpa);
	mb_store(&mb->region_bytes, su->region_bytes);
	mb_store(&mb->gran_bytes, su->gran_bytes);
	mb_store(&mb->iterations, su->iterations);
	mb_store(&mb->pattern, su->pattern);
	mb_store(&mb->channel, su->channel);
	mb_store(&mb->stride, su->stride);
	mb_store(&mb->stop, 0);
	mb_store(&mb->passes, 0);
	mb_store(&mb->req_op, 0);
	mb_store(&mb->req_gpa, 0);
	mb_store(&mb->req_bytes, 0);
	mb_zero((uint64_t *)&mb->exc, sizeof(mb->exc));
	mb_zero((uint64_t *)&mb->read, sizeof(mb->read));
}

/*
 * uint64_t mb_<field>(const struct guest_mailbox *mb): the field, by the
 * rule above.
 */
#define GMB_MB_GETTER(field) \
	static inline uint64_t mb_##field(const struct guest_mailbox *mb) \
	{ return mb_load(&mb->field); }
GMB_MB_GETTER(cmd)		/* GUEST_CMD_* of the last setup */
GMB_MB_GETTER(stop)		/* what the guest's loops poll */
GMB_MB_GETTER(passes)		/* passes over the region completed since the setup */
GMB_MB_GETTER(heartbeat)	/* pages touched and requests made, ever: the watchdog's */
#undef GMB_MB_GETTER

/* the guest's loops end at their next MB_STOP check */
static inline void mb_set_stop(struct guest_mailbox *mb)
{
	mb_store(&mb->stop, 1);
}

/*
 * Clear a stop and a pass count left from the previous command before a
 * vCPU thread sets up the next one: others must not read it as progress.
 */
static inline void mb_reset_progress(struct guest_mailbox *mb)
{
	mb_store(&mb->passes, 0);
	mb_store(&mb->stop, 0);
}

/* override the setup's one-page stride (READ_ONCE at byte granularity) */
static inline void mb_set_stride(struct guest_mailbox *mb, uint64_t stride)
{
	mb_store(&mb->stride, stride);
}

static inline void mb_request(const struct guest_mailbox *mb, struct guest_mb_req *req)
{
	req->op = mb_load(&mb->req_op);
	req->gpa = mb_load(&mb->req_gpa);
	req->bytes = mb_load(&mb->req_bytes);
}

/* exceptions the guest took since the setup; 0: no report */
static inline uint64_t mb_exc_count(const struct guest_mailbox *mb)
{
	return mb_load(&mb->exc.count);
}

static inline void mb_exc_report(const struct guest_mailbox *mb, struct guest_exc_report *rep)
{
	rep->count = mb_load(&mb->exc.count);
	rep->vector = mb_load(&mb->exc.vector);
	rep->error = mb_load(&mb->exc.error);
	rep->rip = mb_load(&mb->exc.rip);
	rep->cr2 = mb_load(&mb->exc.cr2);
	rep->rsp = mb_load(&mb->exc.rsp);
	rep->rflags = mb_load(&mb->exc.rflags);
	rep->rdi = mb_load(&mb->exc.rdi);
	rep->r12 = mb_load(&mb->exc.r12);
	rep->r15 = mb_load(&mb->exc.r15);
}

/*
 * READ_ONCE writes its count last: with this marker in place, a command
 * that did not finish reads as UINT64_MAX bad bytes rather than as none.
 */
static inline void mb_poison_read_result(struct guest_mailbox *mb)
{
	mb_store(&mb->read.bad, UINT64_MAX);
}

static inline void mb_read_result(const struct guest_mailbox *mb, struct guest_read_result *res)
{
	res->bad = mb_load(&mb->read.bad);
	res->bad_gpa = mb_load(&mb->read.bad_gpa);
	res->bad_val = mb_load(&mb->read.bad_val);
}

#endif /* GMB_GUEST_MAILBOX_H */
