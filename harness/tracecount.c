// SPDX-License-Identifier: GPL-2.0
/*
 * System-wide (per CPU) and per-task event counter sets: see tracecount.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/hostinfo.h"
#include "harness/perfcaps.h"
#include "harness/tracecount.h"

#define TRACECOUNT_ONLINE	"/sys/devices/system/cpu/online"

/* parse a cpulist such as "0-3,5,7-8" into cpus[] */
static int tracecount_parse_cpulist(const char *s, int *cpus, unsigned int max,
				    unsigned int *nr)
{
	unsigned int n = 0;

	while (*s && *s != '\n') {
		char *end;
		long lo, hi, c;

		errno = 0;
		lo = strtol(s, &end, 10);
		if (errno || end == s || lo < 0)
			return -EINVAL;
		hi = lo;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (errno || end == s + 1 || hi < lo)
				return -EINVAL;
			s = end;
		}
		for (c = lo; c <= hi; c++) {
			if (n >= max)
				return -E2BIG;
			cpus[n++] = (int)c;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	*nr = n;
	return n ? 0 : -ENOENT;
}

int tracecount_init(struct tracecount *tc)
{
	char buf[4096];
	int r;

	memset(tc, 0, sizeof(*tc));
	r = hostinfo_read_sysfs_str(TRACECOUNT_ONLINE, buf, sizeof(buf));
	if (r)
		return r;
	return tracecount_parse_cpulist(buf, tc->cpus, TRACECOUNT_MAX_CPUS,
					&tc->nr_cpus);
}

static void tracecount_event_close(struct tracecount_event *e)
{
	unsigned int i;

	for (i = 0; i < e->nr_fds; i++)
		if (e->fds[i] >= 0)
			close(e->fds[i]);
	free(e->fds);
	e->fds = NULL;
	e->nr_fds = 0;
}

static int tracecount_open(struct tracecount *tc, const char *name, uint32_t type,
			   uint64_t config, const char *filter,
			   enum tracecount_scope scope, char *why, size_t whylen)
{
	struct tracecount_event *e;
	unsigned int i, n;
	int r = 0;

	if (tc->nr_events >= TRACECOUNT_MAX_EVENTS) {
		snprintf(why, whylen, "%s: more than %d events", name,
			 TRACECOUNT_MAX_EVENTS);
		return -ENOSPC;
	}
	e = &tc->ev[tc->nr_events];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	n = scope == TRACECOUNT_SYSTEM ? tc->nr_cpus : 1;
	e->fds = calloc(n, sizeof(*e->fds));
	if (!e->fds)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int cpu = scope == TRACECOUNT_SYSTEM ? tc->cpus[i] : -1;
		pid_t pid = scope == TRACECOUNT_SYSTEM ? -1 : 0;
		int fd;

		r = perf_open_counter(type, config, pid, cpu, &fd);
		if (r) {
			snprintf(why, whylen, "perf_event_open(%s, %s%d): %s", name,
				 scope == TRACECOUNT_SYSTEM ? "cpu " : "task, cpu ",
				 cpu, strerror(-r));
			break;
		}
		e->fds[e->nr_fds++] = fd;
		if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) < 0) {
			r = -errno;
			snprintf(why, whylen, "PERF_EVENT_IOC_SET_FILTER(%s, \"%s\"): %s",
				 name, filter, strerror(-r));
			break;
		}
	}
	if (r) {
		tracecount_event_close(e);
		return r;
	}
	return (int)tc->nr_events++;
}

int tracecount_add_tracepoint(struct tracecount *tc, const char *name,
			      const char *sys, const char *ev,
			      const char *filter, enum tracecount_scope scope,
			      char *why, size_t whylen)
{
	long id;
	int r;

	r = perf_tracepoint_id(sys, ev, &id);
	if (r) {
		snprintf(why, whylen, "tracepoint %s:%s: %s%s", sys, ev, strerror(-r),
			 r == -ENOENT ? " (tracefs not mounted or event absent)" : "");
		return r;
	}
	return tracecount_open(tc, name, PERF_TYPE_TRACEPOINT, (uint64_t)id, filter,
			       scope, why, whylen);
}

int tracecount_add_event(struct tracecount *tc, const char *name,
			 uint32_t type, uint64_t config,
			 enum tracecount_scope scope, char *why, size_t whylen)
{
	return tracecount_open(tc, name, type, config, NULL, scope, why, whylen);
}

static int tracecount_each(struct tracecount *tc, int (*op)(int fd))
{
	unsigned int i, j;
	int ret = 0, r;

	for (i = 0; i < tc->nr_events; i++)
		for (j = 0; j < tc->ev[i].nr_fds; j++) {
			r = op(tc->ev[i].fds[j]);
			if (r && !ret)
				ret = r;
		}
	return ret;
}

static int tracecount_sum(const struct tracecount_event *e, uint64_t *sum)
{
	uint64_t v;
	unsigned int j;
	int r;

	*sum = 0;
	for (j = 0; j < e->nr_fds; j++) {
		r = perf_read_counter(e->fds[j], &v);
		if (r)
			return r;
		*sum += v;
	}
	return 0;
}

int tracecount_start(struct tracecount *tc)
{
	unsigned int i;
	int r;

	for (i = 0; i < tc->nr_events; i++) {
		r = tracecount_sum(&tc->ev[i], &tc->ev[i].base);
		if (r)
			return r;
	}
	return tracecount_each(tc, perf_enable_counter);
}

int tracecount_stop(struct tracecount *tc)
{
	return tracecount_each(tc, perf_disable_counter);
}

int tracecount_read(const struct tracecount *tc, unsigned int idx,
		    uint64_t *count)
{
	uint64_t sum;
	int r;

	if (idx >= tc->nr_events)
		return -EINVAL;
	r = tracecount_sum(&tc->ev[idx], &sum);
	if (r)
		return r;
	/* a disabled counter never goes back; guard the subtraction anyway */
	*count = sum >= tc->ev[idx].base ? sum - tc->ev[idx].base : 0;
	return 0;
}

int tracecount_find(const struct tracecount *tc, const char *name)
{
	unsigned int i;

	for (i = 0; i < tc->nr_events; i++)
		if (!strcmp(tc->ev[i].name, name))
			return (int)i;
	return -ENOENT;
}

void tracecount_close(struct tracecount *tc)
{
	unsigned int i;

	for (i = 0; i < tc->nr_events; i++)
		tracecount_event_close(&tc->ev[i]);
	tc->nr_events = 0;
}
