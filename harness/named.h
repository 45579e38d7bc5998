/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lookup by name in the descriptor tables (backends, workloads, sinks): a
 * NULL-terminated array of pointers to structs whose `name` member is a
 * string. One loop for every table, so a new table is one line.
 */
#ifndef GMB_NAMED_H
#define GMB_NAMED_H

#include <stddef.h>
#include <string.h>

static inline const void *named_find_off(const void *const *table, size_t name_off,
					 const char *name)
{
	for (; *table; table++)
		if (!strcmp(*(const char *const *)((const char *)*table + name_off), name))
			return *table;
	return NULL;
}

/* the entry of table (T *const []) whose name is key, or NULL */
#define named_find(table, key)						\
	((__typeof__((table)[0]))named_find_off((const void *const *)(table),	\
						 offsetof(__typeof__(*(table)[0]), name), (key)))

#endif /* GMB_NAMED_H */
