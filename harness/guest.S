/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest program, copied into guest memory at GMB_CODE_GPA and entered
 * in 64-bit mode with %rdi = this vCPU's mailbox and %rsp = its stack.
 *
 * Tiny by design: on hosts whose KVM emulates every guest instruction
 * (PVM here, ~0.7 us per instruction) each touched page costs a handful of
 * instructions only. Position independent: no absolute addresses.
 *
 * Register use:  %r8 region start, %r9 region end, %r10 stride,
 *                %r11 passes left, %r12 request gpa, %r13 request bytes,
 *                %r14b pattern byte, %r15 cursor.
 *
 * MB_HEARTBEAT counts pages touched and requests made: the harness's
 * progress watchdog reads it. Every exception vector goes through a gate
 * on its own stack (IST1) to exc_common, which fills MB_EXC_* and reports
 * on GMB_EXC_PORT, as the KVM selftests' exception handlers do: a guest
 * fault is never a silent triple fault.
 */
#include "harness/guest_abi.h"

	.text
	.code64
	.globl	gmb_guest_code_start
	.globl	gmb_guest_code_end
	.balign	16
gmb_guest_code_start:
	movq	MB_REGION_GPA(%rdi), %r8
	movq	MB_REGION_BYTES(%rdi), %r9
	addq	%r8, %r9
	movq	MB_STRIDE(%rdi), %r10
	movq	MB_ITERATIONS(%rdi), %r11
	movq	MB_GRAN_BYTES(%rdi), %r13
	movzbq	MB_PATTERN(%rdi), %r14
	movq	MB_CMD(%rdi), %rax
	cmpq	$GUEST_CMD_CONVERT_LOOP, %rax
	je	convert_loop
	cmpq	$GUEST_CMD_TOUCH_LOOP, %rax
	je	touch_loop
	cmpq	$GUEST_CMD_NOP_REQUESTS, %rax
	je	nop_loop
	cmpq	$GUEST_CMD_TOUCH_ONCE, %rax
	je	touch_once
	cmpq	$GUEST_CMD_READ_ONCE, %rax
	je	read_once
	cmpq	$GUEST_CMD_SPIN, %rax
	je	spin
	cmpq	$GUEST_CMD_FAULT, %rax
	je	fault
done:
	movq	$GUEST_REQ_DONE, MB_REQ_OP(%rdi)
	movw	$GMB_PIO_PORT, %dx
	outb	%al, %dx
	hlt
	jmp	done

/* request(%rsi = op): publish in the mailbox, then exit via the channel */
request:
	incq	MB_HEARTBEAT(%rdi)
	movq	%rsi, MB_REQ_OP(%rdi)
	movq	%r12, MB_REQ_GPA(%rdi)
	movq	%r13, MB_REQ_BYTES(%rdi)
	movq	MB_CHANNEL(%rdi), %rax
	testq	%rax, %rax
	jnz	1f
	movw	$GMB_PIO_PORT, %dx
	outb	%al, %dx
	ret
1:	/* KVM_HC_MAP_GPA_RANGE(gpa, npages, attrs) as SNP/TDX guests issue it */
	movq	%rax, %r15
	movq	%r12, %rbx
	movq	%r13, %rcx
	shrq	$GMB_PAGE_SHIFT, %rcx
	xorl	%edx, %edx
	cmpq	$GUEST_REQ_TO_PRIVATE, %rsi
	jne	2f
	movl	$GMB_MAP_GPA_RANGE_ENCRYPTED, %edx
2:	movl	$GMB_HC_MAP_GPA_RANGE, %eax
	cmpq	$GUEST_CHANNEL_VMMCALL, %r15
	je	3f
	vmcall
	ret
3:	vmmcall
	ret

/* touch [%r12, %r12 + %r13) every %r10 bytes */
touch_chunk:
	movq	%r12, %r15
	leaq	(%r12,%r13), %rcx
1:	movb	%r14b, (%r15)
	incq	MB_HEARTBEAT(%rdi)
	addq	%r10, %r15
	cmpq	%rcx, %r15
	jb	1b
	ret

convert_loop:
	movq	%r8, %r12
1:	movq	$GUEST_REQ_TO_PRIVATE, %rsi
	call	request
	call	touch_chunk
	movq	$GUEST_REQ_TO_SHARED, %rsi
	call	request
	call	touch_chunk
	cmpq	$0, MB_STOP(%rdi)	/* fixed-duration runs end here */
	jne	done
	addq	%r13, %r12
	cmpq	%r9, %r12
	jb	1b
	incq	MB_PASSES(%rdi)
	decq	%r11
	jnz	convert_loop
	jmp	done

touch_loop:
	movq	%r8, %r15
1:	cmpq	$0, MB_STOP(%rdi)
	jne	done
	movb	%r14b, (%r15)
	incq	MB_HEARTBEAT(%rdi)
	addq	%r10, %r15
	cmpq	%r9, %r15
	jb	1b
	incq	MB_PASSES(%rdi)
	jmp	touch_loop

