// SPDX-License-Identifier: GPL-2.0
/*
 * The backend registry and helpers shared by the backends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/backend.h"

const struct conv_backend *const conv_backends[] = {
	&backend_inplace,
	&backend_dual,
	&backend_discard,
	NULL,
};

const struct conv_backend *conv_backend_find(const char *name)
{
	size_t i;

	for (i = 0; conv_backends[i]; i++)
		if (!strcmp(conv_backends[i]->name, name))
			return conv_backends[i];
	return NULL;
}

size_t conv_backend_count(void)
{
	size_t i = 0;

	while (conv_backends[i])
		i++;
	return i;
}

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
}

int conv_mem_setup_mapped_gmem(struct vm *vm, struct conv_mem *m, uint64_t flags)
{
	int r;

	m->vm_fd = vm->fd;
	m->gmem_fd = gmem_create(vm, m->bytes, flags);
	if (m->gmem_fd < 0) {
		r = m->gmem_fd;
		m->gmem_fd = -1;
		return r;
	}
	m->gmem_map = mmap(NULL, m->bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			   m->gmem_fd, 0);
	if (m->gmem_map == MAP_FAILED) {
		r = -errno;
		m->gmem_map = NULL;
		conv_mem_release(m);
		return r;
	}
	r = vm_set_memslot(vm, m->slot, KVM_MEM_GUEST_MEMFD, m->gpa, m->bytes,
			   m->gmem_map, m->gmem_fd, m->gmem_offset);
	if (r)
		conv_mem_release(m);
	return r;
}

int kvm_private_vm_type(const struct kvm_sys *sys, unsigned long *type,
			char *why, size_t whylen)
{
	long types = kvm_check_cap(sys->fd, KVM_CAP_VM_TYPES);

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
