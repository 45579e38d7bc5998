// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of the guest ABI on a plain buffer (no KVM): each accessor
 * reads or writes the MB_* offset guest.S uses, and nothing else. The
 * layout itself is pinned at compile time by guest_mailbox.h's static
 * asserts; tests/test_guest_abi_asserts.sh shows that each one fires.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "harness/guest_mailbox.h"
#include "harness/vcpu.h"

/* a mailbox page, aligned as the guest's is */
static union {
	struct guest_mailbox mb;
	unsigned char bytes[GMB_PAGE_SIZE];
	uint64_t align;
} page __attribute__((aligned(GMB_PAGE_SIZE)));

static uint64_t at(unsigned int off)
{
	uint64_t v;

	memcpy(&v, page.bytes + off, sizeof(v));
	return v;
}

static void put(unsigned int off, uint64_t v)
{
	memcpy(page.bytes + off, &v, sizeof(v));
}

/* every byte but those of [off, off + 8) still holds fill */
static void assert_only_touched(unsigned int off, unsigned char fill)
{
	unsigned int i;

	for (i = 0; i < GMB_PAGE_SIZE; i++)
		if (i < off || i >= off + 8)
			assert_int_equal(page.bytes[i], fill);
}

static int fill_page(void **state)
{
	memset(page.bytes, 0xa5, sizeof(page.bytes));
	return 0;
}

static void test_init_zeroes_the_page_and_sets_magic(void **state)
{
	mb_init(&page.mb);
	assert_int_equal(at(MB_MAGIC), GMB_MAILBOX_MAGIC);
	assert_only_touched(MB_MAGIC, 0);
}

static void test_stop_writes_mb_stop_only(void **state)
{
	mb_set_stop(&page.mb);
	assert_int_equal(at(MB_STOP), 1);
	assert_int_equal(mb_stop(&page.mb), 1);
	assert_only_touched(MB_STOP, 0xa5);
}

static void test_passes_and_heartbeat_read_their_offsets(void **state)
{
	put(MB_PASSES, 7);
	put(MB_HEARTBEAT, 12345);
	put(MB_CMD, GUEST_CMD_TOUCH_LOOP);
	put(MB_EXC_COUNT, 2);
	assert_int_equal(mb_passes(&page.mb), 7);
	assert_int_equal(mb_heartbeat(&page.mb), 12345);
	assert_int_equal(mb_cmd(&page.mb), GUEST_CMD_TOUCH_LOOP);
	assert_int_equal(mb_exc_count(&page.mb), 2);
}

static void test_reset_progress_clears_passes_and_stop(void **state)
{
	mb_reset_progress(&page.mb);
	assert_int_equal(at(MB_PASSES), 0);
	assert_int_equal(at(MB_STOP), 0);
	assert_int_equal(at(MB_HEARTBEAT), 0xa5a5a5a5a5a5a5a5ULL);
	assert_int_equal(at(MB_REQ_OP), 0xa5a5a5a5a5a5a5a5ULL);
}

static void test_stride_writes_mb_stride_only(void **state)
{
	mb_set_stride(&page.mb, 1);
	assert_int_equal(at(MB_STRIDE), 1);
	assert_only_touched(MB_STRIDE, 0xa5);
}

static void test_setup_fills_inputs_and_clears_the_rest(void **state)
{
	const struct guest_mb_setup su = {
		.cmd = GUEST_CMD_CONVERT_LOOP, .region_gpa = GMB_DATA_GPA,
		.region_bytes = 1 << 20, .gran_bytes = 64 << 10, .iterations = 3,
		.pattern = 0x5a, .channel = GUEST_CHANNEL_VMMCALL, .stride = GMB_PAGE_SIZE,
	};
	unsigned int off;

	mb_setup(&page.mb, &su);
	assert_int_equal(at(MB_CMD), GUEST_CMD_CONVERT_LOOP);
	assert_int_equal(at(MB_REGION_GPA), GMB_DATA_GPA);
	assert_int_equal(at(MB_REGION_BYTES), 1 << 20);
	assert_int_equal(at(MB_GRAN_BYTES), 64 << 10);
	assert_int_equal(at(MB_ITERATIONS), 3);
	assert_int_equal(at(MB_PATTERN), 0x5a);
	assert_int_equal(at(MB_CHANNEL), GUEST_CHANNEL_VMMCALL);
	assert_int_equal(at(MB_STRIDE), GMB_PAGE_SIZE);
	assert_int_equal(at(MB_STOP), 0);
	assert_int_equal(at(MB_PASSES), 0);
	assert_int_equal(at(MB_REQ_OP), 0);
	assert_int_equal(at(MB_REQ_GPA), 0);
	assert_int_equal(at(MB_REQ_BYTES), 0);
	for (off = MB_EXC_COUNT; off < MB_SIZE; off += 8)
		assert_int_equal(at(off), 0);
	/* not the setup's: the magic, the heartbeat and what follows MB_SIZE */
	assert_int_equal(at(MB_MAGIC), 0xa5a5a5a5a5a5a5a5ULL);
	assert_int_equal(at(MB_HEARTBEAT), 0xa5a5a5a5a5a5a5a5ULL);
	for (off = MB_SIZE; off < GMB_PAGE_SIZE; off++)
		assert_int_equal(page.bytes[off], 0xa5);
}

