/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much memory backs a data region right now: the guest_memfd part, the
 * shared-memfd part (dual backing), the process RSS and MemAvailable.
 *
 * guest_memfd does not maintain i_blocks (fstat st_blocks stays 0 however
 * many pages it holds, checked on 6.18), so its bytes are measured with
 * mincore(2) on the guest_memfd mapping: mincore reports page-cache
 * residency of the file (not whether our PTEs exist), so it counts every
 * allocated page, mapped into this process or not, private or shared.
 * Caveat: mincore counts uptodate folios only; guest_memfd marks a folio
 * uptodate when it is first zeroed (first user fault or first guest
 * access), so pages preallocated with fallocate() and never used are not
 * counted. A guest_memfd without a mapping (dual: created without
 * GUEST_MEMFD_FLAG_MMAP) is mapped read-only for mincore alone (never
 * touched) when the kernel allows it; a private-memory VM's guest_memfd
 * cannot be mapped on kernels without in-place conversion (mmap fails,
 * the reason is kept in gmem_why). Then the fallback is the growth of the
 * system-wide Unevictable counter in /proc/meminfo since memusage_init
 * (guest_memfd folios sit on the unevictable LRU): that also counts other
 * processes' unevictable memory and is off by what the per-CPU LRU-add
 * batches (up to 31 folios per CPU) and vmstat counters (per-CPU drift up
 * to the stat threshold) have not folded in yet: resolution_bytes, taken
 * as 64 pages per online CPU. A change smaller than that (one 4K or 64K
 * chunk per vCPU) cannot be read from it.
 * The shared memfd is shmem, which does keep st_blocks.
 */
#ifndef GMB_MEMUSAGE_H
#define GMB_MEMUSAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/backend.h"

enum memusage_gmem_method {
	MEMUSAGE_GMEM_NONE = 0,		/* no guest_memfd */
	MEMUSAGE_GMEM_MINCORE = 1,	/* mincore of the guest_memfd mapping */
	MEMUSAGE_GMEM_UNEVICTABLE = 2,	/* /proc/meminfo Unevictable delta */
};

struct memusage_sample {
	uint64_t t_ns;			/* now_ns() when taken */
	uint64_t gmem_bytes;
	uint64_t shared_bytes;
	uint64_t rss_bytes;		/* /proc/self/statm resident */
	uint64_t mem_available_bytes;	/* /proc/meminfo MemAvailable */
};

struct memusage {
	const struct conv_mem *mem;
	enum memusage_gmem_method gmem_method;
	unsigned char *vec;		/* mincore vector, one byte per page */
	uint64_t nr_pages;
	uint64_t page_bytes;
	uint64_t unevictable_base_bytes;
	void *own_map;			/* our read-only mapping of the guest_memfd */
	uint64_t resolution_bytes;	/* UNEVICTABLE: smallest readable change */
	char gmem_why[160];		/* why mincore is not the method, or "" */
};

/* prepare to sample mem (which must outlive mu); 0 or -errno */
int memusage_init(struct memusage *mu, const struct conv_mem *mem);
/* one sample; 0 or -errno (a /proc read or mincore failed) */
int memusage_sample(struct memusage *mu, struct memusage_sample *out);
void memusage_fini(struct memusage *mu);

/* bytes of [addr, addr + len) resident in the page cache (page aligned) */
int memusage_resident_bytes(void *addr, uint64_t len, uint64_t *bytes);
/*
 * Bytes of the file's page cache in [off, off + len) (len 0 = to the end),
 * counted by cachestat(2) from the file's own mapping: works on a
 * guest_memfd that cannot be mmapped and counts folios that are not
 * uptodate too (unlike mincore). -ENOSYS before Linux 6.5.
 */
int memusage_fd_cached_bytes(int fd, uint64_t off, uint64_t len, uint64_t *bytes);
/* a /proc/meminfo field ("MemAvailable", "Unevictable") in bytes */
int memusage_meminfo_bytes(const char *field, uint64_t *bytes);
/* resident set of this process from /proc/self/statm, in bytes */
int memusage_rss_bytes(uint64_t *bytes);

const char *memusage_gmem_method_name(enum memusage_gmem_method m);

#endif /* GMB_MEMUSAGE_H */
