// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm, VM lifecycle, memslots and guest_memfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cpuid.h>

#include "harness/guest_abi.h"
#include "harness/kvm.h"

extern const char gmb_guest_code_start[], gmb_guest_code_end[];
extern const char gmb_guest_exc_stubs[];

/* slot 0 below the guest code (page tables .. TSSs), then the code area */
#define GOLDEN_LOW	(GMB_TSS_GPA + GMB_MAX_VCPUS * GMB_TSS_BYTES)
#define GOLDEN_BYTES	(GOLDEN_LOW + GMB_CODE_MAX)

static bool cpu_is_intel(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0, &a, &b, &c, &d))
		return false;
	/* "GenuineIntel": ebx="Genu", edx="ineI", ecx="ntel" */
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

int kvm_sys_open(struct kvm_sys *sys, char *why, size_t whylen)
{
	int ver, err;

	memset(sys, 0, sizeof(*sys));
	sys->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys->fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			snprintf(why, whylen, "/dev/kvm: no such device (KVM not available on this host)");
		else
			snprintf(why, whylen, "/dev/kvm: %s (need read/write access, e.g. root or the kvm group)",
				 strerror(-err));
		return err;
	}
	ver = ioctl(sys->fd, KVM_GET_API_VERSION, 0);
	if (ver < 0) {
		err = -errno;
		snprintf(why, whylen, "/dev/kvm: KVM_GET_API_VERSION: %s (not a KVM device)",
			 strerror(-err));
		close(sys->fd);
		sys->fd = -1;
		return -EPROTO;
	}
	if (ver != KVM_API_VERSION) {
		snprintf(why, whylen, "/dev/kvm: API version %d, expected %d", ver, KVM_API_VERSION);
		close(sys->fd);
		sys->fd = -1;
		return -EPROTO;
	}
	sys->run_bytes = ioctl(sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sys->run_bytes <= 0) {
		err = -errno;
		snprintf(why, whylen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		close(sys->fd);
		sys->fd = -1;
		return err ? err : -EIO;
	}
	sys->max_vcpus = ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (sys->max_vcpus <= 0)
		sys->max_vcpus = ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (sys->max_vcpus <= 0)
		sys->max_vcpus = 4;
	sys->intel = cpu_is_intel();
	return 0;
}

void kvm_sys_close(struct kvm_sys *sys)
{
	if (sys->fd >= 0)
		close(sys->fd);
	sys->fd = -1;
}

long kvm_check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? -errno : r;
}

int vm_create(struct vm *vm, const struct kvm_sys *sys, unsigned long type)
{
	memset(vm, 0, sizeof(*vm));
	vm->sys = sys;
	vm->type = type;
	vm->sys_mem = MAP_FAILED;
	vm->fd = ioctl(sys->fd, KVM_CREATE_VM, type);
	if (vm->fd < 0) {
		vm->fd = -1;
		return -errno;
	}
	fcntl(vm->fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

int vm_set_memslot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t bytes, void *hva, int gmem_fd, uint64_t gmem_offset)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = bytes,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
		.guest_memfd_offset = gmem_offset,
		.guest_memfd = gmem_fd < 0 ? 0 : (uint32_t)gmem_fd,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r) < 0)
		return -errno;
	return 0;
}

int vm_del_memslot(struct vm *vm, uint32_t slot)
{
	return vm_set_memslot(vm, slot, 0, 0, 0, NULL, -1, 0);
}

/* 64-bit TSS descriptor (16 bytes): available TSS, present, DPL 0 */
static void gdt_tss_desc(uint64_t *d, uint64_t base, uint32_t limit, unsigned int type)
{
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)type << 40) | (1ULL << 47) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

/*
 * GDT (flat code and data, one TSS per vCPU), an IDT whose 32 exception
 * gates all use IST1, and per vCPU a TSS whose IST1 is its exception stack
 * with the mailbox address on top (see guest_abi.h).
 */
