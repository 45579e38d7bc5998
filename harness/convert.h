/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conversion core. A backend only performs the phases of a conversion
 * (set_attrs, punch); the core runs them, retries EAGAIN, keeps the dual
 * backend's attribute tracking and takes every timestamp, so a phase means
 * the same whatever the backend: the comparison the suite exists for.
 */
#ifndef GMB_CONVERT_H
#define GMB_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/backend.h"

/*
 * Convert [gpa, gpa + bytes) of m with be:
 *  1. when m->attrs is set, conv_attrs_begin: in flight from here;
 *  2. be->set_attrs, re-issued on -EAGAIN up to pol->max_retries times with
 *     pol->backoff_us (0: sched_yield) between attempts;
 *  3. be->punch once, if the attribute phase succeeded;
 *  4. conv_attrs_end (applied = set_attrs succeeded).
 * A NULL hook is a phase the backend does not have. res is overwritten:
 * phases (total_ns = attr_ns + retry_wait_ns + punch_ns), eagain, retries,
 * the last error_offset (UINT64_MAX if none) and retry_to_success_ns (start
 * of the first EAGAIN attempt -> end of the successful one).
 * Returns 0 or the failing phase's -errno (-EAGAIN when retries ran out).
 */
int conv_convert(const struct conv_backend *be, struct conv_mem *m, uint64_t gpa,
		 uint64_t bytes, bool to_private, const struct conv_policy *pol,
		 struct conv_result *res);

#endif /* GMB_CONVERT_H */
