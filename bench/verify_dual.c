// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench verify`, dual group: per-VM memory attributes (the VM ioctl
 * KVM_SET_MEMORY_ATTRIBUTES) on a VM type with private memory, in the dual
 * backend's layout: every memslot has a guest_memfd for its private pages
 * and a shared memfd as its userspace memory.
 *
 * What can be observed: before the in-place series guest_memfd cannot be
 * mmapped on such a VM, so guest_memfd contents are seen only through the
 * guest (the READ_ONCE guest command counts bytes that differ from a
 * pattern). The shared memfd is seen through its mapping; page-cache
 * residency of either file through cachestat(2); stage-2 mappings and
 * faults through KVM's binary statistics (pages_4k/2m/1g, pf_taken).
 *
 * Conversions here happen only while the vCPU is stopped: conversions
 * racing guest faults are what the workloads measure, not what this checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/verify_internal.h"
#include "harness/backend.h"
#include "harness/convert.h"
#include "harness/guest_abi.h"
#include "harness/kvm_stats.h"
#include "harness/mem_attrs.h"
#include "harness/memusage.h"
#include "harness/session.h"

#define PG		4096ULL
#define SZ_2M		(2ULL << 20)
#define NPG		16			/* pages most checks use */
#define BASE		GMB_DATA_GPA		/* slot 1: the session's region */
#define SLOT2		(GMB_DATA_GPA + SZ_2M)	/* slot 2, right after slot 1 */
#define PRIV		KVM_MEMORY_ATTRIBUTE_PRIVATE
#define GUEST_TIMEOUT_NS (20ULL * 1000000000ULL)

/* one guest command and what came back */
struct gop {
	unsigned int cmd;
	uint64_t gpa, bytes, stride;
	uint8_t pattern;
	struct guest_read_result read;	/* READ_ONCE's */
	uint32_t exit_reason;		/* of the last KVM_RUN */
	struct gmb_kvm_memory_fault mf;	/* when that was MEMORY_FAULT */
	uint64_t pf_taken;		/* vCPU pf_taken delta; UINT64_MAX unknown */
	char why[256];
};

/* a dual-backed VM: slot 1 from the session, optional slot 2 */
struct dvm {
	struct session s;
	struct conv_mem extra;		/* a second dual slot at SLOT2 */
	void *plain;			/* or memory of a slot without guest_memfd */
	uint64_t plain_bytes;
	unsigned char *shared;		/* host view of slot 1's shared memfd */
	struct gop last;
};

static int dvm_open(struct vctx *v, struct dvm *d, char *msg, size_t len)
{
	struct session_cfg sc = {
		.backend = &backend_dual,
		.vm_type = v->dual_type,
		.nr_vcpus = 1,
		.region_bytes = SZ_2M,
		.channel = CHANNEL_PIO,
	};
	char why[512] = "";
	int r;

	memset(d, 0, sizeof(*d));
	conv_mem_init(&d->extra, 2, SLOT2, SZ_2M);
	r = session_create(&d->s, &v->sys, &sc, why, sizeof(why));
	if (r) {
		snprintf(msg, len, "dual session on VM type %lu: %s", v->dual_type, why);
		return r;
	}
	d->shared = d->s.mem.shared_map;
	return 0;
}

static void dvm_close(struct dvm *d)
{
	backend_dual.teardown(&d->extra);
	if (d->plain)
		munmap(d->plain, d->plain_bytes);
	d->plain = NULL;
	session_destroy(&d->s);
}

static int gop_thread(struct session *s, unsigned int idx, void *arg)
{
	struct gop *op = arg;
	struct vcpu *vc = &s->vcpus[idx];
	struct guest_req req = { 0 };
	uint64_t pf0 = 0, pf1 = 0;
	bool have_pf;
	int r;

	r = vcpu_reset_regs(vc);
	if (r) {
		snprintf(op->why, sizeof(op->why), "KVM_SET_REGS: %s", strerror(-r));
		return r;
	}
	vcpu_mailbox_setup(vc, op->cmd, op->gpa, op->bytes, PG, 1, op->pattern, CHANNEL_PIO);
	mb_set_stride(vc->mailbox, op->stride);
	mb_poison_read_result(vc->mailbox);
	have_pf = kvm_stat_read(vc->fd, "pf_taken", &pf0) == 0;
	vc->run->exit_reason = KVM_EXIT_UNKNOWN;
	r = vcpu_next_request(vc, &req, op->why, sizeof(op->why));
	have_pf = have_pf && kvm_stat_read(vc->fd, "pf_taken", &pf1) == 0;
	op->pf_taken = have_pf ? pf1 - pf0 : UINT64_MAX;
	op->exit_reason = vc->run->exit_reason;
	/* memory_fault sits in the exit union, where hypercall does */
	if (op->exit_reason == KVM_EXIT_MEMORY_FAULT)
		memcpy(&op->mf, &vc->run->hypercall, sizeof(op->mf));
	if (!r && req.op != REQ_DONE) {
		snprintf(op->why, sizeof(op->why), "unexpected guest request %d", req.op);
		r = -EPROTO;
	}
	mb_read_result(vc->mailbox, &op->read);
	return r;
}

