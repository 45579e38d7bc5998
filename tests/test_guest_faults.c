// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: a guest never dies or hangs silently. Each way a guest can
 * go wrong is provoked on the real /dev/kvm and must come back as one
 * precise line: an exception report from the guest's IDT (#PF with cr2,
 * #GP, #UD), a triple fault decoded as such, an exit to a GPA without a
 * memslot, a KVM_EXIT_MEMORY_FAULT with KVM's fields, a vCPU that makes no
 * progress (watchdog), a vCPU found outside the guest program (flagged as
 * state lost to the platform) and the cell timeout while a vCPU spins.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "harness/backend.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/session.h"
#include "tests/kvm_test_util.h"

#define REGION_BYTES	(1u << 20)

struct fixture {
	struct kvm_sys sys;
	struct session s;
	bool have_session;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.sys.fd = -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->have_session)
		session_destroy(&f->s);
	kvm_sys_close(&f->sys);
	return 0;
}

/* one vCPU and a 1 MiB data region on backend be, or skip with the reason */
static void make_session(struct fixture *f, const struct conv_backend *be)
{
	struct session_cfg cfg = {
		.backend = be,
		.nr_vcpus = 1,
		.region_bytes = REGION_BYTES,
		.channel = CHANNEL_PIO,
	};
	char why[512] = "";

	KVM_OR_SKIP(&f->sys);
	if (be->probe(&f->sys, &cfg.vm_type, why, sizeof(why))) {
		print_message("SKIP: %s backend: %s\n", be->name, why);
		skip();
	}
	assert_int_equal(session_create(&f->s, &f->sys, &cfg, why, sizeof(why)), 0);
	f->have_session = true;
}

/* run GUEST_CMD_FAULT of kind at addr; the error and its line */
static int run_fault(struct fixture *f, uint64_t kind, uint64_t addr, char *why, size_t len)
{
	struct vcpu *v = &f->s.vcpus[0];
	struct guest_req req;

	assert_int_equal(vcpu_reset_regs(v), 0);
	vcpu_mailbox_setup(v, GUEST_CMD_FAULT, addr, 0, GMB_PAGE_SIZE, kind, 0x5a, CHANNEL_PIO);
	why[0] = 0;
	return vcpu_next_request(v, &req, why, len);
}

static void test_unmapped_gva_is_a_page_fault_report(void **state)
{
	struct fixture *f = *state;
	char why[640];

	make_session(f, &backend_discard);
	/* 512 GiB: beyond the identity map (one PML4 entry), not present */
	assert_int_equal(run_fault(f, GUEST_FAULT_WRITE, 0x8000000000ULL, why, sizeof(why)), -EFAULT);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "guest #PF (vector 14, error 0x2 (not-present write)) at rip 0x"));
	assert_non_null(strstr(why, "(fault+0x"));
	assert_non_null(strstr(why, "cr2 0x8000000000 "));
	assert_int_equal(mb_exc_count(f->s.vcpus[0].mailbox), 1);
}

static void test_non_canonical_is_a_gp_report(void **state)
{
	struct fixture *f = *state;
	char why[640];

	make_session(f, &backend_discard);
	assert_int_equal(run_fault(f, GUEST_FAULT_WRITE, 0x800000000000ULL, why, sizeof(why)), -EFAULT);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "guest #GP (vector 13, error 0x0) at rip 0x"));
}

static void test_ud2_is_an_invalid_opcode_report(void **state)
{
	struct fixture *f = *state;
	char why[640];

	make_session(f, &backend_discard);
	assert_int_equal(run_fault(f, GUEST_FAULT_UD, 0, why, sizeof(why)), -EFAULT);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "guest #UD (vector 6, error 0x0) at rip 0x"));
	assert_non_null(strstr(why, "(fault+0x"));
	assert_non_null(strstr(why, "cmd fault"));
}

