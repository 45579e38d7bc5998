// SPDX-License-Identifier: GPL-2.0
/*
 * Unit: what the harness does with KVM_EXIT_MEMORY_FAULT (memfault.h), the
 * attribute tracking of the dual backend (conv_attrs) it consults, and the
 * supervisor's handling of a thread that ignores the stop (no KVM needed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness/backend.h"
#include "harness/guest_abi.h"
#include "harness/kvm_uapi.h"
#include "harness/memfault.h"
#include "harness/session.h"

#define PRIV	KVM_MEMORY_EXIT_FLAG_PRIVATE
#define GPA	0x100000000ULL

static void test_matching_attribute_reenters(void **state)
{
	struct mf_repeat rep = { 0 };
	char why[256] = "";

	/* the fault asks for what we hold: whatever the policy, re-enter */
	assert_int_equal(mf_decide(&rep, MF_POLICY_ERROR, 1, 7, PRIV, GPA, 4096, why, sizeof(why)), 0);
	assert_int_equal(mf_decide(&rep, MF_POLICY_ERROR, 0, 8, 0, GPA, 4096, why, sizeof(why)), 0);
	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 9, PRIV, GPA, 4096, why, sizeof(why)), 0);
	assert_string_equal(why, "");
}

static void test_disagreeing_attribute_by_policy(void **state)
{
	struct mf_repeat rep = { 0 };
	char why[256] = "";

	/* host-driven: a fault that raced a converter re-enters */
	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 0, 1, PRIV, GPA, 4096, why, sizeof(why)), 0);
	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 2, 2, 0, GPA, 4096, why, sizeof(why)), 0);
	/* guest-driven: nothing may race, so it is an error naming both sides */
	assert_int_equal(mf_decide(&rep, MF_POLICY_ERROR, 0, 3, PRIV, GPA, 4096, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "as private while gmembench holds it shared"));
	assert_int_equal(mf_decide(&rep, MF_POLICY_ERROR, 2, 4, 0, GPA, 4096, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "holds it mixed"));
}

static void test_untracked_range_is_an_error(void **state)
{
	struct mf_repeat rep = { 0 };
	char why[256] = "";

	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, -ENOENT, 0, PRIV, 0x700000, 4096,
				   why, sizeof(why)), -EFAULT);
	assert_non_null(strstr(why, "not memory gmembench converts"));
}

static void test_repeats_without_change_fail(void **state)
{
	struct mf_repeat rep = { 0 };
	char why[256] = "";
	unsigned int i;

	for (i = 0; i < MF_MAX_REPEATS; i++)
		assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 5, PRIV, GPA, 4096,
					   why, sizeof(why)), 0);
	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 5, PRIV, GPA, 4096, why, sizeof(why)),
			 -ELOOP);
	assert_non_null(strstr(why, "65 times in a row with no attribute change"));
	/* an attribute change or another gpa starts a new count */
	assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 6, PRIV, GPA, 4096, why, sizeof(why)), 0);
	for (i = 0; i < 3 * MF_MAX_REPEATS; i++)
		assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 6 + i, PRIV, GPA, 4096,
					   why, sizeof(why)), 0);
	for (i = 0; i < 3 * MF_MAX_REPEATS; i++)
		assert_int_equal(mf_decide(&rep, MF_POLICY_REENTER, 1, 1000, PRIV,
					   GPA + (i % 2) * 4096, 4096, why, sizeof(why)), 0);
}

