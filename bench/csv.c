// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 4180 CSV writer and reader (see bench/csv.h).
 *
 * Two deliberate choices keep writer->reader round trips exact:
 *  - an empty field that starts a row is written as "" so a row holding one
 *    empty field is not an empty line, which the reader skips (hand-edited
 *    files often end with blank lines);
 *  - doubles are written with the fewest digits that strtod() reads back to
 *    the same bits, so compare sees exactly what the run measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/csv.h"
#include "harness/errbuf.h"

#define CSV_MAX_FILE_BYTES	(256ULL << 20)

/* ---- writer ---- */

void csv_buf_init(struct csv_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void csv_buf_free(struct csv_buf *b)
{
	free(b->data);
	csv_buf_init(b);
}

int csv_buf_error(const struct csv_buf *b)
{
	return b->err;
}

/* Room for n more bytes plus a terminating NUL (so data is a C string). */
static bool csv_reserve(struct csv_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	if (n < b->cap - b->len && b->data)
		return true;
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = -ENOMEM;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void csv_put(struct csv_buf *b, const char *s, size_t n)
{
	if (!csv_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Separator before every field but the first of a row. */
static void csv_sep(struct csv_buf *b)
{
	if (b->col)
		csv_put(b, ",", 1);
	b->col++;
}

static void csv_empty(struct csv_buf *b)
{
	bool first = b->col == 0;

	csv_sep(b);
	if (first)
		csv_put(b, "\"\"", 2);
}

void csv_str(struct csv_buf *b, const char *s)
{
	const char *p, *q;

	if (!s || !*s) {
		csv_empty(b);
		return;
	}
	csv_sep(b);
	/*
	 * A leading UTF-8 BOM must be quoted: at byte 0 of a file the reader
	 * would strip it as a byte-order mark (found by tests/fuzz/fuzz_csv).
	 */
	if (!strpbrk(s, ",\"\r\n") && strncmp(s, "\xef\xbb\xbf", 3)) {
		csv_put(b, s, strlen(s));
		return;
	}
	csv_put(b, "\"", 1);
	for (p = s; (q = strchr(p, '"')); p = q + 1) {
		/* the quote itself, then a second one to escape it */
		csv_put(b, p, (size_t)(q - p + 1));
		csv_put(b, "\"", 1);
	}
	csv_put(b, p, strlen(p));
	csv_put(b, "\"", 1);
}

void csv_u64(struct csv_buf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	csv_sep(b);
	csv_put(b, tmp, (size_t)n);
}

void csv_i64(struct csv_buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	csv_sep(b);
	csv_put(b, tmp, (size_t)n);
}

/*
 * Shortest of %.15g/%.16g/%.17g that reads back bit-identical; %.17g always
 * does for IEEE binary64. Assumes the "C" LC_NUMERIC (gmembench never calls
 * setlocale), otherwise the decimal point could become a comma.
 */
void csv_double(struct csv_buf *b, double v)
{
	char tmp[40];
	int prec, n = 0;

	if (!isfinite(v)) {
		csv_empty(b);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		double back;

		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		back = strtod(tmp, NULL);
		if (!memcmp(&back, &v, sizeof(v)))
			break;
	}
	csv_sep(b);
	csv_put(b, tmp, (size_t)n);
}

void csv_end_row(struct csv_buf *b)
{
	csv_put(b, "\r\n", 2);
	b->col = 0;
}

/* ---- reader ---- */

/* Growable array of pointers, used for fields of a row and for rows. */
struct ptr_vec {
	void **v;
	size_t nr, cap;
};

/*
 * Room for element nr of an array that doubles (first elements at first):
 * the array, moved if it grew, *cap updated; NULL when out of memory (the
 * old array and *cap unchanged).
 */
static void *grow_array(void *base, size_t *cap, size_t nr, size_t elem,
			size_t first)
{
	size_t c;
	void *n;

	if (nr < *cap)
		return base;
	c = *cap ? *cap * 2 : first;
	n = realloc(base, c * elem);
	if (n)
		*cap = c;
	return n;
}

static int ptr_vec_push(struct ptr_vec *pv, void *p)
{
	void **n = grow_array(pv->v, &pv->cap, pv->nr, sizeof(*n), 8);

	if (!n)
		return -ENOMEM;
	pv->v = n;
	pv->v[pv->nr++] = p;
	return 0;
}

static void free_fields(char **f, size_t nr)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < nr; i++)
		free(f[i]);
	free(f);
}

struct csv_parser {
	const char *p, *end;
	unsigned long line;	/* 1-based line of p */
	char *field;		/* current field being unescaped */
	size_t flen, fcap;
	char *err;
	size_t errlen;
	int unterminated;	/* the last record ended at the end of input */
};

static int field_putc(struct csv_parser *ps, char c)
{
	/* and one byte more for the terminating NUL */
	char *n = grow_array(ps->field, &ps->fcap, ps->flen + 1, 1, 64);

	if (!n)
		return -ENOMEM;
	ps->field = n;
	ps->field[ps->flen++] = c;
	return 0;
}

/*
 * Line end at p: returns its length (1 for LF, 2 for CRLF), 0 if p is not
 * at a line end, or -1 for a bare CR (ambiguous: old Mac line end or stray
 * byte; the writer never produces one unquoted).
 */
static int line_end_len(const struct csv_parser *ps, const char *p)
{
	if (*p == '\n')
		return 1;
	if (*p == '\r')
		return (p + 1 < ps->end && p[1] == '\n') ? 2 : -1;
	return 0;
}

/*
 * Parse one field starting at ps->p into ps->field. On return ps->p is at
 * the ',' / line end / end of input that terminated it.
 */
static int parse_field(struct csv_parser *ps)
{
	const char *p = ps->p;
	int ret;

	ps->flen = 0;
	if (p < ps->end && *p == '"') {
		unsigned long open_line = ps->line;

		for (p++; ; p++) {
			if (p >= ps->end) {
				errbuf_set(ps->err, ps->errlen,
					    "line %lu: unterminated quoted field",
					    open_line);
				return -EINVAL;
			}
			if (*p == '"') {
				if (p + 1 < ps->end && p[1] == '"') {
					p++;
				} else {
					p++;
					break;
				}
			} else if (*p == '\n') {
				ps->line++;
			} else if (*p == '\0') {
				goto nul;
			}
			ret = field_putc(ps, *p);
			if (ret)
				return ret;
		}
		if (p < ps->end && *p != ',' && !line_end_len(ps, p)) {
			errbuf_set(ps->err, ps->errlen,
				    "line %lu: unexpected character after closing quote",
				    ps->line);
			return -EINVAL;
		}
	} else {
		for (; p < ps->end && *p != ',' && !line_end_len(ps, p); p++) {
			if (*p == '"') {
				errbuf_set(ps->err, ps->errlen,
					    "line %lu: quote inside unquoted field",
					    ps->line);
				return -EINVAL;
			}
			if (*p == '\0')
				goto nul;
			ret = field_putc(ps, *p);
			if (ret)
				return ret;
		}
	}
	if (p < ps->end && line_end_len(ps, p) < 0) {
		errbuf_set(ps->err, ps->errlen,
			    "line %lu: CR not followed by LF outside quotes",
			    ps->line);
		return -EINVAL;
	}
	ps->p = p;
	return field_putc(ps, '\0');
nul:
	errbuf_set(ps->err, ps->errlen, "line %lu: NUL byte in field",
		    ps->line);
	return -EINVAL;
}

/*
 * One record into *out (a malloc'ed array of *nr strings). An empty line
 * yields *nr == 0. ps->p ends past the line end.
 */
static int parse_record(struct csv_parser *ps, char ***out, size_t *nr)
{
	struct ptr_vec f = { 0 };
	int ret, le;
	char *s;

	*out = NULL;
	*nr = 0;
	le = line_end_len(ps, ps->p);
	if (le > 0) {
		ps->p += le;
		ps->line++;
		return 0;
	}
	for (;;) {
		ret = parse_field(ps);
		if (ret)
			goto fail;
		s = malloc(ps->flen);
		if (!s) {
			ret = -ENOMEM;
			goto fail;
		}
		memcpy(s, ps->field, ps->flen);
		ret = ptr_vec_push(&f, s);
		if (ret) {
			free(s);
			goto fail;
		}
		if (ps->p >= ps->end) {
			ps->unterminated = 1;
			break;
		}
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		ps->p += line_end_len(ps, ps->p);
		ps->line++;
		break;
	}
	*out = (char **)f.v;
	*nr = f.nr;
	return 0;
fail:
	free_fields((char **)f.v, f.nr);
	return ret;
}

void csv_table_free(struct csv_table *t)
{
	size_t i;

	free_fields(t->header, t->nr_cols);
	if (t->rows) {
		for (i = 0; i < t->nr_rows; i++)
			free_fields(t->rows[i], t->nr_cols);
		free(t->rows);
	}
	free(t->info);
	memset(t, 0, sizeof(*t));
}

/* Grow a short row to nr_cols with "" so every row can be indexed alike. */
static int pad_row(char ***row, size_t nr, size_t nr_cols)
{
	char **r = realloc(*row, nr_cols * sizeof(*r));
	size_t i;

	if (!r)
		return -ENOMEM;
	*row = r;
	for (i = nr; i < nr_cols; i++) {
		r[i] = strdup("");
		if (!r[i]) {
			free_fields(r, i);
			*row = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* info[idx] = { line, nr }, growing *info (capacity *cap) as needed */
static int push_info(struct csv_row_info **info, size_t *cap, size_t idx,
		     unsigned long line, size_t nr)
{
	if (idx == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct csv_row_info *n = realloc(*info, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*info = n;
		*cap = ncap;
	}
	(*info)[idx] = (struct csv_row_info){ .line = line, .nr_fields = nr };
	return 0;
}

int csv_parse(const char *text, size_t len, struct csv_table *t,
	      char *err, size_t errlen)
{
	struct csv_parser ps = {
		.line = 1, .err = err, .errlen = errlen,
	};
	struct ptr_vec rows = { 0 };
	size_t info_cap = 0, nr;
	char **rec = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!text)
		text = "";	/* NULL + 0 is undefined behaviour */
	ps.p = text;
	ps.end = text + len;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.p += 3;

	while (ps.p < ps.end) {
		unsigned long line = ps.line;

		ret = parse_record(&ps, &rec, &nr);
		if (ret)
			goto fail;
		if (!nr)
			continue;	/* blank line */
		if (!t->header) {
			t->header = rec;
			t->nr_cols = nr;
			continue;
		}
		if (nr > t->nr_cols) {
			errbuf_set(err, errlen,
				    "line %lu: row has %zu fields but the header has %zu",
				    line, nr, t->nr_cols);
			free_fields(rec, nr);
			ret = -EINVAL;
			goto fail;
		}
		if (nr < t->nr_cols) {
			ret = pad_row(&rec, nr, t->nr_cols);
			if (ret) {
				if (rec)
					free_fields(rec, nr);
				goto fail;
			}
		}
		ret = push_info(&t->info, &info_cap, rows.nr, line, nr);
		if (!ret)
			ret = ptr_vec_push(&rows, rec);
		if (ret) {
			free_fields(rec, t->nr_cols);
			goto fail;
		}
		t->last_row_unterminated = ps.unterminated;
	}
	free(ps.field);
	ps.field = NULL;
	if (!t->header) {
		errbuf_set(err, errlen, "line %lu: no header row", ps.line);
		return -EINVAL;
	}
	t->rows = (char ***)rows.v;
	t->nr_rows = rows.nr;
	return 0;
fail:
	free(ps.field);
	t->rows = (char ***)rows.v;
	t->nr_rows = rows.nr;
	csv_table_free(t);
	if (ret == -ENOMEM)
		errbuf_set(err, errlen, "line %lu: out of memory", ps.line);
	return ret;
}

int csv_read_file(const char *path, struct csv_table *t,
		  char *err, size_t errlen)
{
	char *buf = NULL, msg[256];
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, ret;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errbuf_set(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	/* fail fast on a huge regular file instead of reading 256 MiB first */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > CSV_MAX_FILE_BYTES) {
		errbuf_set(err, errlen, "%s: file is larger than %llu MiB",
			    path, CSV_MAX_FILE_BYTES >> 20);
		ret = -EFBIG;
		goto out;
	}
	/* read to EOF rather than trusting st_size: pipes, /proc, growth */
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			char *nb;

			if (ncap > CSV_MAX_FILE_BYTES + 1)
				ncap = CSV_MAX_FILE_BYTES + 1;
			if (ncap == cap) {
				errbuf_set(err, errlen,
					    "%s: file is larger than %llu MiB",
					    path, CSV_MAX_FILE_BYTES >> 20);
				ret = -EFBIG;
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				errbuf_set(err, errlen, "%s: out of memory",
					    path);
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			errbuf_set(err, errlen, "%s: read: %s", path,
				    strerror(-ret));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = csv_parse(buf, len, t, msg, sizeof(msg));
	if (ret) {
		unsigned long line;
		int off = 0;

		/* "line N: why" becomes "PATH:N: why", as compilers write it */
		if (sscanf(msg, "line %lu: %n", &line, &off) == 1 && off)
			errbuf_set(err, errlen, "%s:%lu: %s", path, line,
				    msg + off);
		else
			errbuf_set(err, errlen, "%s: %s", path, msg);
	}
out:
	free(buf);
	close(fd);
	return ret;
}

int csv_col(const struct csv_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr_cols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}