/* run one guest command to completion (or 20 s); d->last holds the outcome */
static int guest_run(struct dvm *d, unsigned int cmd, uint64_t gpa, uint64_t bytes,
		     uint64_t stride, uint8_t pattern)
{
	int ret_thread = 0;
	struct session_threads t = {
		.nr_threads = 1,
		.fn = gop_thread,
		.arg = &d->last,
		.timeout_ns = GUEST_TIMEOUT_NS,
		.thread_ret = &ret_thread,
	};
	int r;

	memset(&d->last, 0, sizeof(d->last));
	d->last.cmd = cmd;
	d->last.gpa = gpa;
	d->last.bytes = bytes;
	d->last.stride = stride;
	d->last.pattern = pattern;
	r = session_run_threads(&d->s, &t);
	if (r && !d->last.why[0])
		snprintf(d->last.why, sizeof(d->last.why), "%s", strerror(-r));
	return r;
}

/* one guest read (READ_ONCE) or write (TOUCH_ONCE) of the range; says why not */
static bool g_run(struct dvm *d, unsigned int cmd, uint64_t gpa, uint64_t bytes,
		  uint64_t stride, uint8_t pattern, const char *when, char *msg,
		  size_t len)
{
	if (!guest_run(d, cmd, gpa, bytes, stride, pattern))
		return true;
	snprintf(msg, len, "%s: guest %s of [0x%llx, +0x%llx): %s", when,
		 cmd == GUEST_CMD_READ_ONCE ? "read" : "write",
		 (unsigned long long)gpa, (unsigned long long)bytes, d->last.why);
	return false;
}

/* the guest reads the range every stride bytes and finds pattern everywhere */
static bool g_expect(struct dvm *d, uint64_t gpa, uint64_t bytes, uint64_t stride,
		     uint8_t pattern, const char *when, char *msg, size_t len)
{
	if (!g_run(d, GUEST_CMD_READ_ONCE, gpa, bytes, stride, pattern, when, msg, len))
		return false;
	if (d->last.read.bad) {
		snprintf(msg, len, "%s: the guest read %llu bytes != 0x%02x in [0x%llx, +0x%llx), the first at gpa 0x%llx: 0x%02llx",
			 when, (unsigned long long)d->last.read.bad, pattern,
			 (unsigned long long)gpa, (unsigned long long)bytes,
			 (unsigned long long)d->last.read.bad_gpa,
			 (unsigned long long)d->last.read.bad_val);
		return false;
	}
	return true;
}

/* the guest writes pattern every stride bytes of the range */
static bool g_write(struct dvm *d, uint64_t gpa, uint64_t bytes, uint64_t stride,
		    uint8_t pattern, const char *when, char *msg, size_t len)
{
	return g_run(d, GUEST_CMD_TOUCH_ONCE, gpa, bytes, stride, pattern, when, msg, len);
}

static bool set_attr(struct dvm *d, uint64_t gpa, uint64_t bytes, bool priv,
		     char *msg, size_t len)
{
	int r = kvm_set_mem_attrs(d->s.vm.fd, gpa, bytes, priv ? PRIV : 0, 0);

	if (r)
		snprintf(msg, len, "KVM_SET_MEMORY_ATTRIBUTES(%s) of [0x%llx, +0x%llx): %s",
			 priv ? "PRIVATE" : "shared", (unsigned long long)gpa,
			 (unsigned long long)bytes, strerror(-r));
	return !r;
}

/* the host sees pattern in every byte of p[0, n) */
static bool host_expect(const unsigned char *p, size_t n, uint8_t pattern,
			const char *what, char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern) {
			snprintf(msg, len, "%s: byte 0x%zx is 0x%02x, want 0x%02x", what, i, p[i],
				 pattern);
			return false;
		}
	return true;
}

