/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel ABI facts gmembench needs beyond Debian 12's linux/kvm.h (6.1).
 *
 * Every definition is #ifndef-guarded so that a newer system header wins,
 * and every struct size is static-asserted against the documented ABI.
 * Source: shared/reference/kvm-gmem-uapi.md (v2..v13 of the in-place
 * conversion series, mainline 6.18 for guest_memfd MMAP/INIT_SHARED).
 *
 * Capability numbers of the in-place series moved in every revision; they
 * are listed here only to be *reported*. Support is always decided by
 * probing the ioctl itself (harness/backend_*.c).
 */
#ifndef GMB_KVM_UAPI_H
#define GMB_KVM_UAPI_H

#include <linux/kvm.h>
#include <linux/types.h>
#include <stddef.h>

/* ---- capabilities (mainline, stable numbers) ---- */
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL		201
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2		231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO	232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES	233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD		234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES		235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY	236
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS	244
#endif

/*
 * KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES per series revision (informational
 * only; see the table in kvm-gmem-uapi.md 1.4). 249 in v5..v7, 250 in v8.
 */
#define GMB_CAP_GMEM_ATTRS_V1		246
#define GMB_CAP_GMEM_ATTRS_V2		248
#define GMB_CAP_GMEM_ATTRS_V3_V7	249
#define GMB_CAP_GMEM_ATTRS_V8		250

/* ---- VM types (x86) ---- */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM		0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM		1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM			2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM		3
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM			4
#endif
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM			5
#endif

/* ---- guest_memfd ---- */
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD	_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif

#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#endif

/* ---- memslots backed by guest_memfd ---- */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD		(1UL << 2)
#endif

/* ---- memory attributes: per-VM (legacy, "dual backing") ---- */
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif

#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#endif

/*
 * ---- memory attributes: per-guest_memfd (in-place conversion) ----
 * v2..v13 layout: 128 bytes, issued on the guest_memfd fd. `offset` is a
 * byte offset into the guest_memfd file; error_offset is written back on
 * EAGAIN (first folio with an elevated refcount). flags must be 0 (v6+).
 */
#ifndef KVM_SET_MEMORY_ATTRIBUTES2
struct kvm_memory_attributes2 {
	union {
		__u64 address;
		__u64 offset;
	};
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[11];
};
#define KVM_SET_MEMORY_ATTRIBUTES2	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)
#endif

/* RFC v1 only: nr 0xd6, 64-byte struct. Probed to name an obsolete kernel. */
struct gmb_kvm_memory_attributes2_rfc1 {
	__u64 offset;
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[3];
};
#define GMB_KVM_SET_MEMORY_ATTRIBUTES2_RFC1 \
	_IOWR(KVMIO, 0xd6, struct gmb_kvm_memory_attributes2_rfc1)

/* ---- the documented ABI sizes (and a newer system header agrees) ---- */
_Static_assert(sizeof(struct kvm_create_guest_memfd) == 64,
	       "kvm_create_guest_memfd is 64 bytes");
_Static_assert(sizeof(struct kvm_userspace_memory_region2) == 160,
	       "kvm_userspace_memory_region2 is 160 bytes (0x40A0AE49)");
_Static_assert(sizeof(struct kvm_memory_attributes) == 32,
	       "kvm_memory_attributes is 32 bytes (0x4020AED2)");
_Static_assert(sizeof(struct kvm_memory_attributes2) == 128,
	       "kvm_memory_attributes2 is 128 bytes (0xC080AED2)");
_Static_assert(offsetof(struct kvm_memory_attributes2, error_offset) == 32,
	       "error_offset follows the kvm_memory_attributes prefix");
_Static_assert(sizeof(struct gmb_kvm_memory_attributes2_rfc1) == 64,
	       "RFC v1 kvm_memory_attributes2 is 64 bytes");

/* ---- hypercall-driven conversion (SNP/TDX style) ---- */
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE		12
#endif
#ifndef KVM_MAP_GPA_RANGE_ENCRYPTED
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K	0
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M	(1 << 0)
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G	(1 << 1)
#define KVM_MAP_GPA_RANGE_ENC_STAT(n)	((n) << 4)
#define KVM_MAP_GPA_RANGE_ENCRYPTED	KVM_MAP_GPA_RANGE_ENC_STAT(1)
#define KVM_MAP_GPA_RANGE_DECRYPTED	KVM_MAP_GPA_RANGE_ENC_STAT(0)
#endif

/* ---- exits ---- */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif

/*
 * struct kvm_run's memory_fault member is newer than 6.1's header; it sits
 * in the exit union at the same offset as `hypercall`, so read it through
 * this overlay rather than through a member the old header lacks.
 */
struct gmb_kvm_memory_fault {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};

/* ---- module parameters that select the attribute mode ---- */
#define GMB_PARAM_VM_ATTRS	"/sys/module/kvm/parameters/vm_memory_attributes"
#define GMB_PARAM_INPLACE	"/sys/module/kvm/parameters/gmem_in_place_conversion"

#endif /* GMB_KVM_UAPI_H */
