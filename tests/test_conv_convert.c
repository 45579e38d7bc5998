// SPDX-License-Identifier: GPL-2.0
/*
 * The conversion core (conv_convert) driven by a fake backend, without
 * KVM: the EAGAIN retry loop, the phases it times (attr, retry wait,
 * punch, total), the dual attribute tracking, and the three phase shapes
 * of the real backends (attr + punch, punch only, attr only). The ioctls
 * themselves are covered by test_backends and `gmembench verify`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "harness/clock.h"
#include "harness/convert.h"
#include "harness/guest_abi.h"

#define ATTR_SPIN_NS	100000ULL	/* each fake attribute attempt */
#define PUNCH_SPIN_NS	150000ULL	/* the fake punch */
#define BASE_GPA	0x100000ULL
#define NR_PAGES	64

/* the script and the record of the fake backend (tests run one at a time) */
static struct fake {
	int nr_eagain;		/* -EAGAIN answers before final */
	int final;		/* set_attrs' answer after them */
	int punch_ret;
	int attr_calls, punch_calls;
	bool punch_to_private;
	int inflight_in_attr, inflight_in_punch;	/* m->attrs->inflight seen */
} fk;

static void spin(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static int inflight(const struct conv_mem *m)
{
	return m->attrs ? __atomic_load_n(&m->attrs->inflight, __ATOMIC_SEQ_CST) : -1;
}

/* attempt i reports error_offset 0x10000 + i pages */
static int fake_set_attrs(struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			  bool to_private, uint64_t *error_offset)
{
	int i = fk.attr_calls++;

	fk.inflight_in_attr = inflight(m);
	spin(ATTR_SPIN_NS);
	if (i < fk.nr_eagain) {
		*error_offset = 0x10000 + (uint64_t)i * GMB_PAGE_SIZE;
		return -EAGAIN;
	}
	return fk.final;
}

static int fake_punch(struct conv_mem *m, uint64_t gpa, uint64_t bytes, bool to_private)
{
	fk.punch_calls++;
	fk.punch_to_private = to_private;
	fk.inflight_in_punch = inflight(m);
	spin(PUNCH_SPIN_NS);
	return fk.punch_ret;
}

/* the phase shapes of the real backends */
static const struct conv_backend fake_dual = {
	.name = "fake-dual", .set_attrs = fake_set_attrs, .punch = fake_punch,
};
static const struct conv_backend fake_discard = {
	.name = "fake-discard", .punch = fake_punch,
};
static const struct conv_backend fake_inplace = {
	.name = "fake-inplace", .set_attrs = fake_set_attrs,
};

struct conv_case {
	const char *what;
	const struct conv_backend *be;
	int nr_eagain, final, punch_ret;
	struct conv_policy pol;
	/* expected */
	int ret, attr_calls, punch_calls;
};

static const struct conv_case cases[] = {
	{ "inplace, first time", &fake_inplace, 0, 0, 0, { 10, 0 }, 0, 1, 0 },
	{ "inplace, EAGAIN x3 then success", &fake_inplace, 3, 0, 0, { 10, 2000 }, 0, 4, 0 },
	{ "inplace, EAGAIN x2, yield between", &fake_inplace, 2, 0, 0, { 10, 0 }, 0, 3, 0 },
	{ "inplace, gives up after max_retries", &fake_inplace, 100, 0, 0, { 5, 0 }, -EAGAIN, 6, 0 },
	{ "inplace, no retries allowed", &fake_inplace, 1, 0, 0, { 0, 0 }, -EAGAIN, 1, 0 },
	{ "inplace, other error not retried", &fake_inplace, 2, -EINVAL, 0, { 10, 0 }, -EINVAL, 3, 0 },
	{ "dual, attr + punch", &fake_dual, 0, 0, 0, { 10, 0 }, 0, 1, 1 },
	{ "dual, EAGAIN x2, then attr + punch", &fake_dual, 2, 0, 0, { 10, 3000 }, 0, 3, 1 },
	{ "dual, attr fails: no punch", &fake_dual, 0, -EINVAL, 0, { 10, 0 }, -EINVAL, 1, 0 },
	{ "dual, retries run out: no punch", &fake_dual, 9, 0, 0, { 2, 0 }, -EAGAIN, 3, 0 },
	{ "dual, punch fails", &fake_dual, 0, 0, -EIO, { 10, 0 }, -EIO, 1, 1 },
	{ "discard, punch only", &fake_discard, 0, 0, 0, { 10, 0 }, 0, 0, 1 },
	{ "discard, punch fails", &fake_discard, 0, 0, -EIO, { 10, 0 }, -EIO, 0, 1 },
};

/*
 * What must hold of every conversion, whatever the backend: counts from
 * the script, and the phases partition the total.
 */
static void check_case(const struct conv_case *c, const struct conv_result *res, int ret)
{
	uint32_t eagain = c->be->set_attrs ? (uint32_t)(c->nr_eagain < c->attr_calls ?
							c->nr_eagain : c->attr_calls) : 0;
	uint32_t retries = c->attr_calls ? (uint32_t)c->attr_calls - 1 : 0;

	print_message("case: %s\n", c->what);
	assert_int_equal(ret, c->ret);
	assert_int_equal(fk.attr_calls, c->attr_calls);
	assert_int_equal(fk.punch_calls, c->punch_calls);
	assert_int_equal(res->eagain, eagain);
	assert_int_equal(res->retries, retries);
	assert_true(res->total_ns == res->attr_ns + res->retry_wait_ns + res->punch_ns);
	/* each phase holds its own time and no other's */
	assert_true(res->attr_ns >= c->attr_calls * ATTR_SPIN_NS);
	if (retries && c->pol.backoff_us)	/* sleeps far longer than the attempts */
		assert_true(res->attr_ns < res->retry_wait_ns);
	if (!c->attr_calls)
		assert_true(res->attr_ns == 0);
	if (c->punch_calls)
		assert_true(res->punch_ns >= PUNCH_SPIN_NS);
	else
		assert_true(res->punch_ns == 0);
	if (retries)
		assert_true(res->retry_wait_ns >= retries * c->pol.backoff_us * 1000ULL &&
			    res->retry_wait_ns > 0);
	else
		assert_true(res->retry_wait_ns == 0);
	/* the last EAGAIN's offset */
	if (eagain)
		assert_true(res->error_offset == 0x10000 + (eagain - 1) * GMB_PAGE_SIZE);
	else
		assert_true(res->error_offset == UINT64_MAX);
	/* first EAGAIN -> the attribute change succeeded: every attempt and wait */
	if (eagain && c->final == 0 && eagain < (uint32_t)c->attr_calls) {
		assert_true(res->retry_to_success_ns == res->attr_ns + res->retry_wait_ns);
	} else {
		assert_true(res->retry_to_success_ns == 0);
	}
}

static int run_case(const struct conv_case *c, struct conv_mem *m, bool to_private,
		    struct conv_result *res)
{
	memset(&fk, 0, sizeof(fk));
	fk.nr_eagain = c->nr_eagain;
	fk.final = c->final;
	fk.punch_ret = c->punch_ret;
	/* the core overwrites all of res */
	memset(res, 0xa5, sizeof(*res));
	return conv_convert(c->be, m, BASE_GPA, 8 * GMB_PAGE_SIZE, to_private, &c->pol, res);
}

/*
 * Every case, alternately to-private and to-shared. With m->attrs set
 * (dual) also the tracking: in flight from before the first attempt to
 * after the punch; the bits follow a successful attribute change only,
 * even if the punch then fails; the generation moves twice a conversion.
 */
static void test_cases(void **state)
{
	bool tracked = *(bool *)*state;
	struct conv_result res;
	struct conv_mem m;
	size_t i;

	conv_mem_init(&m, 1, BASE_GPA, NR_PAGES * GMB_PAGE_SIZE);
	if (tracked)
		assert_int_equal(conv_attrs_init(&m), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct conv_case *c = &cases[i];
		bool to_private = i % 2 == 0;
		bool applied = c->be->set_attrs && (c->ret == 0 || c->ret == c->punch_ret);
		uint64_t gen0 = tracked ? m.attrs->gen : 0;
		int r, before = conv_attrs_get(&m, BASE_GPA, 8 * GMB_PAGE_SIZE, NULL);

		r = run_case(c, &m, to_private, &res);
		check_case(c, &res, r);
		if (c->punch_calls)
			assert_int_equal(fk.punch_to_private, to_private);
		if (c->attr_calls)
			assert_int_equal(fk.inflight_in_attr, tracked ? 1 : -1);
		if (c->punch_calls)
			assert_int_equal(fk.inflight_in_punch, tracked ? 1 : -1);
		if (!tracked)
			continue;
		assert_int_equal(m.attrs->inflight, 0);
		assert_true(m.attrs->gen == gen0 + 2);
		assert_int_equal(conv_attrs_get(&m, BASE_GPA, 8 * GMB_PAGE_SIZE, NULL),
				 applied ? to_private : before);
		assert_true(m.attrs->last_end_ns >= m.attrs->last_begin_ns);
	}
	if (tracked)	/* the rest of the slot was never asked for */
		assert_int_equal(conv_attrs_get(&m, BASE_GPA + 8 * GMB_PAGE_SIZE,
						(NR_PAGES - 8) * GMB_PAGE_SIZE, NULL), 0);
	else
		assert_null(m.attrs);
	conv_mem_release(&m);
}

int main(void)
{
	static bool untracked, tracked = true;
	const struct CMUnitTest tests[] = {
		{ "cases, untracked (inplace, discard)", test_cases, NULL, NULL, &untracked },
		{ "cases, attributes tracked (dual)", test_cases, NULL, NULL, &tracked },
	};

	return cmocka_run_group_tests_name("conv_convert", tests, NULL, NULL);
}