static bool cached(int fd, uint64_t bytes, uint64_t *out, const char *what,
		   char *msg, size_t len)
{
	int r = memusage_fd_cached_bytes(fd, 0, bytes, out);

	if (r)
		snprintf(msg, len, "cachestat(2) on the %s: %s", what, strerror(-r));
	return !r;
}

/* ------------------------------------------------------------------ checks */

/*
 * The contents checks: steps over the first NPG pages of slot 1, every
 * byte, each an attribute change, a guest read or write, a host fill of
 * the shared memfd or a host read of it.
 */
enum step_op { S_END, S_PRIVATE, S_SHARED, S_G_READ, S_G_WRITE, S_H_FILL, S_H_READ };

struct step {
	enum step_op op;
	uint8_t pattern;
	const char *what;
};

struct contents_check {
	const char *pass;		/* the message on success, after "NPG " */
	struct step steps[9];		/* up to the first S_END */
};

static bool run_step(struct dvm *d, const struct step *st, char *msg, size_t len)
{
	switch (st->op) {
	case S_PRIVATE:
	case S_SHARED:
		return set_attr(d, BASE, NPG * PG, st->op == S_PRIVATE, msg, len);
	case S_G_READ:
		return g_expect(d, BASE, NPG * PG, 1, st->pattern, st->what, msg, len);
	case S_G_WRITE:
		return g_write(d, BASE, NPG * PG, 1, st->pattern, st->what, msg, len);
	case S_H_FILL:
		memset(d->shared, st->pattern, NPG * PG);
		return true;
	case S_H_READ:
		return host_expect(d->shared, NPG * PG, st->pattern, st->what, msg, len);
	case S_END:
		break;
	}
	return false;
}

static const struct contents_check contents_checks[] = {
	/* 0: after PRIVATE the guest reads the guest_memfd */
	{
		"pages: the guest read the shared memfd's 0xa5 while shared, then fresh guest_memfd zeros after PRIVATE while the shared memfd still held 0xa5",
		{
			{ S_G_READ, 0xa5, "while shared" },
			{ S_PRIVATE, 0, NULL },
			{ S_G_READ, 0x00, "after PRIVATE" },
			{ S_H_READ, 0xa5, "shared memfd after PRIVATE" },
		},
	},
	/* 1: private writes land in the guest_memfd */
	{
		"private pages written 0x5c by the guest: the shared memfd kept 0xa5; after private->shared->private (no punch) the guest reads its 0x5c back, so it lives in the guest_memfd",
		{
			{ S_PRIVATE, 0, NULL },
			{ S_G_WRITE, 0x5c, "private" },
			{ S_H_READ, 0xa5, "shared memfd after private guest writes" },
			{ S_G_READ, 0x5c, "private, read back" },
			{ S_SHARED, 0, NULL },
			{ S_G_READ, 0xa5, "back to shared (no punch)" },
			{ S_PRIVATE, 0, NULL },
			{ S_G_READ, 0x5c, "private again" },
		},
	},
	/* 2: back to shared, the shared memfd again */
	{
		"pages back to shared: the guest reads the shared memfd (0xa5, not its private 0x5c), sees a host write (0x3c), and its write (0x77) reaches the host",
		{
			{ S_PRIVATE, 0, NULL },
			{ S_G_WRITE, 0x5c, "private" },
			{ S_SHARED, 0, NULL },
			{ S_G_READ, 0xa5, "back to shared" },
			{ S_H_FILL, 0x3c, NULL },
			{ S_G_READ, 0x3c, "after a host write" },
			{ S_G_WRITE, 0x77, "shared" },
			{ S_H_READ, 0x77, "shared memfd after a shared guest write" },
		},
	},
};

/* v->variant: which of contents_checks, run once the shared memfd holds 0xa5 */
static enum verdict d_contents(struct vctx *v, char *msg, size_t len)
{
	const struct contents_check *cc = &contents_checks[v->variant];
	const struct step *st;
	struct dvm d;
	bool ok = true;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	memset(d.shared, 0xa5, NPG * PG);
	for (st = cc->steps; ok && st->op != S_END; st++)
		ok = run_step(&d, st, msg, len);
	dvm_close(&d);
	if (!ok)
		return V_FAIL;
	snprintf(msg, len, "%d %s", NPG, cc->pass);
	return V_PASS;
}

