// SPDX-License-Identifier: GPL-2.0
/*
 * leaks: a long matrix creates and destroys hundreds of VMs, so every fd
 * (VM, vCPU, guest_memfd, memfd, eventfd) and every mapping (kvm_run,
 * guest memory, thread stacks) a session or a cell takes must be given back.
 * Counted from the kernel's view of the process: /proc/self/fd entries and
 * /proc/self/maps lines, before and after 100 rounds, on the real /dev/kvm.
 *
 * Under valgrind or ASan, whose own anonymous mappings come and go, only
 * the named mappings (everything a session maps but thread stacks and the
 * heap) are compared; fds and threads always are.
 *
 * A few warm-up rounds run before the baseline is taken: the first threaded
 * run legitimately leaves glibc's per-thread malloc arena and its cached
 * thread stacks mapped, and those are reused, not leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND	0
#endif

/* AddressSanitizer's allocator maps and splits regions as the heap moves */
#if defined(__SANITIZE_ADDRESS__)
#define LEAK_UNDER_ASAN		1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LEAK_UNDER_ASAN		1
#endif
#endif
#ifndef LEAK_UNDER_ASAN
#define LEAK_UNDER_ASAN		0
#endif

#include "bench/cell_run.h"
#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/backend.h"
#include "harness/channel.h"
#include "harness/kvm.h"
#include "harness/session.h"
#include "tests/wl_test_util.h"
#include "workloads/workload.h"

#define LEAK_ROUNDS		100
#define LEAK_WARMUP_ROUNDS	3
#define LEAK_REGION_BYTES	(1ULL << 20)
#define LEAK_GRAN_BYTES		(64ULL << 10)
#define MAPS_BUF_BYTES		(1 << 20)

extern const struct workload wl_granularity;

struct leak_env {
	struct kvm_sys sys;
	bool have_kvm;
	char why[512];
	unsigned long vm_type;
	struct channel_info channel;
	bool have_channel;
};

static struct leak_env env = { .sys = { .fd = -1 } };

/* /proc/self/maps into buf without malloc (stdio would add a heap chunk) */
static size_t read_maps(char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	assert_true(n < len - 1);	/* the buffer held it all */
	buf[n] = '\0';
	return n;
}

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Mappings with a name (6th field): files, memfds, anon_inode:kvm-vcpu,
 * guest_memfd, [stack]. Everything a session maps is named except thread
 * stacks and malloc'ed memory, so this count stays exact under tools whose
 * own anonymous mappings come and go.
 */
static unsigned int count_named(const char *s)
{
	unsigned int n = 0, field;

	while (*s) {
		for (field = 0; field < 5 && *s && *s != '\n'; field++) {
			while (*s && *s != ' ' && *s != '\n')
				s++;
			while (*s == ' ')
				s++;
		}
		n += field == 5 && *s && *s != '\n';
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
	}
	return n;
}

/*
 * Entries of a /proc/self directory: task (a cell must join every thread
 * it started) or fd (the directory stream's own fd excluded).
 */
static unsigned int count_entries(const char *path, bool fds)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' && !(fds && atoi(e->d_name) == dirfd(d));
	closedir(d);
	return n;
}

struct snapshot {
	unsigned int fds;
	unsigned int threads;
	unsigned int maps;
	unsigned int named_maps;
	char *text;	/* the maps, to name what leaked */
};

static void snap(struct snapshot *s)
{
	s->text = malloc(MAPS_BUF_BYTES);
	assert_non_null(s->text);
	s->fds = count_entries("/proc/self/fd", true);
	s->threads = count_entries("/proc/self/task", false);
	read_maps(s->text, MAPS_BUF_BYTES);
	s->maps = count_lines(s->text);
	s->named_maps = count_named(s->text);
}

/* whether text holds the line s[0..len) as a whole line */
static bool maps_has_line(const char *text, const char *s, size_t len)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n == len && !memcmp(line, s, len))
			return true;
		line += n + (nl ? 1 : 0);
	}
	return false;
}

