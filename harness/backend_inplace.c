// SPDX-License-Identifier: GPL-2.0
/*
 * "inplace": KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd fd, one physical
 * backing (the in-place conversion series, v2..v13 ABI: 128-byte struct,
 * byte offset into the file, flags 0, error_offset written on EAGAIN).
 *
 * EAGAIN (to-private while a folio has an elevated refcount) goes through
 * the retry policy; the backend records attempts, the offending offset and
 * the time from the first EAGAIN to success.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/conv_retry.h"
#include "harness/mem_attrs.h"

#define INPLACE_GMEM_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

/*
 * Does the guest_memfd answer KVM_SET_MEMORY_ATTRIBUTES2? size 0 is invalid
 * in every revision: EINVAL means the ioctl exists, ENOTTY that it does not
 * (no series, or kvm.ko in per-VM attribute mode).
 */
static int inplace_ioctl_present(int gmem_fd, char *why, size_t whylen)
{
	enum gmem_attrs2_abi abi = gmem_attrs2_probe(gmem_fd);
	char mode[96];

	if (abi == GMEM_ATTRS2_PRESENT)
		return 1;
	kvm_attr_mode_param(mode, sizeof(mode));
	if (abi == GMEM_ATTRS2_RFC1) {
		snprintf(why, whylen,
			 "guest_memfd answers only the RFC v1 ioctl (nr 0xd6, 64-byte struct), an obsolete ABI; mode param: %s",
			 mode);
		return 0;
	}
	snprintf(why, whylen,
		 "KVM_SET_MEMORY_ATTRIBUTES2 (0x%lx) on guest_memfd: ENOTTY (kernel without in-place conversion, or kvm.ko in per-VM attribute mode; mode param: %s)",
		 (unsigned long)KVM_SET_MEMORY_ATTRIBUTES2, mode);
	return 0;
}

static int inplace_probe(const struct kvm_sys *sys, unsigned long *vm_type,
			 char *why, size_t whylen)
{
	char why_type[256] = "";
	unsigned long type = KVM_X86_DEFAULT_VM;
	bool have_type;
	struct vm vm;
	int fd, r;

	if (kvm_check_cap(sys->fd, KVM_CAP_GUEST_MEMFD) <= 0) {
		snprintf(why, whylen, "KVM_CAP_GUEST_MEMFD is 0: kernel without guest_memfd");
		return -EOPNOTSUPP;
	}
	have_type = kvm_private_vm_type(sys, &type, why_type, sizeof(why_type)) == 0;
	r = vm_create(&vm, sys, have_type ? type : KVM_X86_DEFAULT_VM);
	if (r) {
		snprintf(why, whylen, "KVM_CREATE_VM(type %lu): %s", type, strerror(-r));
		return r;
	}
	fd = gmem_create(&vm, 1 << 20, have_type ? INPLACE_GMEM_FLAGS : 0);
	if (fd < 0) {
		snprintf(why, whylen, "KVM_CREATE_GUEST_MEMFD(%s): %s",
			 have_type ? "MMAP|INIT_SHARED" : "0", strerror(-fd));
		r = fd;
		goto out;
	}
	if (!inplace_ioctl_present(fd, why, whylen)) {
		r = -ENOTTY;
		if (!have_type) {
			size_t n = strlen(why);

			snprintf(why + n, whylen - n, "; %s", why_type);
		}
		goto out_fd;
	}
	if (!have_type) {
		snprintf(why, whylen,
			 "KVM_SET_MEMORY_ATTRIBUTES2 is present, but %s", why_type);
		r = -EOPNOTSUPP;
		goto out_fd;
	}
	/* the real thing once: one page to private and back */
	r = gmem_set_mem_attrs2(fd, 0, 4096, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	if (!r)
		r = gmem_set_mem_attrs2(fd, 0, 4096, 0, NULL);
	if (r)
		snprintf(why, whylen, "KVM_SET_MEMORY_ATTRIBUTES2(PRIVATE) on a 1-page range: %s",
			 strerror(-r));
out_fd:
	close(fd);
out:
	vm_destroy(&vm);
	if (!r)
		*vm_type = type;
	return r;
}

static int inplace_setup(struct vm *vm, struct conv_mem *m)
{
	return conv_mem_setup_mapped_gmem(vm, m, INPLACE_GMEM_FLAGS);
}

struct attrs2_call {
	int fd;
	uint64_t off, bytes, attrs;
};

static int attrs2_attempt(void *ctx, uint64_t *error_offset)
{
	const struct attrs2_call *a = ctx;

	return gmem_set_mem_attrs2(a->fd, a->off, a->bytes, a->attrs, error_offset);
}

static int inplace_convert(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			   bool to_private, const struct conv_policy *pol,
			   struct conv_result *res)
{
	struct attrs2_call a = {
		.fd = m->gmem_fd,
		.off = m->gmem_offset + (gpa - m->gpa),
		.bytes = bytes,
		.attrs = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	return conv_retry(attrs2_attempt, &a, pol, res);
}

static void inplace_teardown(struct conv_mem *m)
{
	conv_mem_release(m);
}

const struct conv_backend backend_inplace = {
	.name = "inplace",
	.summary = "KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd fd: one physical backing, no discard",
	.probe = inplace_probe,
	.setup = inplace_setup,
	.convert = inplace_convert,
	.teardown = inplace_teardown,
};
