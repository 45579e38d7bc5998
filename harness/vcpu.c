// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU setup in 64-bit long mode and the request loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/vcpu.h"

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu_install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(GMB_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/* Give the guest what KVM reports as supported, as the selftests do. */
static int vcpu_set_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *c;
	int nent = 128, r;

	for (;;) {
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = nent;
		r = ioctl(v->vm->sys->fd, KVM_GET_SUPPORTED_CPUID, c);
		if (r == 0 || errno != E2BIG || nent >= 4096)
			break;
		free(c);
		nent *= 2;
	}
	if (r == 0)
		r = ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	else
		r = -errno;
	free(c);
	return r;
}

static int vcpu_set_longmode(struct vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = GMB_GDT_CODE_SEL,
		.type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = GMB_GDT_DATA_SEL,
		.type = 3, .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	/* a busy 64-bit TSS whose IST1 is this vCPU's exception stack */
	struct kvm_segment tr = {
		.base = GMB_TSS_GPA + (uint64_t)v->id * GMB_TSS_BYTES, .limit = 0x67,
		.selector = (uint16_t)(GMB_GDT_TSS_SEL + v->id * 16),
		.type = 11, .present = 1, .dpl = 0, .s = 0,
	};

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.cr0 = 0x80050033;		/* PG|AM|WP|NE|ET|MP|PE */
	s.cr4 = 0x620;			/* PAE|OSFXSR|OSXMMEXCPT */
	s.efer = 0x500;			/* LME|LMA */
	s.cr3 = GMB_PML4_GPA;
	s.cs = code;
	s.ds = s.es = s.ss = s.fs = s.gs = data;
	s.tr = tr;
	s.gdt.base = GMB_GDT_GPA;
	s.gdt.limit = GMB_GDT_BYTES - 1;
	s.idt.base = GMB_IDT_GPA;
	s.idt.limit = GMB_IDT_VECTORS * 16 - 1;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	return 0;
}

int vcpu_reset_regs(struct vcpu *v)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	r.rip = GMB_CODE_GPA;
	r.rsp = GMB_STACK_GPA + (uint64_t)(v->id + 1) * GMB_STACK_BYTES;
	r.rdi = GMB_MAILBOX_GPA + (uint64_t)v->id * GMB_PAGE_SIZE;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

int vcpu_create(struct vm *vm, unsigned int id, struct vcpu *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->run = MAP_FAILED;
	if (id >= GMB_MAX_VCPUS)
		return -EINVAL;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		r = -errno;
		v->fd = -1;
		return r;
	}
	fcntl(v->fd, F_SETFD, FD_CLOEXEC);
	v->run = mmap(NULL, vm->sys->run_bytes, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = -errno;
		goto fail;
	}
	/* best effort: a host whose CPUID ioctl fails still runs this guest */
	(void)vcpu_set_cpuid(v);
	r = vcpu_set_longmode(v);
	if (r)
		goto fail;
	r = vcpu_reset_regs(v);
	if (r)
		goto fail;
	v->mailbox = vm_mailbox(vm, id);
	mb_init(v->mailbox);
	return 0;
fail:
	vcpu_destroy(v);
	return r;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->vm->sys->run_bytes);
	v->run = MAP_FAILED;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

void vcpu_kick_for(struct vcpu *v, pthread_t thread, enum vcpu_kick_why why)
{
	if (why == VCPU_KICK_STALL)
		__atomic_store_n(&v->kick_why, VCPU_KICK_STALL, __ATOMIC_SEQ_CST);
	if (v->run && v->run != MAP_FAILED)
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(thread, GMB_KICK_SIGNAL);
}

void vcpu_kick(struct vcpu *v, pthread_t thread)
{
	vcpu_kick_for(v, thread, VCPU_KICK_STOP);
}

void vcpu_mailbox_setup(struct vcpu *v, unsigned int cmd, uint64_t region_gpa,
			uint64_t region_bytes, uint64_t gran_bytes,
			uint64_t iterations, uint8_t pattern,
			enum guest_channel channel)
{
	struct guest_mb_setup su = {
		.cmd = cmd, .region_gpa = region_gpa, .region_bytes = region_bytes,
		.gran_bytes = gran_bytes, .iterations = iterations, .pattern = pattern,
		.channel = GUEST_CHANNEL_PIO, .stride = GMB_PAGE_SIZE,
	};

