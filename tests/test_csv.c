// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/csv.c: exact RFC 4180 writer output, writer->reader round
 * trips on hostile fields, bit-exact doubles, and reader errors with line
 * numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/csv.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void test_writer_exact(void **state)
{
	struct csv_buf b;

	csv_buf_init(&b);
	csv_str(&b, "plain");
	csv_str(&b, "a,b");
	csv_str(&b, "say \"hi\"");
	csv_str(&b, "l1\nl2");
	csv_str(&b, "cr\r");
	csv_str(&b, " spaced ");
	csv_str(&b, "");
	csv_end_row(&b);
	csv_u64(&b, UINT64_MAX);
	csv_i64(&b, INT64_MIN);
	csv_i64(&b, -1);
	csv_double(&b, 0.5);
	csv_double(&b, NAN);
	csv_double(&b, INFINITY);
	csv_end_row(&b);
	/* a row of one empty field must not look like a blank line */
	csv_str(&b, NULL);
	csv_end_row(&b);
	csv_double(&b, -INFINITY);
	csv_str(&b, "\"");
	csv_end_row(&b);
	assert_int_equal(csv_buf_error(&b), 0);
	assert_string_equal(b.data,
		"plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\r\", spaced ,\r\n"
		"18446744073709551615,-9223372036854775808,-1,0.5,,\r\n"
		"\"\"\r\n"
		"\"\",\"\"\"\"\r\n");
	assert_int_equal(b.len, strlen(b.data));
	csv_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_double_text(void **state)
{
	static const struct {
		double v;
		const char *s;
	} cases[] = {
		{ 0.1, "0.1" },
		{ 1e-300, "1e-300" },
		{ 123456789.123, "123456789.123" },
		{ 0.0, "0" },
		{ -0.0, "-0" },
		{ 1.0 / 3.0, "0.3333333333333333" },	/* needs 16 digits */
		{ 0.1 + 0.2, "0.30000000000000004" },	/* needs 17 digits */
		{ 5e-324, "4.94065645841247e-324" },	/* 15 suffice */
		{ 1e21, "1e+21" },
		{ 42, "42" },
	};
	struct csv_buf b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		csv_buf_init(&b);
		csv_double(&b, cases[i].v);
		assert_int_equal(csv_buf_error(&b), 0);
		assert_string_equal(b.data, cases[i].s);
		csv_buf_free(&b);
	}
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void test_double_roundtrip(void **state)
{
	static const double fixed[] = {
		0.1, 0.2, 0.3, 1e-300, 123456789.123, 0.0, -0.0, 1.0, -1.0,
		DBL_MIN, DBL_MAX, -DBL_MAX, DBL_EPSILON, 5e-324, 2.5e-310,
		M_PI, M_E, 1.0 / 3.0, 2.0 / 3.0, 1e15 + 0.3, 9007199254740993.0,
		123.456e78, 0.1 + 0.2, 1e23, 299792458.0, 6.02214076e23,
	};
	enum { NR_RANDOM = 20000 };
	double *vals;
	size_t nr = 0, i;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct csv_buf b;
	struct csv_table t;
	char err[256];

	vals = calloc(ARRAY_SIZE(fixed) + NR_RANDOM, sizeof(*vals));
	assert_non_null(vals);
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		vals[nr++] = fixed[i];
	/* random bit patterns cover every exponent and odd mantissas */
	while (nr < ARRAY_SIZE(fixed) + NR_RANDOM) {
		uint64_t bits = xorshift64(&seed);
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (isfinite(d))
			vals[nr++] = d;
	}

	csv_buf_init(&b);
	csv_str(&b, "v");
	csv_str(&b, "neg");
	csv_end_row(&b);
	for (i = 0; i < nr; i++) {
		csv_double(&b, vals[i]);
		csv_double(&b, -vals[i]);
		csv_end_row(&b);
	}
	assert_int_equal(csv_buf_error(&b), 0);
	assert_int_equal(csv_parse(b.data, b.len, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_rows, nr);
	assert_int_equal(t.nr_cols, 2);
	for (i = 0; i < nr; i++) {
		double a = strtod(t.rows[i][0], NULL);
		double n = strtod(t.rows[i][1], NULL);
		double neg = -vals[i];

		if (memcmp(&a, &vals[i], sizeof(a)) ||
		    memcmp(&n, &neg, sizeof(n)))
			fail_msg("row %zu: %a written as '%s' reads back %a",
				 i, vals[i], t.rows[i][0], a);
		/* never more digits than %.17g, the always-exact width */
		assert_true(strlen(t.rows[i][0]) <= 24);
	}
	csv_table_free(&t);
	csv_buf_free(&b);
	free(vals);
}

static const char *const nasty[] = {
	"plain", "", "a,b", ",", ",,", "\"", "\"\"", "say \"hi\"",
	"\"quoted\"", "line1\nline2", "line1\r\nline2", "cr\ronly", "\r",
	"\n", "\r\n", " leading", "trailing ", "  ", "\t tab",
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xef\xbb\xbf" "bom-in-field",
	"a\"b,c\nd\re", "end,", ",start", "x\"\"y",
};

static void test_roundtrip_nasty(void **state)
{
	const size_t nr = ARRAY_SIZE(nasty);
	struct csv_buf b;
	struct csv_table t;
	char err[256], name[16];
	size_t r, c;

	csv_buf_init(&b);
	for (c = 0; c < nr; c++) {
		snprintf(name, sizeof(name), "c%zu", c);
		csv_str(&b, name);
	}
	csv_end_row(&b);
	/* row r holds nasty[(r + c) % nr] in column c: every field everywhere */
	for (r = 0; r < nr; r++) {
		for (c = 0; c < nr; c++)
			csv_str(&b, nasty[(r + c) % nr]);
		csv_end_row(&b);
	}
	/* single-column rows: empty and separator-only fields at column 0 */
	assert_int_equal(csv_buf_error(&b), 0);
	assert_int_equal(csv_parse(b.data, b.len, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_cols, nr);
	assert_int_equal(t.nr_rows, nr);
	for (r = 0; r < nr; r++)
		for (c = 0; c < nr; c++)
			assert_string_equal(t.rows[r][c], nasty[(r + c) % nr]);
	assert_int_equal(csv_col(&t, "c0"), 0);
	assert_int_equal(csv_col(&t, "c7"), 7);
	assert_int_equal(csv_col(&t, "nope"), -1);
	csv_table_free(&t);
	csv_buf_free(&b);

	/* one column: each nasty field alone on its row */
	csv_buf_init(&b);
	csv_str(&b, "only");
	csv_end_row(&b);
	for (r = 0; r < nr; r++) {
		csv_str(&b, nasty[r]);
		csv_end_row(&b);
	}
	assert_int_equal(csv_parse(b.data, b.len, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_cols, 1);
	assert_int_equal(t.nr_rows, nr);
	for (r = 0; r < nr; r++)
		assert_string_equal(t.rows[r][0], nasty[r]);
	csv_table_free(&t);
	csv_buf_free(&b);
}

/* Parse text and compare to an expected grid (rows of nr_cols strings). */
static void expect_table(const char *text, size_t len, size_t nr_cols,
			 size_t nr_rows, const char *const *cells)
{
	struct csv_table t;
	char err[256] = "";
	size_t r, c;

	if (csv_parse(text, len, &t, err, sizeof(err)))
		fail_msg("parse failed: %s", err);
	assert_int_equal(t.nr_cols, nr_cols);
	assert_int_equal(t.nr_rows, nr_rows);
	for (c = 0; c < nr_cols; c++)
		assert_string_equal(t.header[c], cells[c]);
	for (r = 0; r < nr_rows; r++)
		for (c = 0; c < nr_cols; c++)
			assert_string_equal(t.rows[r][c],
					    cells[(r + 1) * nr_cols + c]);
	csv_table_free(&t);
}

#define EXPECT(text, cols, rows, ...) \
	expect_table(text, sizeof(text) - 1, cols, rows, \
		     (const char *const[]){ __VA_ARGS__ })

static void test_reader_forms(void **state)
{
	/* CRLF, LF, no final newline, mixed */
	EXPECT("a,b\r\n1,2\r\n", 2, 1, "a", "b", "1", "2");
	EXPECT("a,b\n1,2\n", 2, 1, "a", "b", "1", "2");
	EXPECT("a,b\n1,2", 2, 1, "a", "b", "1", "2");
	EXPECT("a,b\r\n1,2\n3,4", 2, 2, "a", "b", "1", "2", "3", "4");
	/* BOM skipped only at the very start */
	EXPECT("\xef\xbb\xbf" "a,b\n1,2\n", 2, 1, "a", "b", "1", "2");
	/* quoted fields: separators, doubled quotes, CR/LF inside */
	EXPECT("a,b\n\"x,y\",\"q\"\"q\"\n", 2, 1,
	       "a", "b", "x,y", "q\"q");
	EXPECT("a,b\n\"1\r\n2\",\"3\n\r4\"\n", 2, 1,
	       "a", "b", "1\r\n2", "3\n\r4");
	EXPECT("\"\",\"\"\n\"\",x\n", 2, 1, "", "", "", "x");
	/* short rows padded, blank lines skipped, empty trailing fields kept */
	EXPECT("a,b,c\n1\n\n2,\n\r\n,,3\n\n", 3, 3,
	       "a", "b", "c", "1", "", "", "2", "", "", "", "", "3");
	/* header only */
	EXPECT("a,b\n", 2, 0, "a", "b");
	EXPECT("x", 1, 0, "x");
	/* spaces are data (RFC 4180) */
	EXPECT("a\n  1 \n", 1, 1, "a", "  1 ");
	/* explicit length: text after len is ignored */
	expect_table("a\n1\nGARBAGE\"", 4, 1, 1, (const char *const[]){ "a", "1" });
}

/* where each row started and how many fields it really had */
static void test_reader_row_info(void **state)
{
	/* header on 1, blank 2, row on 3, a quoted newline 4-5, short row 6 */
	static const char doc[] = "a,b,c\n\n1,2,3\n\"x\ny\",2,3\r\n7\r\n";
	struct csv_table t;
	char err[256] = "";

	assert_int_equal(csv_parse(doc, sizeof(doc) - 1, &t, err, sizeof(err)),
			 0);
	assert_int_equal(t.nr_rows, 3);
	assert_int_equal(t.info[0].line, 3);
	assert_int_equal(t.info[0].nr_fields, 3);
	assert_int_equal(t.info[1].line, 4);
	assert_int_equal(t.info[2].line, 6);
	assert_int_equal(t.info[2].nr_fields, 1);
	assert_false(t.last_row_unterminated);
	csv_table_free(&t);

	/* a file cut short: the last row has no line end */
	assert_int_equal(csv_parse("a,b\n1,2\n3", 9, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_rows, 2);
	assert_int_equal(t.info[1].line, 3);
	assert_int_equal(t.info[1].nr_fields, 1);
	assert_true(t.last_row_unterminated);
	csv_table_free(&t);
	/* trailing blank lines after a complete row are not a cut */
	assert_int_equal(csv_parse("a\n1\n\n", 5, &t, err, sizeof(err)), 0);
	assert_false(t.last_row_unterminated);
	csv_table_free(&t);
}

static void expect_error(const char *text, size_t len, int ret,
			 const char *msg)
{
	struct csv_table t;
	char err[256] = "";

	memset(&t, 0xa5, sizeof(t));
	assert_int_equal(csv_parse(text, len, &t, err, sizeof(err)), ret);
	assert_string_equal(err, msg);
	/* a failed parse leaves nothing to free */
	assert_null(t.header);
	assert_null(t.rows);
	csv_table_free(&t);
}

#define EXPECT_ERR(text, msg) expect_error(text, sizeof(text) - 1, -EINVAL, msg)

static void test_reader_errors(void **state)
{
	EXPECT_ERR("a,b\n1,\"oops\n2,3\n",
		   "line 2: unterminated quoted field");
	/* the quote opened on line 3, after a quoted newline on line 2 */
	EXPECT_ERR("a\n\"x\ny\"\n\"never closed",
		   "line 4: unterminated quoted field");
	EXPECT_ERR("\"a", "line 1: unterminated quoted field");
	EXPECT_ERR("a,b\n1,2\n1,2,3\n",
		   "line 3: row has 3 fields but the header has 2");
	/* line counting includes newlines inside quoted fields */
	EXPECT_ERR("a,b\n\"1\n\n\",2\n\n1,2,\n",
		   "line 6: row has 3 fields but the header has 2");
	EXPECT_ERR("a,b\r\n1,2\r\n3,4,5",
		   "line 3: row has 3 fields but the header has 2");
	EXPECT_ERR("a\nab\"c\n", "line 2: quote inside unquoted field");
	EXPECT_ERR("a\n\"ab\"c\n",
		   "line 2: unexpected character after closing quote");
	EXPECT_ERR("a\n\"ab\" \n",
		   "line 2: unexpected character after closing quote");
	EXPECT_ERR("a\rb\n", "line 1: CR not followed by LF outside quotes");
	EXPECT_ERR("a\n1\r", "line 2: CR not followed by LF outside quotes");
	EXPECT_ERR("", "line 1: no header row");
	EXPECT_ERR("\n\r\n\n", "line 4: no header row");
	EXPECT_ERR("\xef\xbb\xbf", "line 1: no header row");
	expect_error("a\nx\0y\n", 6, -EINVAL, "line 2: NUL byte in field");
	expect_error("a\n\"x\0\"\n", 7, -EINVAL, "line 2: NUL byte in field");
}

static void test_big_document(void **state)
{
	enum { ROWS = 50000 };
	struct csv_buf b;
	struct csv_table t;
	char err[256], expect[32];
	size_t i;

	csv_buf_init(&b);
	csv_str(&b, "i");
	csv_str(&b, "s");
	csv_end_row(&b);
	for (i = 0; i < ROWS; i++) {
		csv_u64(&b, i);
		csv_str(&b, (i & 1) ? "odd,\"row\"" : "even");
		csv_end_row(&b);
	}
	assert_int_equal(csv_buf_error(&b), 0);
	assert_int_equal(csv_parse(b.data, b.len, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_rows, ROWS);
	for (i = 0; i < ROWS; i++) {
		snprintf(expect, sizeof(expect), "%zu", i);
		assert_string_equal(t.rows[i][0], expect);
		assert_string_equal(t.rows[i][1],
				    (i & 1) ? "odd,\"row\"" : "even");
	}
	csv_table_free(&t);
	csv_buf_free(&b);
}

static void test_read_file(void **state)
{
	char dir[] = "/tmp/gmb_csv_XXXXXX", path[64], err[512], want[512];
	struct csv_table t;
	static const char doc[] = "\xef\xbb\xbf" "k,v\r\n\"x\r\ny\",2\r\n";
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, sizeof(doc) - 1), sizeof(doc) - 1);
	close(fd);
	assert_int_equal(csv_read_file(path, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_cols, 2);
	assert_int_equal(t.nr_rows, 1);
	assert_string_equal(t.header[0], "k");
	assert_string_equal(t.rows[0][0], "x\r\ny");
	assert_string_equal(t.rows[0][1], "2");
	csv_table_free(&t);

	/* parse errors name the file and line as PATH:LINE */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\n\"b\n", 5), 5);
	close(fd);
	assert_int_equal(csv_read_file(path, &t, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: unterminated quoted field",
		 path);
	assert_string_equal(err, want);

	/* just over 256 MiB (sparse, so cheap) is refused */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (256 << 20) + 1), 0);
	close(fd);
	assert_int_equal(csv_read_file(path, &t, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file is larger than 256 MiB", path);
	assert_string_equal(err, want);
	unlink(path);

	assert_int_equal(csv_read_file(path, &t, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_exact),
		cmocka_unit_test(test_double_text),
		cmocka_unit_test(test_double_roundtrip),
		cmocka_unit_test(test_roundtrip_nasty),
		cmocka_unit_test(test_reader_forms),
		cmocka_unit_test(test_reader_row_info),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_big_document),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
