// SPDX-License-Identifier: GPL-2.0
/*
 * The footprint workload on the real /dev/kvm (discard backend, tiny
 * sizes) and the memusage method it stands on: guest_memfd bytes must
 * follow touches and hole punches exactly.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_test_util.h"

#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/guest_abi.h"
#include "harness/memusage.h"
#include "harness/session.h"
#include "tests/wl_test_util.h"
#include "workloads/workload.h"

#define SZ_1M	(1ULL << 20)

extern const struct workload wl_footprint;

struct fp_fixture {
	struct kvm_sys sys;
	struct session sess;
	bool sess_up;
	struct run_cfg cfg;
	struct wl_ctx c;
	bool wl_up;
	struct cell_result r;
	volatile sig_atomic_t stop;
	char dir[64];
};

/* sys first: wlt_fixture_alloc opens nothing, marks it closed */
static int setup_fx(void **state)
{
	return wlt_fixture_alloc(state, sizeof(struct fp_fixture));
}

static void rm_dir(const char *dir)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

static int teardown_fx(void **state)
{
	struct fp_fixture *f = *state;

	if (f->wl_up)
		wl_footprint.teardown(&f->c);
	if (f->sess_up)
		session_destroy(&f->sess);
	cell_result_free(&f->r);
	if (f->sys.fd >= 0)
		kvm_sys_close(&f->sys);
	rm_dir(f->dir);
	free(f);
	return 0;
}

static unsigned long discard_or_skip(struct fp_fixture *f)
{
	unsigned long type = 0;
	char why[512] = "";

	KVM_OR_SKIP(&f->sys);
	if (backend_discard.probe(&f->sys, &type, why, sizeof(why))) {
		print_message("SKIP: discard backend: %s\n", why);
		skip();
	}
	return type;
}

/* the method on a plain sequence: touch N pages, read, punch half, read */
static void test_memusage_touch_punch(void **state)
{
	struct fp_fixture *f = *state;
	struct session_cfg sc = {
		.backend = &backend_discard,
		.nr_vcpus = 1,
		.region_bytes = SZ_1M,
		.channel = CHANNEL_PIO,
	};
	struct memusage mu;
	struct memusage_sample s0, s1, s2;
	char why[512];
	volatile uint8_t *hva;
	uint64_t gblocks, i, n = 100;

	sc.vm_type = discard_or_skip(f);
	assert_int_equal(session_create(&f->sess, &f->sys, &sc, why, sizeof(why)), 0);
	f->sess_up = true;
	assert_int_equal(memusage_init(&mu, &f->sess.mem), 0);
	assert_int_equal(mu.gmem_method, MEMUSAGE_GMEM_MINCORE);
	assert_int_equal(memusage_sample(&mu, &s0), 0);
	assert_int_equal(s0.gmem_bytes, 0);
	assert_int_equal(s0.shared_bytes, 0);
	hva = session_data_hva(&f->sess, f->sess.mem.gpa);
	assert_non_null(hva);
	for (i = 0; i < n; i++)
		hva[i * GMB_PAGE_SIZE] = 0x5a;
	assert_int_equal(memusage_sample(&mu, &s1), 0);
	assert_int_equal(s1.gmem_bytes, n * GMB_PAGE_SIZE);
	/* why not fstat: guest_memfd keeps no i_blocks on this kernel */
	assert_int_equal(fd_allocated_bytes(f->sess.mem.gmem_fd, &gblocks), 0);
	print_message("st_blocks bytes after %" PRIu64 " pages: %" PRIu64 "\n", n, gblocks);
	assert_int_equal(fd_punch_hole(f->sess.mem.gmem_fd, 0, (n / 2) * GMB_PAGE_SIZE), 0);
	assert_int_equal(memusage_sample(&mu, &s2), 0);
	assert_int_equal(s2.gmem_bytes, (n - n / 2) * GMB_PAGE_SIZE);
	assert_true(s2.t_ns >= s1.t_ns && s1.t_ns >= s0.t_ns);
	assert_true(s1.rss_bytes > 0);
	assert_true(s1.mem_available_bytes > 0);
	/* the mapped, touched pages are in our RSS; punched ones leave it */
	assert_true(s1.rss_bytes >= s2.rss_bytes + (n / 2) * GMB_PAGE_SIZE - 64 * 4096);
	memusage_fini(&mu);
}

/* independent helpers agree with /proc */
static void test_memusage_proc(void **state)
{
	uint64_t avail, total, rss;

	(void)state;
	assert_int_equal(memusage_meminfo_bytes("MemAvailable", &avail), 0);
	assert_int_equal(memusage_meminfo_bytes("MemTotal", &total), 0);
	assert_true(avail > 0 && avail <= total);
	assert_int_equal(memusage_meminfo_bytes("NoSuchField", &avail), -ENOENT);
	/* "Mem" is a prefix of real fields, not a field */
	assert_int_equal(memusage_meminfo_bytes("Mem", &avail), -ENOENT);
	assert_int_equal(memusage_rss_bytes(&rss), 0);
	assert_true(rss > 0 && rss < total);
}

