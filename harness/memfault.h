/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a VMM does with KVM_EXIT_MEMORY_FAULT, decided without KVM (pure,
 * unit-tested): the exit's PRIVATE flag against the attribute gmembench
 * holds for the range (harness/backend.h, struct conv_attrs).
 *
 * On a KVM_X86_SW_PROTECTED_VM the flag is not the guest's intent (there
 * is no C-bit): KVM sets the fault's "private" from the range's attribute
 * when the fault starts, and exits when the attribute differs by the time
 * it maps the page. So on these VMs the exit always means "an attribute
 * change raced this fault". Re-entering samples the attribute afresh.
 * Converting on the exit as QEMU does for SNP/TDX (an implicit
 * conversion) would undo the conversion that raced it, behind the back
 * of the thread that owns the range.
 */
#ifndef GMB_MEMFAULT_H
#define GMB_MEMFAULT_H

#include <stddef.h>
#include <stdint.h>

/* what the workload's driver defines for an exit that disagrees with us */
enum mf_policy {
	/*
	 * Harness threads convert while the vCPUs run (host driver): a fault
	 * racing them is expected; re-enter.
	 */
	MF_POLICY_REENTER = 0,
	/*
	 * The guest asks for every conversion and the vCPU thread performs it
	 * with the vCPU out of KVM_RUN (guest driver): nothing may race the
	 * vCPU's own accesses, so a disagreeing exit is an error.
	 */
	MF_POLICY_ERROR,
};

/* a fault that repeats on one gpa with no attribute change is an error */
#define MF_MAX_REPEATS	64

/* per vCPU: the previous exit, for the repeat check */
struct mf_repeat {
	uint64_t gpa;
	uint64_t gen;
	unsigned int count;
};

/*
 * One exit: flags/gpa/size as KVM reported them, attr what we hold for
 * the range (conv_attrs_get: 1 private, 0 shared, 2 mixed, -ENOENT not
 * tracked) and the tracker's generation. 0 = re-enter; -EFAULT (untracked
 * range), -EPROTO (policy forbids it) or -ELOOP (repeats) with why filled,
 * one phrase without KVM's fields (the caller prefixes them).
 */
int mf_decide(struct mf_repeat *rep, enum mf_policy pol, int attr, uint64_t gen,
	      uint64_t flags, uint64_t gpa, uint64_t size, char *why, size_t whylen);

#endif /* GMB_MEMFAULT_H */
