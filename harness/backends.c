// SPDX-License-Identifier: GPL-2.0
/*
 * The backend registry and helpers shared by the backends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/hostinfo.h"

const struct conv_backend *const conv_backends[] = {
	&backend_inplace,
	&backend_dual,
	&backend_discard,
	NULL,
};

void conv_mem_init(struct conv_mem *m, uint32_t slot, uint64_t gpa, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	m->slot = slot;
	m->gpa = gpa;
	m->bytes = bytes;
	m->gmem_fd = -1;
	m->shared_fd = -1;
	m->vm_fd = -1;
}

void conv_mem_release(struct conv_mem *m)
{
	if (m->gmem_map)
		munmap(m->gmem_map, m->bytes);
	if (m->shared_map)
		munmap(m->shared_map, m->bytes);
	if (m->gmem_fd >= 0)
		close(m->gmem_fd);
	if (m->shared_fd >= 0)
		close(m->shared_fd);
	m->gmem_map = m->shared_map = NULL;
	m->gmem_fd = m->shared_fd = -1;
	if (m->attrs)
		free(m->attrs->private_bits);
	free(m->attrs);
	m->attrs = NULL;
}

int conv_attrs_init(struct conv_mem *m)
{
	struct conv_attrs *a = calloc(1, sizeof(*a));
	uint64_t nr_pages = m->bytes / GMB_PAGE_SIZE;

	if (!a)
		return -ENOMEM;
	a->nr_pages = nr_pages;
	a->private_bits = calloc((nr_pages + 63) / 64 ?: 1, sizeof(uint64_t));
	if (!a->private_bits) {
		free(a);
		return -ENOMEM;
	}
	m->attrs = a;
	return 0;
}

/* pages [first, first + n) of a's bitmap: set or clear */
static void attrs_assign(struct conv_attrs *a, uint64_t first, uint64_t n, bool set)
{
	uint64_t i = first, end = first + n;

	while (i < end) {
		uint64_t bit = i % 64, len = 64 - bit < end - i ? 64 - bit : end - i;
		uint64_t mask = (len == 64 ? ~0ULL : ((1ULL << len) - 1)) << bit;

		if (set)
			__atomic_fetch_or(&a->private_bits[i / 64], mask, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&a->private_bits[i / 64], ~mask, __ATOMIC_RELAXED);
		i += len;
	}
}

void conv_attrs_begin(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private)
{
	struct conv_attrs *a = m->attrs;

	if (!a)
		return;
	a->last_gpa = gpa;
	a->last_bytes = bytes;
	a->last_to_private = to_private;
	a->last_end_ns = 0;
	a->last_begin_ns = now_ns();
	__atomic_fetch_add(&a->inflight, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&a->gen, 1, __ATOMIC_SEQ_CST);
}