touch_once:
	movq	%r8, %r12
	movq	MB_REGION_BYTES(%rdi), %r13
	call	touch_chunk
	incq	MB_PASSES(%rdi)
	jmp	done

/* read a byte every %r10: count those != pattern, note the first one */
read_once:
	movq	%r8, %r15
	xorl	%ecx, %ecx
1:	movzbq	(%r15), %rax
	cmpb	%r14b, %al
	je	2f
	testq	%rcx, %rcx
	jnz	3f
	movq	%r15, MB_READ_BAD_GPA(%rdi)
	movq	%rax, MB_READ_BAD_VAL(%rdi)
3:	incq	%rcx
2:	addq	%r10, %r15
	cmpq	%r9, %r15
	jb	1b
	movq	%rcx, MB_READ_BAD(%rdi)
	incq	MB_PASSES(%rdi)
	jmp	done

nop_loop:
	movq	%r8, %r12
	movq	$GMB_PAGE_SIZE, %r13
1:	movq	$GUEST_REQ_NOP, %rsi
	call	request
	decq	%r11
	jnz	1b
	jmp	done

/* a stalled vCPU: polls MB_STOP and nothing else, no heartbeat */
spin:
	pause
	cmpq	$0, MB_STOP(%rdi)
	je	spin
	jmp	done

/* broken guest accesses on purpose, to test the exception reports */
fault:
	cmpq	$GUEST_FAULT_WRITE, %r11
	jne	1f
	movb	%r14b, (%r8)
	jmp	done
1:	cmpq	$GUEST_FAULT_UD, %r11
	jne	2f
	ud2
2:	cmpq	$GUEST_FAULT_ESCAPE, %r11
	jne	3f
	jmp	*%r8
3:	cmpq	$GUEST_FAULT_TRIPLE, %r11
	jne	done
	subq	$16, %rsp
	movq	$0, (%rsp)
	movq	$0, 8(%rsp)
	lidt	(%rsp)			/* limit 0: no vector can be delivered */
	ud2

/*
 * One 16-byte stub per vector: a dummy error code where the CPU pushes
 * none, the vector, then the common handler. The host points IDT entry n
 * at gmb_guest_exc_stubs + 16 * n.
 */
	.balign	16
	.globl	gmb_guest_exc_stubs
gmb_guest_exc_stubs:
	.irp	vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	16
	.if	!(\vec == 8 || \vec == 10 || \vec == 11 || \vec == 12 || \vec == 13 || \vec == 14 || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
	.endr

/*
 * On IST1: [rsp] vector, error, rip, cs, rflags, rsp, ss; the mailbox
 * address is the exception stack's top quadword, 8 bytes above the frame.
 * Records the first exception only (a second one means the handler
 * itself faulted), reports on GMB_EXC_PORT and halts for good.
 */
exc_common:
	pushq	%rax
	movq	72(%rsp), %rax
	incq	MB_EXC_COUNT(%rax)
	cmpq	$1, MB_EXC_COUNT(%rax)
	jne	2f
	movq	%rdi, MB_EXC_RDI(%rax)
	movq	%r12, MB_EXC_R12(%rax)
	movq	%r15, MB_EXC_R15(%rax)
	movq	8(%rsp), %rdi
	movq	%rdi, MB_EXC_VECTOR(%rax)
	movq	16(%rsp), %rdi
	movq	%rdi, MB_EXC_ERROR(%rax)
	movq	24(%rsp), %rdi
	movq	%rdi, MB_EXC_RIP(%rax)
	movq	40(%rsp), %rdi
	movq	%rdi, MB_EXC_RFLAGS(%rax)
	movq	48(%rsp), %rdi
	movq	%rdi, MB_EXC_RSP(%rax)
	movq	%cr2, %rdi
	movq	%rdi, MB_EXC_CR2(%rax)
2:	movw	$GMB_EXC_PORT, %dx
	outb	%al, %dx
3:	hlt
	jmp	3b
gmb_guest_code_end:

/* where each routine starts, to name a guest rip in reports */
	.macro	GSYM name
	.pushsection .rodata.str1.1, "aMS", @progbits, 1
9:	.asciz	"\name"
	.popsection
	.quad	\name - gmb_guest_code_start, 9b
	.endm

	.section .data.rel.ro, "aw"
	.balign	8
	.globl	gmb_guest_syms
gmb_guest_syms:
	GSYM	gmb_guest_code_start
	GSYM	done
	GSYM	request
	GSYM	touch_chunk
	GSYM	convert_loop
	GSYM	touch_loop
	GSYM	touch_once
	GSYM	nop_loop
	GSYM	spin
	GSYM	fault
	GSYM	gmb_guest_exc_stubs
	GSYM	exc_common
	GSYM	gmb_guest_code_end
	.quad	0, 0

	.section .note.GNU-stack,"",@progbits