static void test_attrs_tracking(void **state)
{
	struct conv_mem m;
	uint64_t g0, g1, g2;
	char buf[256];

	conv_mem_init(&m, 1, GPA, 8 * 4096 + 64 * 4096);
	assert_int_equal(conv_attrs_get(&m, GPA, 4096, NULL), -ENOENT);	/* not tracked */
	assert_int_equal(conv_attrs_init(&m), 0);
	assert_int_equal(conv_attrs_get(&m, GPA, m.bytes, &g0), 0);		/* all shared */
	conv_attrs_describe(&m, buf, sizeof(buf));
	assert_string_equal(buf, "");

	conv_attrs_begin(&m, GPA + 4096, 70 * 4096, true);
	assert_int_equal(conv_attrs_get(&m, GPA + 4096, 4096, &g1), 0);	/* not yet applied */
	assert_true(g1 > g0);
	conv_attrs_describe(&m, buf, sizeof(buf));
	assert_non_null(strstr(buf, "host to-private of [0x100001000,+0x46000) in flight"));
	conv_attrs_end(&m, GPA + 4096, 70 * 4096, true, true);
	assert_int_equal(conv_attrs_get(&m, GPA + 4096, 70 * 4096, &g2), 1);	/* across words */
	assert_true(g2 > g1);
	assert_int_equal(conv_attrs_get(&m, GPA, 4096, NULL), 0);
	assert_int_equal(conv_attrs_get(&m, GPA, 2 * 4096, NULL), 2);		/* mixed */
	assert_int_equal(conv_attrs_get(&m, GPA + 71 * 4096, 4096, NULL), 0);
	conv_attrs_describe(&m, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ended"));

	/* a failed change leaves the bits but moves the generation */
	conv_attrs_begin(&m, GPA + 4096, 4096, false);
	conv_attrs_end(&m, GPA + 4096, 4096, false, false);
	assert_int_equal(conv_attrs_get(&m, GPA + 4096, 4096, &g0), 1);
	assert_true(g0 > g2);
	conv_attrs_begin(&m, GPA + 4096, 4096, false);
	conv_attrs_end(&m, GPA + 4096, 4096, false, true);
	assert_int_equal(conv_attrs_get(&m, GPA + 4096, 4096, NULL), 0);
	assert_int_equal(conv_attrs_get(&m, GPA + 2 * 4096, 4096, NULL), 1);
	/* outside the memory */
	assert_int_equal(conv_attrs_get(&m, GPA - 4096, 4096, NULL), -ENOENT);
	assert_int_equal(conv_attrs_get(&m, GPA + m.bytes, 4096, NULL), -ENOENT);
	conv_mem_release(&m);
	assert_null(m.attrs);
}

/* a harness thread that ignores the stop: blocked in read() on a pipe */
static int pipe_fds[2];

static int blocked_reader(struct session *s, unsigned int idx, void *arg)
{
	char c;

	return read(pipe_fds[0], &c, 1) == 1 ? 0 : -EIO;
}

static void test_stuck_thread_wedges_the_session(void **state)
{
	static struct session s;	/* reachable: a wedged session is kept */
	static int rets[1];
	static char diag[512];
	volatile sig_atomic_t stop = 0;
	struct session_threads t = {
		.nr_threads = 1,
		.fn = blocked_reader,
		.timeout_ns = 200ULL * 1000000,
		.grace_ns = 300ULL * 1000000,
		.stop = &stop,
		.thread_ret = rets,
		.diag = diag,
		.diag_len = sizeof(diag),
	};

	memset(&s, 0, sizeof(s));
	rets[0] = 12345;
	assert_int_equal(pipe(pipe_fds), 0);
	assert_int_equal(session_run_threads(&s, &t), -ETIMEDOUT);
	assert_int_equal(s.wedged, 1);
	assert_non_null(s.wedged_slots);
	/* who hangs, in which state and system call (0 = read on x86-64) */
	assert_non_null(strstr(diag, "harness thread 0 (tid "));
	assert_non_null(strstr(diag, "state S"));
	assert_non_null(strstr(diag, "syscall 0 "));
	/* session_destroy must leave a wedged session alone */
	session_destroy(&s);
	assert_int_equal(s.wedged, 1);
	/* when the thread finally returns it must not write the caller's array */
	assert_int_equal(write(pipe_fds[1], "x", 1), 1);
	usleep(200 * 1000);
	assert_int_equal(rets[0], 12345);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching_attribute_reenters),
		cmocka_unit_test(test_disagreeing_attribute_by_policy),
		cmocka_unit_test(test_untracked_range_is_an_error),
		cmocka_unit_test(test_repeats_without_change_fail),
		cmocka_unit_test(test_attrs_tracking),
		cmocka_unit_test(test_stuck_thread_wedges_the_session),
	};

	return cmocka_run_group_tests_name("memfault", tests, NULL, NULL);
}
