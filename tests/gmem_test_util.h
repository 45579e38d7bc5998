/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM with a host-mapped guest_memfd (MMAP|INIT_SHARED), as the tests
 * that write guest memory from the host use it. Needs /dev/kvm.
 */
#ifndef GMB_GMEM_TEST_UTIL_H
#define GMB_GMEM_TEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/kvm.h"

struct gmem_vm {
	struct kvm_sys sys;
	struct vm vm;
	int fd;			/* the guest_memfd */
	unsigned char *map;	/* all of it, shared */
	uint64_t bytes;
};

/* nothing open: gmem_vm_close is a no-op */
static inline void gmem_vm_init(struct gmem_vm *g)
{
	memset(g, 0, sizeof(*g));
	g->sys.fd = -1;
	g->vm.fd = -1;
	g->fd = -1;
}

/*
 * Open /dev/kvm, a default VM and a guest_memfd of bytes mapped shared.
 * -EOPNOTSUPP when guest_memfd cannot be mapped (KVM_CAP_GUEST_MEMFD_FLAGS
 * < 3), the error of kvm_sys_open with g->sys.fd < 0, or -errno; why says.
 */
static inline int gmem_vm_open(struct gmem_vm *g, uint64_t bytes, char *why, size_t whylen)
{
	int r;

	gmem_vm_init(g);
	g->bytes = bytes;
	r = kvm_sys_open(&g->sys, why, whylen);
	if (r)
		return r;
	if (kvm_check_cap(g->sys.fd, KVM_CAP_GUEST_MEMFD_FLAGS) < 3) {
		snprintf(why, whylen, "guest_memfd without MMAP|INIT_SHARED (KVM_CAP_GUEST_MEMFD_FLAGS < 3)");
		return -EOPNOTSUPP;
	}
	r = vm_create(&g->vm, &g->sys, KVM_X86_DEFAULT_VM);
	if (r) {
		snprintf(why, whylen, "KVM_CREATE_VM: %s", strerror(-r));
		return r;
	}
	g->fd = gmem_create(&g->vm, bytes, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	if (g->fd < 0) {
		snprintf(why, whylen, "KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED): %s",
			 strerror(-g->fd));
		return g->fd;
	}
	g->map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (g->map != MAP_FAILED)
		return 0;
	r = -errno;
	g->map = NULL;
	snprintf(why, whylen, "mmap(guest_memfd): %s", strerror(-r));
	return r;
}

static inline void gmem_vm_close(struct gmem_vm *g)
{
	if (g->map)
		munmap(g->map, g->bytes);
	if (g->fd >= 0)
		close(g->fd);
	if (g->vm.fd >= 0)
		vm_destroy(&g->vm);
	if (g->sys.fd >= 0)
		kvm_sys_close(&g->sys);
	gmem_vm_init(g);
}

#endif /* GMB_GMEM_TEST_UTIL_H */