static void test_triple_fault_is_decoded(void **state)
{
	struct fixture *f = *state;
	char why[640];

	make_session(f, &backend_discard);
	assert_int_equal(run_fault(f, GUEST_FAULT_TRIPLE, 0, why, sizeof(why)), -EIO);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "KVM_EXIT_SHUTDOWN (triple fault; KVM reset the vCPU"));
	assert_non_null(strstr(why, "no exception report reached the mailbox"));
	assert_non_null(strstr(why, "cmd fault"));
}

static void test_gpa_without_memslot_is_decoded(void **state)
{
	struct fixture *f = *state;
	char why[640];

	make_session(f, &backend_discard);
	/* 2 GiB: identity-mapped by the guest page tables, no memslot */
	assert_int_equal(run_fault(f, GUEST_FAULT_WRITE, 0x80000000ULL, why, sizeof(why)), -EIO);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "unexpected exit MMIO: write of 1 bytes at gpa 0x80000000"));
	assert_non_null(strstr(why, "(fault+0x"));
}

/*
 * On a private-memory VM, a page of slot 0 (no guest_memfd) made private
 * cannot be mapped: KVM exits with KVM_EXIT_MEMORY_FAULT. It is not memory
 * gmembench converts, so it is an error with all of KVM's fields, counted.
 */