void conv_attrs_end(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private,
		    bool applied)
{
	struct conv_attrs *a = m->attrs;

	if (!a)
		return;
	if (applied && gpa >= m->gpa && gpa - m->gpa + bytes <= m->bytes)
		attrs_assign(a, (gpa - m->gpa) / GMB_PAGE_SIZE, bytes / GMB_PAGE_SIZE, to_private);
	__atomic_fetch_add(&a->gen, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(&a->inflight, 1, __ATOMIC_SEQ_CST);
	if (a->last_gpa == gpa)
		a->last_end_ns = now_ns();
}

int conv_attrs_get(const struct conv_mem *m, uint64_t gpa, uint64_t bytes, uint64_t *gen)
{
	const struct conv_attrs *a = m->attrs;
	uint64_t i, first, n;
	int seen = -1;

	if (!a || !bytes || gpa < m->gpa || gpa - m->gpa + bytes > m->bytes)
		return -ENOENT;
	if (gen)
		*gen = __atomic_load_n(&a->gen, __ATOMIC_SEQ_CST);
	first = (gpa - m->gpa) / GMB_PAGE_SIZE;
	n = (bytes + GMB_PAGE_SIZE - 1) / GMB_PAGE_SIZE;
	for (i = first; i < first + n; i++) {
		int p = (__atomic_load_n(&a->private_bits[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1;

		if (seen >= 0 && p != seen)
			return 2;
		seen = p;
	}
	return seen;
}

void conv_attrs_describe(const struct conv_mem *m, char *buf, size_t len)
{
	const struct conv_attrs *a = m->attrs;
	uint64_t begin, end, now = now_ns();
	int inflight;

	buf[0] = 0;
	if (!a)
		return;
	begin = a->last_begin_ns;
	end = a->last_end_ns;
	inflight = __atomic_load_n(&a->inflight, __ATOMIC_SEQ_CST);
	if (!begin)
		return;
	if (!end)
		snprintf(buf, len, "host to-%s of [0x%llx,+0x%llx) in flight for %.3f ms (%d in flight)",
			 a->last_to_private ? "private" : "shared",
			 (unsigned long long)a->last_gpa, (unsigned long long)a->last_bytes,
			 (now - begin) / 1e6, inflight);
	else
		snprintf(buf, len, "last host to-%s of [0x%llx,+0x%llx) ended %.3f ms before (%d in flight)",
			 a->last_to_private ? "private" : "shared",
			 (unsigned long long)a->last_gpa, (unsigned long long)a->last_bytes,
			 (now - end) / 1e6, inflight);
}

int conv_mem_create_gmem(struct vm *vm, struct conv_mem *m, uint64_t flags)
{
	int fd = gmem_create(vm, m->bytes, flags);

	m->vm_fd = vm->fd;
	if (fd < 0)
		return fd;
	m->gmem_fd = fd;
	return 0;
}

int conv_mem_map(const struct conv_mem *m, int fd, void **map)
{
	void *p = mmap(NULL, m->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*map = p;
	return 0;
}

int conv_mem_setup_mapped_gmem(struct vm *vm, struct conv_mem *m)
{
	int r;

	r = conv_mem_create_gmem(vm, m, CONV_MAPPED_GMEM_FLAGS);
	if (!r)
		r = conv_mem_map(m, m->gmem_fd, &m->gmem_map);
	if (!r)
		r = vm_set_memslot(vm, m->slot, KVM_MEM_GUEST_MEMFD, m->gpa, m->bytes,
				   m->gmem_map, m->gmem_fd, m->gmem_offset);
	if (r)
		conv_mem_release(m);
	return r;
}

int conv_probe_vm(const struct kvm_sys *sys, unsigned int flags, conv_probe_fn check,
		  unsigned long *vm_type, char *why, size_t whylen)
{
	struct conv_probe_ctx pc = { .type = KVM_X86_DEFAULT_VM };
	struct vm vm;
	int r;

	if ((flags & CONV_PROBE_GMEM) && kvm_check_cap(sys->fd, KVM_CAP_GUEST_MEMFD) <= 0) {
		snprintf(why, whylen, "KVM_CAP_GUEST_MEMFD is 0: kernel without guest_memfd");
		return -EOPNOTSUPP;
	}
	if (flags & CONV_PROBE_PRIVATE)
		pc.private_type = kvm_private_vm_type(sys, &pc.type, pc.why_type,
						      sizeof(pc.why_type)) == 0;
	r = vm_create(&vm, sys, pc.type);
	if (r) {
		snprintf(why, whylen, "KVM_CREATE_VM(type %lu, %s): %s", pc.type,
			 kvm_vm_type_name(pc.type), strerror(-r));
		return r;
	}
	r = check(&vm, &pc, why, whylen);
	vm_destroy(&vm);
	if (!r)
		*vm_type = pc.type;
	return r;
}

/*
 * KVM offers KVM_X86_SW_PROTECTED_VM only with the TDP MMU: loading
 * kvm_amd with npt=0 (or kvm_intel with ept=0) drops it from
 * KVM_CAP_VM_TYPES even when CONFIG_KVM_SW_PROTECTED_VM is built in
 * (measured in the lab: 0x3 with npt=1, 0x1 with npt=0, same modules).
 * True, with "kvm_amd.npt=N" or the like in @buf, when that is the case.
 */
static bool tdp_off(char *buf, size_t len)
{
	static const char *const params[][2] = {
		{ "kvm_amd", "npt" }, { "kvm_intel", "ept" }, { "kvm", "tdp_mmu" },
	};
	char path[96], val[16];

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
			 params[i][0], params[i][1]);
		if (hostinfo_read_sysfs_str(path, val, sizeof(val)))
			continue;
		if (!strcmp(val, "N") || !strcmp(val, "0")) {
			snprintf(buf, len, "%s.%s=%s", params[i][0], params[i][1], val);
			return true;
		}
	}
	return false;
}

int kvm_private_vm_type(const struct kvm_sys *sys, unsigned long *type,
			char *why, size_t whylen)
{
	long types = kvm_check_cap(sys->fd, KVM_CAP_VM_TYPES);
	char tdp[48];

	if (types < 0)
		types = 1UL << KVM_X86_DEFAULT_VM;	/* pre-6.8: default only */
	if (types & (1UL << KVM_X86_SW_PROTECTED_VM)) {
		*type = KVM_X86_SW_PROTECTED_VM;
		return 0;
	}
	if (types & ((1UL << KVM_X86_SNP_VM) | (1UL << KVM_X86_TDX_VM)))
		snprintf(why, whylen,
			 "KVM_CAP_VM_TYPES=0x%lx offers SNP/TDX only; their firmware launch flow is not implemented, KVM_X86_SW_PROTECTED_VM (CONFIG_KVM_SW_PROTECTED_VM) is required",
			 types);
	else if (tdp_off(tdp, sizeof(tdp)))
		snprintf(why, whylen,
			 "no VM type with private memory: KVM_CAP_VM_TYPES=0x%lx; two-dimensional paging is off (%s), and KVM_X86_SW_PROTECTED_VM needs it",
			 types, tdp);
	else
		snprintf(why, whylen,
			 "no VM type with private memory: KVM_CAP_VM_TYPES=0x%lx (KVM_X86_SW_PROTECTED_VM needs CONFIG_KVM_SW_PROTECTED_VM)",
			 types);
	return -EOPNOTSUPP;
}

const char *kvm_vm_type_name(unsigned long type)
{
	static const char *const names[] = {
		"default", "sw_protected", "sev", "sev_es", "snp", "tdx",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

void kvm_attr_mode_param(char *buf, size_t len)
{
	static const char *const params[] = { GMB_PARAM_INPLACE, GMB_PARAM_VM_ATTRS };
	size_t i;

	for (i = 0; i < 2; i++) {
		char val[16] = "";
		FILE *f = fopen(params[i], "r");

		if (!f)
			continue;
		if (fgets(val, sizeof(val), f))
			val[strcspn(val, "\n")] = 0;
		fclose(f);
		snprintf(buf, len, "%s=%s", strrchr(params[i], '/') + 1, val);
		return;
	}
	snprintf(buf, len, "absent (kvm.ko predates the in-place conversion series)");
}