static enum verdict d_punch_shared(struct vctx *v, char *msg, size_t len)
{
	struct conv_policy pol = { 0 };
	struct conv_result res;
	uint64_t c0 = 0, c1 = 0, c2 = 0, b0 = 0, b1 = 0, rss1 = 0;
	struct dvm d;
	bool ok;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	memset(d.shared, 0xa5, SZ_2M);
	ok = g_expect(&d, BASE, SZ_2M, 512, 0xa5, "while shared", msg, len) &&
	     cached(d.s.mem.shared_fd, SZ_2M, &c0, "shared memfd", msg, len) &&
	     !fd_allocated_bytes(d.s.mem.shared_fd, &b0);
	if (ok) {
		int r = conv_convert(&backend_dual, &d.s.mem, BASE, SZ_2M, true, &pol, &res);

		if (r) {
			snprintf(msg, len, "dual backend to-private of 2 MiB: %s", strerror(-r));
			ok = false;
		}
	}
	ok = ok && cached(d.s.mem.shared_fd, SZ_2M, &c1, "shared memfd", msg, len) &&
	     !fd_allocated_bytes(d.s.mem.shared_fd, &b1) &&
	     !memusage_resident_bytes(d.shared, SZ_2M, &rss1) &&
	     g_write(&d, BASE, SZ_2M, PG, 0x5c, "private", msg, len) &&
	     g_expect(&d, BASE, SZ_2M, PG, 0x5c, "private, read back", msg, len) &&
	     cached(d.s.mem.shared_fd, SZ_2M, &c2, "shared memfd", msg, len);
	dvm_close(&d);
	if (!ok)
		return msg[0] ? V_FAIL : verify_fail(msg, len, "fstat/mincore of the shared memfd failed");
	if (c0 != SZ_2M)
		return verify_fail(msg, len, "the shared memfd caches %llu KiB after the host filled 2 MiB",
				   (unsigned long long)c0 >> 10);
	if (c1 || b1 || rss1)
		return verify_fail(msg, len, "after to-private + punch the shared memfd still caches %llu KiB (st_blocks %llu KiB, mincore %llu KiB)",
				   (unsigned long long)c1 >> 10, (unsigned long long)b1 >> 10,
				   (unsigned long long)rss1 >> 10);
	if (c2)
		return verify_fail(msg, len, "private guest accesses repopulated %llu KiB of the shared memfd",
				   (unsigned long long)c2 >> 10);
	snprintf(msg, len, "2 MiB to-private + punch of the shared memfd (dual backend): cachestat %llu -> 0 KiB, st_blocks %llu -> 0 KiB; the guest's private writes left it empty",
		 (unsigned long long)c0 >> 10, (unsigned long long)b0 >> 10);
	return V_PASS;
}

static enum verdict d_punch_gmem(struct vctx *v, char *msg, size_t len)
{
	struct conv_policy pol = { 0 };
	struct conv_result res;
	uint64_t c0 = 0, c1 = 0;
	struct dvm d;
	bool ok;
	int r = 0;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	ok = set_attr(&d, BASE, SZ_2M, true, msg, len) &&
	     g_write(&d, BASE, SZ_2M, PG, 0x5c, "private", msg, len) &&
	     cached(d.s.mem.gmem_fd, SZ_2M, &c0, "guest_memfd", msg, len);
	if (ok) {
		r = conv_convert(&backend_dual, &d.s.mem, BASE, SZ_2M, false, &pol, &res);
		if (r) {
			snprintf(msg, len, "dual backend to-shared of 2 MiB: %s", strerror(-r));
			ok = false;
		}
	}
	ok = ok && cached(d.s.mem.gmem_fd, SZ_2M, &c1, "guest_memfd", msg, len) &&
	     set_attr(&d, BASE, SZ_2M, true, msg, len) &&
	     g_expect(&d, BASE, SZ_2M, PG, 0x00, "private again after the punch", msg, len);
	dvm_close(&d);
	if (!ok)
		return V_FAIL;
	if (c0 != SZ_2M)
		return verify_fail(msg, len, "the guest_memfd caches %llu KiB after the guest wrote 2 MiB of private pages",
				   (unsigned long long)c0 >> 10);
	if (c1)
		return verify_fail(msg, len, "after to-shared + punch the guest_memfd still caches %llu KiB",
				   (unsigned long long)c1 >> 10);
	snprintf(msg, len, "2 MiB to-shared + punch of the guest_memfd (dual backend): cachestat %llu -> 0 KiB; private again, the guest reads zeros, not its old 0x5c",
		 (unsigned long long)c0 >> 10);
	return V_PASS;
}

