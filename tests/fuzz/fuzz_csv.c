// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: csv_parse on arbitrary bytes. A table it accepts must
 * have the promised shape, and writing it back with the csv_buf writer and
 * parsing that again must give the very same table: what `compare` reads is
 * what the sinks wrote, field for field.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)	do { if (!(cond)) { \
	fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
	abort(); } } while (0)

static void check_shape(const struct csv_table *t)
{
	size_t r, c;

	FUZZ_CHECK(t->nr_cols >= 1 && t->header);
	for (c = 0; c < t->nr_cols; c++) {
		int idx;

		FUZZ_CHECK(t->header[c]);
		/* csv_col finds the first column of that name */
		idx = csv_col(t, t->header[c]);
		FUZZ_CHECK(idx >= 0 && (size_t)idx <= c &&
			   !strcmp(t->header[idx], t->header[c]));
	}
	FUZZ_CHECK(t->nr_rows == 0 || (t->rows && t->info));
	for (r = 0; r < t->nr_rows; r++) {
		FUZZ_CHECK(t->rows[r]);
		/* rows start on later and later lines, never after the header */
		FUZZ_CHECK(t->info[r].line >= 2);
		FUZZ_CHECK(!r || t->info[r].line > t->info[r - 1].line);
		FUZZ_CHECK(t->info[r].nr_fields >= 1 &&
			   t->info[r].nr_fields <= t->nr_cols);
		for (c = 0; c < t->nr_cols; c++)
			FUZZ_CHECK(t->rows[r][c]);
	}
}

static void write_row(struct csv_buf *b, char **fields, size_t n)
{
	size_t c;

	for (c = 0; c < n; c++)
		csv_str(b, fields[c]);
	csv_end_row(b);
}

static void check_round_trip(const struct csv_table *t)
{
	struct csv_table u;
	struct csv_buf b;
	char err[256];
	size_t r, c;

	csv_buf_init(&b);
	write_row(&b, t->header, t->nr_cols);
	for (r = 0; r < t->nr_rows; r++)
		write_row(&b, t->rows[r], t->nr_cols);
	FUZZ_CHECK(csv_buf_error(&b) == 0);
	if (csv_parse(b.data, b.len, &u, err, sizeof(err))) {
		fprintf(stderr, "re-parse of the written table failed: %s\n", err);
		abort();
	}
	FUZZ_CHECK(u.nr_cols == t->nr_cols && u.nr_rows == t->nr_rows);
	for (c = 0; c < t->nr_cols; c++)
		FUZZ_CHECK(!strcmp(u.header[c], t->header[c]));
	for (r = 0; r < t->nr_rows; r++)
		for (c = 0; c < t->nr_cols; c++)
			FUZZ_CHECK(!strcmp(u.rows[r][c], t->rows[r][c]));
	csv_table_free(&u);
	csv_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_table t;
	char *text, *err;
	const size_t errlen = 128;
	int r;

	/* exact-size copies, not NUL-terminated: ASan sees any over-read */
	text = malloc(size ? size : 1);
	err = malloc(errlen);
	if (!text || !err)
		abort();
	memcpy(text, data, size);
	r = csv_parse(text, size, &t, err, errlen);
	if (r) {
		FUZZ_CHECK(r < 0 && strnlen(err, errlen) < errlen);
	} else {
		check_shape(&t);
		/*
		 * Fields are C strings: a NUL inside one cannot round-trip.
		 * (A first header field starting with the UTF-8 BOM bytes used
		 * to fail here; the writer now quotes it. Regression seed:
		 * corpus/fuzz_csv/regress-bom-header.)
		 */
		if (!memchr(text, '\0', size))
			check_round_trip(&t);
		csv_table_free(&t);
	}
	free(text);
	free(err);
	return 0;
}
