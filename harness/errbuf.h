/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one-line error buffer of the library's pure functions: a caller
 * passes err[errlen] (or NULL, 0 when it wants no message) and gets one
 * formatted line back with the -errno.
 */
#ifndef GMB_ERRBUF_H
#define GMB_ERRBUF_H

#include <stddef.h>

/* err = the formatted line; nothing when err is NULL or errlen 0 */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Append at *pos and advance it; appends after the buffer filled up are
 * dropped, so a long list is cut, never overrun.
 */
void errbuf_append(char *err, size_t errlen, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* GMB_ERRBUF_H */