	if (channel == CHANNEL_HYPERCALL)
		su.channel = v->vm->sys->intel ? GUEST_CHANNEL_VMCALL : GUEST_CHANNEL_VMMCALL;
	mb_setup(v->mailbox, &su);
	v->mf_rep.count = 0;
}

const char *kvm_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason == KVM_EXIT_MEMORY_FAULT)
		return "MEMORY_FAULT";
	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

/* the guest program's routines (harness/guest.S), in address order */
struct guest_sym {
	uint64_t off;
	const char *name;
};
extern const struct guest_sym gmb_guest_syms[];

void guest_rip_name(uint64_t rip, char *buf, size_t len)
{
	const struct guest_sym *best = NULL, *sym;
	uint64_t end = 0;

	for (sym = gmb_guest_syms; sym->name; sym++) {
		if (!strcmp(sym->name, "gmb_guest_code_end"))
			end = sym->off;
		else if (rip >= GMB_CODE_GPA && rip - GMB_CODE_GPA >= sym->off &&
			 (!best || sym->off >= best->off))
			best = sym;
	}
	if (!best || rip - GMB_CODE_GPA >= end)
		snprintf(buf, len, "outside the guest program");
	else
		snprintf(buf, len, "%s+0x%llx", best->name,
			 (unsigned long long)(rip - GMB_CODE_GPA - best->off));
}

static const char *req_op_name(uint64_t op)
{
	switch (op) {
	case REQ_TO_PRIVATE:	return "to-private";
	case REQ_TO_SHARED:	return "to-shared";
	case REQ_NOP:		return "nop";
	case REQ_DONE:		return "done";
	case 0:			return "none";
	}
	return "bad";
}

static const char *guest_cmd_name(uint64_t cmd)
{
	switch (cmd) {
	case GUEST_CMD_CONVERT_LOOP:	return "convert_loop";
	case GUEST_CMD_TOUCH_LOOP:	return "touch_loop";
	case GUEST_CMD_NOP_REQUESTS:	return "nop_requests";
	case GUEST_CMD_TOUCH_ONCE:	return "touch_once";
	case GUEST_CMD_READ_ONCE:	return "read_once";
	case GUEST_CMD_SPIN:		return "spin";
	case GUEST_CMD_FAULT:		return "fault";
	}
	return "bad";
}

/* the mailbox as the guest left it: command, the MB_STOP it polls, progress */
static void describe_mailbox(struct vcpu *v, char *buf, size_t len)
{
	const struct guest_mailbox *mb = v->mailbox;
	struct guest_mb_req req;

	mb_request(mb, &req);
	snprintf(buf, len, "cmd %s, MB_STOP=%llu, heartbeat %llu, passes %llu, last request %s",
		 guest_cmd_name(mb_cmd(mb)), (unsigned long long)mb_stop(mb),
		 (unsigned long long)mb_heartbeat(mb),
		 (unsigned long long)mb_passes(mb), req_op_name(req.op));
	if (req.op == REQ_TO_PRIVATE || req.op == REQ_TO_SHARED)
		snprintf(buf + strlen(buf), len - strlen(buf), " of [0x%llx,+0x%llx)",
			 (unsigned long long)req.gpa, (unsigned long long)req.bytes);
}

/* "; <context>" when the harness has something to add */
static void append_context(struct vcpu *v, char *buf, size_t len)
{
	char ctx[256] = "";
	size_t n = strlen(buf);

	if (v->context)
		v->context(v, ctx, sizeof(ctx));
	if (ctx[0] && n < len)
		snprintf(buf + n, len - n, "; %s", ctx);
}

/*
 * The guest program never leaves its code and never loads cr3: a vCPU
 * found elsewhere did not get there by itself. Sets v->state_lost and
 * returns the phrase for the report, "" when the state is the guest's.
 */
