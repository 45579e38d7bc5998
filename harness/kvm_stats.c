// SPDX-License-Identifier: GPL-2.0
/*
 * Read one KVM binary statistic by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/kvm.h"
#include "harness/kvm_stats.h"

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int kvm_stat_read(int kvm_fd, const char *name, uint64_t *val)
{
	struct kvm_stats_header h;
	size_t desc_bytes, i;
	char *descs = NULL;
	int fd, r;

	fd = ioctl(kvm_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return -errno;
	r = pread_all(fd, &h, sizeof(h), 0);
	if (r)
		goto out;
	desc_bytes = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc ? h.num_desc : 1, desc_bytes);
	if (!descs) {
		r = -ENOMEM;
		goto out;
	}
	r = pread_all(fd, descs, desc_bytes * h.num_desc, h.desc_offset);
	if (r)
		goto out;
	r = -ENOENT;
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_bytes);

		if (strncmp(d->name, name, h.name_size))
			continue;
		r = d->size ? pread_all(fd, val, sizeof(*val),
					(off_t)h.data_offset + d->offset) : -EIO;
		break;
	}
out:
	free(descs);
	close(fd);
	return r;
}