static enum verdict d_memory_fault(struct vctx *v, char *msg, size_t len)
{
	const uint64_t gpa = SLOT2 + 3 * PG;
	struct gmb_kvm_memory_fault mf;
	char why[256];
	uint32_t reason;
	struct dvm d;
	bool ok;
	int r;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	d.plain_bytes = NPG * PG;
	d.plain = mmap(NULL, d.plain_bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d.plain == MAP_FAILED) {
		d.plain = NULL;
		dvm_close(&d);
		return verify_fail(msg, len, "mmap: %s", strerror(errno));
	}
	r = vm_set_memslot(&d.s.vm, 2, 0, SLOT2, d.plain_bytes, d.plain, -1, 0);
	if (r) {
		dvm_close(&d);
		return verify_fail(msg, len, "KVM_SET_USER_MEMORY_REGION2 (slot 2, no guest_memfd): %s",
				   strerror(-r));
	}
	ok = set_attr(&d, SLOT2, d.plain_bytes, true, msg, len);
	if (!ok) {
		dvm_close(&d);
		return V_FAIL;
	}
	r = guest_run(&d, GUEST_CMD_READ_ONCE, gpa, 4 * PG, PG, 0);
	reason = d.last.exit_reason;
	mf = d.last.mf;
	snprintf(why, sizeof(why), "%s", d.last.why);
	ok = set_attr(&d, SLOT2, d.plain_bytes, false, msg, len) &&
	     g_expect(&d, gpa, 4 * PG, PG, 0, "after shared", msg, len);
	dvm_close(&d);
	if (!r)
		return verify_fail(msg, len, "the guest read private gpa 0x%llx of a slot without guest_memfd and completed (exit %s)",
				   (unsigned long long)gpa, kvm_exit_name(reason));
	if (reason != KVM_EXIT_MEMORY_FAULT)
		return verify_fail(msg, len, "exit %s (%u), want MEMORY_FAULT (%d): %s",
				   kvm_exit_name(reason), reason, KVM_EXIT_MEMORY_FAULT, why);
	if (!(mf.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE) || mf.gpa != gpa || mf.size != PG)
		return verify_fail(msg, len, "KVM_EXIT_MEMORY_FAULT flags 0x%llx gpa 0x%llx size 0x%llx, want PRIVATE (0x%llx), gpa 0x%llx, size 0x%llx",
				   (unsigned long long)mf.flags, (unsigned long long)mf.gpa,
				   (unsigned long long)mf.size,
				   (unsigned long long)KVM_MEMORY_EXIT_FLAG_PRIVATE,
				   (unsigned long long)gpa, PG);
	if (!ok)
		return V_FAIL;
	snprintf(msg, len, "KVM_EXIT_MEMORY_FAULT flags 0x%llx gpa 0x%llx size 0x%llx; the same read completes once the range is shared",
		 (unsigned long long)mf.flags, (unsigned long long)mf.gpa,
		 (unsigned long long)mf.size);
	return V_PASS;
}

static enum verdict d_two_slots(struct vctx *v, char *msg, size_t len)
{
	const uint64_t lo = SLOT2 - 2 * PG, span = 4 * PG;
	unsigned char *s1, *s2;
	struct dvm d;
	bool ok;
	int r;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	r = backend_dual.setup(&d.s.vm, &d.extra);
	if (r) {
		dvm_close(&d);
		return verify_fail(msg, len, "second dual slot at 0x%llx: %s",
				   (unsigned long long)SLOT2, strerror(-r));
	}
	s1 = d.shared + SZ_2M - 3 * PG;		/* the last 3 pages of slot 1 */
	s2 = d.extra.shared_map;		/* the first 3 pages of slot 2 */
	memset(s1, 0xa5, 3 * PG);
	memset(s2, 0xa5, 3 * PG);
	/* one call: 2 pages at the end of slot 1, 2 at the start of slot 2 */
	ok = set_attr(&d, lo, span, true, msg, len) &&
	     g_write(&d, lo - PG, span + 2 * PG, 1, 0x5c, "both slots", msg, len) &&
	     host_expect(s1, PG, 0x5c, "slot 1's shared page below the range", msg, len) &&
	     host_expect(s2 + 2 * PG, PG, 0x5c, "slot 2's shared page above the range", msg, len) &&
	     host_expect(s1 + PG, 2 * PG, 0xa5, "slot 1's shared memfd in the private range", msg, len) &&
	     host_expect(s2, 2 * PG, 0xa5, "slot 2's shared memfd in the private range", msg, len) &&
	     g_expect(&d, lo, span, 1, 0x5c, "private, read back", msg, len) &&
	     set_attr(&d, lo, span, false, msg, len) &&
	     g_expect(&d, lo, span, 1, 0xa5, "shared again", msg, len);
	dvm_close(&d);
	if (!ok)
		return V_FAIL;
	snprintf(msg, len, "[0x%llx, +0x%llx) across slots 1 and 2: one call made both halves private (guest writes stayed out of both shared memfds, the neighbours outside took them) and one made them shared again",
		 (unsigned long long)lo, (unsigned long long)span);
	return V_PASS;
}

