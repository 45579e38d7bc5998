// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/parse.c: every accepted form against an independently
 * computed value, and rejected inputs against the exact one-line message the
 * user will see.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench/parse.h"

#define KIB	1024ULL
#define MIB	(KIB * KIB)
#define GIB	(MIB * KIB)
#define TIB	(GIB * KIB)

static void test_size_accepted(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} cases[] = {
		{ "0", 0 }, { "1", 1 }, { "4096", 4096 }, { "007", 7 },
		{ "4K", 4 * KIB }, { "4k", 4 * KIB }, { "4KiB", 4 * KIB },
		{ "64k", 64 * KIB }, { "1536K", 1536 * KIB },
		{ "2M", 2 * MIB }, { "2m", 2 * MIB }, { "2MiB", 2 * MIB },
		{ "1G", GIB }, { "1g", GIB }, { "3GiB", 3 * GIB },
		{ "1T", TIB }, { "5t", 5 * TIB }, { "2TiB", 2 * TIB },
		{ "0K", 0 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ULL * TIB },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;

		err[0] = '\0';
		assert_int_equal(parse_size(cases[i].s, &v, err, sizeof(err)), 0);
		assert_true(v == cases[i].v);
		assert_string_equal(err, "");
	}
}

struct reject {
	const char *s;
	int ret;
	const char *msg;
};

static void check_size_reject(const struct reject *r)
{
	char err[256];
	uint64_t v = 777;

	print_message("reject size '%s'\n", r->s);
	assert_int_equal(parse_size(r->s, &v, err, sizeof(err)), r->ret);
	assert_string_equal(err, r->msg);
	assert_true(v == 777);	/* output untouched on failure */
}

#define SZ_BAD(str) { str, -EINVAL, \
	"size '" str "': expected a number with optional K/M/G/T suffix" }

