// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench probe`: what this host offers, each fact read from the kernel.
 * Backend availability comes from probing the ioctls themselves; the
 * capability numbers of the in-place series are shown only as information
 * because they moved with every revision.
 */
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cmd.h"
#include "harness/backend.h"
#include "harness/channel.h"
#include "harness/hostinfo.h"
#include "harness/perfcaps.h"
#include "harness/topology.h"

static void row(const char *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void row(const char *k, const char *fmt, ...)
{
	va_list ap;

	printf("  %-28s ", k);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void caps_section(const struct kvm_sys *sys)
{
	static const struct { long cap; const char *name; } caps[] = {
		{ KVM_CAP_GUEST_MEMFD, "GUEST_MEMFD (234)" },
		{ KVM_CAP_GUEST_MEMFD_FLAGS, "GUEST_MEMFD_FLAGS (244)" },
		{ KVM_CAP_USER_MEMORY2, "USER_MEMORY2 (231)" },
		{ KVM_CAP_MEMORY_ATTRIBUTES, "MEMORY_ATTRIBUTES (233)" },
		{ KVM_CAP_MEMORY_FAULT_INFO, "MEMORY_FAULT_INFO (232)" },
		{ KVM_CAP_VM_TYPES, "VM_TYPES (235)" },
		{ KVM_CAP_EXIT_HYPERCALL, "EXIT_HYPERCALL (201)" },
		{ KVM_CAP_PRE_FAULT_MEMORY, "PRE_FAULT_MEMORY (236)" },
		{ KVM_CAP_MAX_VCPUS, "MAX_VCPUS" },
	};
	static const long series_caps[] = {
		GMB_CAP_GMEM_ATTRS_V1, GMB_CAP_GMEM_ATTRS_V2,
		GMB_CAP_GMEM_ATTRS_V3_V7, GMB_CAP_GMEM_ATTRS_V8,
	};
	char buf[128];
	size_t i, n;
	long v, types;

	printf("\nKVM capabilities (KVM_CHECK_EXTENSION on /dev/kvm)\n");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		v = kvm_check_cap(sys->fd, caps[i].cap);
		if (v < 0)
			row(caps[i].name, "error %s", strerror((int)-v));
		else
			row(caps[i].name, "%ld (0x%lx)", v, v);
	}
	types = kvm_check_cap(sys->fd, KVM_CAP_VM_TYPES);
	if (types < 0)
		types = 1;
	n = 0;
	buf[0] = 0;
	for (i = 0; i < 6; i++)
		if (types & (1L << i))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ", " : "",
					      kvm_vm_type_name(i));
	row("VM types", "%s", buf);
	v = kvm_check_cap(sys->fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	row("guest_memfd flags", "%s%s%s", v > 0 && (v & GUEST_MEMFD_FLAG_MMAP) ? "MMAP " : "",
	    v > 0 && (v & GUEST_MEMFD_FLAG_INIT_SHARED) ? "INIT_SHARED" : "",
	    v <= 0 ? "none" : "");
	n = 0;
	for (i = 0; i < sizeof(series_caps) / sizeof(series_caps[0]); i++) {
		v = kvm_check_cap(sys->fd, series_caps[i]);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%ld=%ld", i ? " " : "",
				      series_caps[i], v < 0 ? 0 : v);
	}
	row("in-place cap candidates", "%s (informational: these numbers moved in every series revision and collide with other caps)",
	    buf);
}

static void host_section(void)
{
	struct hostinfo *hi = calloc(1, sizeof(*hi));
	struct topology topo;
	char buf[256];

	printf("Host\n");
	if (hi) {
		hostinfo_collect(hi);
		hostinfo_print(hi, stdout);
		free(hi);
	}
	if (topology_init(&topo) == 0) {
		topology_summary(&topo, buf, sizeof(buf));
		row("topology (hwloc)", "%s", buf);
		topology_fini(&topo);
	} else {
		row("topology (hwloc)", "unavailable: hwloc could not load the topology");
	}
}

/* each backend probed by issuing its ioctls: how many are available */
static int backends_section(const struct kvm_sys *sys)
{
	char why[512];
	unsigned int i;
	int r, nr_avail = 0;

	printf("\nConversion backends (probed by issuing the ioctls)\n");
	for (i = 0; conv_backends[i]; i++) {
		unsigned long type = 0;

		why[0] = 0;
		r = conv_backends[i]->probe(sys, &type, why, sizeof(why));
		if (!r) {
			nr_avail++;
			row(conv_backends[i]->name, "available (VM type %lu: %s)", type,
			    kvm_vm_type_name(type));
		} else {
			row(conv_backends[i]->name, "unavailable: %s", why[0] ? why : strerror(-r));
		}
	}
	return nr_avail;
}

static void channel_perf_section(const struct kvm_sys *sys)
{
	struct channel_info ci;
	struct perfcaps pc;

	printf("\nGuest request channel\n");
	if (channel_decide(sys, CHANNEL_PREF_AUTO, 250, &ci))
		row("channel", "none: %s", ci.reason);
	else
		row("channel", "%s (%s)", channel_name(ci.channel), ci.reason);

	printf("\nPerformance counters (perf_event_open)\n");
	perfcaps_probe(&pc);
	row("hardware cycles", "%s", pc.hw_cycles ? "yes" : pc.why_hw);
	row("hardware dTLB-load-misses", "%s", pc.hw_dtlb_load_misses ? "yes" : "no");
	row("software page-faults", "%s", pc.sw_page_faults ? "yes" : "no");
	row("tracefs", "%s", pc.tracefs_mounted ? pc.tracefs_path :
	    "not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	row("tlb:tlb_flush", "%s", pc.tp_tlb_flush ? "yes" : "no");
	row("kvm:kvm_unmap_hva_range", "%s", pc.tp_kvm_unmap_hva_range ? "yes" : "no");
	row("kvmmmu:*", "%s", pc.tp_kvmmmu ? "yes" : "no");
}

int cmd_probe(int argc, char **argv)
{
	struct kvm_sys sys;
	char why[512], mode[128];
	int nr_avail;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: gmembench probe\n\nPrints what this host's kernel offers: host facts, KVM capabilities,\neach conversion backend (available, or the precise reason why not), the\nguest request channel and the performance counters. Exit 0, or 4 when\n/dev/kvm is unusable.\n");
		return 0;
	}
	if (argc > 1) {
		gmb_err("probe: unexpected argument '%s' (probe takes no arguments)", argv[1]);
		return EXIT_USAGE;
	}
	host_section();
	if (kvm_sys_open(&sys, why, sizeof(why))) {
		printf("\nKVM\n");
		row("/dev/kvm", "unusable: %s", why);
		gmb_err("SKIP: %s", why);
		return EXIT_SKIP;
	}
	caps_section(&sys);
	kvm_attr_mode_param(mode, sizeof(mode));
	row("attribute mode param", "%s", mode);
	nr_avail = backends_section(&sys);
	channel_perf_section(&sys);
	printf("\n%d of %zu conversion backends available\n", nr_avail, conv_backend_count());
	kvm_sys_close(&sys);
	return 0;
}
