// SPDX-License-Identifier: GPL-2.0
/*
 * pin: page selection checked against independent computations; each
 * mechanism checked to really hold a reference on guest_memfd pages: after
 * pin + hole punch the mapping reads zero from a new page while the pin
 * still yields the old data; unpin releases (its fds are closed).
 * gmb-test: needs-kvm
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/kvm.h"
#include "harness/pin.h"
#include "tests/gmem_test_util.h"

#define GMEM_PAGES	1024ULL
#define GMEM_BYTES	(GMEM_PAGES * PIN_PAGE_SIZE)

static void test_count(void **state)
{
	assert_int_equal(pin_count_for(0, 10), 0);
	assert_int_equal(pin_count_for(100, 0), 0);
	assert_int_equal(pin_count_for(1000, 10), 100);
	assert_int_equal(pin_count_for(1024, 10), 102);	/* floor(102.4) */
	assert_int_equal(pin_count_for(5, 10), 1);	/* at least one */
	assert_int_equal(pin_count_for(77, 100), 77);
}

static void test_select_first_spread(void **state)
{
	uint64_t idx[200];
	int64_t n, i;

	n = pin_select_pages(1000, 10, PIN_PATTERN_FIRST, 1, idx, 200);
	assert_int_equal(n, 100);
	for (i = 0; i < n; i++)
		assert_int_equal(idx[i], i);
	n = pin_select_pages(1000, 10, PIN_PATTERN_SPREAD, 1, idx, 200);
	assert_int_equal(n, 100);
	for (i = 0; i < n; i++)
		assert_int_equal(idx[i], i * 10);	/* every 10th page */
	n = pin_select_pages(1024, 25, PIN_PATTERN_SPREAD, 1, idx, 200);
	assert_int_equal(n, -ENOSPC);	/* 256 pages do not fit in 200 */
	n = pin_select_pages(1000, 10, PIN_PATTERN_FIRST, 1, idx, 99);
	assert_int_equal(n, -ENOSPC);
	assert_int_equal(pin_select_pages(10, 101, PIN_PATTERN_FIRST, 1, idx, 200), -EINVAL);
}

static void test_select_random(void **state)
{
	uint64_t a[300], b[300], c[300];
	int64_t n, i;
	bool differ = false;

	n = pin_select_pages(3000, 10, PIN_PATTERN_RANDOM, 42, a, 300);
	assert_int_equal(n, 300);
	assert_int_equal(pin_select_pages(3000, 10, PIN_PATTERN_RANDOM, 42, b, 300), 300);
	assert_int_equal(pin_select_pages(3000, 10, PIN_PATTERN_RANDOM, 43, c, 300), 300);
	for (i = 0; i < n; i++) {
		assert_true(a[i] < 3000);
		if (i)
			assert_true(a[i] > a[i - 1]);	/* sorted, distinct */
		assert_int_equal(a[i], b[i]);		/* seeded */
		if (a[i] != c[i])
			differ = true;
	}
	assert_true(differ);
	/* not just the first pages: a uniform pick reaches the last third */
	assert_true(a[n - 1] > 2000);
	assert_int_equal(pin_nr_runs(a, 0), 0);
	{
		uint64_t r[] = { 1, 2, 3, 7, 9, 10 };

		assert_int_equal(pin_nr_runs(r, 6), 3);
	}
}

static int nr_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

static unsigned char page_tag(uint64_t page)
{
	return (unsigned char)(0x40 + page % 150);	/* never 0 */
}

/*
 * Pin n pages of a guest_memfd mapping with ops, punch the whole file, and
 * check the pin kept every old page alive while the mapping moved on.
 */