static const char *foreign_state(struct vcpu *v, const struct kvm_regs *r,
				 const struct kvm_sregs *sr)
{
	char where[64];

	guest_rip_name(r->rip, where, sizeof(where));
	if (sr->cr3 == GMB_PML4_GPA && strcmp(where, "outside the guest program"))
		return "";
	__atomic_store_n(&v->state_lost, 1, __ATOMIC_SEQ_CST);
	return " - not the guest program's state (it never leaves its code nor loads cr3): lost by the platform, see README known issues";
}

void vcpu_describe(struct vcpu *v, char *buf, size_t len)
{
	char where[64], mb[256];
	struct kvm_regs r;
	struct kvm_sregs sr;

	describe_mailbox(v, mb, sizeof(mb));
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
		snprintf(buf, len, "registers unreadable (%s); %s", strerror(errno), mb);
		return;
	}
	guest_rip_name(r.rip, where, sizeof(where));
	snprintf(buf, len,
		 "rip 0x%llx (%s) rsp 0x%llx rflags 0x%llx rdi 0x%llx r12 0x%llx r15 0x%llx cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx%s; %s",
		 (unsigned long long)r.rip, where, (unsigned long long)r.rsp,
		 (unsigned long long)r.rflags, (unsigned long long)r.rdi,
		 (unsigned long long)r.r12, (unsigned long long)r.r15,
		 (unsigned long long)sr.cr0, (unsigned long long)sr.cr2,
		 (unsigned long long)sr.cr3, (unsigned long long)sr.cr4,
		 (unsigned long long)sr.efer, foreign_state(v, &r, &sr), mb);
}

static uint64_t vcpu_rip(struct vcpu *v)
{
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return 0;
	return r.rip;
}

/* " at rip 0x... (routine+off)" */
static void rip_phrase(struct vcpu *v, char *buf, size_t len)
{
	uint64_t rip = vcpu_rip(v);
	char where[64];

	guest_rip_name(rip, where, sizeof(where));
	snprintf(buf, len, "at rip 0x%llx (%s)", (unsigned long long)rip, where);
}

static const char *exc_mnemonic(uint64_t vec)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF9",
		"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC",
		"#SX", "#31",
	};

	return vec < 32 ? names[vec] : "#?";
}

/* "(not-present write)" etc. for a #PF error code */
static void pf_error_phrase(uint64_t err, char *buf, size_t len)
{
	snprintf(buf, len, " (%s %s%s%s%s)", err & 1 ? "protection" : "not-present",
		 err & 16 ? "fetch" : err & 2 ? "write" : "read", err & 4 ? ", user" : "",
		 err & 8 ? ", reserved bit" : "", err & 32 ? ", pkey" : "");
}

/*
 * The guest's exception handler filled MB_EXC_* and wrote GMB_EXC_PORT:
 * "guest #PF (error 0x2 (not-present write)) at rip ... cr2 ... during ..."
 */
static void describe_exception(struct vcpu *v, char *why, size_t whylen)
{
	const struct guest_mailbox *mb = v->mailbox;
	struct guest_exc_report e;
	struct guest_mb_req rq;
	char where[64], pf[64] = "", req[128] = "";

	mb_exc_report(mb, &e);
	mb_request(mb, &rq);
	guest_rip_name(e.rip, where, sizeof(where));
	if (e.vector == 14)
		pf_error_phrase(e.error, pf, sizeof(pf));
	if (rq.op == REQ_TO_PRIVATE || rq.op == REQ_TO_SHARED)
		snprintf(req, sizeof(req), " after the guest's %s request of [0x%llx,+0x%llx)",
			 req_op_name(rq.op), (unsigned long long)rq.gpa,
			 (unsigned long long)rq.bytes);
	snprintf(why, whylen,
		 "guest %s (vector %llu, error 0x%llx%s) at rip 0x%llx (%s) cr2 0x%llx rsp 0x%llx rflags 0x%llx rdi 0x%llx r12 0x%llx r15 0x%llx%s%s; cmd %s, heartbeat %llu",
		 exc_mnemonic(e.vector), (unsigned long long)e.vector,
		 (unsigned long long)e.error, pf, (unsigned long long)e.rip, where,
		 (unsigned long long)e.cr2, (unsigned long long)e.rsp,
		 (unsigned long long)e.rflags, (unsigned long long)e.rdi,
		 (unsigned long long)e.r12, (unsigned long long)e.r15, req,
		 e.count > 1 ? " (then faulted again inside the handler)" : "",
		 guest_cmd_name(mb_cmd(mb)), (unsigned long long)mb_heartbeat(mb));
	append_context(v, why, whylen);
}

