/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conversion backends: how a private<->shared conversion is carried out.
 * One ops struct per backend (harness/backend_*.c), listed in
 * harness/backends.c. Availability is decided by probing the ioctl itself,
 * never by capability numbers (they moved in every series revision).
 */
#ifndef GMB_BACKEND_H
#define GMB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/kvm.h"
#include "harness/table.h"

/*
 * The per-VM attributes this process set with KVM_SET_MEMORY_ATTRIBUTES
 * (dual): KVM has no ioctl that reads them back, so the backend keeps them,
 * one bit per page (set = private), with a generation bumped before and
 * after every change and the last conversion begun, for the memory-fault
 * handler and the failure reports. Written by converter threads, read by
 * vCPU threads: bits and counters are atomics; the "last" record is
 * diagnostic and may be read torn.
 */
struct conv_attrs {
	uint64_t nr_pages;
	uint64_t *private_bits;
	uint64_t gen;			/* +1 at begin and at end of a change */
	int inflight;			/* changes in flight */
	uint64_t last_gpa, last_bytes;	/* the last change begun */
	int last_to_private;
	uint64_t last_begin_ns, last_end_ns;	/* end 0: still in flight */
};

/* the data region as a backend set it up: one memslot */
struct conv_mem {
	uint32_t slot;
	uint64_t gpa;
	uint64_t bytes;
	int gmem_fd;		/* guest_memfd (private, or both for in-place) */
	uint64_t gmem_offset;	/* of gpa within the guest_memfd */
	void *gmem_map;		/* mmap of the guest_memfd, or NULL */
	int shared_fd;		/* dual: memfd holding shared pages; else -1 */
	void *shared_map;	/* dual: its mmap; else NULL */
	int vm_fd;
	struct conv_attrs *attrs;	/* dual: attribute tracking; else NULL */
};

/* what to do on EAGAIN (to-private with elevated refcounts) */
struct conv_policy {
	unsigned int max_retries;	/* then give up with -EAGAIN */
	unsigned int backoff_us;	/* sleep between attempts; 0 = sched_yield */
};

/*
 * One conversion as the core (conv_convert, harness/convert.h) timed it.
 * The phases partition the total: total_ns = attr_ns + retry_wait_ns +
 * punch_ns, the same meaning for every backend (results/README.md,
 * "Conversion phases").
 */
struct conv_result {
	uint64_t total_ns;	/* before the first attempt -> after the punch */
	uint64_t attr_ns;	/* inside the attribute ioctl, all attempts summed */
	uint64_t retry_wait_ns;	/* backoff (sleep or yield) between attempts */
	uint64_t punch_ns;	/* releasing the stale backing */
	uint32_t eagain;	/* EAGAIN returns */
	uint32_t retries;	/* re-issued ioctls */
	uint64_t error_offset;	/* last EAGAIN error_offset; UINT64_MAX if none */
	uint64_t retry_to_success_ns; /* first EAGAIN -> success; 0 if none */
};

struct conv_backend {
	const char *name;
	const char *summary;
	/*
	 * 0 and *vm_type set when usable on this host; otherwise -errno and a
	 * precise reason (which ioctl answered what, which mode kvm.ko is in).
	 */
	int (*probe)(const struct kvm_sys *sys, unsigned long *vm_type,
		     char *why, size_t whylen);
	/* create the backing and add it as memslot m->slot at gpa */
	int (*setup)(struct vm *vm, struct conv_mem *m);
	/*
	 * The two phases of a conversion of [gpa, gpa + bytes), perform only:
	 * the core (conv_convert) retries, tracks and takes every timestamp,
	 * so a backend never reads the clock.
	 *
	 * set_attrs: one attempt at the attribute change; 0 or -errno, on
	 * -EAGAIN *error_offset where the kernel reports one. NULL when the
	 * backend changes no attribute (discard).
	 */
	int (*set_attrs)(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			 bool to_private, uint64_t *error_offset);
	/*
	 * punch: release the backing the change made stale; run once, after
	 * set_attrs succeeded. NULL when nothing goes stale (inplace).
	 */
	int (*punch)(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private);
	void (*teardown)(struct conv_mem *m);
};

