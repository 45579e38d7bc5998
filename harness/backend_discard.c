// SPDX-License-Identifier: GPL-2.0
/*
 * "discard": the stock-kernel tier (guest_memfd MMAP, 6.18+).
 *
 * One guest_memfd created MMAP|INIT_SHARED backs the slot and is also its
 * userspace mapping. A conversion changes no attribute: it hole-punches the
 * range, so the next touch refaults and allocates a zeroed page. That is
 * the per-conversion free + allocate cost in-place conversion exists to
 * remove, measured on kernels that cannot convert at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"

/* on a default VM: guest_memfd MMAP|INIT_SHARED written, punched, read back zero */
static int discard_check(struct vm *vm, const struct conv_probe_ctx *pc,
			 char *why, size_t whylen)
{
	long flags = kvm_check_cap(vm->fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	char *p;
	int fd, r;

	if (flags < 0 || (flags & CONV_MAPPED_GMEM_FLAGS) != CONV_MAPPED_GMEM_FLAGS) {
		snprintf(why, whylen,
			 "KVM_CAP_GUEST_MEMFD_FLAGS=0x%lx lacks MMAP|INIT_SHARED (needs Linux 6.18+)",
			 flags < 0 ? 0 : flags);
		return -EOPNOTSUPP;
	}
	fd = gmem_create(vm, 1 << 20, CONV_MAPPED_GMEM_FLAGS);
	if (fd < 0) {
		snprintf(why, whylen, "KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED): %s",
			 strerror(-fd));
		return fd;
	}
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		snprintf(why, whylen, "mmap(guest_memfd): %s", strerror(-r));
	} else {
		p[0] = 0x5a;
		r = fd_punch_hole(fd, 0, 4096);
		if (r)
			snprintf(why, whylen, "fallocate(PUNCH_HOLE) on guest_memfd: %s",
				 strerror(-r));
		else if (p[0] != 0) {
			snprintf(why, whylen, "punched guest_memfd page still reads 0x%02x",
				 (unsigned char)p[0]);
			r = -EIO;
		}
		munmap(p, 1 << 20);
	}
	close(fd);
	return r;
}

static int discard_probe(const struct kvm_sys *sys, unsigned long *vm_type,
			 char *why, size_t whylen)
{
	return conv_probe_vm(sys, CONV_PROBE_GMEM, discard_check, vm_type, why, whylen);
}

/* the whole conversion: no attribute, the range is freed either way */
static int discard_punch(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private)
{
	return fd_punch_hole(m->gmem_fd, m->gmem_offset + (gpa - m->gpa), bytes);
}

const struct conv_backend backend_discard = {
	.name = "discard",
	.summary = "stock-kernel tier: hole-punch the guest_memfd range on every conversion (refault + reallocate)",
	.probe = discard_probe,
	.setup = conv_mem_setup_mapped_gmem,
	.punch = discard_punch,
	.teardown = conv_mem_release,
};
