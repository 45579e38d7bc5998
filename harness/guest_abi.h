/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the built-in guest program (harness/guest.S) and the
 * host: guest-physical layout, mailbox offsets, commands and request codes.
 * Included from assembly, so only #defines here; the C side, a struct at
 * these offsets with static asserts and accessors, is harness/guest_mailbox.h.
 *
 * Guest-physical layout (identity-mapped with 2 MiB pages):
 *   slot 0, anonymous memory at GPA 0 (GMB_SYS_BYTES): page tables, GDT,
 *     IDT, the guest code, and per vCPU a TSS, a mailbox page, a stack and
 *     an exception stack;
 *   slot 1.., the data region at GMB_DATA_GPA (4 GiB, above the APIC page,
 *     as in the kernel selftests), one region per vCPU, backed the way the
 *     conversion backend dictates (guest_memfd and/or a shared memfd).
 */
#ifndef GMB_GUEST_ABI_H
#define GMB_GUEST_ABI_H

#define GMB_PAGE_SIZE		0x1000
#define GMB_PAGE_SHIFT		12
#define GMB_SYS_GPA		0x0
#define GMB_SYS_BYTES		0x800000	/* 8 MiB */
#define GMB_PML4_GPA		0x1000
#define GMB_PDPT_GPA		0x2000
#define GMB_PD_GPA		0x3000		/* up to GMB_MAX_PDS pages */
#define GMB_MAX_PDS		256		/* 256 GiB of GPA */
#define GMB_GDT_GPA		0x104000	/* null, code, data, then one TSS per vCPU */
#define GMB_GDT_CODE_SEL	0x08
#define GMB_GDT_DATA_SEL	0x10
#define GMB_GDT_TSS_SEL		0x18		/* + vcpu * 16 (64-bit TSS descriptors) */
#define GMB_GDT_BYTES		(GMB_GDT_TSS_SEL + GMB_MAX_VCPUS * 16)
#define GMB_IDT_GPA		0x106000	/* GMB_IDT_VECTORS 16-byte gates */
#define GMB_IDT_VECTORS		32		/* the exceptions; nothing else is enabled */
#define GMB_TSS_GPA		0x107000	/* + vcpu * GMB_TSS_BYTES */
#define GMB_TSS_BYTES		0x80		/* 104 used; IST1 = the exception stack */
#define GMB_CODE_GPA		0x200000
#define GMB_CODE_MAX		0x10000
#define GMB_MAILBOX_GPA		0x300000	/* + vcpu * GMB_PAGE_SIZE */
#define GMB_STACK_GPA		0x400000	/* + vcpu * GMB_STACK_BYTES */
#define GMB_STACK_BYTES		0x2000
/*
 * Exception stack (IST1 of every gate): + vcpu * GMB_XSTACK_BYTES. Its top
 * quadword holds the vCPU's mailbox address so that the handler never
 * trusts a register; IST1 points just below it, 16-byte aligned.
 */
#define GMB_XSTACK_GPA		0x600000
#define GMB_XSTACK_BYTES	0x1000
#define GMB_MAX_VCPUS		256
#define GMB_DATA_GPA		0x100000000

/* port the guest writes to for a port-I/O request or "done" */
#define GMB_PIO_PORT		0x4b4d
/* port the exception handler writes to after filling MB_EXC_* (any channel) */
#define GMB_EXC_PORT		0x4b4e

/* mailbox layout: one page per vCPU, u64 fields */
#define MB_MAGIC		0x00
#define MB_CMD			0x08
#define MB_REGION_GPA		0x10
#define MB_REGION_BYTES		0x18
#define MB_GRAN_BYTES		0x20
#define MB_ITERATIONS		0x28
#define MB_PATTERN		0x30
#define MB_CHANNEL		0x38
#define MB_STOP			0x40
#define MB_PASSES		0x48	/* guest: completed passes */
#define MB_REQ_OP		0x50
#define MB_REQ_GPA		0x58
#define MB_REQ_BYTES		0x60
#define MB_STRIDE		0x68
#define MB_HEARTBEAT		0x70	/* guest: +1 per page touched or request made */
/* the exception handler's report: the first exception since the last setup */
#define MB_EXC_COUNT		0x78	/* exceptions taken (> 1: one in the handler) */
#define MB_EXC_VECTOR		0x80
#define MB_EXC_ERROR		0x88	/* error code, 0 for vectors without one */
#define MB_EXC_RIP		0x90
#define MB_EXC_CR2		0x98
#define MB_EXC_RSP		0xa0
#define MB_EXC_RFLAGS		0xa8
#define MB_EXC_RDI		0xb0	/* the mailbox pointer the program used */
#define MB_EXC_R12		0xb8	/* chunk being requested/touched */
#define MB_EXC_R15		0xc0	/* touch cursor */
#define MB_READ_BAD		0xc8	/* READ_ONCE: bytes != MB_PATTERN */
#define MB_READ_BAD_GPA		0xd0	/* READ_ONCE: the first such byte */
#define MB_READ_BAD_VAL		0xd8	/* READ_ONCE: its value */
#define MB_SIZE			0xe0

#define GMB_MAILBOX_MAGIC	0x474d4231	/* "GMB1" */

/* MB_CMD: what the guest does from entry */
#define GUEST_CMD_CONVERT_LOOP	1	/* request private, touch, request shared, touch */
#define GUEST_CMD_TOUCH_LOOP	2	/* touch the region until MB_STOP */
#define GUEST_CMD_NOP_REQUESTS	3	/* MB_ITERATIONS null requests */
#define GUEST_CMD_TOUCH_ONCE	4	/* one pass, then done */
#define GUEST_CMD_READ_ONCE	5	/* read every stride once, count != pattern */
#define GUEST_CMD_SPIN		6	/* poll MB_STOP without heartbeat (tests the watchdog) */
#define GUEST_CMD_FAULT		7	/* misbehave as MB_ITERATIONS says (tests) */

/* GUEST_CMD_FAULT kinds, in MB_ITERATIONS */
#define GUEST_FAULT_WRITE	1	/* write MB_PATTERN at address MB_REGION_GPA */
#define GUEST_FAULT_UD		2	/* ud2 */
#define GUEST_FAULT_TRIPLE	3	/* load an empty IDT, then ud2: a triple fault */
#define GUEST_FAULT_ESCAPE	4	/* jump to MB_REGION_GPA, out of the program */

/* MB_REQ_OP: what a request asks for */
#define GUEST_REQ_TO_PRIVATE	1
#define GUEST_REQ_TO_SHARED	2
#define GUEST_REQ_NOP		3
#define GUEST_REQ_DONE		4

/*
 * What a hypercall request passes: KVM_HC_MAP_GPA_RANGE(gpa, npages,
 * attrs) as SNP/TDX guests issue it (the C side asserts these equal the
 * uapi's numbers).
 */
#define GMB_HC_MAP_GPA_RANGE		12
#define GMB_MAP_GPA_RANGE_ENCRYPTED	0x10

/* MB_CHANNEL: how a request reaches the host */
#define GUEST_CHANNEL_PIO	0
#define GUEST_CHANNEL_VMCALL	1	/* Intel: KVM_HC_MAP_GPA_RANGE */
#define GUEST_CHANNEL_VMMCALL	2	/* AMD */

#endif /* GMB_GUEST_ABI_H */