static int decode_pio(struct vcpu *v, struct guest_req *req, char *why,
		      size_t whylen)
{
	struct kvm_run *run = v->run;
	struct guest_mb_req mr;
	char at[96];

	if (run->io.port == GMB_EXC_PORT && run->io.direction == KVM_EXIT_IO_OUT) {
		describe_exception(v, why, whylen);
		return -EFAULT;
	}
	if (run->io.port != GMB_PIO_PORT || run->io.direction != KVM_EXIT_IO_OUT) {
		rip_phrase(v, at, sizeof(at));
		snprintf(why, whylen, "unexpected exit IO: port 0x%x %s size %u count %u %s",
			 run->io.port, run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.size, run->io.count, at);
		append_context(v, why, whylen);
		return -EPROTO;
	}
	mb_request(v->mailbox, &mr);
	if (mr.op < REQ_TO_PRIVATE || mr.op > REQ_DONE) {
		snprintf(why, whylen, "guest request with bad op %llu", (unsigned long long)mr.op);
		return -EPROTO;
	}
	req->op = (enum guest_req_op)mr.op;
	req->gpa = mr.gpa;
	req->bytes = mr.bytes;
	req->via_hypercall = false;
	return 0;
}

/*
 * KVM_HC_MAP_GPA_RANGE arrives as args (gpa, npages, attrs), the real ABI;
 * the mailbox only disambiguates our calibration NOPs, and must agree.
 */
static int decode_hypercall(struct vcpu *v, struct guest_req *req, char *why,
			    size_t whylen)
{
	struct kvm_run *run = v->run;
	uint64_t gpa = run->hypercall.args[0];
	uint64_t npages = run->hypercall.args[1];
	uint64_t attrs = run->hypercall.args[2];
	struct guest_mb_req mr;

	mb_request(v->mailbox, &mr);
	if (run->hypercall.nr != KVM_HC_MAP_GPA_RANGE) {
		snprintf(why, whylen, "unexpected hypercall nr %llu",
			 (unsigned long long)run->hypercall.nr);
		return -EPROTO;
	}
	req->gpa = gpa;
	req->bytes = npages * GMB_PAGE_SIZE;
	req->via_hypercall = true;
	if (mr.op == REQ_NOP) {
		req->op = REQ_NOP;
	} else {
		req->op = (attrs & KVM_MAP_GPA_RANGE_ENCRYPTED) ? REQ_TO_PRIVATE
								: REQ_TO_SHARED;
		if (req->op != mr.op) {
			snprintf(why, whylen, "hypercall attrs 0x%llx disagree with mailbox op %llu",
				 (unsigned long long)attrs, (unsigned long long)mr.op);
			return -EPROTO;
		}
	}
	if (gpa != mr.gpa || req->bytes != mr.bytes) {
		snprintf(why, whylen, "hypercall gpa 0x%llx npages %llu disagree with mailbox",
			 (unsigned long long)gpa, (unsigned long long)npages);
		return -EPROTO;
	}
	return 0;
}

/* KVM_RUN returned -EFAULT with KVM_EXIT_MEMORY_FAULT: 0 = re-enter */
static int handle_memory_fault(struct vcpu *v, char *why, size_t whylen)
{
	const struct gmb_kvm_memory_fault *mf = (const void *)&v->run->hypercall;
	uint64_t flags = mf->flags, gpa = mf->gpa, size = mf->size;
	char phrase[256] = "", at[96];
	int r;

	if (flags & KVM_MEMORY_EXIT_FLAG_PRIVATE)
		__atomic_fetch_add(&v->mf_exits_private, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&v->mf_exits_shared, 1, __ATOMIC_RELAXED);
	if (v->on_memory_fault) {
		r = v->on_memory_fault(v, flags, gpa, size, phrase, sizeof(phrase));
		if (!r)
			return 0;
	} else {
		snprintf(phrase, sizeof(phrase), "no handler for it on this vCPU");
		r = -EIO;
	}
	rip_phrase(v, at, sizeof(at));
	snprintf(why, whylen,
		 "KVM_EXIT_MEMORY_FAULT flags 0x%llx (%s) gpa 0x%llx size 0x%llx %s: %s",
		 (unsigned long long)flags,
		 flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ? "private" : "shared",
		 (unsigned long long)gpa, (unsigned long long)size, at, phrase);
	append_context(v, why, whylen);
	return r;
}

