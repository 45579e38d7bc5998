// SPDX-License-Identifier: GPL-2.0
/*
 * One-line error buffers: see errbuf.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "harness/errbuf.h"

void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void errbuf_append(char *err, size_t errlen, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen || *pos >= errlen - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err + *pos, errlen - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}