static void test_memory_fault_is_decoded_and_counted(void **state)
{
	struct fixture *f = *state;
	struct kvm_memory_attributes a = {
		.address = 0x700000, .size = GMB_PAGE_SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	uint64_t to_private, to_shared;
	char why[640];

	make_session(f, &backend_dual);
	assert_int_equal(ioctl(f->s.vm.fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	assert_int_equal(run_fault(f, GUEST_FAULT_WRITE, 0x700000, why, sizeof(why)), -EFAULT);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "KVM_EXIT_MEMORY_FAULT flags 0x8 (private) gpa 0x700000 size 0x1000 at rip 0x"));
	assert_non_null(strstr(why, "(fault+0x"));
	assert_non_null(strstr(why, "not memory gmembench converts"));
	session_memory_faults(&f->s, &to_private, &to_shared);
	assert_int_equal(to_private, 1);
	assert_int_equal(to_shared, 0);
}

struct spin_arg {
	char why[640];
	int ret;
};

/* the guest polls MB_STOP without any heartbeat: a stalled vCPU */
static int spin_thread(struct session *s, unsigned int idx, void *arg)
{
	struct spin_arg *sa = arg;
	struct vcpu *v = &s->vcpus[idx];
	struct guest_req req;

	/* no cmocka assertions off the main thread */
	sa->ret = vcpu_reset_regs(v);
	if (sa->ret)
		return sa->ret;
	vcpu_mailbox_setup(v, GUEST_CMD_SPIN, 0, 0, GMB_PAGE_SIZE, 0, 0, CHANNEL_PIO);
	sa->ret = vcpu_next_request(v, &req, sa->why, sizeof(sa->why));
	return sa->ret;
}

static void test_watchdog_reports_a_stalled_vcpu(void **state)
{
	struct fixture *f = *state;
	struct spin_arg sa = { .ret = 1 };
	int rets[1];
	struct session_threads t = {
		.nr_threads = 1,
		.fn = spin_thread,
		.arg = &sa,
		.timeout_ns = 120ULL * 1000000000,
		.stall_ns = 1000000000ULL,
		.thread_ret = rets,
	};
	uint64_t t0;

	make_session(f, &backend_discard);
	t0 = now_ns();
	assert_int_equal(session_run_threads(&f->s, &t), -ETIME);
	print_message("%s (after %.1f s)\n", sa.why, (now_ns() - t0) / 1e9);
	assert_int_equal(sa.ret, -ETIME);
	/* well before the cell timeout: the stall limit plus the kick */
	assert_true(now_ns() - t0 < 30ULL * 1000000000);
	assert_non_null(strstr(sa.why, "vCPU 0 made no progress for "));
	assert_non_null(strstr(sa.why, "(watchdog): rip 0x"));
	assert_non_null(strstr(sa.why, "(spin+0x"));
	assert_non_null(strstr(sa.why, "cmd spin, MB_STOP=0, heartbeat 0"));
	assert_null(strstr(sa.why, "lost by the platform"));
	assert_false(session_state_lost(&f->s));
	/* the guest keeps its state: telling it to stop ends it cleanly */
	mb_set_stop(f->s.vcpus[0].mailbox);
	{
		struct guest_req req;
		char why[640];

		assert_int_equal(vcpu_next_request(&f->s.vcpus[0], &req, why, sizeof(why)), 0);
		assert_int_equal(req.op, REQ_DONE);
	}
}

/* a vCPU found outside the guest program is flagged as having lost its state */
static int escape_thread(struct session *s, unsigned int idx, void *arg)
{
	struct spin_arg *sa = arg;
	struct vcpu *v = &s->vcpus[idx];
	struct guest_req req;

	sa->ret = vcpu_reset_regs(v);
	if (sa->ret)
		return sa->ret;
	vcpu_mailbox_setup(v, GUEST_CMD_FAULT, 0x700000, 0, GMB_PAGE_SIZE, GUEST_FAULT_ESCAPE, 0,
			   CHANNEL_PIO);
	sa->ret = vcpu_next_request(v, &req, sa->why, sizeof(sa->why));
	return sa->ret;
}

static void test_state_outside_the_program_is_flagged(void **state)
{
	struct fixture *f = *state;
	struct spin_arg sa = { .ret = 1 };
	int rets[1];
	struct session_threads t = {
		.nr_threads = 1,
		.fn = escape_thread,
		.arg = &sa,
		.timeout_ns = 120ULL * 1000000000,
		.stall_ns = 1000000000ULL,
		.thread_ret = rets,
	};

	make_session(f, &backend_discard);
	/* "jmp ." in an unused page of slot 0 */
	memcpy((char *)f->s.vm.sys_mem + 0x700000, "\xeb\xfe", 2);
	assert_int_equal(session_run_threads(&f->s, &t), -ETIME);
	print_message("%s\n", sa.why);
	assert_non_null(strstr(sa.why, "rip 0x700000 (outside the guest program)"));
	assert_non_null(strstr(sa.why, "lost by the platform"));
	assert_true(session_state_lost(&f->s));
}

static void test_cell_timeout_fires_on_a_spinning_vcpu(void **state)
{
	struct fixture *f = *state;
	struct spin_arg sa = { .ret = 1 };
	char diag[512];
	int rets[1];
	struct session_threads t = {
		.nr_threads = 1,
		.fn = spin_thread,
		.arg = &sa,
		.timeout_ns = 1000000000ULL,
		.thread_ret = rets,
		.diag = diag,
		.diag_len = sizeof(diag),
	};

	make_session(f, &backend_discard);
	assert_int_equal(session_run_threads(&f->s, &t), -ETIMEDOUT);
	print_message("%s\n", diag);
	assert_int_equal(sa.ret, -EINTR);
	assert_false(f->s.wedged);
	/* where the vCPU was when the timeout kicked it */
	assert_non_null(strstr(diag, "vCPU 0 at rip 0x"));
	assert_non_null(strstr(diag, "(spin+0x"));
	assert_non_null(strstr(diag, "MB_STOP=0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unmapped_gva_is_a_page_fault_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_canonical_is_a_gp_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ud2_is_an_invalid_opcode_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triple_fault_is_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpa_without_memslot_is_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_fault_is_decoded_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_reports_a_stalled_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_outside_the_program_is_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_timeout_fires_on_a_spinning_vcpu, setup, teardown),
	};

	return cmocka_run_group_tests_name("guest_faults", tests, NULL, NULL);
}