static void test_request_reads_mb_req(void **state)
{
	struct guest_mb_req req;

	put(MB_REQ_OP, GUEST_REQ_TO_SHARED);
	put(MB_REQ_GPA, 0x100002000ULL);
	put(MB_REQ_BYTES, 0x3000);
	mb_request(&page.mb, &req);
	assert_int_equal(req.op, GUEST_REQ_TO_SHARED);
	assert_int_equal(req.gpa, 0x100002000ULL);
	assert_int_equal(req.bytes, 0x3000);
}

static void test_exception_report_reads_mb_exc(void **state)
{
	static const unsigned int offs[] = {
		MB_EXC_COUNT, MB_EXC_VECTOR, MB_EXC_ERROR, MB_EXC_RIP, MB_EXC_CR2,
		MB_EXC_RSP, MB_EXC_RFLAGS, MB_EXC_RDI, MB_EXC_R12, MB_EXC_R15,
	};
	struct guest_exc_report e;
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		put(offs[i], 100 + i);
	mb_exc_report(&page.mb, &e);
	assert_int_equal(e.count, 100);
	assert_int_equal(e.vector, 101);
	assert_int_equal(e.error, 102);
	assert_int_equal(e.rip, 103);
	assert_int_equal(e.cr2, 104);
	assert_int_equal(e.rsp, 105);
	assert_int_equal(e.rflags, 106);
	assert_int_equal(e.rdi, 107);
	assert_int_equal(e.r12, 108);
	assert_int_equal(e.r15, 109);
}

static void test_read_result_reads_mb_read_bad(void **state)
{
	struct guest_read_result rr;

	mb_poison_read_result(&page.mb);
	assert_int_equal(at(MB_READ_BAD), UINT64_MAX);
	assert_only_touched(MB_READ_BAD, 0xa5);
	put(MB_READ_BAD, 2);
	put(MB_READ_BAD_GPA, GMB_DATA_GPA + 17);
	put(MB_READ_BAD_VAL, 0x11);
	mb_read_result(&page.mb, &rr);
	assert_int_equal(rr.bad, 2);
	assert_int_equal(rr.bad_gpa, GMB_DATA_GPA + 17);
	assert_int_equal(rr.bad_val, 0x11);
}

/* the host's typed codes are the guest's numbers */
static void test_enums_are_the_guest_codes(void **state)
{
	assert_int_equal(REQ_TO_PRIVATE, GUEST_REQ_TO_PRIVATE);
	assert_int_equal(REQ_TO_SHARED, GUEST_REQ_TO_SHARED);
	assert_int_equal(REQ_NOP, GUEST_REQ_NOP);
	assert_int_equal(REQ_DONE, GUEST_REQ_DONE);
	assert_int_equal(CHANNEL_PIO, GUEST_CHANNEL_PIO);
	assert_int_equal(sizeof(struct guest_mailbox), MB_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_zeroes_the_page_and_sets_magic, fill_page),
		cmocka_unit_test_setup(test_stop_writes_mb_stop_only, fill_page),
		cmocka_unit_test_setup(test_passes_and_heartbeat_read_their_offsets, fill_page),
		cmocka_unit_test_setup(test_reset_progress_clears_passes_and_stop, fill_page),
		cmocka_unit_test_setup(test_stride_writes_mb_stride_only, fill_page),
		cmocka_unit_test_setup(test_setup_fills_inputs_and_clears_the_rest, fill_page),
		cmocka_unit_test_setup(test_request_reads_mb_req, fill_page),
		cmocka_unit_test_setup(test_exception_report_reads_mb_exc, fill_page),
		cmocka_unit_test_setup(test_read_result_reads_mb_read_bad, fill_page),
		cmocka_unit_test(test_enums_are_the_guest_codes),
	};

	return cmocka_run_group_tests_name("guest_abi", tests, NULL, NULL);
}