/* print the mapping lines of after that before does not have */
static void print_new_maps(const struct snapshot *before, const struct snapshot *after)
{
	const char *line = after->text;
	unsigned int shown = 0;

	while (*line && shown < 20) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!maps_has_line(before->text, line, len)) {
			print_message("  new mapping: %.*s\n", (int)len, line);
			shown++;
		}
		line += len + (nl ? 1 : 0);
	}
}

static void compare_snapshots(const char *what, struct snapshot *before,
			      struct snapshot *after)
{
	/* valgrind and ASan map memory of their own into us as they go */
	bool tool = RUNNING_ON_VALGRIND || LEAK_UNDER_ASAN;

	if (after->fds != before->fds || after->threads != before->threads ||
	    after->named_maps != before->named_maps ||
	    (!tool && after->maps != before->maps)) {
		print_message("%s: fds %u -> %u, threads %u -> %u, mappings %u -> %u (named %u -> %u) after %d rounds\n",
			      what, before->fds, after->fds, before->threads, after->threads,
			      before->maps, after->maps, before->named_maps,
			      after->named_maps, LEAK_ROUNDS);
		print_new_maps(before, after);
	}
	assert_int_equal(after->fds, before->fds);
	assert_int_equal(after->threads, before->threads);
	assert_int_equal(after->named_maps, before->named_maps);
	if (tool)
		print_message("note: under %s, only named mappings compared (all: %u -> %u)\n",
			      RUNNING_ON_VALGRIND ? "valgrind" : "ASan", before->maps, after->maps);
	else
		assert_int_equal(after->maps, before->maps);
	free(before->text);
	free(after->text);
}

static int group_setup(void **state)
{
	int r;

	r = kvm_sys_open(&env.sys, env.why, sizeof(env.why));
	if (r)
		return 0;	/* each test skips with env.why */
	r = backend_discard.probe(&env.sys, &env.vm_type, env.why, sizeof(env.why));
	if (r)
		return 0;
	env.have_kvm = true;
	/* a throw-away VM of its own: done before any baseline is taken */
	env.have_channel = channel_decide(&env.sys, CHANNEL_PREF_AUTO, 250, &env.channel) == 0;
	return 0;
}

static int group_teardown(void **state)
{
	kvm_sys_close(&env.sys);
	return 0;
}

static void skip_without_kvm(void)
{
	if (!env.have_kvm) {
		print_message("SKIP: discard backend unusable: %s\n", env.why);
		skip();
	}
}

static void one_session(void)
{
	struct session_cfg sc = {
		.backend = &backend_discard,
		.vm_type = env.vm_type,
		.nr_vcpus = 1,
		.region_bytes = LEAK_REGION_BYTES,
		.channel = CHANNEL_PIO,
		.policy = { .max_retries = 1000 },
	};
	struct session s;
	char why[512] = "";
	int r;

	memset(&s, 0, sizeof(s));
	r = session_create(&s, &env.sys, &sc, why, sizeof(why));
	if (r)
		print_message("session_create: %s (%s)\n", why, strerror(-r));
	assert_int_equal(r, 0);
	/* the region must be really there, not a lazily failing stub */
	assert_non_null(session_data_hva(&s, session_region_gpa(&s, 0)));
	session_destroy(&s);
}

static void test_sessions(void **state)
{
	struct snapshot before, after;
	int i;

	skip_without_kvm();
	for (i = 0; i < LEAK_WARMUP_ROUNDS; i++)
		one_session();
	snap(&before);
	for (i = 0; i < LEAK_ROUNDS; i++)
		one_session();
	snap(&after);
	compare_snapshots("session_create/destroy", &before, &after);
}

/* what cell_run emitted for the one repetition of a leak cell */
struct leak_row {
	unsigned int rows;
	enum cell_status status;
	uint64_t conversions;
	char reason[RESULT_REASON_LEN];
};