static const char *internal_suberror_name(uint32_t sub)
{
	switch (sub) {
	case 1: return "emulation failure";
	case 2: return "exception during exception delivery";
	case 3: return "event delivery";
	case 4: return "unexpected exit reason";
	}
	return "unknown suberror";
}

/* one line with KVM's fields for an exit the harness does not expect */
static int decode_unexpected(struct vcpu *v, char *why, size_t whylen)
{
	struct kvm_run *run = v->run;
	char at[96], exc[640];
	size_t n;
	uint32_t i;

	rip_phrase(v, at, sizeof(at));
	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		/* KVM re-initialised the vCPU: its registers are not the guest's */
		if (mb_exc_count(v->mailbox)) {
			describe_exception(v, exc, sizeof(exc));
			snprintf(why, whylen, "KVM_EXIT_SHUTDOWN (triple fault) after %s", exc);
			return -EIO;
		}
		snprintf(why, whylen,
			 "KVM_EXIT_SHUTDOWN (triple fault; KVM reset the vCPU, so rip 0x%llx is not the guest's): no exception report reached the mailbox, so delivering the exception itself failed; ",
			 (unsigned long long)vcpu_rip(v));
		n = strlen(why);
		/*
		 * Intact structures, no report, and a guest that never loads
		 * IDTR/GDTR/TR/cr3 (but for the triple-fault test): the
		 * vCPU's state was not the guest's when it faulted.
		 */
		if (!vm_check_system(v->vm, why + n, whylen - n) &&
		    mb_cmd(v->mailbox) != GUEST_CMD_FAULT) {
			__atomic_store_n(&v->state_lost, 1, __ATOMIC_SEQ_CST);
			n = strlen(why);
			snprintf(why + n, whylen - n, ", so the vCPU's state was not the guest's: lost by the platform, see README known issues");
		}
		n = strlen(why);
		snprintf(why + n, whylen - n, "; ");
		n = strlen(why);
		describe_mailbox(v, why + n, whylen - n);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(why, whylen, "KVM_EXIT_INTERNAL_ERROR suberror %u (%s) ndata %u data",
			 run->internal.suberror, internal_suberror_name(run->internal.suberror),
			 run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16; i++) {
			n = strlen(why);
			snprintf(why + n, whylen - n, " 0x%llx",
				 (unsigned long long)run->internal.data[i]);
		}
		n = strlen(why);
		snprintf(why + n, whylen - n, " %s", at);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, whylen, "KVM_EXIT_FAIL_ENTRY hardware_entry_failure_reason 0x%llx cpu %u %s",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu, at);
		break;
	case KVM_EXIT_MMIO:
		snprintf(why, whylen, "unexpected exit MMIO: %s of %u bytes at gpa 0x%llx (no memslot there) %s",
			 run->mmio.is_write ? "write" : "read", run->mmio.len,
			 (unsigned long long)run->mmio.phys_addr, at);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(why, whylen, "unexpected exit SYSTEM_EVENT type %u ndata %u data 0x%llx %s",
			 run->system_event.type, run->system_event.ndata,
			 (unsigned long long)run->system_event.data[0], at);
		break;
	case KVM_EXIT_EXCEPTION:
	case KVM_EXIT_DEBUG:
		snprintf(why, whylen, "unexpected exit %s exception %u error code 0x%x %s",
			 kvm_exit_name(run->exit_reason), run->ex.exception, run->ex.error_code, at);
		break;
	default:
		snprintf(why, whylen, "unexpected exit %s (%u) %s",
			 kvm_exit_name(run->exit_reason), run->exit_reason, at);
		break;
	}
	append_context(v, why, whylen);
	return -EIO;
}

