/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst
 * "KVM_GET_STATS_FD"), read by name from a VM or vCPU fd. Used where the
 * kernel's own counters are the observable: e.g. the VM's pages_4k (leaf
 * stage-2 mappings) and the vCPU's pf_taken (stage-2 faults handled).
 */
#ifndef GMB_KVM_STATS_H
#define GMB_KVM_STATS_H

#include <stdint.h>

/*
 * The first u64 of the statistic called name of the VM or vCPU fd.
 * 0, -ENOENT (no such statistic) or -errno (KVM_GET_STATS_FD or a read).
 */
int kvm_stat_read(int kvm_fd, const char *name, uint64_t *val);

#endif /* GMB_KVM_STATS_H */
