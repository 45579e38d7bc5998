// SPDX-License-Identifier: GPL-2.0
/*
 * The memory-attribute ioctl encoders shared by the backends and verify.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness/mem_attrs.h"

int kvm_set_mem_attrs(int vm_fd, uint64_t gpa, uint64_t size, uint64_t attrs,
		      uint64_t flags)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = attrs,
		.flags = flags,
	};

	return ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? -errno : 0;
}

int gmem_set_mem_attrs2_raw(int gmem_fd, struct kvm_memory_attributes2 *a)
{
	return ioctl(gmem_fd, KVM_SET_MEMORY_ATTRIBUTES2, a) < 0 ? -errno : 0;
}

int gmem_set_mem_attrs2(int gmem_fd, uint64_t off, uint64_t size, uint64_t attrs,
			uint64_t *error_offset)
{
	struct kvm_memory_attributes2 a;
	int r;

	memset(&a, 0, sizeof(a));
	a.offset = off;
	a.size = size;
	a.attributes = attrs;
	r = gmem_set_mem_attrs2_raw(gmem_fd, &a);
	if (r && error_offset)
		*error_offset = a.error_offset;
	return r;
}

enum gmem_attrs2_abi gmem_attrs2_probe(int gmem_fd)
{
	struct gmb_kvm_memory_attributes2_rfc1 a1;
	struct kvm_memory_attributes2 a;

	memset(&a, 0, sizeof(a));
	if (gmem_set_mem_attrs2_raw(gmem_fd, &a) != -ENOTTY)
		return GMEM_ATTRS2_PRESENT;
	memset(&a1, 0, sizeof(a1));
	if (ioctl(gmem_fd, GMB_KVM_SET_MEMORY_ATTRIBUTES2_RFC1, &a1) == 0 || errno != ENOTTY)
		return GMEM_ATTRS2_RFC1;
	return GMEM_ATTRS2_ABSENT;
}

int kvm_vm_attrs_ioctl_answers(int vm_fd)
{
	return kvm_set_mem_attrs(vm_fd, 0, 0, 0, 0) != -ENOTTY;
}