static void test_size_rejected(void **state)
{
	static const struct reject cases[] = {
		SZ_BAD("12Q"), SZ_BAD(""), SZ_BAD("-1"), SZ_BAD("+4K"),
		SZ_BAD(" 4K"), SZ_BAD("4K "), SZ_BAD("4 K"), SZ_BAD("K"),
		SZ_BAD("4KB"), SZ_BAD("4Ki"), SZ_BAD("4KIB"), SZ_BAD("4KK"),
		SZ_BAD("0x10"), SZ_BAD("1.5M"), SZ_BAD("4P"), SZ_BAD("1e3"),
		SZ_BAD("4KiBx"),
		{ "18446744073709551616", -ERANGE,
		  "size '18446744073709551616' is too large (maximum 18446744073709551615 bytes)" },
		{ "16777216T", -ERANGE,
		  "size '16777216T' is too large (maximum 18446744073709551615 bytes)" },
		{ "99999999999999999999999K", -ERANGE,
		  "size '99999999999999999999999K' is too large (maximum 18446744073709551615 bytes)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_size_reject(&cases[i]);
}

static void test_u64_uint(void **state)
{
	char err[256];
	uint64_t v = 0;
	unsigned int u = 0;

	assert_int_equal(parse_u64("1", 1, 64, &v, err, sizeof(err)), 0);
	assert_true(v == 1);
	assert_int_equal(parse_u64("64", 1, 64, &v, err, sizeof(err)), 0);
	assert_true(v == 64);
	assert_int_equal(parse_u64("0064", 1, 64, &v, err, sizeof(err)), 0);
	assert_true(v == 64);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX, &v,
				   err, sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_uint("4294967295", 0, UINT_MAX, &u, err,
				    sizeof(err)), 0);
	assert_true(u == UINT_MAX);
	assert_int_equal(parse_uint("17", 0, 100, &u, err, sizeof(err)), 0);
	assert_int_equal(u, 17);

	v = 5;
	assert_int_equal(parse_u64("0", 1, 64, &v, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'0' is out of range (accepted: 1..64)");
	assert_true(v == 5);
	assert_int_equal(parse_u64("65", 1, 64, &v, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'65' is out of range (accepted: 1..64)");
	assert_int_equal(parse_u64("18446744073709551616", 0, UINT64_MAX, &v,
				   err, sizeof(err)), -ERANGE);
	assert_string_equal(err,
		"'18446744073709551616' is out of range (accepted: 0..18446744073709551615)");
	assert_int_equal(parse_uint("4294967296", 0, UINT_MAX, &u, err,
				    sizeof(err)), -ERANGE);
	assert_string_equal(err,
		"'4294967296' is out of range (accepted: 0..4294967295)");

	assert_int_equal(parse_u64("", 1, 64, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(parse_u64("-1", 1, 64, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'-1' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(parse_u64("+3", 1, 64, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'+3' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(parse_u64("3 ", 1, 64, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'3 ' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(parse_uint("4K", 1, 64, &u, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'4K' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(parse_uint("0x10", 1, 64, &u, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'0x10' is not a decimal integer (accepted: 1..64)");
	assert_int_equal(u, 17);
}

static void test_double(void **state)
{
	char err[256];
	double d = -1;

	assert_int_equal(parse_double("0.5", 0, 1, &d, err, sizeof(err)), 0);
	assert_true(d == 0.5);
	assert_int_equal(parse_double("1", 0, 1, &d, err, sizeof(err)), 0);
	assert_true(d == 1.0);
	assert_int_equal(parse_double("0", 0, 1, &d, err, sizeof(err)), 0);
	assert_true(d == 0.0);
	assert_int_equal(parse_double("-2.5e3", -1e4, 0, &d, err, sizeof(err)), 0);
	assert_true(d == -2500.0);
	assert_int_equal(parse_double(".25", 0, 1, &d, err, sizeof(err)), 0);
	assert_true(d == 0.25);
	assert_int_equal(parse_double("0.1", 0, 1, &d, err, sizeof(err)), 0);
	assert_true(d == 0.1);

	d = 42;
	assert_int_equal(parse_double("1.5", 0, 1, &d, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'1.5' is out of range (accepted: 0..1)");
	assert_int_equal(parse_double("-0.01", 0, 1, &d, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'-0.01' is out of range (accepted: 0..1)");
	assert_int_equal(parse_double("1e999", 0, 1e6, &d, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'1e999' is out of range (accepted: 0..1e+06)");
	assert_int_equal(parse_double("inf", 0, 100, &d, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "'inf' is out of range (accepted: 0..100)");
	assert_int_equal(parse_double("nan", 0, 100, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'nan' is not a number (accepted: 0..100)");
	assert_int_equal(parse_double("", 0, 100, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'' is not a number (accepted: 0..100)");
	assert_int_equal(parse_double(" 1", 0, 100, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "' 1' is not a number (accepted: 0..100)");
	assert_int_equal(parse_double("1 ", 0, 100, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'1 ' is not a number (accepted: 0..100)");
	assert_int_equal(parse_double("1.2.3", 0, 100, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'1.2.3' is not a number (accepted: 0..100)");
	assert_int_equal(parse_double("abc", 0.5, 2.5, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'abc' is not a number (accepted: 0.5..2.5)");
	assert_true(d == 42);
}

/* Expected sweep built the slow obvious way, then sorted/deduped. */
static size_t sweep(uint64_t min, uint64_t max, uint64_t f, uint64_t *out,
		    size_t n)
{
	long double v;

	for (v = (long double)min; v <= (long double)max; v *= f)
		out[n++] = (uint64_t)v;
	return n;
}

static void check_list(const char *s, const uint64_t *want, size_t nr_want)
{
	uint64_t vals[128];
	size_t nr = 999, i;
	char err[256] = "";

	print_message("size list '%s'\n", s);
	assert_int_equal(parse_size_list(s, vals, 128, &nr, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(nr, nr_want);
	for (i = 0; i < nr; i++)
		assert_true(vals[i] == want[i]);
}

static void test_size_list(void **state)
{
	uint64_t want[128];
	size_t n;

	want[0] = 4 * KIB;
	want[1] = 64 * KIB;
	want[2] = 2 * MIB;
	check_list("4K,64K,2M", want, 3);
	check_list("2M,4K,64K,4096,2M", want, 3);	/* sorted, deduped */
	check_list("1G", (uint64_t[]){ GIB }, 1);

	n = sweep(4 * KIB, MIB, 2, want, 0);
	assert_int_equal(n, 9);		/* 4K..1M = 2^12..2^20 */
	check_list("4K:1M", want, n);
	check_list("4K:1M:x2", want, n);
	check_list("4K:1M,8K,1M", want, n);

	n = sweep(4 * KIB, GIB, 8, want, 0);
	assert_int_equal(n, 7);		/* 4K,32K,256K,2M,16M,128M,1G */
	assert_true(want[n - 1] == GIB);
	check_list("4K:1G:x8", want, n);

	/* non-power-of-two min keeps doubling from min */
	n = sweep(3 * KIB, 100 * KIB, 2, want, 0);
	assert_int_equal(n, 6);		/* 3K 6K 12K 24K 48K 96K */
	check_list("3K:100K", want, n);

	check_list("4K:4K", (uint64_t[]){ 4 * KIB }, 1);
	check_list("1:1:x1000", (uint64_t[]){ 1 }, 1);

	want[0] = 4 * KIB;
	n = sweep(2 * MIB, 8 * MIB, 2, want, 1);
	check_list("4K,2M:8M", want, n);

	n = sweep(1000, 1000000, 10, want, 0);
	assert_int_equal(n, 4);
	check_list("1000:1000000:x10", want, n);

	/* 64 doublings reach the top of the range without overflowing */
	n = sweep(1, UINT64_MAX, 2, want, 0);
	assert_int_equal(n, 64);
	check_list("1:18446744073709551615", want, n);
	check_list("1:16777215T:x99999999999999999999", (uint64_t[]){ 1 }, 1);
}

static void check_list_reject(const char *s, size_t max, int ret,
			      const char *msg)
{
	uint64_t vals[8];
	size_t nr = 999;
	char err[256];

	print_message("reject size list '%s'\n", s);
	assert_true(max <= 8);
	assert_int_equal(parse_size_list(s, vals, max, &nr, err, sizeof(err)),
			 ret);
	assert_string_equal(err, msg);
	assert_int_equal(nr, 999);
}

static void test_size_list_rejected(void **state)
{
	check_list_reject("", 8, -EINVAL,
		"size list '': expected comma-separated sizes or min:max[:xF] ranges");
	check_list_reject("4K,,8K", 8, -EINVAL, "size list '4K,,8K': empty item");
	check_list_reject(",4K", 8, -EINVAL, "size list ',4K': empty item");
	check_list_reject("4K,", 8, -EINVAL, "size list '4K,': empty item");
	check_list_reject("4K,12Q", 8, -EINVAL,
		"size '12Q': expected a number with optional K/M/G/T suffix");
	check_list_reject("4K:12Q", 8, -EINVAL,
		"size '12Q': expected a number with optional K/M/G/T suffix");
	check_list_reject("4K:", 8, -EINVAL,
		"size '': expected a number with optional K/M/G/T suffix");
	check_list_reject("8K:4K", 8, -ERANGE,
		"size range '8K:4K': min is greater than max");
	check_list_reject("0:1M", 8, -ERANGE,
		"size range '0:1M': min must be at least 1 byte");
	check_list_reject("4K:1M:x1", 8, -ERANGE,
		"size range '4K:1M:x1': factor must be at least x2");
	check_list_reject("4K:1M:x0", 8, -ERANGE,
		"size range '4K:1M:x0': factor must be at least x2");
	check_list_reject("4K:1M:8", 8, -EINVAL,
		"size range '4K:1M:8': expected min:max or min:max:xF with F >= 2");
	check_list_reject("4K:1M:x", 8, -EINVAL,
		"size range '4K:1M:x': expected min:max or min:max:xF with F >= 2");
	check_list_reject("4K:1M:x2:3", 8, -EINVAL,
		"size range '4K:1M:x2:3': expected min:max or min:max:xF with F >= 2");
	check_list_reject("4K:1M:x-2", 8, -EINVAL,
		"size range '4K:1M:x-2': expected min:max or min:max:xF with F >= 2");
	/* 4K..1M is 9 values */
	check_list_reject("4K:1M", 8, -ERANGE,
		"size list '4K:1M': too many values (maximum 8)");
	check_list_reject("1,2,3", 2, -ERANGE,
		"size list '1,2,3': too many values (maximum 2)");
	/* duplicates do not count against the limit */
	{
		uint64_t vals[2];
		size_t nr = 0;
		char err[128];

		assert_int_equal(parse_size_list("1,2,1,2,2", vals, 2, &nr, err,
						 sizeof(err)), 0);
		assert_int_equal(nr, 2);
	}
}

static const char *const backends[] = { "discard", "inplace", "dual", NULL };

/* parse_choice of s is refused with exactly msg, *idx left alone */
static void choice_refused(const char *what, const char *s, const char *msg)
{
	char err[256];
	int idx = 7;

	assert_int_equal(parse_choice(what, s, backends, &idx, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(idx, 7);
}

static void test_choice(void **state)
{
	char err[256];
	int idx = -1;

	assert_int_equal(parse_choice("backend", "discard", backends, &idx, err,
				      sizeof(err)), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(parse_choice("backend", "dual", backends, &idx, err,
				      sizeof(err)), 0);
	assert_int_equal(idx, 2);

	choice_refused("backend", "foo", "unknown backend 'foo' (accepted: discard, inplace, dual)");
	choice_refused("backend", "Dual", "unknown backend 'Dual' (accepted: discard, inplace, dual)");
	choice_refused("backend", "dua", "unknown backend 'dua' (accepted: discard, inplace, dual)");
	choice_refused("mode", "", "unknown mode '' (accepted: discard, inplace, dual)");

	/* a short buffer truncates but stays NUL-terminated */
	assert_int_equal(parse_choice("backend", "foo", backends, &idx, err, 12),
			 -EINVAL);
	assert_string_equal(err, "unknown bac");
}

static void test_choice_list(void **state)
{
	static const struct {
		const char *s;
		unsigned long mask;	/* accepted: this mask */
		const char *err;	/* refused: this message, mask unchanged */
	} cases[] = {
		{ "discard", 1UL << 0, NULL },
		{ "dual,discard", (1UL << 0) | (1UL << 2), NULL },
		{ "inplace,inplace", 1UL << 1, NULL },
		{ "all", 7UL, NULL },
		{ "dual,all", 7UL, NULL },
		{ "dual,foo", 0, "unknown backend 'foo' (accepted: discard, inplace, dual, all)" },
		{ "dual,,inplace", 0,
		  "empty backend in list 'dual,,inplace' (accepted: discard, inplace, dual, all)" },
		{ "", 0, "empty backend list (accepted: discard, inplace, dual, all)" },
		{ "ALL", 0, "unknown backend 'ALL' (accepted: discard, inplace, dual, all)" },
	};
	char err[256];
	unsigned long m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = 99;
		if (!cases[i].err) {
			assert_int_equal(parse_choice_list("backend", cases[i].s, backends, &m,
							   err, sizeof(err)), 0);
			assert_true(m == cases[i].mask);
			continue;
		}
		assert_int_equal(parse_choice_list("backend", cases[i].s, backends, &m,
						   err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].err);
		assert_int_equal(m, 99);
	}
}

static void test_choice_list_wide(void **state)
{
	static char names[64][8];
	const char *choices[66];
	unsigned long m = 0;
	char err[64];
	int i;

	for (i = 0; i < 64; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		choices[i] = names[i];
	}
	choices[64] = NULL;
	if (sizeof(unsigned long) * CHAR_BIT == 64) {
		assert_int_equal(parse_choice_list("x", "all", choices, &m, err,
						   sizeof(err)), 0);
		assert_true(m == ~0UL);
		assert_int_equal(parse_choice_list("x", "c63", choices, &m, err,
						   sizeof(err)), 0);
		assert_true(m == 1UL << 63);
		choices[64] = "c64";
		choices[65] = NULL;
		assert_int_equal(parse_choice_list("x", "c1", choices, &m, err,
						   sizeof(err)), -EINVAL);
		assert_string_equal(err, "too many x choices for a 64-bit mask");
	}
}

static void test_kv(void **state)
{
	static const struct {
		const char *s;
		int ret;
		const char *key, *val;	/* accepted */
		const char *err;	/* refused: key and val untouched */
	} cases[] = {
		{ "size=4K", 0, "size", "4K", NULL },
		{ "a_1=x=y", 0, "a_1", "x=y", NULL },
		{ "k=", 0, "k", "", NULL },
		{ "1234567=v", 0, "1234567", "v", NULL },
		{ "size", -EINVAL, .err = "'size' is not key=value" },
		{ "=4K", -EINVAL, .err = "'=4K': empty key (expected key=value)" },
		{ "Size=4K", -EINVAL, .err = "invalid key 'Size' in 'Size=4K' (accepted: [a-z0-9_]+)" },
		{ "a-b=1", -EINVAL, .err = "invalid key 'a-b' in 'a-b=1' (accepted: [a-z0-9_]+)" },
		{ " a=1", -EINVAL, .err = "invalid key ' a' in ' a=1' (accepted: [a-z0-9_]+)" },
		{ "12345678=v", -ERANGE, .err = "key '12345678' is too long (maximum 7 characters)" },
	};
	char key[8], err[256];
	const char *val;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy(key, "keep");
		val = NULL;
		assert_int_equal(parse_kv(cases[i].s, key, sizeof(key), &val, err,
					  sizeof(err)), cases[i].ret);
		if (cases[i].ret) {
			assert_string_equal(err, cases[i].err);
			assert_string_equal(key, "keep");
			assert_null(val);
		} else {
			assert_string_equal(key, cases[i].key);
			assert_string_equal(val, cases[i].val);
		}
	}
}

static void test_format_size(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" }, { 1, "1" }, { 100, "100" }, { 1023, "1023" },
		{ 1024, "1K" }, { 4096, "4K" }, { 65536, "64K" },
		{ 1536 * KIB, "1536K" }, { 2 * MIB, "2M" }, { GIB, "1G" },
		{ 1025, "1025" }, { 3 * TIB, "3T" }, { 1024 * TIB, "1024T" },
		{ UINT64_MAX, "18446744073709551615" },
		{ UINT64_MAX - 1023, "18014398509481983K" },
	};
	char buf[32], err[128];
	uint64_t back, v;
	size_t i;
	int k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_size(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
	/* parse_size(format_size(v)) == v over a spread of values */
	for (k = 0; k < 64; k++) {
		uint64_t vs[3] = { 1ULL << k, (1ULL << k) * 3,
				   (1ULL << k) + 1 };
		for (i = 0; i < 3; i++) {
			v = vs[i];
			format_size(v, buf, sizeof(buf));
			assert_int_equal(parse_size(buf, &back, err,
						    sizeof(err)), 0);
			assert_true(back == v);
		}
	}
	/* truncation into a tiny buffer stays terminated */
	format_size(1536 * KIB, buf, 3);
	assert_string_equal(buf, "15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_accepted),
		cmocka_unit_test(test_size_rejected),
		cmocka_unit_test(test_u64_uint),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_size_list),
		cmocka_unit_test(test_size_list_rejected),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_choice_list),
		cmocka_unit_test(test_choice_list_wide),
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_format_size),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