struct series {
	size_t n;
	uint64_t peak_gmem, peak_total, peak_rss, last_t;
	bool monotonic, header_ok;
};

static void read_series(const char *path, struct series *s)
{
	char line[512];
	FILE *fp = fopen(path, "r");

	memset(s, 0, sizeof(*s));
	s->monotonic = true;
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	s->header_ok = !strcmp(line, "t_ns,gmem_bytes,shared_bytes,rss_bytes,mem_available_bytes\n");
	while (fgets(line, sizeof(line), fp)) {
		uint64_t t, g, sh, rss, av;

		assert_int_equal(sscanf(line, "%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64,
					&t, &g, &sh, &rss, &av), 5);
		if (s->n && t < s->last_t)
			s->monotonic = false;
		s->last_t = t;
		if (g > s->peak_gmem)
			s->peak_gmem = g;
		if (g + sh > s->peak_total)
			s->peak_total = g + sh;
		if (rss > s->peak_rss)
			s->peak_rss = rss;
		s->n++;
	}
	fclose(fp);
}

static void test_footprint_run(void **state)
{
	static const struct cell_key key = { .workload = "footprint" };
	struct fp_fixture *f = *state;
	uint64_t region = 2 * SZ_1M, gran = 64 << 10;
	char why[512] = "", path[256];
	unsigned long vm_type;
	struct series s;
	int r;

	vm_type = discard_or_skip(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/gmb-fp-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	wlt_cfg_init(&f->cfg, &wl_footprint, 1, region, 1, 25, 1000);
	/* a subdirectory that does not exist yet: the workload creates it */
	snprintf(f->cfg.out_dir, sizeof(f->cfg.out_dir), "%s/out", f->dir);
	wlt_set_opt(&f->cfg, "interval_ms", "2");
	wlt_ctx_init(&f->c, &f->cfg, &f->sys, vm_type, gran, "-", &f->stop);
	r = wl_footprint.setup(&f->c, why, sizeof(why));
	assert_int_equal(r, 0);
	f->wl_up = true;
	/* run twice: the second repetition must start from empty backing again */
	for (int rep = 0; rep < 2; rep++) {
		cell_result_free(&f->r);
		cell_result_init(&f->r, &key, NULL);
		r = wl_footprint.run(&f->c, &f->r, rep);
		if (r)
			print_message("run: %s\n", f->r.reason);
		assert_int_equal(r, 0);
		assert_int_equal(f->r.status, CELL_OK);
		assert_int_equal(f->r.ctr.conversions, 2 * region / gran);
		snprintf(path, sizeof(path), "%s/footprint-discard-64K-%d.csv", f->cfg.out_dir, rep);
		assert_int_equal(access(path, R_OK), 0);
		read_series(path, &s);
		print_message("rep %d: %zu samples over %.1f ms, peak gmem %" PRIu64 "\n",
			      rep, s.n, s.last_t / 1e6, s.peak_gmem);
		assert_true(s.header_ok);
		assert_true(s.n >= 2);
		assert_true(s.monotonic);
		assert_int_equal((uint64_t)cell_extra_get(&f->r, "samples_count"), s.n);
		/* the populated region is sampled exactly once it is touched */
		assert_true(cell_extra_get(&f->r, "peak_gmem_bytes") >= (double)region);
		/* the extras are the series' own maxima */
		assert_int_equal((uint64_t)cell_extra_get(&f->r, "peak_gmem_bytes"), s.peak_gmem);
		assert_int_equal((uint64_t)cell_extra_get(&f->r, "peak_total_bytes"), s.peak_total);
		assert_int_equal((uint64_t)cell_extra_get(&f->r, "peak_rss_bytes"), s.peak_rss);
		assert_int_equal((int)cell_extra_get(&f->r, "peak_shared_bytes"), 0);
		/* discard never holds more than the region (one backing) */
		assert_true(s.peak_gmem <= f->c.sess.mem.bytes);
		assert_true(cell_extra_get(&f->r, "mean_total_bytes") <= (double)s.peak_total);
		assert_int_equal((int)cell_extra_get(&f->r, "gmem_method"), MEMUSAGE_GMEM_MINCORE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memusage_proc),
		cmocka_unit_test_setup_teardown(test_memusage_touch_punch, setup_fx, teardown_fx),
		cmocka_unit_test_setup_teardown(test_footprint_run, setup_fx, teardown_fx),
	};

	return cmocka_run_group_tests_name("wl_footprint", tests, NULL, NULL);
}
