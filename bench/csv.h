/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 4180 CSV: a writer into a growable memory buffer (so a results file is
 * rewritten whole and renamed into place: never half-written) and a reader
 * used by `gmembench compare` and the tests.
 */
#ifndef GMB_CSV_H
#define GMB_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- writer ---- */
struct csv_buf {
	char *data;
	size_t len, cap;
	unsigned int col;	/* fields written in the current row */
	int err;		/* sticky -ENOMEM */
};

void csv_buf_init(struct csv_buf *b);
void csv_buf_free(struct csv_buf *b);
/* quoted only when needed: comma, quote, CR or LF inside; quotes doubled */
void csv_str(struct csv_buf *b, const char *s);
void csv_u64(struct csv_buf *b, uint64_t v);
void csv_i64(struct csv_buf *b, int64_t v);
/* "%.17g"-style shortest round-trip; NaN/inf written as empty field */
void csv_double(struct csv_buf *b, double v);
void csv_end_row(struct csv_buf *b);	/* CRLF per RFC 4180 */
/* 0 or the sticky -errno */
int csv_buf_error(const struct csv_buf *b);

/* ---- reader ---- */

/* where a data row came from, for messages "FILE:LINE: ..." */
struct csv_row_info {
	unsigned long line;	/* 1-based line the row starts on */
	size_t nr_fields;	/* fields it really had, before padding */
};

struct csv_table {
	size_t nr_cols;
	size_t nr_rows;		/* data rows, header excluded */
	char **header;		/* nr_cols strings */
	char ***rows;		/* nr_rows x nr_cols; short rows padded with "" */
	struct csv_row_info *info;	/* nr_rows */
	/* the last row ends at the end of the input without a line end */
	int last_row_unterminated;
};

/*
 * Parse a whole CSV document (first row = header). Accepts CRLF or LF,
 * quoted fields with doubled quotes and embedded newlines. Rows longer than
 * the header are an error; shorter ones are padded (t->info says which, so
 * a reader that must refuse a truncated row can). Returns 0 or -EINVAL (with a one-line message in
 * err naming line and reason) / -ENOMEM.
 */
int csv_parse(const char *text, size_t len, struct csv_table *t,
	      char *err, size_t errlen);
/* csv_parse() of a whole file; its messages read "PATH:LINE: reason" */
int csv_read_file(const char *path, struct csv_table *t,
		  char *err, size_t errlen);
void csv_table_free(struct csv_table *t);
/* column index by header name, or -1 */
int csv_col(const struct csv_table *t, const char *name);

#endif /* GMB_CSV_H */
