/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory-attribute ioctls, encoded once: the VM ioctl
 * KVM_SET_MEMORY_ATTRIBUTES (per-VM tracking, the dual backend) and the
 * guest_memfd ioctl KVM_SET_MEMORY_ATTRIBUTES2 (the in-place series, v2..v13
 * ABI). The backends and `gmembench verify` call these and nothing else,
 * so verify checks exactly what the benchmark issues.
 *
 * Every call returns 0 or -errno.
 */
#ifndef GMB_MEM_ATTRS_H
#define GMB_MEM_ATTRS_H

#include <stdint.h>

#include "harness/kvm_uapi.h"

/* KVM_SET_MEMORY_ATTRIBUTES on a VM fd for [gpa, gpa + size) */
int kvm_set_mem_attrs(int vm_fd, uint64_t gpa, uint64_t size, uint64_t attrs,
		      uint64_t flags);

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd with every field as given
 * (including reserved[]); on failure a->error_offset is what the kernel
 * wrote back (meaningful for -EAGAIN).
 */
int gmem_set_mem_attrs2_raw(int gmem_fd, struct kvm_memory_attributes2 *a);

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 for [off, off + size) of the file, flags 0.
 * On failure *error_offset (if not NULL) receives the kernel's error_offset.
 */
int gmem_set_mem_attrs2(int gmem_fd, uint64_t off, uint64_t size, uint64_t attrs,
			uint64_t *error_offset);

/*
 * Does the ioctl exist? Issued with size 0, which every revision rejects:
 * EINVAL (or any answer but ENOTTY) = present, ENOTTY = absent. Nothing
 * changes either way.
 */
enum gmem_attrs2_abi {
	GMEM_ATTRS2_ABSENT = 0,		/* ENOTTY to both encodings */
	GMEM_ATTRS2_PRESENT = 1,	/* the v2..v13 ioctl answers */
	GMEM_ATTRS2_RFC1 = 2,		/* only RFC v1's nr 0xd6 answers */
};
enum gmem_attrs2_abi gmem_attrs2_probe(int gmem_fd);
/* 1 when the VM fd answers KVM_SET_MEMORY_ATTRIBUTES, 0 on ENOTTY */
int kvm_vm_attrs_ioctl_answers(int vm_fd);

#endif /* GMB_MEM_ATTRS_H */