static void setup_descriptors(char *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + GMB_GDT_GPA);
	uint64_t *idt = (uint64_t *)(mem + GMB_IDT_GPA);
	uint64_t stubs = GMB_CODE_GPA + (uint64_t)(gmb_guest_exc_stubs - gmb_guest_code_start);
	unsigned int i;

	gdt[0] = 0;
	gdt[GMB_GDT_CODE_SEL / 8] = 0x00af9b000000ffffULL;	/* L, P, DPL0, code r/x */
	gdt[GMB_GDT_DATA_SEL / 8] = 0x00cf93000000ffffULL;	/* D/B, P, DPL0, data r/w */
	for (i = 0; i < GMB_MAX_VCPUS; i++) {
		uint64_t tss = GMB_TSS_GPA + (uint64_t)i * GMB_TSS_BYTES;
		uint64_t xtop = GMB_XSTACK_GPA + (uint64_t)(i + 1) * GMB_XSTACK_BYTES;

		/* busy: TR is loaded with it directly (KVM_SET_SREGS) */
		gdt_tss_desc(gdt + (GMB_GDT_TSS_SEL + i * 16) / 8, tss, 0x67, 0xb);
		/* IST1 at TSS offset 0x24; the I/O map base past the limit */
		memcpy(mem + tss + 0x24, &(uint64_t){ xtop - 16 }, 8);
		memcpy(mem + tss + 0x66, &(uint16_t){ 0x68 }, 2);
		memcpy(mem + xtop - 8, &(uint64_t){ GMB_MAILBOX_GPA + (uint64_t)i * GMB_PAGE_SIZE }, 8);
	}
	for (i = 0; i < GMB_IDT_VECTORS; i++) {
		uint64_t h = stubs + 16ULL * i;

		/* offset, selector, IST1, present 64-bit interrupt gate */
		idt[2 * i] = (h & 0xffff) | ((uint64_t)GMB_GDT_CODE_SEL << 16) | (1ULL << 32) |
			     (0x8eULL << 40) | (((h >> 16) & 0xffff) << 48);
		idt[2 * i + 1] = h >> 32;
	}
}

