// SPDX-License-Identifier: GPL-2.0
/*
 * perf_event_open(2) availability probe and a minimal counter API:
 * see perfcaps.h.
 */
#include "harness/perfcaps.h"
#include "harness/hostinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PERFCAPS_TRACEFS	"/sys/kernel/tracing"
#define PERFCAPS_DEBUG_TRACEFS	"/sys/kernel/debug/tracing"

static const char *const perfcaps_tracefs_dirs[] = {
	PERFCAPS_TRACEFS,
	PERFCAPS_DEBUG_TRACEFS,
};

static int perfcaps_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int perfcaps_tracefs_path(char *buf, size_t len)
{
	size_t i;

	if (!buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < sizeof(perfcaps_tracefs_dirs) /
			sizeof(perfcaps_tracefs_dirs[0]); i++) {
		char events[128];

		/* An unmounted mount point is an empty dir: look for events/. */
		snprintf(events, sizeof(events), "%s/events",
			 perfcaps_tracefs_dirs[i]);
		if (!perfcaps_is_dir(events))
			continue;
		if ((size_t)snprintf(buf, len, "%s", perfcaps_tracefs_dirs[i]) >=
		    len)
			return -ENOSPC;
		return 0;
	}
	return -ENOENT;
}

int perfcaps_mount_tracefs(char *err, size_t errlen)
{
	char path[64];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!perfcaps_tracefs_path(path, sizeof(path)))
		return 0;
	if (!mount("nodev", PERFCAPS_TRACEFS, "tracefs", 0, NULL))
		return 0;
	ret = -errno;
	if (err && errlen)
		snprintf(err, errlen, "mount -t tracefs nodev %s: %s (%s)",
			 PERFCAPS_TRACEFS, strerrorname_np(-ret) ?: "?",
			 strerror(-ret));
	return ret;
}

/* Names are path components under events/: refuse anything else. */
static int perfcaps_bad_name(const char *s)
{
	return !s || !*s || strchr(s, '/') || !strcmp(s, ".") ||
	       !strcmp(s, "..");
}

int perf_tracepoint_id(const char *sys, const char *ev, long *id)
{
	char tracefs[64], path[512], buf[32], *end;
	long v;
	int ret;

	if (perfcaps_bad_name(sys) || perfcaps_bad_name(ev) || !id)
		return -EINVAL;
	ret = perfcaps_tracefs_path(tracefs, sizeof(tracefs));
	if (ret)
		return ret;
	if ((size_t)snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs,
			     sys, ev) >= sizeof(path))
		return -ENAMETOOLONG;
	/* the id file holds one number and a newline, which this trims */
	ret = hostinfo_read_sysfs_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 0 || *end)
		return -EINVAL;
	*id = v;
	return 0;
}

int perf_open_counter(uint32_t type, uint64_t config, pid_t pid, int cpu,
		      int *fd)
{
	struct perf_event_attr attr;
	long ret;

	if (!fd)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	attr.disabled = 1;
	/*
	 * Kernel-side counting stays on: tracepoints fire in kernel context
	 * and would count nothing with exclude_kernel.
	 */
	attr.inherit = pid >= 0;
	ret = syscall(SYS_perf_event_open, &attr, pid, cpu, -1,
		      PERF_FLAG_FD_CLOEXEC);
	if (ret < 0)
		return -errno;
	*fd = (int)ret;
	return 0;
}

static int perf_ioctl(int fd, unsigned long req)
{
	return ioctl(fd, req, 0) ? -errno : 0;
}

int perf_enable_counter(int fd)
{
	return perf_ioctl(fd, PERF_EVENT_IOC_ENABLE);
}

int perf_disable_counter(int fd)
{
	return perf_ioctl(fd, PERF_EVENT_IOC_DISABLE);
}

int perf_reset_counter(int fd)
{
	return perf_ioctl(fd, PERF_EVENT_IOC_RESET);
}

int perf_read_counter(int fd, uint64_t *val)
{
	uint64_t v;
	ssize_t n;

	if (!val)
		return -EINVAL;
	do {
		n = read(fd, &v, sizeof(v));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(v))
		return -EIO;
	*val = v;
	return 0;
}

/* Try to open (and close) an event for this thread: 0 or -errno. */
static int perfcaps_try(uint32_t type, uint64_t config)
{
	int fd, ret;

	ret = perf_open_counter(type, config, 0, -1, &fd);
	if (!ret)
		close(fd);
	return ret;
}

static const char *perfcaps_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "no hardware PMU";
	case EOPNOTSUPP:
		return "event not supported by this PMU";
	case EACCES:
	case EPERM:
		return "not permitted: perf_event_paranoid / CAP_PERFMON";
	case ENODEV:
		return "no such PMU";
	case ENOSYS:
		return "perf_event_open not in this kernel";
	default:
		return strerror(err);
	}
}

static int perfcaps_try_hw(struct perfcaps *pc, uint32_t type,
			   uint64_t config, const char *what)
{
	int ret = perfcaps_try(type, config);

	if (!ret)
		return 1;
	/* Keep the first failure: it is the one that explains the rest. */
	if (!pc->why_hw[0])
		snprintf(pc->why_hw, sizeof(pc->why_hw), "%s: %s (%s)", what,
			 strerrorname_np(-ret) ?: "?", perfcaps_hint(-ret));
	return 0;
}

static int perfcaps_try_tp(const char *sys, const char *ev)
{
	long id;

	if (perf_tracepoint_id(sys, ev, &id))
		return 0;
	return !perfcaps_try(PERF_TYPE_TRACEPOINT, (uint64_t)id);
}

/* Any event of a tracepoint system that opens (the list varies by kernel). */
static int perfcaps_try_tp_system(const char *tracefs, const char *sys)
{
	struct dirent *de;
	char dir[128];
	int ok = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/events/%s", tracefs, sys);
	d = opendir(dir);
	if (!d)
		return 0;
	while (!ok && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		ok = perfcaps_try_tp(sys, de->d_name);
	}
	closedir(d);
	return ok;
}

int perfcaps_probe(struct perfcaps *pc)
{
	if (!pc)
		return -EINVAL;
	memset(pc, 0, sizeof(*pc));

	pc->hw_cycles = perfcaps_try_hw(pc, PERF_TYPE_HARDWARE,
					PERF_COUNT_HW_CPU_CYCLES,
					"PERF_TYPE_HARDWARE cycles");
	pc->hw_dtlb_load_misses =
		perfcaps_try_hw(pc, PERF_TYPE_HW_CACHE,
				PERF_COUNT_HW_CACHE_DTLB |
				(PERF_COUNT_HW_CACHE_OP_READ << 8) |
				(PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
				"PERF_TYPE_HW_CACHE dTLB-load-misses");
	pc->sw_page_faults = !perfcaps_try(PERF_TYPE_SOFTWARE,
					   PERF_COUNT_SW_PAGE_FAULTS);

	if (perfcaps_tracefs_path(pc->tracefs_path, sizeof(pc->tracefs_path)))
		return 0;
	pc->tracefs_mounted = 1;
	pc->tp_tlb_flush = perfcaps_try_tp("tlb", "tlb_flush");
	pc->tp_kvm_unmap_hva_range = perfcaps_try_tp("kvm",
						     "kvm_unmap_hva_range");
	pc->tp_kvmmmu = perfcaps_try_tp_system(pc->tracefs_path, "kvmmmu");
	return 0;
}
