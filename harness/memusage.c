// SPDX-License-Identifier: GPL-2.0
/*
 * Backing-memory sampling for a data region: see memusage.h for the
 * method and its caveats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/memusage.h"

/* read a small /proc file in one go; returns its length or -errno */
static ssize_t memusage_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r)
		return r;
	buf[n] = '\0';
	return n;
}

int memusage_meminfo_bytes(const char *field, uint64_t *bytes)
{
	char buf[8192], *p;
	size_t flen = strlen(field);
	ssize_t n;

	n = memusage_read_file("/proc/meminfo", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long kb;

		if (strncmp(p, field, flen) || p[flen] != ':')
			continue;
		if (sscanf(p + flen + 1, " %llu", &kb) != 1)
			return -EINVAL;
		*bytes = (uint64_t)kb * 1024;
		return 0;
	}
	return -ENOENT;
}

int memusage_rss_bytes(uint64_t *bytes)
{
	unsigned long long size, resident;
	char buf[256];
	ssize_t n;

	n = memusage_read_file("/proc/self/statm", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return -EINVAL;
	*bytes = (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static int memusage_count_resident(void *addr, uint64_t len, unsigned char *vec,
				   uint64_t page_bytes, uint64_t *bytes)
{
	uint64_t i, n = (len + page_bytes - 1) / page_bytes, pages = 0;

	if (mincore(addr, len, vec) < 0)
		return -errno;
	for (i = 0; i < n; i++)
		pages += vec[i] & 1;
	*bytes = pages * page_bytes;
	return 0;
}

/* cachestat(2), Linux 6.5; Debian 12's headers predate it */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct gmb_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct gmb_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

int memusage_fd_cached_bytes(int fd, uint64_t off, uint64_t len, uint64_t *bytes)
{
	struct gmb_cachestat_range range = { off, len };
	struct gmb_cachestat cs;

	memset(&cs, 0, sizeof(cs));
	if (syscall(__NR_cachestat, fd, &range, &cs, 0) < 0)
		return -errno;
	*bytes = cs.nr_cache * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

int memusage_resident_bytes(void *addr, uint64_t len, uint64_t *bytes)
{
	uint64_t page_bytes = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned char *vec;
	int r;

	vec = malloc((len + page_bytes - 1) / page_bytes + 1);
	if (!vec)
		return -ENOMEM;
	r = memusage_count_resident(addr, len, vec, page_bytes, bytes);
	free(vec);
	return r;
}

/* the mapping mincore reads: the backend's, else one of our own, or NULL */
static void *memusage_gmem_map(struct memusage *mu)
{
	const struct conv_mem *m = mu->mem;
	void *map;

	if (m->gmem_map)
		return m->gmem_map;
	/* read-only and never touched: only mincore looks at it */
	map = mmap(NULL, m->bytes, PROT_READ, MAP_SHARED, m->gmem_fd, (off_t)m->gmem_offset);
	if (map == MAP_FAILED) {
		snprintf(mu->gmem_why, sizeof(mu->gmem_why),
			 "the guest_memfd cannot be mapped for mincore (mmap: %s; a private-memory VM's guest_memfd has no GUEST_MEMFD_FLAG_MMAP before in-place conversion)",
			 strerror(errno));
		return NULL;
	}
	mu->own_map = map;
	return map;
}

int memusage_init(struct memusage *mu, const struct conv_mem *mem)
{
	long cpus;

	memset(mu, 0, sizeof(*mu));
	mu->mem = mem;
	mu->page_bytes = (uint64_t)sysconf(_SC_PAGESIZE);
	if (mem->gmem_fd < 0) {
		mu->gmem_method = MEMUSAGE_GMEM_NONE;
	} else if (memusage_gmem_map(mu)) {
		mu->gmem_method = MEMUSAGE_GMEM_MINCORE;
		mu->nr_pages = (mem->bytes + mu->page_bytes - 1) / mu->page_bytes;
		mu->vec = malloc(mu->nr_pages + 1);
		if (!mu->vec)
			return -ENOMEM;
	} else {
		mu->gmem_method = MEMUSAGE_GMEM_UNEVICTABLE;
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		mu->resolution_bytes = (uint64_t)(cpus > 0 ? cpus : 1) * 64 * 4096;
		return memusage_meminfo_bytes("Unevictable", &mu->unevictable_base_bytes);
	}
	return 0;
}

int memusage_sample(struct memusage *mu, struct memusage_sample *out)
{
	const struct conv_mem *m = mu->mem;
	uint64_t v;
	int r;

	memset(out, 0, sizeof(*out));
	out->t_ns = now_ns();
	switch (mu->gmem_method) {
	case MEMUSAGE_GMEM_MINCORE:
		r = memusage_count_resident(mu->own_map ? mu->own_map : m->gmem_map,
					    m->bytes, mu->vec, mu->page_bytes,
					    &out->gmem_bytes);
		if (r)
			return r;
		break;
	case MEMUSAGE_GMEM_UNEVICTABLE:
		r = memusage_meminfo_bytes("Unevictable", &v);
		if (r)
			return r;
		out->gmem_bytes = v > mu->unevictable_base_bytes ?
				  v - mu->unevictable_base_bytes : 0;
		break;
	case MEMUSAGE_GMEM_NONE:
		break;
	}
	/* shmem keeps i_blocks, unlike guest_memfd */
	if (m->shared_fd >= 0) {
		r = fd_allocated_bytes(m->shared_fd, &out->shared_bytes);
		if (r)
			return r;
	}
	r = memusage_rss_bytes(&out->rss_bytes);
	if (r)
		return r;
	return memusage_meminfo_bytes("MemAvailable", &out->mem_available_bytes);
}

void memusage_fini(struct memusage *mu)
{
	free(mu->vec);
	mu->vec = NULL;
	if (mu->own_map)
		munmap(mu->own_map, mu->mem->bytes);
	mu->own_map = NULL;
}

const char *memusage_gmem_method_name(enum memusage_gmem_method m)
{
	switch (m) {
	case MEMUSAGE_GMEM_MINCORE:
		return "mincore";
	case MEMUSAGE_GMEM_UNEVICTABLE:
		return "meminfo-unevictable-delta";
	case MEMUSAGE_GMEM_NONE:
		break;
	}
	return "none";
}
