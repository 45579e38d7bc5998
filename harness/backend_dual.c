// SPDX-License-Identifier: GPL-2.0
/*
 * "dual": the legacy two-backing path QEMU uses when kvm.ko tracks
 * attributes per VM. Private pages come from a guest_memfd, shared pages
 * from a separate memfd mapped as the slot's userspace memory. A conversion
 * is the VM ioctl KVM_SET_MEMORY_ATTRIBUTES followed by a hole punch of the
 * now-stale backing: the shared memfd after to-private, the guest_memfd
 * after to-shared: both phases, timed by the core.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/mem_attrs.h"

/* on a VM of the private-memory type: the VM ioctl answers and offers PRIVATE */
static int dual_check(struct vm *vm, const struct conv_probe_ctx *pc,
		      char *why, size_t whylen)
{
	long caps = kvm_check_cap(vm->fd, KVM_CAP_MEMORY_ATTRIBUTES);
	char mode[96];

	if (!kvm_vm_attrs_ioctl_answers(vm->fd)) {
		kvm_attr_mode_param(mode, sizeof(mode));
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES on the VM fd: ENOTTY (kvm.ko without per-VM attributes, or in per-guest_memfd mode; mode param: %s); KVM_CAP_MEMORY_ATTRIBUTES=0x%lx%s%s",
			 mode, caps < 0 ? 0 : caps, pc->private_type ? "" : "; ",
			 pc->private_type ? "" : pc->why_type);
		return -ENOTTY;
	}
	if (!pc->private_type) {
		snprintf(why, whylen, "KVM_SET_MEMORY_ATTRIBUTES is present, but %s",
			 pc->why_type);
		return -EOPNOTSUPP;
	}
	if (caps < 0 || !(caps & KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		snprintf(why, whylen, "KVM_CAP_MEMORY_ATTRIBUTES=0x%lx lacks PRIVATE for VM type %lu",
			 caps < 0 ? 0 : caps, pc->type);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int dual_probe(const struct kvm_sys *sys, unsigned long *vm_type,
		      char *why, size_t whylen)
{
	return conv_probe_vm(sys, CONV_PROBE_PRIVATE, dual_check, vm_type, why, whylen);
}

static int dual_setup(struct vm *vm, struct conv_mem *m)
{
	int r;

	r = conv_mem_create_gmem(vm, m, 0);
	if (r)
		return r;
	m->shared_fd = memfd_create("gmembench-shared", MFD_CLOEXEC);
	if (m->shared_fd < 0 || ftruncate(m->shared_fd, (off_t)m->bytes) < 0) {
		r = -errno;
		goto fail;
	}
	r = conv_mem_map(m, m->shared_fd, &m->shared_map);
	if (r)
		goto fail;
	r = vm_set_memslot(vm, m->slot, KVM_MEM_GUEST_MEMFD, m->gpa, m->bytes,
			   m->shared_map, m->gmem_fd, m->gmem_offset);
	if (r)
		goto fail;
	/* start shared, like the other backends (INIT_SHARED) */
	r = kvm_set_mem_attrs(vm->fd, m->gpa, m->bytes, 0, 0);
	if (r)
		goto fail;
	/* KVM cannot be asked what it holds: keep what we set (the core updates it) */
	r = conv_attrs_init(m);
	if (r)
		goto fail;
	return 0;
fail:
	conv_mem_release(m);
	return r;
}

/* the VM ioctl reports no error_offset */
static int dual_set_attrs(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			  bool to_private, uint64_t *error_offset)
{
	return kvm_set_mem_attrs(m->vm_fd, gpa, bytes,
				 to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0, 0);
}

/* the side the guest no longer reads: the shared memfd after to-private */
static int dual_punch(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private)
{
	uint64_t off = gpa - m->gpa;

	if (to_private)
		return fd_punch_hole(m->shared_fd, off, bytes);
	return fd_punch_hole(m->gmem_fd, m->gmem_offset + off, bytes);
}

const struct conv_backend backend_dual = {
	.name = "dual",
	.summary = "VM ioctl KVM_SET_MEMORY_ATTRIBUTES + hole-punch the stale side of two backings (legacy QEMU path)",
	.probe = dual_probe,
	.setup = dual_setup,
	.set_attrs = dual_set_attrs,
	.punch = dual_punch,
	.teardown = conv_mem_release,
};
