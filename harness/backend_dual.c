// SPDX-License-Identifier: GPL-2.0
/*
 * "dual": the legacy two-backing path QEMU uses when kvm.ko tracks
 * attributes per VM. Private pages come from a guest_memfd, shared pages
 * from a separate memfd mapped as the slot's userspace memory. A conversion
 * is the VM ioctl KVM_SET_MEMORY_ATTRIBUTES followed by a hole punch of the
 * now-stale backing: the shared memfd after to-private, the guest_memfd
 * after to-shared. Both phases are timed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/clock.h"
#include "harness/mem_attrs.h"

static int dual_probe(const struct kvm_sys *sys, unsigned long *vm_type,
		      char *why, size_t whylen)
{
	char why_type[256] = "", mode[96];
	unsigned long type = KVM_X86_DEFAULT_VM;
	bool have_type;
	struct vm vm;
	long caps;
	int r;

	kvm_attr_mode_param(mode, sizeof(mode));
	have_type = kvm_private_vm_type(sys, &type, why_type, sizeof(why_type)) == 0;
	r = vm_create(&vm, sys, have_type ? type : KVM_X86_DEFAULT_VM);
	if (r) {
		snprintf(why, whylen, "KVM_CREATE_VM(type %lu): %s", type, strerror(-r));
		return r;
	}
	caps = kvm_check_cap(vm.fd, KVM_CAP_MEMORY_ATTRIBUTES);
	if (!kvm_vm_attrs_ioctl_answers(vm.fd)) {
		r = -ENOTTY;
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES on the VM fd: ENOTTY (kvm.ko without per-VM attributes, or in per-guest_memfd mode; mode param: %s); KVM_CAP_MEMORY_ATTRIBUTES=0x%lx%s%s",
			 mode, caps < 0 ? 0 : caps, have_type ? "" : "; ",
			 have_type ? "" : why_type);
		goto out;
	}
	if (!have_type) {
		snprintf(why, whylen, "KVM_SET_MEMORY_ATTRIBUTES is present, but %s", why_type);
		r = -EOPNOTSUPP;
		goto out;
	}
	if (caps < 0 || !(caps & KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		snprintf(why, whylen, "KVM_CAP_MEMORY_ATTRIBUTES=0x%lx lacks PRIVATE for VM type %lu",
			 caps < 0 ? 0 : caps, type);
		r = -EOPNOTSUPP;
		goto out;
	}
	r = 0;
out:
	vm_destroy(&vm);
	if (!r)
		*vm_type = type;
	return r;
}

static int dual_setup(struct vm *vm, struct conv_mem *m)
{
	int r;

	m->vm_fd = vm->fd;
	m->gmem_fd = gmem_create(vm, m->bytes, 0);
	if (m->gmem_fd < 0) {
		r = m->gmem_fd;
		m->gmem_fd = -1;
		return r;
	}
	m->shared_fd = memfd_create("gmembench-shared", MFD_CLOEXEC);
	if (m->shared_fd < 0 || ftruncate(m->shared_fd, (off_t)m->bytes) < 0) {
		r = -errno;
		goto fail;
	}
	m->shared_map = mmap(NULL, m->bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			     m->shared_fd, 0);
	if (m->shared_map == MAP_FAILED) {
		r = -errno;
		m->shared_map = NULL;
		goto fail;
	}
	r = vm_set_memslot(vm, m->slot, KVM_MEM_GUEST_MEMFD, m->gpa, m->bytes,
			   m->shared_map, m->gmem_fd, m->gmem_offset);
	if (r)
		goto fail;
	/* start shared, like the other backends (INIT_SHARED) */
	r = kvm_set_mem_attrs(vm->fd, m->gpa, m->bytes, 0, 0);
	if (r)
		goto fail;
	/* KVM cannot be asked what it holds: keep what we set */
	r = conv_attrs_init(m);
	if (r)
		goto fail;
	return 0;
fail:
	conv_mem_release(m);
	return r;
}

static int dual_convert(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			bool to_private, const struct conv_policy *pol,
			struct conv_result *res)
{
	uint64_t off = gpa - m->gpa;
	uint64_t t0 = now_ns(), t1, t2;
	bool applied;
	int r;

	res->error_offset = UINT64_MAX;
	/* in flight (for the reports) until the punch is done too */
	conv_attrs_begin(m, gpa, bytes, to_private);
	r = kvm_set_mem_attrs(m->vm_fd, gpa, bytes,
			      to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0, 0);
	t1 = now_ns();
	res->attr_ns = t1 - t0;
	applied = r == 0;
	if (!r) {
		if (to_private)
			r = fd_punch_hole(m->shared_fd, off, bytes);
		else
			r = fd_punch_hole(m->gmem_fd, m->gmem_offset + off, bytes);
	}
	t2 = now_ns();
	conv_attrs_end(m, gpa, bytes, to_private, applied);
	res->punch_ns = t2 - t1;
	res->total_ns = t2 - t0;
	return r;
}

static void dual_teardown(struct conv_mem *m)
{
	conv_mem_release(m);
}

const struct conv_backend backend_dual = {
	.name = "dual",
	.summary = "VM ioctl KVM_SET_MEMORY_ATTRIBUTES + hole-punch the stale side of two backings (legacy QEMU path)",
	.probe = dual_probe,
	.setup = dual_setup,
	.convert = dual_convert,
	.teardown = dual_teardown,
};
