// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: `gmembench compare` on arbitrary results.csv pairs.
 * Whatever the files hold, compare_run must return one of its three exit
 * codes and never crash: it reads files users edit by hand.
 *
 * Input: byte 0 = option bits (format, --csv output, alpha, floor,
 * strict); the rest is BASE, and if it holds a NUL byte, BASE NUL CAND
 * (else CAND is a copy of BASE: a run compared with itself), optionally
 * followed by NUL BASE_JSON [NUL CAND_JSON]: the results.json beside each
 * results.csv (absent without them). They are written to the same files
 * of one private directory every time (on tmpfs when there is one), so
 * the disk use is bounded by -max_len; removed at exit.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/compare.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[64];
static char fz_base[128], fz_cand[128], fz_base_csv[160], fz_cand_csv[160], fz_out_csv[128];
static char fz_base_json[160], fz_cand_json[160];
static FILE *fz_null;

static void fz_cleanup(void)
{
	unlink(fz_base_csv);
	unlink(fz_cand_csv);
	unlink(fz_base_json);
	unlink(fz_cand_json);
	unlink(fz_out_csv);
	rmdir(fz_base);
	rmdir(fz_cand);
	rmdir(fz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(fz_dir, sizeof(fz_dir), "%s/fuzz_compare.XXXXXX", tmp);
	if (!mkdtemp(fz_dir))
		abort();
	snprintf(fz_base, sizeof(fz_base), "%s/base", fz_dir);
	snprintf(fz_cand, sizeof(fz_cand), "%s/cand", fz_dir);
	snprintf(fz_base_csv, sizeof(fz_base_csv), "%s/results.csv", fz_base);
	snprintf(fz_cand_csv, sizeof(fz_cand_csv), "%s/results.csv", fz_cand);
	snprintf(fz_base_json, sizeof(fz_base_json), "%s/results.json", fz_base);
	snprintf(fz_cand_json, sizeof(fz_cand_json), "%s/results.json", fz_cand);
	snprintf(fz_out_csv, sizeof(fz_out_csv), "%s/comparison.csv", fz_dir);
	if (mkdir(fz_base, 0700) || mkdir(fz_cand, 0700))
		abort();
	fz_null = fopen("/dev/null", "w");
	if (!fz_null)
		abort();
	atexit(fz_cleanup);
	return 0;
}

static void fz_write(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
		abort();
}

/* split p..p+n at NUL bytes into at most max parts; returns the count */
static int fz_split(const uint8_t *p, size_t n, const uint8_t **part,
		    size_t *len, int max)
{
	int k = 0;

	while (k < max - 1) {
		const uint8_t *nul = memchr(p, '\0', n);

		if (!nul)
			break;
		part[k] = p;
		len[k++] = (size_t)(nul - p);
		n -= (size_t)(nul - p) + 1;
		p = nul + 1;
	}
	part[k] = p;
	len[k++] = n;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double alphas[] = { 0.05, 0.5, 1e-9, 0.999 };
	static const double floors[] = { 5.0, 0.0, 1000.0, 0.001 };
	const uint8_t *part[4];
	size_t len[4];
	struct compare_opts o;
	uint8_t flags;
	int r, nr;

	if (size < 1)
		return 0;
	flags = data[0];
	nr = fz_split(data + 1, size - 1, part, len, 4);
	fz_write(fz_base_csv, part[0], len[0]);
	fz_write(fz_cand_csv, part[nr > 1], len[nr > 1]);
	unlink(fz_base_json);
	unlink(fz_cand_json);
	if (nr > 2) {
		fz_write(fz_base_json, part[2], len[2]);
		fz_write(fz_cand_json, part[nr - 1], len[nr - 1]);
	}

	compare_opts_init(&o);
	o.format = flags & 1 ? COMPARE_FORMAT_MARKDOWN : COMPARE_FORMAT_TEXT;
	o.csv_path = flags & 2 ? fz_out_csv : NULL;
	o.alpha = alphas[(flags >> 2) & 3];
	o.floor_pct = floors[(flags >> 4) & 3];
	/* a few hundred resamples find the same bugs, faster */
	o.resamples = 200;
	if (flags & 0x40) {
		o.stat_floor_pct[COMPARE_P99_NS] = 0.0;
		o.strict = 1;
	}
	/* directories one time, the files themselves the other */
	if (flags & 0x80)
		r = compare_run(fz_base_csv, fz_cand_csv, &o, fz_null, fz_null);
	else
		r = compare_run(fz_base, fz_cand, &o, fz_null, fz_null);
	if (r != COMPARE_OK && r != COMPARE_REGRESSION && r != COMPARE_INCOMPARABLE) {
		fprintf(stderr, "compare_run returned %d\n", r);
		abort();
	}
	/* a file compared with itself never regresses */
	if (nr == 1 && r == COMPARE_REGRESSION) {
		fprintf(stderr, "a results.csv compared with itself regressed\n");
		abort();
	}
	return 0;
}
