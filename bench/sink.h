/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output sinks: one interface for every format (human summary, CSV, JSON,
 * ...). A sink gets the run context once, every finished cell as it
 * completes, and the end of the run (possibly interrupted). File sinks
 * rewrite their file atomically after each cell (temp + rename), so an
 * interrupted run keeps every row it finished and never a torn file.
 */
#ifndef GMB_SINK_H
#define GMB_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "bench/result.h"
#include "bench/run_cfg.h"
#include "harness/channel.h"
#include "harness/hostinfo.h"
#include "harness/table.h"

struct backend_status {
	const char *name;
	bool available;
	unsigned long vm_type;
	char reason[512];	/* why not available (empty when available) */
};

/* everything a report needs to say where a number came from */
struct run_info {
	const struct run_cfg *cfg;
	const char *run_id;
	const char *argv_line;		/* the command line, shell-quoted */
	char date_utc[32];		/* ISO 8601 start time */
	const char *version;		/* gmembench version */
	const char *git_sha;
	const struct hostinfo *host;
	char topology[256];		/* hwloc summary */
	char placement[256];		/* thread -> CPU plan */
	struct channel_info channel;
	bool channel_used;		/* a guest-driven cell ran */
	unsigned int nr_backends;
	struct backend_status backends[8];
	unsigned int nr_cells;		/* finished so far */
	bool interrupted;
};

struct sink;

struct sink_ops {
	const char *name;		/* --format value */
	const char *file_name;		/* in the results dir; NULL = stdout */
	int (*begin)(struct sink *s, const struct run_info *ri);
	int (*cell)(struct sink *s, const struct run_info *ri,
		    const struct cell_result *r);
	int (*end)(struct sink *s, const struct run_info *ri);
	/* release what begin put in priv; NULL: free(priv) */
	void (*free_priv)(void *priv);
};

struct sink {
	const struct sink_ops *ops;
	char path[PATH_MAX];		/* file sinks: full path */
	FILE *out;			/* stdout sinks */
	void *priv;
	char err[512];			/* one line when an op fails */
};

/* the --format table (bench/sinks.c), NULL-terminated, and its lookup */
extern const struct sink_ops *const sink_registry[];

static inline const struct sink_ops *sink_find(const char *name)
{
	return table_find(sink_registry, name);
}

extern const struct sink_ops sink_csv_ops;
extern const struct sink_ops sink_json_ops;
extern const struct sink_ops sink_human_ops;
extern const struct sink_ops sink_markdown_ops;
extern const struct sink_ops sink_simple_ops;
extern const struct sink_ops sink_tap_ops;

/* release s->priv (ops->free_priv) and clear it; safe to call twice */
void sink_destroy(struct sink *s);

#endif /* GMB_SINK_H */