struct bad_call {
	uint64_t gpa, size, attrs, flags;
};

/* every call fails EINVAL, and the range still reads as shared after them */
static enum verdict einval_calls(struct vctx *v, const struct bad_call *c, size_t n,
				 char *msg, size_t len)
{
	struct dvm d;
	size_t i;
	bool ok;
	int r;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	memset(d.shared, 0xa5, NPG * PG);
	for (i = 0; i < n; i++) {
		r = kvm_set_mem_attrs(d.s.vm.fd, c[i].gpa, c[i].size, c[i].attrs, c[i].flags);
		if (r != -EINVAL) {
			dvm_close(&d);
			return verify_fail(msg, len, "address 0x%llx size 0x%llx attributes 0x%llx flags 0x%llx -> %s (want EINVAL)",
					   (unsigned long long)c[i].gpa,
					   (unsigned long long)c[i].size,
					   (unsigned long long)c[i].attrs,
					   (unsigned long long)c[i].flags,
					   r ? strerror(-r) : "success");
		}
	}
	ok = g_expect(&d, BASE, NPG * PG, 1, 0xa5, "after the rejected calls", msg, len);
	dvm_close(&d);
	if (!ok)
		return V_FAIL;
	snprintf(msg, len, "%zu calls -> EINVAL; the range still reads as shared afterwards", n);
	return V_PASS;
}

static enum verdict d_einval_unaligned(struct vctx *v, char *msg, size_t len)
{
	const struct bad_call c[] = {
		{ BASE + 1, PG, PRIV, 0 },
		{ BASE + PG / 2, NPG * PG - PG, PRIV, 0 },
		{ BASE, PG + 1, PRIV, 0 },
		{ BASE, PG / 2, PRIV, 0 },
	};

	return einval_calls(v, c, sizeof(c) / sizeof(c[0]), msg, len);
}

static enum verdict d_einval_size(struct vctx *v, char *msg, size_t len)
{
	const struct bad_call c[] = {
		{ BASE, 0, PRIV, 0 },
		{ BASE, 0, 0, 0 },
		{ ~0ULL & ~(PG - 1), 2 * PG, PRIV, 0 },	/* wraps around */
	};

	return einval_calls(v, c, sizeof(c) / sizeof(c[0]), msg, len);
}

static enum verdict d_einval_attr(struct vctx *v, char *msg, size_t len)
{
	long cap = kvm_check_cap(v->sys.fd, KVM_CAP_MEMORY_ATTRIBUTES);
	struct bad_call c[] = {
		{ BASE, NPG * PG, 0, 0 },
		{ BASE, NPG * PG, 0, 0 },
		{ BASE, NPG * PG, 1ULL << 63, 0 },
	};
	uint64_t unknown = 0;
	int i;

	/* the lowest bit KVM advertises nowhere, alone and with PRIVATE */
	for (i = 0; i < 63 && !unknown; i++)
		if (!((uint64_t)(cap < 0 ? 0 : cap) & (1ULL << i)))
			unknown = 1ULL << i;
	c[0].attrs = unknown;
	c[1].attrs = PRIV | unknown;
	return einval_calls(v, c, sizeof(c) / sizeof(c[0]), msg, len);
}

static enum verdict d_einval_flags(struct vctx *v, char *msg, size_t len)
{
	const struct bad_call c[] = {
		{ BASE, NPG * PG, PRIV, 1 },
		{ BASE, NPG * PG, PRIV, 1ULL << 63 },
		{ BASE, NPG * PG, 0, 1 },
	};

