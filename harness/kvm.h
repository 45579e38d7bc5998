/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/kvm, VMs, memslots and guest_memfd, in the KVM selftests' vocabulary.
 * Every function returns 0 (or a non-negative value) or -errno.
 */
#ifndef GMB_KVM_H
#define GMB_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/kvm_uapi.h"

struct kvm_sys {
	int fd;
	int run_bytes;		/* KVM_GET_VCPU_MMAP_SIZE */
	int max_vcpus;		/* KVM_CAP_MAX_VCPUS */
	bool intel;		/* vmcall vs vmmcall */
};

/*
 * Open /dev/kvm. -ENOENT (no device), -EACCES/-EPERM (not permitted) or
 * -EPROTO (API version) with a one-line reason in why.
 */
int kvm_sys_open(struct kvm_sys *sys, char *why, size_t whylen);
void kvm_sys_close(struct kvm_sys *sys);

/* KVM_CHECK_EXTENSION on any KVM fd: the value (>= 0) or -errno */
long kvm_check_cap(int fd, long cap);

/* one VM and its system slot (page tables, guest code, mailboxes) */
struct vm {
	int fd;
	const struct kvm_sys *sys;
	unsigned long type;
	void *sys_mem;			/* host view of slot 0 */
	uint64_t top_gpa;		/* identity map covers [0, top_gpa) */
	void *sys_golden;		/* what vm_setup_system wrote there */
};

/* create a VM of type; sets up nothing else */
int vm_create(struct vm *vm, const struct kvm_sys *sys, unsigned long type);
/*
 * Add slot 0 (GMB_SYS_BYTES of anonymous memory at GPA 0), identity page
 * tables up to top_gpa (rounded up to 1 GiB) and the guest program.
 */
int vm_setup_system(struct vm *vm, uint64_t top_gpa);
/*
 * Whether slot 0's fixed parts (page tables but their accessed/dirty
 * bits, GDT, IDT, TSSs, exception-stack tops, guest code) still hold what
 * vm_setup_system wrote, as the host sees them: 0, or -EIO with the first
 * difference in buf. For failure reports: a guest that cannot deliver an
 * exception over intact structures saw other memory than the host.
 */
int vm_check_system(const struct vm *vm, char *buf, size_t len);
void vm_destroy(struct vm *vm);

int vm_set_memslot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t bytes, void *hva, int gmem_fd, uint64_t gmem_offset);
/* remove a slot (size 0) */
int vm_del_memslot(struct vm *vm, uint32_t slot);

/* host view of a vCPU's mailbox page (harness/guest_mailbox.h) */
struct guest_mailbox;
struct guest_mailbox *vm_mailbox(struct vm *vm, unsigned int vcpu);

/* ---- guest_memfd ---- */
/* KVM_CREATE_GUEST_MEMFD on the VM; returns the new fd or -errno */
int gmem_create(struct vm *vm, uint64_t bytes, uint64_t flags);
/* FALLOC_FL_PUNCH_HOLE|KEEP_SIZE; -errno */
int fd_punch_hole(int fd, uint64_t off, uint64_t len);
/* 512-byte blocks allocated to the file (fstat st_blocks) */
int fd_allocated_bytes(int fd, uint64_t *bytes);



/* opt in to KVM_EXIT_HYPERCALL for KVM_HC_MAP_GPA_RANGE on this VM */
int vm_enable_hypercall_exit(struct vm *vm);
#endif /* GMB_KVM_H */
