// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: a real VM with a guest_memfd data slot runs the built-in
 * guest program in 64-bit mode (writes, and reads compared to a pattern);
 * the request protocol over port I/O; kicking a vCPU out of KVM_RUN; a
 * punched page refaults as zero for the host and takes the guest's next
 * write; KVM's binary statistics read by name.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/guest_abi.h"
#include "harness/kvm_stats.h"
#include "harness/vcpu.h"
#include "tests/gmem_test_util.h"
#include "tests/kvm_test_util.h"

#define DATA_BYTES	(4u << 20)

struct fixture {
	struct gmem_vm g;	/* the VM and its data slot's guest_memfd */
	struct vcpu v;
	uint8_t *map;		/* g.map */
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	gmem_vm_init(&f.g);
	f.v.fd = -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->v.fd >= 0)
		vcpu_destroy(&f->v);
	gmem_vm_close(&f->g);
	return 0;
}

/* a VM with slot 1 = guest_memfd (MMAP|INIT_SHARED) at GMB_DATA_GPA */
static void make_vm(struct fixture *f)
{
	char why[256] = "";
	int r = gmem_vm_open(&f->g, DATA_BYTES, why, sizeof(why));

	/* no KVM, or no mappable guest_memfd: skip; anything else fails */
	if (f->g.sys.fd < 0 || r == -EOPNOTSUPP) {
		print_message("SKIP: %s\n", why);
		skip();
	}
	if (r)
		print_message("%s\n", why);
	assert_int_equal(r, 0);
	f->map = f->g.map;
	assert_int_equal(vm_setup_system(&f->g.vm, GMB_DATA_GPA + DATA_BYTES), 0);
	assert_int_equal(vm_set_memslot(&f->g.vm, 1, KVM_MEM_GUEST_MEMFD, GMB_DATA_GPA,
					DATA_BYTES, f->map, f->g.fd, 0), 0);
	assert_int_equal(vcpu_create(&f->g.vm, 0, &f->v), 0);
}

static void test_touch_once_writes_every_page(void **state)
{
	struct fixture *f = *state;
	struct guest_req req;
	char why[256];
	unsigned int i, hit = 0;

	make_vm(f);
	/* the guest writes 0xab at the start of each page of the first 1 MiB */
	vcpu_mailbox_setup(&f->v, GUEST_CMD_TOUCH_ONCE, GMB_DATA_GPA, 1 << 20, 4096, 1,
			   0xab, CHANNEL_PIO);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	assert_int_equal(req.op, REQ_DONE);
	for (i = 0; i < DATA_BYTES / 4096; i++)
		hit += f->map[(size_t)i * 4096] == 0xab;
	assert_int_equal(hit, (1 << 20) / 4096);
	/* nothing beyond the requested region, nothing between page starts */
	assert_int_equal(f->map[1 << 20], 0);
	assert_int_equal(f->map[1], 0);
	assert_int_equal(mb_passes(f->v.mailbox), 1);
}

static void test_read_once_counts_mismatches(void **state)
{
	struct fixture *f = *state;
	const uint64_t region = 64 << 10;
	struct guest_read_result rr;
	struct guest_req req;
	char why[256];

	make_vm(f);
	memset(f->map, 0x3c, region);
	f->map[5 * 4096 + 17] = 0x11;
	f->map[9 * 4096] = 0x22;
	/* every byte of 64 KiB: two differ, the first at page 5 byte 17 */
	vcpu_mailbox_setup(&f->v, GUEST_CMD_READ_ONCE, GMB_DATA_GPA, region, 4096, 1,
			   0x3c, CHANNEL_PIO);
	mb_set_stride(f->v.mailbox, 1);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	assert_int_equal(req.op, REQ_DONE);
	mb_read_result(f->v.mailbox, &rr);
	assert_int_equal(rr.bad, 2);
	assert_int_equal(rr.bad_gpa, GMB_DATA_GPA + 5 * 4096 + 17);
	assert_int_equal(rr.bad_val, 0x11);
	assert_int_equal(mb_passes(f->v.mailbox), 1);
	/* reading changed nothing */
	assert_int_equal(f->map[9 * 4096], 0x22);
	assert_int_equal(f->map[0], 0x3c);
	/* all equal: a zero count */
	f->map[5 * 4096 + 17] = 0x3c;
	f->map[9 * 4096] = 0x3c;
	assert_int_equal(vcpu_reset_regs(&f->v), 0);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_READ_ONCE, GMB_DATA_GPA, region, 4096, 1,
			   0x3c, CHANNEL_PIO);
	mb_set_stride(f->v.mailbox, 1);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	mb_read_result(f->v.mailbox, &rr);
	assert_int_equal(rr.bad, 0);
}

static void test_kvm_stats_by_name(void **state)
{
	struct fixture *f = *state;
	uint64_t pf0 = 0, pf1 = 0, p4k = 0, p2m = 0;
	struct guest_req req;
	char why[256];

	make_vm(f);
	assert_int_equal(kvm_stat_read(f->v.fd, "pf_taken", &pf0), 0);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_TOUCH_ONCE, GMB_DATA_GPA, 16 * 4096, 4096, 1,
			   0x7e, CHANNEL_PIO);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	/* 16 fresh data pages (plus code, stack, page tables) faulted in */
	assert_int_equal(kvm_stat_read(f->v.fd, "pf_taken", &pf1), 0);
	assert_true(pf1 - pf0 >= 16);
	assert_int_equal(kvm_stat_read(f->g.vm.fd, "pages_4k", &p4k), 0);
	assert_int_equal(kvm_stat_read(f->g.vm.fd, "pages_2m", &p2m), 0);
	assert_true(p4k + p2m > 0);
	assert_int_equal(kvm_stat_read(f->g.vm.fd, "no_such_statistic", &p4k), -ENOENT);
}