/* out of KVM_RUN by a kick: a stall report (-ETIME) or a stop (-EINTR) */
static int kicked(struct vcpu *v, char *why, size_t whylen)
{
	char regs[448], mb[256], where[64];
	struct kvm_regs r;
	struct kvm_sregs sr;
	int kind = __atomic_exchange_n(&v->kick_why, VCPU_KICK_STOP, __ATOMIC_SEQ_CST);

	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (kind == VCPU_KICK_STALL) {
		vcpu_describe(v, regs, sizeof(regs));
		snprintf(why, whylen, "vCPU %u made no progress for %.1f s (watchdog): %s",
			 v->id, __atomic_load_n(&v->stall_ns, __ATOMIC_SEQ_CST) / 1e9, regs);
		append_context(v, why, whylen);
		return -ETIME;
	}
	/* short: the supervisor lists every vCPU in one reason */
	describe_mailbox(v, mb, sizeof(mb));
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
		snprintf(v->kick_report, sizeof(v->kick_report), "registers unreadable, %s", mb);
		return -EINTR;
	}
	guest_rip_name(r.rip, where, sizeof(where));
	snprintf(v->kick_report, sizeof(v->kick_report), "at rip 0x%llx (%s) cr3 0x%llx%s, %s",
		 (unsigned long long)r.rip, where, (unsigned long long)sr.cr3,
		 foreign_state(v, &r, &sr), mb);
	return -EINTR;
}

/* "vCPU N: " in front of a failure line (the watchdog's has it already) */
static int with_vcpu(struct vcpu *v, int r, char *why, size_t whylen)
{
	char tmp[1024];

	if (r && r != -EINTR && r != -ETIME && whylen) {
		snprintf(tmp, sizeof(tmp), "vCPU %u: %s", v->id, why);
		snprintf(why, whylen, "%s", tmp);
	}
	return r;
}

static int next_request(struct vcpu *v, struct guest_req *req, char *why,
			size_t whylen);

int vcpu_next_request(struct vcpu *v, struct guest_req *req, char *why,
		      size_t whylen)
{
	return with_vcpu(v, next_request(v, req, why, whylen), why, whylen);
}

static int next_request(struct vcpu *v, struct guest_req *req, char *why,
			size_t whylen)
{
	struct kvm_run *run = v->run;
	uint64_t t0, t1;
	int r;

	for (;;) {
		/*
		 * The watchdog's flag outside t0..t1: a seq_cst store is a full
		 * fence on x86, and run_ns times the guest (exit round trips,
		 * touches). nr_exits has one writer, this thread: no locked add.
		 */
		__atomic_store_n(&v->in_run, 1, __ATOMIC_RELEASE);
		t0 = now_ns();
		r = ioctl(v->fd, KVM_RUN, 0);
		t1 = now_ns();
		__atomic_store_n(&v->in_run, 0, __ATOMIC_RELEASE);
		v->last_run_ns = t1 - t0;
		__atomic_store_n(&v->nr_exits, __atomic_load_n(&v->nr_exits, __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELAXED);
		if (r < 0) {
			r = -errno;
			if (r == -EINTR || r == -EAGAIN)
				return kicked(v, why, whylen);
			if (r == -EFAULT && run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
				r = handle_memory_fault(v, why, whylen);
				if (!r)
					continue;
				return r;
			}
			snprintf(why, whylen, "KVM_RUN: %s (exit reason %s)", strerror(-r),
				 kvm_exit_name(run->exit_reason));
			return r;
		}
		req->run_ns = v->last_run_ns;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			return decode_pio(v, req, why, whylen);
		case KVM_EXIT_HYPERCALL:
			return decode_hypercall(v, req, why, whylen);
		case KVM_EXIT_INTR:
			return kicked(v, why, whylen);
		default:
			return decode_unexpected(v, why, whylen);
		}
	}
}

void vcpu_complete_request(struct vcpu *v, const struct guest_req *req,
			   uint64_t ret)
{
	if (req->via_hypercall)
		v->run->hypercall.ret = ret;
}
