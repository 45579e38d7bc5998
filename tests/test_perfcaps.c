// SPDX-License-Identifier: GPL-2.0
/*
 * perfcaps: the probe's verdicts are checked by doing the thing it judged
 * (opening the event, counting real page faults / TLB flushes), and the
 * tracepoint ids against the tracefs files read here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/perfcaps.h"
#include "tests/test_util.h"

#define NR_TOUCH_PAGES	1000
#define NR_EXTRA_PAGES	16

static struct perfcaps pc;

static int setup(void **state)
{
	return perfcaps_probe(&pc);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void test_probe(void **state)
{
	struct perfcaps again;

	assert_int_equal(perfcaps_probe(NULL), -EINVAL);
	assert_int_equal(perfcaps_probe(&again), 0);
	/* Software events exist in every perf-enabled kernel. */
	assert_int_equal(pc.sw_page_faults, 1);
	assert_int_equal(again.hw_cycles, pc.hw_cycles);
	assert_int_equal(again.tracefs_mounted, pc.tracefs_mounted);
	/* The tracefs verdict agrees with what the filesystem shows. */
	assert_int_equal(pc.tracefs_mounted,
			 is_dir("/sys/kernel/tracing/events") ||
			 is_dir("/sys/kernel/debug/tracing/events"));
	if (pc.tracefs_mounted) {
		char events[128];

		snprintf(events, sizeof(events), "%s/events", pc.tracefs_path);
		assert_true(is_dir(events));
	} else {
		assert_string_equal(pc.tracefs_path, "");
		assert_int_equal(pc.tp_tlb_flush, 0);
		assert_int_equal(pc.tp_kvm_unmap_hva_range, 0);
		assert_int_equal(pc.tp_kvmmmu, 0);
	}
}

static void test_sw_page_faults(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (NR_TOUCH_PAGES + NR_EXTRA_PAGES) * (size_t)page;
	volatile char *p;
	uint64_t count;
	int fd, i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	/* One fault per 4 KiB page only if THP does not fill 2 MiB at once. */
	madvise((void *)p, len, MADV_NOHUGEPAGE);

	assert_int_equal(perf_open_counter(PERF_TYPE_SOFTWARE,
					   PERF_COUNT_SW_PAGE_FAULTS, 0, -1,
					   &fd), 0);
	/* Created disabled: faults before enable are not counted. */
	for (i = NR_TOUCH_PAGES; i < NR_TOUCH_PAGES + NR_EXTRA_PAGES; i++)
		p[(long)i * page] = 1;
	assert_int_equal(perf_read_counter(fd, &count), 0);
	assert_int_equal(count, 0);

	assert_int_equal(perf_enable_counter(fd), 0);
	for (i = 0; i < NR_TOUCH_PAGES; i++)
		p[(long)i * page] = 1;
	assert_int_equal(perf_disable_counter(fd), 0);
	assert_int_equal(perf_read_counter(fd, &count), 0);
	print_message("page faults for %d fresh pages: %llu\n", NR_TOUCH_PAGES,
		      (unsigned long long)count);
	assert_true(count >= NR_TOUCH_PAGES);
	/*
	 * Not double counted. The slack is for AddressSanitizer, whose shadow
	 * pages (1 per 8 touched) fault in during the same loop.
	 */
	assert_true(count < 2 * NR_TOUCH_PAGES);

	/* Disabled: touching more memory must not move the count. */
	for (i = 0; i < NR_TOUCH_PAGES; i++)
		p[(long)i * page] = 2;
	assert_int_equal(perf_read_counter(fd, &count), 0);
	assert_true(count >= NR_TOUCH_PAGES && count < 2 * NR_TOUCH_PAGES);

	assert_int_equal(perf_reset_counter(fd), 0);
	assert_int_equal(perf_read_counter(fd, &count), 0);
	assert_int_equal(count, 0);

	close(fd);
	munmap((void *)p, len);
	assert_int_equal(perf_read_counter(-1, NULL), -EINVAL);
}