	return einval_calls(v, c, sizeof(c) / sizeof(c[0]), msg, len);
}

/* the attribute bits the VM ioctl accepts on a VM of this type */
static int accepted_attrs(struct vctx *v, unsigned long type, long *cap, uint64_t *acc,
			  char *msg, size_t len)
{
	struct vm vm;
	int i, r;

	r = vm_create(&vm, &v->sys, type);
	if (r) {
		snprintf(msg, len, "KVM_CREATE_VM(type %lu): %s", type, strerror(-r));
		return r;
	}
	*cap = kvm_check_cap(vm.fd, KVM_CAP_MEMORY_ATTRIBUTES);
	*acc = 0;
	for (i = 0; i < 64; i++) {
		r = kvm_set_mem_attrs(vm.fd, BASE, PG, 1ULL << i, 0);
		if (!r) {
			*acc |= 1ULL << i;
			r = kvm_set_mem_attrs(vm.fd, BASE, PG, 0, 0);
		} else if (r == -EINVAL) {
			r = 0;
		}
		if (r) {
			snprintf(msg, len, "VM type %lu, attributes 1<<%d: %s (want success or EINVAL)",
				 type, i, strerror(-r));
			break;
		}
	}
	vm_destroy(&vm);
	return r;
}

static enum verdict d_cap_agrees(struct vctx *v, char *msg, size_t len)
{
	long types = kvm_check_cap(v->sys.fd, KVM_CAP_VM_TYPES);
	long sys_cap = kvm_check_cap(v->sys.fd, KVM_CAP_MEMORY_ATTRIBUTES);
	char buf[256] = "";
	size_t n = 0;
	unsigned long t;

	if (types <= 0)
		types = 1L << KVM_X86_DEFAULT_VM;
	for (t = 0; t < 32; t++) {
		uint64_t acc;
		long cap;

		if (!(types & (1L << t)))
			continue;
		if (accepted_attrs(v, t, &cap, &acc, msg, len))
			return V_FAIL;
		if (cap < 0 || (uint64_t)cap != acc)
			return verify_fail(msg, len, "VM type %lu (%s): KVM_CAP_MEMORY_ATTRIBUTES on the VM = 0x%lx, but the ioctl accepts 0x%llx",
					   t, kvm_vm_type_name(t), cap, (unsigned long long)acc);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%stype %lu (%s) 0x%llx",
				      n ? ", " : "", t, kvm_vm_type_name(t),
				      (unsigned long long)acc);
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
	}
	snprintf(msg, len, "each single attribute bit tried on every VM type; cap = accepted: %s; on /dev/kvm the cap is 0x%lx",
		 buf, sys_cap < 0 ? 0 : sys_cap);
	return V_PASS;
}

/* bytes of guest memory mapped in stage 2 (KVM's pages_4k/2m/1g) */
static int mapped_bytes(struct dvm *d, uint64_t *bytes)
{
	static const struct { const char *name; uint64_t size; } lv[] = {
		{ "pages_4k", PG }, { "pages_2m", SZ_2M }, { "pages_1g", 1ULL << 30 },
	};
	uint64_t val;
	size_t i;
	int r;

	*bytes = 0;
	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		r = kvm_stat_read(d->s.vm.fd, lv[i].name, &val);
		if (r)
			return r;
		*bytes += val * lv[i].size;
	}
	return 0;
}

static enum verdict d_noop(struct vctx *v, char *msg, size_t len)
{
	const uint64_t bytes = NPG * PG;
	uint64_t m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
	uint64_t pf_noop_shared = 0, pf_real = 0, pf_noop_priv = 0;
	bool ok, stats;
	struct dvm d;

