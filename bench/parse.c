// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line value parsers. Strict on purpose: a benchmark that silently
 * reads "4 K" as 4 bytes or "1e3" as 1 measures the wrong thing, so anything
 * that is not exactly one of the documented forms is rejected with a message
 * quoting the value and the accepted form.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/parse.h"
#include "harness/errbuf.h"

#define SIZE_SUFFIXES	"KMGT"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Leading decimal digits of s[0..n). Returns the number consumed (0 when
 * there is none); *overflow is set when the value does not fit in 64 bits.
 */
static size_t scan_u64(const char *s, size_t n, uint64_t *v, bool *overflow)
{
	uint64_t acc = 0;
	size_t i;

	*overflow = false;
	for (i = 0; i < n && is_digit(s[i]); i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (acc > (UINT64_MAX - d) / 10)
			*overflow = true;
		else
			acc = acc * 10 + d;
	}
	*v = acc;
	return i;
}

/* parse_size on the counted string s[0..n): 0, -EINVAL or -ERANGE. */
static int size_parse_n(const char *s, size_t n, uint64_t *out)
{
	const char *sfx;
	uint64_t v;
	bool overflow;
	size_t i;
	unsigned int shift;

	i = scan_u64(s, n, &v, &overflow);
	if (i == 0)
		return -EINVAL;
	shift = 0;
	if (i < n) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		sfx = c ? strchr(SIZE_SUFFIXES, c) : NULL;
		if (!sfx)
			return -EINVAL;
		shift = 10 * (unsigned int)(sfx - SIZE_SUFFIXES + 1);
		i++;
		/* "KiB" spelling: the suffix letter may be followed by "iB" */
		if (i < n) {
			if (n - i != 2 || s[i] != 'i' || s[i + 1] != 'B')
				return -EINVAL;
			i += 2;
		}
	}
	if (overflow || (shift && v > (UINT64_MAX >> shift)))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

enum size_item { SIZE_ONE, SIZE_RANGE };

/* n characters at s were a bad size or size range: -ERANGE = too large */
static int size_item_err(enum size_item what, const char *s, size_t n, int ret,
			 char *err, size_t errlen)
{
	static const char *const too_large[] = {
		[SIZE_ONE] = " is too large (maximum 18446744073709551615 bytes)",
		[SIZE_RANGE] = ": factor must be at least x2",
	};
	static const char *const malformed[] = {
		[SIZE_ONE] = ": expected a number with optional K/M/G/T suffix",
		[SIZE_RANGE] = ": expected min:max or min:max:xF with F >= 2",
	};

	errbuf_set(err, errlen, "size%s '%.*s'%s", what == SIZE_RANGE ? " range" : "",
		   (int)n, s, ret == -ERANGE ? too_large[what] : malformed[what]);
	return ret;
}

static int size_err(const char *s, size_t n, int ret, char *err, size_t errlen)
{
	return size_item_err(SIZE_ONE, s, n, ret, err, errlen);
}

/* NULL reads as "": every parser refuses it with the usual message */
static size_t text_len(const char **s)
{
	if (!*s)
		*s = "";
	return strlen(*s);
}

int parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	size_t n = text_len(&s);
	uint64_t v;
	int ret;

	ret = size_parse_n(s, n, &v);
	if (ret)
		return size_err(s, n, ret, err, errlen);
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      char *err, size_t errlen)
{
	size_t n = text_len(&s);
	bool overflow;
	uint64_t v;

	if (n == 0 || scan_u64(s, n, &v, &overflow) != n) {
		errbuf_set(err, errlen,
			"'%s' is not a decimal integer (accepted: %llu..%llu)",
			s, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	if (overflow || v < min || v > max) {
		errbuf_set(err, errlen, "'%s' is out of range (accepted: %llu..%llu)",
			s, (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = parse_u64(s, min, max, &v, err, errlen);
	if (ret)
		return ret;
	*out = (unsigned int)v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out,
		 char *err, size_t errlen)
{
	char *end;
	double v;

	if (!s)
		s = "";
	/* strtod skips leading blanks and takes "nan": neither is a value */
	v = (*s && !strchr(" \t\n\v\f\r", *s)) ? strtod(s, &end) : NAN;
	if (isnan(v) || *end) {
		errbuf_set(err, errlen, "'%s' is not a number (accepted: %g..%g)",
			s, min, max);
		return -EINVAL;
	}
	if (v < min || v > max) {
		errbuf_set(err, errlen, "'%s' is out of range (accepted: %g..%g)",
			s, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

static int size_list_add(uint64_t v, uint64_t *vals, size_t max_vals,
			 size_t *nr, const char *list, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < *nr; i++)
		if (vals[i] == v)
			return 0;
	if (*nr >= max_vals) {
		errbuf_set(err, errlen,
			"size list '%s': too many values (maximum %zu)",
			list, max_vals);
		return -ERANGE;
	}
	vals[(*nr)++] = v;
	return 0;
}

/* One "min:max[:xF]" item of a size list, n characters at item. */
static int size_range_add(const char *item, size_t n, uint64_t *vals,
			  size_t max_vals, size_t *nr, const char *list,
			  char *err, size_t errlen)
{
	const char *c1, *c2, *end = item + n;
	uint64_t min, max, factor = 2, v;
	bool overflow;
	int ret;

	c1 = memchr(item, ':', n);
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (c2) {
		const char *f = c2 + 1;
		size_t fn = (size_t)(end - f);

		if (memchr(f, ':', fn) || fn < 2 || f[0] != 'x' ||
		    scan_u64(f + 1, fn - 1, &factor, &overflow) != fn - 1)
			return size_item_err(SIZE_RANGE, item, n, -EINVAL, err, errlen);
		if (factor < 2 && !overflow)
			return size_item_err(SIZE_RANGE, item, n, -ERANGE, err, errlen);
		if (overflow)
			factor = UINT64_MAX;
	} else {
		c2 = end;
	}

	ret = size_parse_n(item, (size_t)(c1 - item), &min);
	if (ret)
		return size_err(item, (size_t)(c1 - item), ret, err, errlen);
	ret = size_parse_n(c1 + 1, (size_t)(c2 - c1 - 1), &max);
	if (ret)
		return size_err(c1 + 1, (size_t)(c2 - c1 - 1), ret, err,
				errlen);
	if (min == 0) {
		errbuf_set(err, errlen,
			"size range '%.*s': min must be at least 1 byte",
			(int)n, item);
		return -ERANGE;
	}
	if (min > max) {
		errbuf_set(err, errlen,
			"size range '%.*s': min is greater than max",
			(int)n, item);
		return -ERANGE;
	}

	/* v * factor <= max whenever v <= max / factor: no overflow */
	for (v = min; ; v *= factor) {
		ret = size_list_add(v, vals, max_vals, nr, list, err, errlen);
		if (ret)
			return ret;
		if (v > max / factor)
			break;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int parse_size_list(const char *s, uint64_t *vals, size_t max_vals,
		    size_t *nr, char *err, size_t errlen)
{
	const char *item, *comma;
	size_t count = 0, n;
	uint64_t v;
	int ret;

	if (!s || !*s) {
		errbuf_set(err, errlen,
			"size list '': expected comma-separated sizes or min:max[:xF] ranges");
		return -EINVAL;
	}
	for (item = s; ; item = comma + 1) {
		comma = strchr(item, ',');
		n = comma ? (size_t)(comma - item) : strlen(item);
		if (n == 0) {
			errbuf_set(err, errlen, "size list '%s': empty item", s);
			return -EINVAL;
		}
		if (memchr(item, ':', n)) {
			ret = size_range_add(item, n, vals, max_vals, &count,
					     s, err, errlen);
		} else {
			ret = size_parse_n(item, n, &v);
			if (ret)
				ret = size_err(item, n, ret, err, errlen);
			else
				ret = size_list_add(v, vals, max_vals, &count,
						    s, err, errlen);
		}
		if (ret)
			return ret;
		if (!comma)
			break;
	}
	qsort(vals, count, sizeof(*vals), cmp_u64);
	*nr = count;
	return 0;
}

static void append_choices(char *err, size_t errlen, size_t *pos,
			   const char *const *choices, bool with_all)
{
	size_t i;

	errbuf_append(err, errlen, pos, " (accepted: ");
	for (i = 0; choices[i]; i++)
		errbuf_append(err, errlen, pos, "%s%s", i ? ", " : "", choices[i]);
	if (with_all)
		errbuf_append(err, errlen, pos, "%sall", i ? ", " : "");
	errbuf_append(err, errlen, pos, ")");
}

/* Index of s[0..n) in choices, or -1. */
static int choice_find(const char *s, size_t n, const char *const *choices)
{
	int i;

	for (i = 0; choices[i]; i++)
		if (strlen(choices[i]) == n && !memcmp(choices[i], s, n))
			return i;
	return -1;
}

int parse_choice(const char *what, const char *s, const char *const *choices,
		 int *idx, char *err, size_t errlen)
{
	size_t pos = 0;
	int i;

	if (!s)
		s = "";
	i = choice_find(s, strlen(s), choices);
	if (i < 0) {
		errbuf_append(err, errlen, &pos, "unknown %s '%s'", what, s);
		append_choices(err, errlen, &pos, choices, false);
		return -EINVAL;
	}
	*idx = i;
	return 0;
}

int parse_choice_list(const char *what, const char *s,
		      const char *const *choices, unsigned long *mask,
		      char *err, size_t errlen)
{
	const size_t bits = sizeof(unsigned long) * CHAR_BIT;
	const char *item, *comma;
	unsigned long m = 0, all = 0;
	size_t nr_choices, n, pos = 0;
	int i;

	for (nr_choices = 0; choices[nr_choices]; nr_choices++)
		;
	if (nr_choices > bits) {
		errbuf_set(err, errlen, "too many %s choices for a %zu-bit mask",
			what, bits);
		return -EINVAL;
	}
	all = nr_choices == bits ? ~0UL : (1UL << nr_choices) - 1;

	if (!s)
		s = "";
	for (item = s; ; item = comma + 1) {
		comma = strchr(item, ',');
		n = comma ? (size_t)(comma - item) : strlen(item);
		if (n == 0) {
			if (*s)
				errbuf_append(err, errlen, &pos,
					   "empty %s in list '%s'", what, s);
			else
				errbuf_append(err, errlen, &pos, "empty %s list",
					   what);
			append_choices(err, errlen, &pos, choices, true);
			return -EINVAL;
		}
		i = choice_find(item, n, choices);
		if (i >= 0) {
			m |= 1UL << i;
		} else if (n == 3 && !memcmp(item, "all", 3)) {
			m |= all;
		} else {
			errbuf_append(err, errlen, &pos, "unknown %s '%.*s'", what,
				   (int)n, item);
			append_choices(err, errlen, &pos, choices, true);
			return -EINVAL;
		}
		if (!comma)
			break;
	}
	*mask = m;
	return 0;
}

int parse_kv(const char *s, char *key, size_t keylen, const char **val,
	     char *err, size_t errlen)
{
	const char *eq;
	size_t n, i;

	if (!s)
		s = "";
	eq = strchr(s, '=');
	if (!eq) {
		errbuf_set(err, errlen, "'%s' is not key=value", s);
		return -EINVAL;
	}
	n = (size_t)(eq - s);
	if (n == 0) {
		errbuf_set(err, errlen, "'%s': empty key (expected key=value)", s);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '_')) {
			errbuf_set(err, errlen,
				"invalid key '%.*s' in '%s' (accepted: [a-z0-9_]+)",
				(int)n, s, s);
			return -EINVAL;
		}
	}
	if (n >= keylen) {
		errbuf_set(err, errlen,
			"key '%.*s' is too long (maximum %zu characters)",
			(int)n, s, keylen ? keylen - 1 : 0);
		return -ERANGE;
	}
	memcpy(key, s, n);
	key[n] = '\0';
	*val = eq + 1;
	return 0;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	unsigned int i = 0;

	while (bytes && !(bytes & 1023) && i < sizeof(SIZE_SUFFIXES) - 1) {
		bytes >>= 10;
		i++;
	}
	if (i)
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes,
			 SIZE_SUFFIXES[i - 1]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
}
