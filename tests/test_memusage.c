// SPDX-License-Identifier: GPL-2.0
/*
 * memusage's file residency by cachestat(2) against a memfd whose contents
 * this test controls: filled pages count, punched pages stop counting, the
 * range argument is honoured. No KVM needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness/kvm.h"
#include "harness/memusage.h"

#define PG	4096ULL
#define BYTES	(64 * PG)

static void test_cachestat_follows_fill_and_punch(void **state)
{
	uint64_t b = 1;
	char *p;
	int fd, r;

	fd = memfd_create("test_memusage", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, BYTES), 0);
	r = memusage_fd_cached_bytes(fd, 0, 0, &b);
	if (r == -ENOSYS) {
		close(fd);
		print_message("SKIP: cachestat(2) absent (Linux < 6.5 or CONFIG_CACHESTAT_SYSCALL=n)\n");
		skip();
	}
	assert_int_equal(r, 0);
	assert_int_equal(b, 0);
	p = mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	memset(p, 0x5a, 32 * PG);
	assert_int_equal(memusage_fd_cached_bytes(fd, 0, 0, &b), 0);
	assert_int_equal(b, 32 * PG);
	/* a range: the second half holds nothing, pages 8..15 hold 8 pages */
	assert_int_equal(memusage_fd_cached_bytes(fd, 32 * PG, 32 * PG, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(memusage_fd_cached_bytes(fd, 8 * PG, 8 * PG, &b), 0);
	assert_int_equal(b, 8 * PG);
	assert_int_equal(fd_punch_hole(fd, 0, 16 * PG), 0);
	assert_int_equal(memusage_fd_cached_bytes(fd, 0, 0, &b), 0);
	assert_int_equal(b, 16 * PG);
	munmap(p, BYTES);
	close(fd);
	assert_int_equal(memusage_fd_cached_bytes(fd, 0, 0, &b), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cachestat_follows_fill_and_punch),
	};

	return cmocka_run_group_tests_name("memusage", tests, NULL, NULL);
}