static void test_convert_loop_protocol(void **state)
{
	struct fixture *f = *state;
	const uint64_t gran = 64 << 10, region = 1 << 20;
	unsigned int passes = 2, n = 0;
	uint64_t expect_gpa = GMB_DATA_GPA;
	struct guest_req req;
	char why[256];

	make_vm(f);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_CONVERT_LOOP, GMB_DATA_GPA, region, gran,
			   passes, 0x5a, CHANNEL_PIO);
	for (;;) {
		assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
		if (req.op == REQ_DONE)
			break;
		/* private then shared for each chunk, chunks in order */
		assert_int_equal(req.op, n % 2 ? REQ_TO_SHARED : REQ_TO_PRIVATE);
		assert_int_equal(req.gpa, expect_gpa);
		assert_int_equal(req.bytes, gran);
		assert_false(req.via_hypercall);
		if (n % 2) {
			expect_gpa += gran;
			if (expect_gpa == GMB_DATA_GPA + region)
				expect_gpa = GMB_DATA_GPA;
		}
		n++;
		vcpu_complete_request(&f->v, &req, 0);
	}
	assert_int_equal(n, 2 * (region / gran) * passes);
	assert_int_equal(mb_passes(f->v.mailbox), passes);
	/* the guest touched the chunk after each request */
	assert_int_equal(f->map[0], 0x5a);
	assert_int_equal(f->map[region - 4096], 0x5a);
}

static void test_nop_requests(void **state)
{
	struct fixture *f = *state;
	struct guest_req req;
	unsigned int n = 0;
	char why[256];

	make_vm(f);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_NOP_REQUESTS, GMB_DATA_GPA, 4096, 4096, 7, 0,
			   CHANNEL_PIO);
	for (;;) {
		assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
		if (req.op == REQ_DONE)
			break;
		assert_int_equal(req.op, REQ_NOP);
		assert_true(req.run_ns > 0);
		n++;
	}
	assert_int_equal(n, 7);
}

struct kicker {
	struct vcpu *v;
	pthread_t target;
};

static void *kick_later(void *arg)
{
	struct kicker *k = arg;
	int i;

	usleep(100 * 1000);
	/* repeat: a single kick could land before KVM_RUN */
	for (i = 0; i < 50; i++) {
		vcpu_kick(k->v, k->target);
		usleep(10 * 1000);
		if (!__atomic_load_n(&k->v->run->immediate_exit, __ATOMIC_SEQ_CST))
			break;
	}
	return NULL;
}

static void test_kick_interrupts_kvm_run(void **state)
{
	struct fixture *f = *state;
	struct kicker k;
	struct guest_req req;
	pthread_t t;
	char why[256];

	make_vm(f);
	assert_int_equal(vcpu_install_kick_handler(), 0);
	/* TOUCH_LOOP never exits on its own until MB_STOP */
	vcpu_mailbox_setup(&f->v, GUEST_CMD_TOUCH_LOOP, GMB_DATA_GPA, 64 << 10, 4096, 1, 1,
			   CHANNEL_PIO);
	k.v = &f->v;
	k.target = pthread_self();
	assert_int_equal(pthread_create(&t, NULL, kick_later, &k), 0);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), -EINTR);
	pthread_join(t, NULL);
	/* the guest keeps its state: telling it to stop ends it cleanly */
	mb_set_stop(f->v.mailbox);
	f->v.run->immediate_exit = 0;
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	assert_int_equal(req.op, REQ_DONE);
	assert_true(mb_passes(f->v.mailbox) >= 1);
}

static void test_punch_refaults_zero_then_guest_writes(void **state)
{
	struct fixture *f = *state;
	struct guest_req req;
	char why[256];

	make_vm(f);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_TOUCH_ONCE, GMB_DATA_GPA, 8192, 4096, 1, 0x11,
			   CHANNEL_PIO);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	assert_int_equal(f->map[0], 0x11);
	assert_int_equal(fd_punch_hole(f->g.fd, 0, 4096), 0);
	assert_int_equal(f->map[0], 0);		/* punched: a fresh zero page */
	assert_int_equal(f->map[4096], 0x11);	/* neighbour untouched */
	assert_int_equal(vcpu_reset_regs(&f->v), 0);
	vcpu_mailbox_setup(&f->v, GUEST_CMD_TOUCH_ONCE, GMB_DATA_GPA, 4096, 4096, 1, 0x22,
			   CHANNEL_PIO);
	assert_int_equal(vcpu_next_request(&f->v, &req, why, sizeof(why)), 0);
	/* the guest's write after the punch lands in the page the host sees */
	assert_int_equal(f->map[0], 0x22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_touch_once_writes_every_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_once_counts_mismatches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_stats_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_convert_loop_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nop_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_interrupts_kvm_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punch_refaults_zero_then_guest_writes, setup, teardown),
	};

	return cmocka_run_group_tests_name("kvm_vm", tests, NULL, NULL);
}