static void test_hw_counters(void **state)
{
	uint64_t dtlb = PERF_COUNT_HW_CACHE_DTLB |
			(PERF_COUNT_HW_CACHE_OP_READ << 8) |
			(PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
	uint64_t count;
	int fd, ret;

	print_message("hw_cycles=%d hw_dtlb_load_misses=%d why_hw=\"%s\"\n",
		      pc.hw_cycles, pc.hw_dtlb_load_misses, pc.why_hw);

	ret = perf_open_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
				0, -1, &fd);
	if (!pc.hw_cycles) {
		assert_true(ret < 0);
		assert_true(pc.why_hw[0]);
		/* The first failure is the cycles one, named as such. */
		assert_non_null(strstr(pc.why_hw, "cycles"));
	} else {
		volatile unsigned long sink = 0;
		unsigned long i;

		assert_int_equal(ret, 0);
		assert_int_equal(perf_enable_counter(fd), 0);
		for (i = 0; i < 1000000; i++)
			sink += i;
		assert_int_equal(perf_disable_counter(fd), 0);
		assert_int_equal(perf_read_counter(fd, &count), 0);
		assert_true(count > 0);
		close(fd);
	}

	ret = perf_open_counter(PERF_TYPE_HW_CACHE, dtlb, 0, -1, &fd);
	if (!pc.hw_dtlb_load_misses) {
		assert_true(ret < 0);
		assert_true(pc.why_hw[0]);
	} else {
		assert_int_equal(ret, 0);
		close(fd);
	}
	if (pc.hw_cycles && pc.hw_dtlb_load_misses)
		assert_string_equal(pc.why_hw, "");
}

static void need_tracefs(void)
{
	if (!pc.tracefs_mounted) {
		print_message("SKIP: tracefs is not mounted (no events/ under "
			      "/sys/kernel/tracing or /sys/kernel/debug/tracing); "
			      "mount it with `mount -t tracefs nodev "
			      "/sys/kernel/tracing` or perfcaps_mount_tracefs()\n");
		skip();
	}
}

static long read_id_file(const char *sys, const char *ev)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", pc.tracefs_path,
		 sys, ev);
	return tu_read_long(path);
}

static void test_tracepoint_ids(void **state)
{
	long id, want;
	char err[128];

	need_tracefs();
	/* Already mounted, so the helper must not touch anything. */
	assert_int_equal(perfcaps_mount_tracefs(err, sizeof(err)), 0);

	want = read_id_file("tlb", "tlb_flush");
	if (want < 0) {
		assert_int_equal(perf_tracepoint_id("tlb", "tlb_flush", &id),
				 -ENOENT);
		assert_int_equal(pc.tp_tlb_flush, 0);
	} else {
		assert_int_equal(perf_tracepoint_id("tlb", "tlb_flush", &id),
				 0);
		assert_int_equal(id, want);
	}
	want = read_id_file("kvm", "kvm_unmap_hva_range");
	if (want >= 0) {
		assert_int_equal(perf_tracepoint_id("kvm",
						    "kvm_unmap_hva_range", &id),
				 0);
		assert_int_equal(id, want);
	} else {
		assert_int_equal(pc.tp_kvm_unmap_hva_range, 0);
	}
	if (!is_dir("/sys/kernel/tracing/events/kvmmmu") &&
	    !is_dir("/sys/kernel/debug/tracing/events/kvmmmu"))
		assert_int_equal(pc.tp_kvmmmu, 0);

	assert_int_equal(perf_tracepoint_id("no_such_sys", "no_such_ev", &id),
				    -ENOENT);
	assert_int_equal(perf_tracepoint_id("..", "tlb_flush", &id), -EINVAL);
	assert_int_equal(perf_tracepoint_id("tlb/../tlb", "tlb_flush", &id),
			 -EINVAL);
	assert_int_equal(perf_tracepoint_id("tlb", "", &id), -EINVAL);
}

static void test_tlb_flush_counts(void **state)
{
	const size_t len = 1 << 20;
	uint64_t count;
	long id;
	int fd, i;

	need_tracefs();
	if (!pc.tp_tlb_flush) {
		print_message("SKIP: tracefs at %s has no usable tlb:tlb_flush tracepoint\n",
			      pc.tracefs_path);
		skip();
	}
	assert_int_equal(perf_tracepoint_id("tlb", "tlb_flush", &id), 0);
	assert_int_equal(perf_open_counter(PERF_TYPE_TRACEPOINT, (uint64_t)id,
					   0, -1, &fd), 0);
	assert_int_equal(perf_enable_counter(fd), 0);
	/* Zapping populated PTEs has to flush the TLB for this mm. */
	for (i = 0; i < 50; i++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(p != MAP_FAILED);
		memset(p, 1, len);
		assert_int_equal(madvise(p, len, MADV_DONTNEED), 0);
		munmap(p, len);
	}
	assert_int_equal(perf_disable_counter(fd), 0);
	assert_int_equal(perf_read_counter(fd, &count), 0);
	close(fd);
	print_message("tlb:tlb_flush during 50 x 1 MiB DONTNEED: %llu\n",
		      (unsigned long long)count);
	assert_true(count > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_sw_page_faults),
		cmocka_unit_test(test_hw_counters),
		cmocka_unit_test(test_tracepoint_ids),
		cmocka_unit_test(test_tlb_flush_counts),
	};

	return cmocka_run_group_tests_name("perfcaps", tests, setup, NULL);
}
