// SPDX-License-Identifier: GPL-2.0
/*
 * The one-line error every subcommand prints for bad input.
 */
#include <stdarg.h>
#include <stdio.h>

#include "bench/cmd.h"

void gmb_err(const char *fmt, ...)
{
	va_list ap;

	/*
	 * What stdout holds goes out first: with both streams sent to one
	 * file, the line lands after it, not in the middle of a line.
	 */
	fflush(stdout);
	fputs("gmembench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
