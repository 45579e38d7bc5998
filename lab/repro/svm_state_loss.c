// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * Minimal reproducer, independent of gmembench: under QEMU TCG's emulated
 * SVM, a KVM guest can lose its state across a VM exit.
 *
 * The guest is 18 bytes of real-mode code per vCPU that increments a byte
 * on its own data page forever and leaves with an OUT every 65536 writes.
 * Per vCPU, a host thread drops that data page in a loop: a hole punched
 * in the guest_memfd behind it (mode "punch", the default: what a discard
 * conversion does) or madvise(MADV_DONTNEED) of anonymous memory (mode
 * "madvise"); each is an invalidation of KVM's mapping, a remote TLB flush
 * and nested page faults on the guest's next writes. The main thread
 * kicks every vCPU out of KVM_RUN every 100 ms. Whenever a vCPU is out of
 * KVM_RUN its rip must lie in its code and its cs base must be 0.
 *
 * No memory attributes, no guest page tables, no IDT, none of gmembench's
 * code (only its header of kernel ABI definitions): whatever breaks here
 * is the platform's (hardware virtualization not tried: no such host
 * here). In the lab under multi-threaded TCG (QEMU 10.0,
 * thread=multi -smp 2, emulated SVM + NPT; clean with thread=single or
 * -smp 1, so it needs L1 vCPUs running in parallel) the
 * guest's rip, rsp, rflags and cr3 get replaced by the L1 kernel's (what
 * the VMCB save area holds if the emulator writes a VM exit while the CPU
 * already holds the host's state), after which the vCPU triple-faults
 * (KVM_EXIT_SHUTDOWN) or runs astray.
 *
 *   cc -O2 -pthread -o svm_state_loss svm_state_loss.c   (or make repro)
 *   ./svm_state_loss [vcpus (2, max 8)] [seconds (120)] [punch|madvise]
 *
 * Exit 0 clean, 1 reproduced (one line per vCPU that lost its state),
 * 2 setup failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* kernel ABI facts only (guest_memfd structs for older system headers) */
#include "../../harness/kvm_uapi.h"

#define MEM_BYTES	0x80000		/* slot 0: code */
#define CODE_GPA	0x1000		/* + vcpu * 0x40 */
#define DATA_GPA	0x80000		/* slot 1: + vcpu * 0x1000 */
#define DATA_BYTES	0x10000
#define MAX_VCPUS	8

/*
 *	mov ax, seg; mov ds, ax; xor bx, bx
 * 1:	inc byte [0]; inc bx; jnz 1b; out 0x80, al; jmp 1b
 */
static const uint8_t code[] = {
	0xb8, 0x00, 0x00,	/* mov ax, seg (patched) */
	0x8e, 0xd8,		/* mov ds, ax */
	0x31, 0xdb,		/* xor bx, bx */
	0xfe, 0x06, 0x00, 0x00,	/* 1: inc byte [0] */
	0x43,			/* inc bx */
	0x75, 0xf9,		/* jnz 1b */
	0xe6, 0x80,		/* out 0x80, al */
	0xeb, 0xf5,		/* jmp 1b */
};

struct vcpu {
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t tid, zapper;
	uint64_t outs, kicks, zaps;
	int lost;
};

static int vm_fd, run_bytes, gmem_fd = -1;
static uint8_t *mem, *data;
static unsigned int nr_vcpus = 2;
static volatile int stop;
static struct vcpu vcpus[MAX_VCPUS];

static void die(const char *what)
{
	fprintf(stderr, "svm_state_loss: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void on_kick(int sig)
{
	(void)sig;
}

/* 0 when the vCPU is where its code is; else one line and 1 */
static int check(struct vcpu *v, const char *when)
{
	uint64_t lo = CODE_GPA + v->id * 0x40, hi = lo + sizeof(code);
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_REGS/SREGS");
	if (r.rip >= lo && r.rip <= hi && s.cs.base == 0)
		return 0;
	printf("REPRODUCED vCPU %u lost its state (%s, after %llu OUT exits, %llu kicks, %llu zaps): rip 0x%llx rsp 0x%llx rflags 0x%llx cs 0x%x base 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx; expected rip in [0x%llx,0x%llx] cs base 0\n",
	       v->id, when, (unsigned long long)v->outs, (unsigned long long)v->kicks,
	       (unsigned long long)__atomic_load_n(&v->zaps, __ATOMIC_RELAXED),
	       (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)r.rflags, s.cs.selector, (unsigned long long)s.cs.base,
	       (unsigned long long)s.cr0, (unsigned long long)s.cr3,
	       (unsigned long long)s.cr4, (unsigned long long)s.efer,
	       (unsigned long long)lo, (unsigned long long)hi);
	fflush(stdout);
	return 1;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	while (!stop) {
		int r = ioctl(v->fd, KVM_RUN, 0);

		if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
			v->run->immediate_exit = 0;
			v->kicks++;
			if (check(v, "kicked"))
				break;
			continue;
		}
		if (r < 0)
			die("KVM_RUN");
		if (v->run->exit_reason == KVM_EXIT_IO && v->run->io.port == 0x80) {
			v->outs++;
			if (check(v, "OUT exit"))
				break;
			continue;
		}
		if (v->run->exit_reason == KVM_EXIT_INTR) {
			v->kicks++;
			if (check(v, "kicked"))
				break;
			continue;
		}
		printf("REPRODUCED vCPU %u: unexpected exit reason %u%s after %llu OUT exits\n",
		       v->id, v->run->exit_reason,
		       v->run->exit_reason == KVM_EXIT_SHUTDOWN ? " (SHUTDOWN: triple fault)" : "",
		       (unsigned long long)v->outs);
		fflush(stdout);
		break;
	}
	v->lost = !stop;
	return NULL;
}

/* drop the vCPU's data page over and over */
static void *zapper_thread(void *arg)
{
	struct vcpu *v = arg;
	uint8_t *page = data + v->id * 0x1000;

	while (!stop && !v->lost) {
		if (gmem_fd >= 0) {
			if (fallocate(gmem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      v->id * 0x1000, 0x1000) < 0)
				die("fallocate(PUNCH_HOLE)");
		} else if (madvise(page, 0x1000, MADV_DONTNEED) < 0) {
			die("madvise");
		}
		__atomic_fetch_add(&v->zaps, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void setup_vcpu(struct vcpu *v, unsigned int id)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	uint16_t seg = (uint16_t)((DATA_GPA + id * 0x1000) >> 4);

	v->id = id;
	memcpy(mem + CODE_GPA + id * 0x40, code, sizeof(code));
	memcpy(mem + CODE_GPA + id * 0x40 + 1, &seg, 2);
	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		die("KVM_CREATE_VCPU");
	v->run = mmap(NULL, run_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	r.rip = CODE_GPA + id * 0x40;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* the VM, slot 0 (code) and slot 1 (data: a mmap'd guest_memfd, or anonymous) */
static void setup_vm(bool punch)
{
	struct kvm_userspace_memory_region2 slot = { 0 };
	int kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm_fd < 0)
		die("/dev/kvm");
	run_bytes = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (run_bytes <= 0 || vm_fd < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	slot.memory_size = MEM_BYTES;
	slot.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION2 (slot 0)");
	memset(&slot, 0, sizeof(slot));
	slot.slot = 1;
	slot.guest_phys_addr = DATA_GPA;
	slot.memory_size = DATA_BYTES;
	if (punch) {
		struct kvm_create_guest_memfd g = {
			.size = DATA_BYTES,
			.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
		};

		gmem_fd = ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
		if (gmem_fd < 0)
			die("KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED)");
		data = mmap(NULL, DATA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, gmem_fd, 0);
		slot.flags = KVM_MEM_GUEST_MEMFD;
		slot.guest_memfd = (__u32)gmem_fd;
	} else {
		data = mmap(NULL, DATA_BYTES, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (data == MAP_FAILED)
		die("mmap data");
	slot.userspace_addr = (uintptr_t)data;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION2 (slot 1)");
}

/* out of KVM_RUN: immediate_exit covers a kick that lands before it */
static void kick(struct vcpu *v)
{
	v->run->immediate_exit = 1;
	pthread_kill(v->tid, SIGUSR1);
}

static unsigned int nr_lost(void)
{
	unsigned int i, lost = 0;

	for (i = 0; i < nr_vcpus; i++)
		lost += vcpus[i].lost;
	return lost;
}

/* kick every vCPU every 100 ms for seconds, or until all lost their state */
static void kick_loop(unsigned int seconds)
{
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	time_t end = time(NULL) + seconds;
	unsigned int i;

	while (time(NULL) < end) {
		nanosleep(&tick, NULL);
		for (i = 0; i < nr_vcpus; i++)
			if (!vcpus[i].lost)
				kick(&vcpus[i]);
		if (nr_lost() == nr_vcpus)
			break;
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 3 ? argv[3] : "punch";
	struct sigaction sa;
	unsigned int seconds = 120, i, lost;
	uint64_t outs = 0, zaps = 0;

	if (argc > 1)
		nr_vcpus = (unsigned int)atoi(argv[1]);
	if (argc > 2)
		seconds = (unsigned int)atoi(argv[2]);
	if (nr_vcpus < 1 || nr_vcpus > MAX_VCPUS ||
	    (strcmp(mode, "punch") && strcmp(mode, "madvise"))) {
		fprintf(stderr, "usage: svm_state_loss [vcpus 1..%d] [seconds] [punch|madvise]\n",
			MAX_VCPUS);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigaction(SIGUSR1, &sa, NULL);
	setup_vm(!strcmp(mode, "punch"));
	for (i = 0; i < nr_vcpus; i++)
		setup_vcpu(&vcpus[i], i);
	for (i = 0; i < nr_vcpus; i++)
		if (pthread_create(&vcpus[i].tid, NULL, vcpu_thread, &vcpus[i]) ||
		    pthread_create(&vcpus[i].zapper, NULL, zapper_thread, &vcpus[i]))
			die("pthread_create");
	kick_loop(seconds);
	stop = 1;
	for (i = 0; i < nr_vcpus; i++) {
		if (!vcpus[i].lost)
			kick(&vcpus[i]);
		pthread_join(vcpus[i].tid, NULL);
		pthread_join(vcpus[i].zapper, NULL);
		outs += vcpus[i].outs;
		zaps += vcpus[i].zaps;
	}
	lost = nr_lost();
	printf("svm_state_loss: %u vCPUs, %u s, %s: %u lost their state; %llu OUT exits, %llu zaps\n",
	       nr_vcpus, seconds, mode, lost, (unsigned long long)outs, (unsigned long long)zaps);
	return lost ? 1 : 0;
}