extern const struct conv_backend backend_discard;
extern const struct conv_backend backend_inplace;
extern const struct conv_backend backend_dual;

/* the registry, NULL-terminated, in presentation order */
extern const struct conv_backend *const conv_backends[];

static inline const struct conv_backend *conv_backend_find(const char *name)
{
	return table_find(conv_backends, name);
}

static inline size_t conv_backend_count(void)
{
	return table_count(conv_backends);
}

/* shared helpers for backend implementations */
void conv_mem_init(struct conv_mem *m, uint32_t slot, uint64_t gpa, uint64_t bytes);
void conv_mem_release(struct conv_mem *m);
/*
 * The single-backing layout of the discard and in-place backends, their
 * setup: one guest_memfd created CONV_MAPPED_GMEM_FLAGS (mmap-able, every
 * page shared at first), mmap'd, and that mapping used as the slot's
 * userspace memory. Releases everything on failure.
 */
#define CONV_MAPPED_GMEM_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
int conv_mem_setup_mapped_gmem(struct vm *vm, struct conv_mem *m);
/*
 * The steps of a backend's setup, each -errno: a guest_memfd of m->bytes
 * with flags as m->gmem_fd (m->vm_fd set too), and a shared mapping of fd
 * over m->bytes in *map. conv_mem_release undoes both.
 */
int conv_mem_create_gmem(struct vm *vm, struct conv_mem *m, uint64_t flags);
int conv_mem_map(const struct conv_mem *m, int fd, void **map);
/* attribute tracking for m (all shared); freed by conv_mem_release */
int conv_attrs_init(struct conv_mem *m);
/* around every attribute change: applied = the ioctl succeeded */
void conv_attrs_begin(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private);
void conv_attrs_end(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private,
		    bool applied);
/*
 * What [gpa, gpa + bytes) holds: 1 private, 0 shared, 2 mixed; -ENOENT
 * when m tracks nothing there. *gen (if not NULL) is the generation read
 * before the bits.
 */
int conv_attrs_get(const struct conv_mem *m, uint64_t gpa, uint64_t bytes, uint64_t *gen);
/* one phrase on the last change of m (in flight or done), "" if none */
void conv_attrs_describe(const struct conv_mem *m, char *buf, size_t len);

/* the scratch VM a backend probe runs its checks on */
struct conv_probe_ctx {
	unsigned long type;	/* of the VM */
	bool private_type;	/* a VM type with private memory */
	char why_type[256];	/* asked for one and !private_type: why there is none */
};
typedef int (*conv_probe_fn)(struct vm *vm, const struct conv_probe_ctx *pc,
			     char *why, size_t whylen);
#define CONV_PROBE_GMEM	(1u << 0)	/* the backend needs guest_memfd */
#define CONV_PROBE_PRIVATE	(1u << 1)	/* ... and a VM type with private memory */
/*
 * The frame of every backend probe: the host's guest_memfd support if
 * flags ask for it, then a scratch VM (of the private-memory VM type with
 * CONV_PROBE_PRIVATE when the host has one, else the default type), check
 * run on it, the VM destroyed. 0 and *vm_type when check passes; otherwise
 * -errno and why.
 */
int conv_probe_vm(const struct kvm_sys *sys, unsigned int flags, conv_probe_fn check,
		  unsigned long *vm_type, char *why, size_t whylen);

/*
 * The VM type with private memory gmembench can run (SW_PROTECTED_VM), or
 * -EOPNOTSUPP with the reason (what KVM_CAP_VM_TYPES offers).
 */
int kvm_private_vm_type(const struct kvm_sys *sys, unsigned long *type,
			char *why, size_t whylen);
/* "default", "sw_protected", ... for KVM_X86_*_VM; "?" when unknown */
const char *kvm_vm_type_name(unsigned long type);
/* the attribute-mode module parameter as "name=value", or "absent" */
void kvm_attr_mode_param(char *buf, size_t len);

#endif /* GMB_BACKEND_H */