int vm_setup_system(struct vm *vm, uint64_t top_gpa)
{
	size_t code_bytes = (size_t)(gmb_guest_code_end - gmb_guest_code_start);
	uint64_t *pml4, *pdpt, *pd;
	uint64_t nr_pds, i;
	char *mem;
	int r;

	nr_pds = (top_gpa + (1ULL << 30) - 1) >> 30;
	if (nr_pds == 0 || nr_pds > GMB_MAX_PDS || code_bytes > GMB_CODE_MAX)
		return -E2BIG;
	mem = mmap(NULL, GMB_SYS_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	vm->sys_mem = mem;
	vm->top_gpa = nr_pds << 30;

	/* identity map [0, top) with 2 MiB pages: P|RW|PS */
	pml4 = (uint64_t *)(mem + GMB_PML4_GPA);
	pdpt = (uint64_t *)(mem + GMB_PDPT_GPA);
	pml4[0] = GMB_PDPT_GPA | 0x3;
	for (i = 0; i < nr_pds; i++) {
		uint64_t j;

		pdpt[i] = (GMB_PD_GPA + i * GMB_PAGE_SIZE) | 0x3;
		pd = (uint64_t *)(mem + GMB_PD_GPA + i * GMB_PAGE_SIZE);
		for (j = 0; j < 512; j++)
			pd[j] = ((i << 30) + (j << 21)) | 0x83;
	}
	memcpy(mem + GMB_CODE_GPA, gmb_guest_code_start, code_bytes);
	setup_descriptors(mem);
	/* a copy of the fixed parts, to tell corruption in failure reports */
	vm->sys_golden = malloc(GOLDEN_BYTES);
	if (!vm->sys_golden)
		return -ENOMEM;
	memcpy(vm->sys_golden, mem, GOLDEN_LOW);
	memcpy((char *)vm->sys_golden + GOLDEN_LOW, mem + GMB_CODE_GPA, GMB_CODE_MAX);

	r = vm_set_memslot(vm, 0, 0, GMB_SYS_GPA, GMB_SYS_BYTES, mem, -1, 0);
	if (r)
		return r;
	return 0;
}

int vm_check_system(const struct vm *vm, char *buf, size_t len)
{
	const char *mem = vm->sys_mem, *gold = vm->sys_golden;
	uint64_t nr_pds = vm->top_gpa >> 30, off, end = GMB_PD_GPA + nr_pds * GMB_PAGE_SIZE;
	size_t code_bytes = (size_t)(gmb_guest_code_end - gmb_guest_code_start);
	const char *what = NULL;
	unsigned int i;

	if (!gold || !mem || mem == MAP_FAILED) {
		snprintf(buf, len, "slot 0 not set up");
		return -ENOENT;
	}
	/* page-table entries, but for the accessed and dirty bits the CPU sets */
	for (off = GMB_PML4_GPA; off < end; off += 8) {
		uint64_t a, b;

		memcpy(&a, mem + off, 8);
		memcpy(&b, gold + off, 8);
		if ((a ^ b) & ~0x60ULL) {
			snprintf(buf, len, "slot 0 page tables differ at gpa 0x%llx: 0x%llx, written 0x%llx",
				 (unsigned long long)off, (unsigned long long)a,
				 (unsigned long long)b);
			return -EIO;
		}
	}
	if (memcmp(mem + GMB_GDT_GPA, gold + GMB_GDT_GPA, GMB_GDT_BYTES))
		what = "GDT";
	else if (memcmp(mem + GMB_IDT_GPA, gold + GMB_IDT_GPA, GMB_IDT_VECTORS * 16))
		what = "IDT";
	else if (memcmp(mem + GMB_TSS_GPA, gold + GMB_TSS_GPA, GMB_MAX_VCPUS * GMB_TSS_BYTES))
		what = "TSS";
	else if (memcmp(mem + GMB_CODE_GPA, gold + GOLDEN_LOW, code_bytes))
		what = "guest code";
	for (i = 0; !what && i < GMB_MAX_VCPUS; i++) {
		uint64_t top = GMB_XSTACK_GPA + (uint64_t)(i + 1) * GMB_XSTACK_BYTES - 8, mb;

		memcpy(&mb, mem + top, 8);
		if (mb != GMB_MAILBOX_GPA + (uint64_t)i * GMB_PAGE_SIZE)
			what = "exception stack top";
	}
	if (what) {
		snprintf(buf, len, "slot 0 %s differs from what was written", what);
		return -EIO;
	}
	snprintf(buf, len, "slot 0 intact as the host sees it (page tables, GDT, IDT, TSS, code)");
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	if (vm->sys_mem && vm->sys_mem != MAP_FAILED)
		munmap(vm->sys_mem, GMB_SYS_BYTES);
	vm->sys_mem = MAP_FAILED;
	free(vm->sys_golden);
	vm->sys_golden = NULL;
}

struct guest_mailbox *vm_mailbox(struct vm *vm, unsigned int vcpu)
{
	return (struct guest_mailbox *)((char *)vm->sys_mem + GMB_MAILBOX_GPA +
					(size_t)vcpu * GMB_PAGE_SIZE);
}

int gmem_create(struct vm *vm, uint64_t bytes, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = bytes, .flags = flags };
	int fd = ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &g);

	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int fd_punch_hole(int fd, uint64_t off, uint64_t len)
{
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return -errno;
	return 0;
}

int fd_allocated_bytes(int fd, uint64_t *bytes)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*bytes = (uint64_t)st.st_blocks * 512;
	return 0;
}

int vm_enable_hypercall_exit(struct vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE,
	};

	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0)
		return -errno;
	return 0;
}