	if (dvm_open(v, &d, msg, len))
		return V_FAIL;
	memset(d.shared, 0xa5, bytes);
	/* warm up: both guest commands once, so later passes fault on nothing else */
	ok = g_write(&d, BASE, bytes, PG, 0xa5, "shared", msg, len) &&
	     g_expect(&d, BASE, bytes, PG, 0xa5, "shared", msg, len);
	stats = ok && !mapped_bytes(&d, &m0);
	ok = ok && set_attr(&d, BASE, bytes, false, msg, len);		/* no-op */
	stats = stats && !mapped_bytes(&d, &m1);
	ok = ok && g_expect(&d, BASE, bytes, 1, 0xa5, "after shared->shared", msg, len);
	pf_noop_shared = d.last.pf_taken;
	/* control: a real conversion zaps the range and the guest faults again */
	ok = ok && set_attr(&d, BASE, bytes, true, msg, len);
	stats = stats && !mapped_bytes(&d, &m2);
	ok = ok && g_write(&d, BASE, bytes, PG, 0x5c, "private", msg, len);
	pf_real = d.last.pf_taken;
	stats = stats && !mapped_bytes(&d, &m3);
	ok = ok && set_attr(&d, BASE, bytes, true, msg, len);		/* no-op */
	stats = stats && !mapped_bytes(&d, &m4);
	ok = ok && g_expect(&d, BASE, bytes, PG, 0x5c, "after private->private", msg, len);
	pf_noop_priv = d.last.pf_taken;
	dvm_close(&d);
	if (!ok)
		return V_FAIL;
	if (!stats || pf_real == UINT64_MAX) {
		snprintf(msg, len, "contents unchanged by shared->shared and private->private (KVM statistics unavailable: stage-2 effects not measured)");
		return V_PASS;
	}
	if (m1 != m0 || m4 != m3 || pf_noop_shared || pf_noop_priv)
		return verify_fail(msg, len, "a no-op conversion changed stage 2: mapped %llu -> %llu KiB (shared->shared), %llu -> %llu KiB (private->private); guest faults after them %llu and %llu (want 0)",
				   (unsigned long long)m0 >> 10, (unsigned long long)m1 >> 10,
				   (unsigned long long)m3 >> 10, (unsigned long long)m4 >> 10,
				   (unsigned long long)pf_noop_shared,
				   (unsigned long long)pf_noop_priv);
	if (m1 < m2 + bytes || pf_real < NPG)
		return verify_fail(msg, len, "the control is blind: a real to-private unmapped %lld KiB and cost %llu guest faults (want >= %llu KiB and >= %d)",
				   (long long)(m1 - m2) / 1024, (unsigned long long)pf_real,
				   (unsigned long long)bytes >> 10, NPG);
	snprintf(msg, len, "%d pages: shared->shared and private->private left the VM's stage-2 mappings as they were (%llu, %llu KiB) and the guest's next pass took 0 faults; contents unchanged. Control: a real to-private unmapped %llu KiB and cost %llu faults",
		 NPG, (unsigned long long)m1 >> 10, (unsigned long long)m4 >> 10,
		 (unsigned long long)(m1 - m2) >> 10, (unsigned long long)pf_real);
	return V_PASS;
}

/* every check here needs per-VM attributes on a private-memory VM */
#define DUAL(desc, fn, variant)	{ "dual: " desc, NEED_DUAL, fn, variant }

static const struct check dual_checks[] = {
	DUAL("after PRIVATE the guest reads the guest_memfd, not the shared memfd", d_contents, 0),
	DUAL("the guest's private writes land in the guest_memfd, not the shared memfd", d_contents, 1),
	DUAL("back to shared, the guest sees the shared memfd again", d_contents, 2),
	DUAL("after to-private the stale shared memfd is punched and its pages freed", d_punch_shared, 0),
	DUAL("after to-shared the stale guest_memfd is punched and its pages freed", d_punch_gmem, 0),
	DUAL("a private GPA in a slot without guest_memfd exits KVM_EXIT_MEMORY_FAULT (PRIVATE, gpa, size)", d_memory_fault, 0),
	DUAL("one KVM_SET_MEMORY_ATTRIBUTES over a range spanning two memslots", d_two_slots, 0),
	DUAL("an unaligned address or size fails EINVAL", d_einval_unaligned, 0),
	DUAL("size 0 or a wrapping range fails EINVAL", d_einval_size, 0),
	DUAL("an unknown attribute bit fails EINVAL", d_einval_attr, 0),
	DUAL("flags != 0 fails EINVAL", d_einval_flags, 0),
	DUAL("KVM_CAP_MEMORY_ATTRIBUTES of each VM type is exactly what the ioctl accepts", d_cap_agrees, 0),
	DUAL("converting a range to the state it has changes nothing (contents, stage 2)", d_noop, 0),
};

const struct check *verify_dual_checks(size_t *nr)
{
	*nr = sizeof(dual_checks) / sizeof(dual_checks[0]);
	return dual_checks;
}
