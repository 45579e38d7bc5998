// SPDX-License-Identifier: GPL-2.0
/*
 * "inplace": KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd fd, one physical
 * backing (the in-place conversion series, v2..v13 ABI: 128-byte struct,
 * byte offset into the file, flags 0, error_offset written on EAGAIN).
 *
 * EAGAIN (to-private while a folio has an elevated refcount) is handed to
 * the core (harness/convert.c), which retries it and records attempts, the
 * offending offset and the time from the first EAGAIN to success.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/mem_attrs.h"

/*
 * Why the guest_memfd ioctl is missing. ENOTTY alone does not say whether
 * the series is absent or kvm.ko tracks attributes per VM: the mode
 * parameter exists only with the series, so it tells the two apart.
 */
static void attrs2_absent_why(enum gmem_attrs2_abi abi, unsigned long type,
			      char *why, size_t whylen)
{
	char mode[96];
	bool have_param;

	kvm_attr_mode_param(mode, sizeof(mode));
	have_param = strncmp(mode, "absent", 6) != 0;
	if (abi == GMEM_ATTRS2_RFC1) {
		snprintf(why, whylen,
			 "guest_memfd of VM type %lu (%s) answers only the RFC v1 KVM_SET_MEMORY_ATTRIBUTES2 (nr 0xd6, 64-byte struct), an obsolete ABI; mode param: %s",
			 type, kvm_vm_type_name(type), mode);
		return;
	}
	if (have_param)
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES2 (0x%lx) on a guest_memfd of VM type %lu (%s): ENOTTY: kvm.ko tracks attributes per VM (%s)",
			 (unsigned long)KVM_SET_MEMORY_ATTRIBUTES2, type, kvm_vm_type_name(type),
			 mode);
	else
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES2 (0x%lx) on a guest_memfd of VM type %lu (%s): ENOTTY: this kernel has no in-place conversion (and kvm.ko no attribute-mode parameter)",
			 (unsigned long)KVM_SET_MEMORY_ATTRIBUTES2, type, kvm_vm_type_name(type));
}

/* "MMAP", "MMAP|INIT_SHARED", "none", ... */
static void gmem_flag_names(long flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 flags & GUEST_MEMFD_FLAG_MMAP ? "MMAP" : "",
		 (flags & GUEST_MEMFD_FLAG_MMAP) && (flags & GUEST_MEMFD_FLAG_INIT_SHARED) ? "|" : "",
		 flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "INIT_SHARED" :
		 flags & GUEST_MEMFD_FLAG_MMAP ? "" : "none");
}

/*
 * Probe on a guest_memfd every guest_memfd kernel accepts (no flags) of the
 * VM type in-place conversion would use; only then ask for the mmap-able,
 * initially shared guest_memfd the backend needs. Asking for that first
 * would report the wrong cause: before the series guest_memfd refuses
 * INIT_SHARED on VMs with private memory (7.3 offers MMAP alone there, with
 * every page private), while what is missing is the ioctl.
 */
static int inplace_check(struct vm *vm, const struct conv_probe_ctx *pc,
			 char *why, size_t whylen)
{
	long gflags = kvm_check_cap(vm->fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	enum gmem_attrs2_abi abi;
	char names[32];
	size_t n;
	int fd, r;

	if (gflags < 0)
		gflags = 0;
	fd = gmem_create(vm, 1 << 20, 0);
	if (fd < 0) {
		snprintf(why, whylen, "KVM_CREATE_GUEST_MEMFD(flags 0) on VM type %lu: %s",
			 pc->type, strerror(-fd));
		return fd;
	}
	abi = gmem_attrs2_probe(fd);
	close(fd);
	if (abi != GMEM_ATTRS2_PRESENT) {
		attrs2_absent_why(abi, pc->type, why, whylen);
		n = strlen(why);
		if (!pc->private_type) {
			snprintf(why + n, whylen - n, "; %s", pc->why_type);
		} else if ((gflags & CONV_MAPPED_GMEM_FLAGS) != CONV_MAPPED_GMEM_FLAGS) {
			gmem_flag_names(gflags, names, sizeof(names));
			snprintf(why + n, whylen - n,
				 "; also, guest_memfd on this VM type offers %s (KVM_CAP_GUEST_MEMFD_FLAGS on the VM = 0x%lx)%s",
				 names, gflags,
				 (gflags & GUEST_MEMFD_FLAG_MMAP) ?
				 ": no INIT_SHARED, so every page starts private and a host mapping SIGBUSes" : "");
		}
		return -ENOTTY;
	}
	if (!pc->private_type) {
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES2 is present, but %s", pc->why_type);
		return -EOPNOTSUPP;
	}
	fd = gmem_create(vm, 1 << 20, CONV_MAPPED_GMEM_FLAGS);
	if (fd < 0) {
		gmem_flag_names(gflags, names, sizeof(names));
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES2 is present, but KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED) on VM type %lu (%s): %s (the VM offers %s: KVM_CAP_GUEST_MEMFD_FLAGS = 0x%lx)",
			 pc->type, kvm_vm_type_name(pc->type), strerror(-fd), names, gflags);
		return fd;
	}
	/* the real thing once: one page to private and back */
	r = gmem_set_mem_attrs2(fd, 0, 4096, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	if (!r)
		r = gmem_set_mem_attrs2(fd, 0, 4096, 0, NULL);
	if (r)
		snprintf(why, whylen, "KVM_SET_MEMORY_ATTRIBUTES2(PRIVATE) on a 1-page range: %s",
			 strerror(-r));
	close(fd);
	return r;
}

static int inplace_probe(const struct kvm_sys *sys, unsigned long *vm_type,
			 char *why, size_t whylen)
{
	return conv_probe_vm(sys, CONV_PROBE_GMEM | CONV_PROBE_PRIVATE, inplace_check,
			     vm_type, why, whylen);
}

/*
 * The guest_memfd, mapped, every page shared (INIT_SHARED), and the
 * attribute tracker the memory-fault handler reads (memfault.h): a host
 * conversion racing a guest access makes KVM exit with MEMORY_FAULT, and
 * without what we asked for last the handler could not tell that race
 * (re-enter) from a fault on memory nobody converts (error).
 */
static int inplace_setup(struct vm *vm, struct conv_mem *m)
{
	int r = conv_mem_setup_mapped_gmem(vm, m);

	if (r)
		return r;
	r = conv_attrs_init(m);
	if (r)
		conv_mem_release(m);
	return r;
}

/* one backing: nothing goes stale, so no punch; EAGAIN is the core's to retry */
static int inplace_set_attrs(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			     bool to_private, uint64_t *error_offset)
{
	return gmem_set_mem_attrs2(m->gmem_fd, m->gmem_offset + (gpa - m->gpa), bytes,
				   to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0, error_offset);
}

const struct conv_backend backend_inplace = {
	.name = "inplace",
	.summary = "KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd fd: one physical backing, no discard",
	.probe = inplace_probe,
	.setup = inplace_setup,
	.set_attrs = inplace_set_attrs,
	.teardown = conv_mem_release,
};
