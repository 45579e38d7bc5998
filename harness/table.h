/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lookups of the name-keyed registries (conversion backends, pin
 * mechanisms, sinks, workloads): each a NULL-terminated array of pointers
 * to structs with a `const char *name`. One loop, typed by the table.
 */
#ifndef GMB_TABLE_H
#define GMB_TABLE_H

#include <stddef.h>
#include <string.h>

/* the entry of tab called key, or NULL */
#define table_find(tab, key) ({						\
	__typeof__(&(tab)[0]) t_ = (tab);				\
	while (*t_ && strcmp((*t_)->name, (key)))			\
		t_++;							\
	*t_;								\
})

/* the entries of tab before its NULL */
#define table_count(tab) ({						\
	size_t n_ = 0;							\
	while ((tab)[n_])						\
		n_++;							\
	n_;								\
})

#endif /* GMB_TABLE_H */