static int leak_emit(void *arg, const struct cell_result *r)
{
	struct leak_row *row = arg;

	row->rows++;
	row->status = r->status;
	row->conversions = r->ctr.conversions;
	snprintf(row->reason, sizeof(row->reason), "%s", r->reason);
	return 0;
}

/* one cell as the runner drives it: through cell_run */
static void one_cell(struct run_cfg *cfg, enum driver d, int round)
{
	static volatile sig_atomic_t stop;
	struct leak_row row = { 0 };
	const struct cell_hooks hooks = { .emit = leak_emit, .arg = &row };
	struct cell_plan plan = {
		.wl = &wl_granularity,
		.warmup = cfg->warmup,
		.iterations = cfg->iterations,
		.repetitions = cfg->repetitions,
		.timeout_ns = cfg->timeout_ns,
		.stop = &stop,
	};
	struct wl_ctx *c;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	wlt_ctx_init(c, cfg, &env.sys, env.vm_type, LEAK_GRAN_BYTES, "-", &stop);
	c->driver = d;
	c->channel = &env.channel;
	snprintf(plan.key.workload, sizeof(plan.key.workload), "%s", wl_granularity.name);
	snprintf(plan.key.backend, sizeof(plan.key.backend), "%s", backend_discard.name);
	snprintf(plan.key.driver, sizeof(plan.key.driver), "%s", driver_name(d));
	plan.key.granularity_bytes = LEAK_GRAN_BYTES;
	plan.key.region_bytes = cfg->region_bytes;
	plan.key.vcpus = cfg->vcpus;

	assert_int_equal(cell_run(&plan, c, &hooks), 0);
	if (row.status != CELL_OK)
		print_message("%s cell (%s driver), round %d: %s\n", wl_granularity.name,
			      plan.key.driver, round, row.reason);
	assert_int_equal(row.rows, 1);
	assert_int_equal(row.status, CELL_OK);
	/* 1 MiB in 64K chunks, both directions, one pass */
	assert_int_equal(row.conversions, 2 * LEAK_REGION_BYTES / LEAK_GRAN_BYTES);
	free(c);
}

/* 100 cells of one driver, fds and mappings counted around them */
static void granularity_cells(enum driver d)
{
	struct snapshot before, after;
	struct run_cfg *cfg;
	char what[64];
	int i;

	skip_without_kvm();
	if (d == DRIVER_GUEST && !env.have_channel) {
		print_message("SKIP: no guest request channel: %s\n", env.channel.reason);
		skip();
	}
	cfg = calloc(1, sizeof(*cfg));
	assert_non_null(cfg);
	/* a cell of 1 MiB takes milliseconds: 10 s (60 under TCG) means it hung */
	wlt_cfg_init(cfg, &wl_granularity, 1, LEAK_REGION_BYTES, 1, 10, 1000);
	cfg->formats = "csv";
	cfg->cpus = "none";

	for (i = 0; i < LEAK_WARMUP_ROUNDS; i++)
		one_cell(cfg, d, i - LEAK_WARMUP_ROUNDS);
	snap(&before);
	for (i = 0; i < LEAK_ROUNDS; i++)
		one_cell(cfg, d, i);
	snap(&after);
	snprintf(what, sizeof(what), "granularity cells, %s driver",
		 d == DRIVER_GUEST ? "guest" : "host");
	compare_snapshots(what, &before, &after);
	free(cfg);
}

static void test_granularity_guest_cells(void **state)
{
	granularity_cells(DRIVER_GUEST);
}

static void test_granularity_host_cells(void **state)
{
	granularity_cells(DRIVER_HOST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_granularity_guest_cells),
		cmocka_unit_test(test_granularity_host_cells),
	};

	return cmocka_run_group_tests_name("leaks", tests, group_setup, group_teardown);
}
