// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every command-line value parser of bench/parse.h on
 * arbitrary text, each result checked against what the header promises
 * (and, where libc has an equivalent, against libc), because a parser that
 * accepts garbage without crashing is as wrong as one that crashes.
 *
 * Input: byte 0 picks the error buffer size (bit 7 set: a tiny 1..64 byte
 * buffer, to exercise truncation; else 512), the rest is the value.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)	do { if (!(cond)) { \
	fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
	abort(); } } while (0)

static const char *const fuzz_choices[] = { "inplace", "dual", "discard", NULL };

/* the error text must be a C string inside its buffer */
static void check_err(const char *err, size_t errlen, int ret)
{
	FUZZ_CHECK(ret == -EINVAL || ret == -ERANGE);
	FUZZ_CHECK(strnlen(err, errlen) < errlen);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void fuzz_size(const char *s, char *err, size_t errlen)
{
	char *buf = malloc(24);	/* the documented worst case, exactly */
	uint64_t v = 0, w = 0;
	int r;

	r = parse_size(s, &v, err, errlen);
	if (r) {
		check_err(err, errlen, r);
		free(buf);
		return;
	}
	/* format_size is documented as the exact inverse */
	format_size(v, buf, 24);
	FUZZ_CHECK(parse_size(buf, &w, NULL, 0) == 0 && w == v);
	/* a plain number must mean exactly what strtoull says */
	if (all_digits(s)) {
		errno = 0;
		FUZZ_CHECK(strtoull(s, NULL, 10) == v && errno == 0);
	}
	free(buf);
}

/* one parse against the reference: accepted iff want_ok, then the same value */
static void check_u64(int r, bool want_ok, uint64_t got, unsigned long long ref,
		      char *err, size_t errlen)
{
	FUZZ_CHECK(!r == want_ok);
	if (r)
		check_err(err, errlen, r);
	else
		FUZZ_CHECK(got == ref);
}

static void fuzz_u64(const char *s, char *err, size_t errlen)
{
	unsigned long long ref;
	unsigned int u = 0;
	uint64_t v = 0;
	bool ref_ok;
	int r;

	errno = 0;
	ref = all_digits(s) ? strtoull(s, NULL, 10) : 0;
	ref_ok = all_digits(s) && errno == 0;

	r = parse_u64(s, 0, UINT64_MAX, &v, err, errlen);
	check_u64(r, ref_ok, v, ref, err, errlen);
	r = parse_u64(s, 3, 1000, &v, err, errlen);
	check_u64(r, ref_ok && ref >= 3 && ref <= 1000, v, ref, err, errlen);
	r = parse_uint(s, 1, 256, &u, err, errlen);
	check_u64(r, ref_ok && ref >= 1 && ref <= 256, u, ref, err, errlen);
}

static void fuzz_double(const char *s, char *err, size_t errlen)
{
	double d = 0;
	int r;

	r = parse_double(s, -1e6, 1e6, &d, err, errlen);
	if (r) {
		check_err(err, errlen, r);
		return;
	}
	FUZZ_CHECK(isfinite(d) && d >= -1e6 && d <= 1e6);
	FUZZ_CHECK(d == strtod(s, NULL));
	r = parse_double(s, 0.0, 1.0, &d, err, errlen);
	if (!r)
		FUZZ_CHECK(d >= 0.0 && d <= 1.0);
	else
		check_err(err, errlen, r);
}

static void fuzz_size_list(const char *s, char *err, size_t errlen)
{
	uint64_t vals[32], v;
	size_t nr = 0, i;
	int r;

	r = parse_size_list(s, vals, 32, &nr, err, errlen);
	if (r) {
		check_err(err, errlen, r);
		return;
	}
	FUZZ_CHECK(nr >= 1 && nr <= 32);
	for (i = 1; i < nr; i++)
		FUZZ_CHECK(vals[i - 1] < vals[i]);	/* sorted, no duplicates */
	/* a list without ranges holds exactly its items */
	if (!strchr(s, ':') && !strchr(s, ',')) {
		FUZZ_CHECK(parse_size(s, &v, NULL, 0) == 0);
		FUZZ_CHECK(nr == 1 && vals[0] == v);
	}
	/* a tight buffer: the same list needs exactly nr slots */
	r = parse_size_list(s, vals, nr, &i, NULL, 0);
	FUZZ_CHECK(r == 0 && i == nr);
	if (nr > 1)
		FUZZ_CHECK(parse_size_list(s, vals, nr - 1, &i, err, errlen) == -ERANGE);
}

static void fuzz_choices_one(const char *s, char *err, size_t errlen)
{
	unsigned long mask = 0;
	int idx = -1, r;

	r = parse_choice("backend", s, fuzz_choices, &idx, err, errlen);
	if (r) {
		check_err(err, errlen, r);
	} else {
		FUZZ_CHECK(idx >= 0 && idx < 3 && !strcmp(fuzz_choices[idx], s));
	}
	r = parse_choice_list("backend", s, fuzz_choices, &mask, err, errlen);
	if (r) {
		check_err(err, errlen, r);
		return;
	}
	FUZZ_CHECK(mask != 0 && !(mask & ~7UL));
	if (!strcmp(s, "all"))
		FUZZ_CHECK(mask == 7);
}

static void fuzz_kv(const char *s, char *err, size_t errlen)
{
	const char *val = NULL, *eq = strchr(s, '=');
	char key[32];
	size_t n, i;
	int r;

	r = parse_kv(s, key, sizeof(key), &val, err, errlen);
	if (r) {
		check_err(err, errlen, r);
		return;
	}
	FUZZ_CHECK(eq && val == eq + 1);
	n = strlen(key);
	FUZZ_CHECK(n >= 1 && n < sizeof(key) && n == (size_t)(eq - s));
	FUZZ_CHECK(!memcmp(key, s, n));
	for (i = 0; i < n; i++)
		FUZZ_CHECK((key[i] >= 'a' && key[i] <= 'z') ||
			   (key[i] >= '0' && key[i] <= '9') || key[i] == '_');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t errlen;
	char *s, *err;

	if (size < 1)
		return 0;
	errlen = (data[0] & 0x80) ? 1 + (data[0] & 0x3f) : 512;
	/* exact-size heap copies: ASan sees any overrun */
	s = malloc(size);
	err = malloc(errlen);
	if (!s || !err)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	fuzz_size(s, err, errlen);
	fuzz_u64(s, err, errlen);
	fuzz_double(s, err, errlen);
	fuzz_size_list(s, err, errlen);
	fuzz_choices_one(s, err, errlen);
	fuzz_kv(s, err, errlen);

	free(s);
	free(err);
	return 0;
}
