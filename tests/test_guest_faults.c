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
#define NS_PER_S	1000000000ULL

struct fault_case;

struct fixture {
	struct kvm_sys sys;
	struct session s;
	bool have_session;
	const struct fault_case *fault;	/* test_fault's case */
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

/* every substring of want (NULL-terminated) is in the report */
static void assert_report(const char *why, const char *const *want)
{
	for (; *want; want++)
		if (!strstr(why, *want)) {
			print_message("missing \"%s\"\n", *want);
			fail();
		}
}

/* a misbehaving guest (GUEST_CMD_FAULT) and the one line it must give */
struct fault_case {
	const char *name;
	const struct conv_backend *be;
	uint64_t kind;			/* GUEST_FAULT_* */
	uint64_t addr;
	int ret;			/* of vcpu_next_request */
	uint64_t exc_count;		/* exceptions the guest's handler recorded */
	bool private_page;		/* make the page at addr private first */
	const char *want[4];
};

static const struct fault_case fault_cases[] = {
	{
		/* 512 GiB: beyond the identity map (one PML4 entry), not present */
		"test_unmapped_gva_is_a_page_fault_report", &backend_discard,
		GUEST_FAULT_WRITE, 0x8000000000ULL, -EFAULT, 1, false,
		{ "guest #PF (vector 14, error 0x2 (not-present write)) at rip 0x",
		  "(fault+0x", "cr2 0x8000000000 " },
	}, {
		"test_non_canonical_is_a_gp_report", &backend_discard,
		GUEST_FAULT_WRITE, 0x800000000000ULL, -EFAULT, 1, false,
		{ "guest #GP (vector 13, error 0x0) at rip 0x" },
	}, {
		"test_ud2_is_an_invalid_opcode_report", &backend_discard,
		GUEST_FAULT_UD, 0, -EFAULT, 1, false,
		{ "guest #UD (vector 6, error 0x0) at rip 0x", "(fault+0x", "cmd fault" },
	}, {
		"test_triple_fault_is_decoded", &backend_discard,
		GUEST_FAULT_TRIPLE, 0, -EIO, 0, false,
		{ "KVM_EXIT_SHUTDOWN (triple fault; KVM reset the vCPU",
		  "no exception report reached the mailbox", "cmd fault" },
	}, {
		/* 2 GiB: identity-mapped by the guest page tables, no memslot */
		"test_gpa_without_memslot_is_decoded", &backend_discard,
		GUEST_FAULT_WRITE, 0x80000000ULL, -EIO, 0, false,
		{ "unexpected exit MMIO: write of 1 bytes at gpa 0x80000000", "(fault+0x" },
	}, {
		/*
		 * On a private-memory VM, a page of slot 0 (no guest_memfd)
		 * made private cannot be mapped: KVM exits with
		 * KVM_EXIT_MEMORY_FAULT. It is not memory gmembench converts,
		 * so it is an error with all of KVM's fields, counted.
		 */
		"test_memory_fault_is_decoded_and_counted", &backend_dual,
		GUEST_FAULT_WRITE, 0x700000, -EFAULT, 0, true,
		{ "KVM_EXIT_MEMORY_FAULT flags 0x8 (private) gpa 0x700000 size 0x1000 at rip 0x",
		  "(fault+0x", "not memory gmembench converts" },
	},
};

/* the case is the test's prestate (main) */
static int fault_setup(void **state)
{
	const struct fault_case *c = *state;
	struct fixture *f;

	setup(state);
	f = *state;
	f->fault = c;
	return 0;
}

static void test_fault(void **state)
{
	struct fixture *f = *state;
	const struct fault_case *c = f->fault;
	struct kvm_memory_attributes a = {
		.address = c->addr, .size = GMB_PAGE_SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct vcpu *v;
	struct guest_req req;
	uint64_t to_private, to_shared;
	char why[640] = "";

	make_session(f, c->be);
	v = &f->s.vcpus[0];
	if (c->private_page)
		assert_int_equal(ioctl(f->s.vm.fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	assert_int_equal(vcpu_reset_regs(v), 0);
	vcpu_mailbox_setup(v, GUEST_CMD_FAULT, c->addr, 0, GMB_PAGE_SIZE, c->kind, 0x5a,
			   CHANNEL_PIO);
	assert_int_equal(vcpu_next_request(v, &req, why, sizeof(why)), c->ret);
	print_message("%s\n", why);
	assert_report(why, c->want);
	assert_int_equal(mb_exc_count(v->mailbox), c->exc_count);
	session_memory_faults(&f->s, &to_private, &to_shared);
	assert_int_equal(to_private, c->private_page);
	assert_int_equal(to_shared, 0);
}

/* one guest command on the vCPU's thread under the session's supervision */
struct guest_thread_arg {
	uint64_t cmd, addr, iterations;
	char why[640];
	int ret;
};

static int guest_thread(struct session *s, unsigned int idx, void *arg)
{
	struct guest_thread_arg *ga = arg;
	struct vcpu *v = &s->vcpus[idx];
	struct guest_req req;

	/* no cmocka assertions off the main thread */
	ga->ret = vcpu_reset_regs(v);
	if (ga->ret)
		return ga->ret;
	vcpu_mailbox_setup(v, ga->cmd, ga->addr, 0, GMB_PAGE_SIZE, ga->iterations, 0,
			   CHANNEL_PIO);
	ga->ret = vcpu_next_request(v, &req, ga->why, sizeof(ga->why));
	return ga->ret;
}

/*
 * session_run_threads of guest_thread with the cell timeout and watchdog
 * given; its result, the thread's line in ga->why.
 */
static int run_guest_thread(struct fixture *f, struct guest_thread_arg *ga,
			    uint64_t timeout_ns, uint64_t stall_ns, char *diag, size_t len)
{
	int rets[1];
	struct session_threads t = {
		.nr_threads = 1,
		.fn = guest_thread,
		.arg = ga,
		.timeout_ns = timeout_ns,
		.stall_ns = stall_ns,
		.thread_ret = rets,
		.diag = diag,
		.diag_len = len,
	};

	ga->ret = 1;
	return session_run_threads(&f->s, &t);
}

/* the guest polls MB_STOP without any heartbeat: a stalled vCPU */
static void test_watchdog_reports_a_stalled_vcpu(void **state)
{
	static const char *const want[] = {
		"vCPU 0 made no progress for ", "(watchdog): rip 0x", "(spin+0x",
		"cmd spin, MB_STOP=0, heartbeat 0", NULL,
	};
	struct fixture *f = *state;
	struct guest_thread_arg ga = { .cmd = GUEST_CMD_SPIN };
	struct guest_req req;
	char why[640];
	uint64_t t0;

	make_session(f, &backend_discard);
	t0 = now_ns();
	assert_int_equal(run_guest_thread(f, &ga, 120 * NS_PER_S, NS_PER_S, NULL, 0), -ETIME);
	print_message("%s (after %.1f s)\n", ga.why, (now_ns() - t0) / 1e9);
	assert_int_equal(ga.ret, -ETIME);
	/* well before the cell timeout: the stall limit plus the kick */
	assert_true(now_ns() - t0 < 30 * NS_PER_S);
	assert_report(ga.why, want);
	assert_null(strstr(ga.why, "lost by the platform"));
	assert_false(session_state_lost(&f->s));
	/* the guest keeps its state: telling it to stop ends it cleanly */
	mb_set_stop(f->s.vcpus[0].mailbox);
	assert_int_equal(vcpu_next_request(&f->s.vcpus[0], &req, why, sizeof(why)), 0);
	assert_int_equal(req.op, REQ_DONE);
}

/* a vCPU found outside the guest program is flagged as having lost its state */
static void test_state_outside_the_program_is_flagged(void **state)
{
	static const char *const want[] = {
		"rip 0x700000 (outside the guest program)", "lost by the platform", NULL,
	};
	struct fixture *f = *state;
	struct guest_thread_arg ga = {
		.cmd = GUEST_CMD_FAULT, .addr = 0x700000, .iterations = GUEST_FAULT_ESCAPE,
	};

	make_session(f, &backend_discard);
	/* "jmp ." in an unused page of slot 0 */
	memcpy((char *)f->s.vm.sys_mem + 0x700000, "\xeb\xfe", 2);
	assert_int_equal(run_guest_thread(f, &ga, 120 * NS_PER_S, NS_PER_S, NULL, 0), -ETIME);
	print_message("%s\n", ga.why);
	assert_report(ga.why, want);
	assert_true(session_state_lost(&f->s));
}

static void test_cell_timeout_fires_on_a_spinning_vcpu(void **state)
{
	/* where the vCPU was when the timeout kicked it */
	static const char *const want[] = { "vCPU 0 at rip 0x", "(spin+0x", "MB_STOP=0", NULL };
	struct fixture *f = *state;
	struct guest_thread_arg ga = { .cmd = GUEST_CMD_SPIN };
	char diag[512];

	make_session(f, &backend_discard);
	assert_int_equal(run_guest_thread(f, &ga, NS_PER_S, 0, diag, sizeof(diag)), -ETIMEDOUT);
	print_message("%s\n", diag);
	assert_int_equal(ga.ret, -EINTR);
	assert_false(f->s.wedged);
	assert_report(diag, want);
}

#define NR_FAULTS	(sizeof(fault_cases) / sizeof(fault_cases[0]))

int main(void)
{
	/* the fault cases first, one test each, named by the case */
	struct CMUnitTest tests[NR_FAULTS + 3] = {
		[NR_FAULTS] = cmocka_unit_test_setup_teardown(test_watchdog_reports_a_stalled_vcpu,
							      setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_outside_the_program_is_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_timeout_fires_on_a_spinning_vcpu, setup, teardown),
	};
	unsigned int i;

	for (i = 0; i < NR_FAULTS; i++)
		tests[i] = (struct CMUnitTest){
			.name = fault_cases[i].name, .test_func = test_fault,
			.setup_func = fault_setup, .teardown_func = teardown,
			.initial_state = (void *)&fault_cases[i],
		};
	return cmocka_run_group_tests_name("guest_faults", tests, NULL, NULL);
}