static void hold_across_punch(const struct pin_ops *ops, enum pin_pattern pat,
			      unsigned int pct)
{
	struct gmem_vm g;
	struct pin_set ps;
	uint64_t idx[GMEM_PAGES], *pfn_before, i, j;
	unsigned char *held;
	char why[512] = "";
	int64_t n;
	int r, fds_before, fds_pinned;

	r = ops->probe(why, sizeof(why));
	if (r) {
		print_message("SKIP: %s: %s\n", ops->name, why);
		skip();
	}
	r = gmem_vm_open(&g, GMEM_BYTES, why, sizeof(why));
	if (r) {
		gmem_vm_close(&g);
		print_message("SKIP: %s\n", why);
		skip();
	}
	for (i = 0; i < GMEM_PAGES; i++)
		memset(g.map + i * PIN_PAGE_SIZE, page_tag(i), PIN_PAGE_SIZE);
	n = pin_select_pages(GMEM_PAGES, pct, pat, 7, idx, GMEM_PAGES);
	assert_true(n > 0);
	pfn_before = calloc((size_t)n, sizeof(*pfn_before));
	held = malloc((size_t)n * PIN_PAGE_SIZE);
	assert_non_null(pfn_before);
	assert_non_null(held);
	for (i = 0; i < (uint64_t)n; i++) {
		assert_int_equal(pin_pagemap_pfn(g.map + idx[i] * PIN_PAGE_SIZE, &pfn_before[i]), 0);
		assert_true(pfn_before[i] != 0);	/* root: PFNs visible */
	}

	fds_before = nr_open_fds();
	assert_int_equal(pin_set_init(&ps, ops, g.map, idx, (uint64_t)n), 0);
	r = pin_set_pin(&ps, why, sizeof(why));
	if (r)
		fail_msg("%s pin of %lld pages: %s", ops->name, (long long)n, why);
	assert_true(pin_set_held(&ps));
	fds_pinned = nr_open_fds();
	assert_true(fds_pinned > fds_before);
	if (ops == &pin_vmsplice)	/* > 256 pages: more than one pipe */
		assert_true(fds_pinned - fds_before >= 2);

	assert_int_equal(fd_punch_hole(g.fd, 0, GMEM_BYTES), 0);
	/* the file forgot the pages... */
	for (i = 0; i < (uint64_t)n; i++) {
		unsigned char *p = g.map + idx[i] * PIN_PAGE_SIZE;
		uint64_t pfn_after;

		for (j = 0; j < PIN_PAGE_SIZE; j += 512)
			assert_int_equal(p[j], 0);
		assert_int_equal(pin_pagemap_pfn(p, &pfn_after), 0);
		assert_true(pfn_after != 0);
		assert_true(pfn_after != pfn_before[i]);
	}
	/* ...but the pin still holds the old ones, contents intact */
	memset(held, 0, (size_t)n * PIN_PAGE_SIZE);
	assert_int_equal(pin_set_read_back(&ps, held), 0);
	for (i = 0; i < (uint64_t)n; i++)
		for (j = 0; j < PIN_PAGE_SIZE; j += 256)
			if (held[i * PIN_PAGE_SIZE + j] != page_tag(idx[i]))
				fail_msg("%s: pinned page %llu byte %llu holds 0x%02x, expected 0x%02x",
					 ops->name, (unsigned long long)idx[i],
					 (unsigned long long)j, held[i * PIN_PAGE_SIZE + j],
					 page_tag(idx[i]));

	pin_set_unpin(&ps);
	assert_false(pin_set_held(&ps));
	assert_int_equal(nr_open_fds(), fds_before);	/* pipes / rings closed */
	assert_int_equal(pin_set_read_back(&ps, held), -ENOENT);
	assert_true(ps.pin_ns > 0);
	assert_true(ps.unpin_ns > 0);
	pin_set_destroy(&ps);
	free(held);
	free(pfn_before);
	gmem_vm_close(&g);
}

static void test_vmsplice_holds(void **state)
{
	hold_across_punch(&pin_vmsplice, PIN_PATTERN_RANDOM, 30);	/* 307 pages */
}

static void test_iouring_holds(void **state)
{
	hold_across_punch(&pin_iouring, PIN_PATTERN_SPREAD, 10);
}

static void test_gup_test_holds(void **state)
{
	hold_across_punch(&pin_gup_test, PIN_PATTERN_FIRST, 10);
}

static void test_gup_test_one_run_only(void **state)
{
	static char page[2 * PIN_PAGE_SIZE] __attribute__((aligned(4096)));
	uint64_t idx[] = { 0, 2 };
	struct pin_set ps;
	char why[256] = "";

	/* refused before touching the kernel: works with or without gup_test */
	assert_int_equal(pin_set_init(&ps, &pin_gup_test, page, idx, 2), 0);
	assert_int_equal(pin_set_pin(&ps, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "contiguous"));
	pin_set_destroy(&ps);
}

static void test_releaser(void **state)
{
	static char buf[4 * PIN_PAGE_SIZE] __attribute__((aligned(4096)));
	uint64_t idx[] = { 1, 3 };
	struct pin_releaser rl;
	struct pin_set ps;
	char why[256];
	uint64_t t0;

	assert_int_equal(pin_set_init(&ps, &pin_vmsplice, buf, idx, 2), 0);
	assert_int_equal(pin_set_pin(&ps, why, sizeof(why)), 0);
	assert_int_equal(pin_releaser_start(&rl), 0);
	t0 = now_ns();
	assert_int_equal(pin_releaser_arm(&rl, &ps, 20000), 0);
	assert_int_equal(pin_releaser_arm(&rl, &ps, 1), -EBUSY);
	assert_true(pin_set_held(&ps));
	pin_releaser_wait(&rl);
	assert_false(pin_set_held(&ps));
	assert_true(ps.released_at_ns - t0 >= 20000000ULL);
	assert_true(ps.released_at_ns - t0 < 2000000000ULL);
	/* a set armed far in the future is released by stop, not leaked */
	assert_int_equal(pin_set_pin(&ps, why, sizeof(why)), 0);
	assert_int_equal(pin_releaser_arm(&rl, &ps, 60000000), 0);
	t0 = now_ns();
	pin_releaser_stop(&rl);
	assert_false(pin_set_held(&ps));
	assert_true(now_ns() - t0 < 1000000000ULL);
	pin_set_destroy(&ps);
}

static void test_lookup(void **state)
{
	enum pin_pattern p;

	assert_ptr_equal(pin_ops_find("vmsplice"), &pin_vmsplice);
	assert_ptr_equal(pin_ops_find("iouring"), &pin_iouring);
	assert_ptr_equal(pin_ops_find("gup_test"), &pin_gup_test);
	assert_null(pin_ops_find("madvise"));
	assert_int_equal(pin_pattern_parse("random", &p), 0);
	assert_int_equal(p, PIN_PATTERN_RANDOM);
	assert_int_equal(pin_pattern_parse("every", &p), -EINVAL);
	assert_string_equal(pin_pattern_name(PIN_PATTERN_SPREAD), "spread");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_select_first_spread),
		cmocka_unit_test(test_select_random),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_releaser),
		cmocka_unit_test(test_gup_test_one_run_only),
		cmocka_unit_test(test_vmsplice_holds),
		cmocka_unit_test(test_iouring_holds),
		cmocka_unit_test(test_gup_test_holds),
	};

	return cmocka_run_group_tests_name("pin", tests, NULL, NULL);
}
