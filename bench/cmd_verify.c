// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench verify`: does this kernel's guest_memfd behave as documented
 * (shared/reference/kvm-gmem-uapi.md section 3)? Numbers from a kernel that
 * does not are not worth comparing. Output is TAP 13 as kselftest prints it.
 *
 * Checks of in-place conversion need KVM_SET_MEMORY_ATTRIBUTES2 on a VM
 * type with private memory; without them they are skipped with the inplace
 * backend's probe reason. The dual checks (per-VM attributes, their own
 * group in bench/verify_dual.c) need the VM ioctl on such a VM type and are
 * skipped with the dual backend's probe reason. The stock-kernel (discard
 * tier) checks run for real. Host accesses that may fault are made from a forked child (its
 * termination signal is the verdict) or with process_vm_readv (EFAULT
 * instead of a signal), so a misbehaving kernel cannot kill the verifier.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/cmd.h"
#include "bench/verify.h"
#include "bench/verify_internal.h"
#include "harness/backend.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"
#include "harness/mem_attrs.h"
#include "harness/pin.h"
#include "harness/session.h"

#define PG		4096ULL
#define MSG_LEN		512

enum verdict verify_msg(enum verdict vd, char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return vd;
}

/* ------------------------------------------------------------------ helpers */

/* a VM with one guest_memfd of bytes, mapped when MMAP is in flags */
struct gm {
	struct vm vm;
	int fd;
	unsigned char *map;
	uint64_t bytes;
};

static void gm_close(struct gm *g)
{
	if (g->map)
		munmap(g->map, g->bytes);
	if (g->fd >= 0)
		close(g->fd);
	if (g->vm.fd >= 0 && g->vm.sys)
		vm_destroy(&g->vm);
	g->map = NULL;
	g->fd = -1;
}

/* open g; on failure msg says why and nothing is left open */
static int gm_open(struct vctx *v, struct gm *g, unsigned long type, uint64_t flags,
		   uint64_t bytes, char *msg, size_t len)
{
	int r;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	g->bytes = bytes;
	r = vm_create(&g->vm, &v->sys, type);
	if (r) {
		snprintf(msg, len, "KVM_CREATE_VM(type %lu): %s", type, strerror(-r));
		gm_close(g);
		return r;
	}
	g->fd = gmem_create(&g->vm, bytes, flags);
	if (g->fd < 0) {
		r = g->fd;
		snprintf(msg, len, "KVM_CREATE_GUEST_MEMFD(flags 0x%llx): %s",
			 (unsigned long long)flags, strerror(-r));
		gm_close(g);
		return r;
	}
	if (flags & GUEST_MEMFD_FLAG_MMAP) {
		g->map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
		if (g->map == MAP_FAILED) {
			r = -errno;
			g->map = NULL;
			snprintf(msg, len, "mmap(guest_memfd): %s", strerror(-r));
			gm_close(g);
			return r;
		}
	}
	return 0;
}

/*
 * Touch p from a child: returns the signal that killed it, 0 when the
 * access completed, -1 if the child could not run. The child inherits the
 * MAP_SHARED mapping, so a write lands in the same guest_memfd.
 */
static int child_access(volatile unsigned char *p, bool write, unsigned char val)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		sigset_t set;

		/* the kernel's verdict, not an inherited handler's (e.g. ASan) */
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, SIGBUS);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		setrlimit(RLIMIT_CORE, &no_core);
		if (write)
			*p = val;
		else
			(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* copy from our own address space; -EFAULT instead of SIGBUS */
static int safe_read(const void *p, void *buf, size_t n)
{
	struct iovec local = { buf, n }, remote = { (void *)p, n };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -EFAULT;
}

bool verify_all_bytes(const unsigned char *b, size_t n, unsigned char val)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != val)
			return false;
	return true;
}

/* ------------------------------------------------- guest_memfd, stock kernel */

static enum verdict c_gmem_unknown_flag(struct vctx *v, char *msg, size_t len)
{
	struct gm g;
	long caps;
	uint64_t bit = 0;
	int fd63, fdlow, i;

	if (gm_open(v, &g, KVM_X86_DEFAULT_VM, 0, 1 << 20, msg, len))
		return V_FAIL;
	caps = kvm_check_cap(g.vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	for (i = 0; i < 63; i++)
		if (!((caps < 0 ? 0 : caps) & (1L << i))) {
			bit = 1ULL << i;
			break;
		}
	fdlow = gmem_create(&g.vm, 1 << 20, bit);
	fd63 = gmem_create(&g.vm, 1 << 20, 1ULL << 63);
	if (fdlow >= 0)
		close(fdlow);
	if (fd63 >= 0)
		close(fd63);
	gm_close(&g);
	if (fdlow != -EINVAL || fd63 != -EINVAL)
		return verify_fail(msg, len, "flags 0x%llx -> %s, flags 1<<63 -> %s (want EINVAL both; KVM_CAP_GUEST_MEMFD_FLAGS=0x%lx)",
				   (unsigned long long)bit, fdlow >= 0 ? "success" : strerror(-fdlow),
				   fd63 >= 0 ? "success" : strerror(-fd63), caps);
	snprintf(msg, len, "flags 0x%llx (first bit outside KVM_CAP_GUEST_MEMFD_FLAGS=0x%lx) and 1<<63 -> EINVAL",
		 (unsigned long long)bit, caps);
	return V_PASS;
}

static enum verdict c_memslot2(struct vctx *v, char *msg, size_t len)
{
	struct gm g;
	int r;

	if (gm_open(v, &g, KVM_X86_DEFAULT_VM,
		    GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 2 << 20, msg, len))
		return V_FAIL;
	r = vm_set_memslot(&g.vm, 1, KVM_MEM_GUEST_MEMFD, GMB_DATA_GPA, 2 << 20, g.map, g.fd, 0);
	if (!r)
		r = vm_del_memslot(&g.vm, 1);
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "KVM_SET_USER_MEMORY_REGION2(KVM_MEM_GUEST_MEMFD): %s",
				   strerror(-r));
	return V_PASS;
}

static enum verdict c_init_shared_access(struct vctx *v, char *msg, size_t len)
{
	unsigned char b = 0;
	struct gm g;
	int sig;

	if (gm_open(v, &g, KVM_X86_DEFAULT_VM,
		    GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 1 << 20, msg, len))
		return V_FAIL;
	sig = child_access(g.map + 5 * PG, true, 0x5a);
	if (sig == 0 && safe_read(g.map + 5 * PG, &b, 1))
		sig = -1;
	gm_close(&g);
	if (sig || b != 0x5a)
		return verify_fail(msg, len, "child write %s, parent read back 0x%02x (want 0x5a)",
				   sig > 0 ? strsignal(sig) : sig ? "did not run" : "ok", b);
	return V_PASS;
}

/* v->variant: 0 a read, 1 a write */
static enum verdict mmap_only_access(struct vctx *v, char *msg, size_t len)
{
	bool write = v->variant;
	struct gm g;
	int sig;

	if (gm_open(v, &g, KVM_X86_DEFAULT_VM, GUEST_MEMFD_FLAG_MMAP, 1 << 20, msg, len))
		return V_FAIL;
	sig = child_access(g.map, write, 1);
	gm_close(&g);
	if (sig != SIGBUS)
		return verify_fail(msg, len, "host %s of a never-shared page: %s (want SIGBUS)",
				   write ? "write" : "read",
				   sig > 0 ? strsignal(sig) : sig ? "child failed" : "no fault");
	return V_PASS;
}

static enum verdict c_punch_reads_zero(struct vctx *v, char *msg, size_t len)
{
	static unsigned char buf[16 * PG];
	struct gm g;
	int r;

	if (gm_open(v, &g, KVM_X86_DEFAULT_VM,
		    GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 1 << 20, msg, len))
		return V_FAIL;
	memset(g.map + 16 * PG, 0xa5, sizeof(buf));
	r = fd_punch_hole(g.fd, 16 * PG, sizeof(buf));
	if (!r)
		r = safe_read(g.map + 16 * PG, buf, sizeof(buf));
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "punch/read back: %s", strerror(-r));
	if (!verify_all_bytes(buf, sizeof(buf), 0))
		return verify_fail(msg, len, "punched pages do not read back zero");
	snprintf(msg, len, "16 pages written 0xa5, punched, read back zero");
	return V_PASS;
}

/* pin one page with ops, punch it: the pin keeps the old page */
/* v->variant: the pin, 0 vmsplice, 1 io_uring, 2 gup_test */
static enum verdict pin_survives_punch(struct vctx *v, char *msg, size_t len)
{
	static const struct pin_ops *const pins[] = {
		&pin_vmsplice, &pin_iouring, &pin_gup_test,
	};
	const struct pin_ops *ops = pins[v->variant];
	static unsigned char held[PG], now[PG];
	uint64_t page = 3, pfn_before = 0, pfn_after = 0;
	char why[384] = "";
	struct pin_set ps;
	enum verdict ret = V_PASS;
	struct gm g;
	int r;

	r = ops->probe(why, sizeof(why));
	if (r)
		return verify_skip(msg, len, "%s", why);
	if (gm_open(v, &g, KVM_X86_DEFAULT_VM,
		    GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 1 << 20, msg, len))
		return V_FAIL;
	memset(g.map + page * PG, 0xc3, PG);
	pin_pagemap_pfn(g.map + page * PG, &pfn_before);
	r = pin_set_init(&ps, ops, g.map, &page, 1);
	if (r) {
		gm_close(&g);
		return verify_fail(msg, len, "pin set: %s", strerror(-r));
	}
	r = pin_set_pin(&ps, why, sizeof(why));
	if (r) {
		ret = verify_fail(msg, len, "%s", why);
		goto out;
	}
	r = fd_punch_hole(g.fd, 0, 1 << 20);
	if (r) {
		ret = verify_fail(msg, len, "punch with a %s pin held: %s", ops->name, strerror(-r));
		goto out;
	}
	r = safe_read(g.map + page * PG, now, PG);
	pin_pagemap_pfn(g.map + page * PG, &pfn_after);
	if (!r)
		r = pin_set_read_back(&ps, held);
	if (r)
		ret = verify_fail(msg, len, "read back: %s", strerror(-r));
	else if (!verify_all_bytes(held, PG, 0xc3))
		ret = verify_fail(msg, len, "the %s pin no longer yields the old data", ops->name);
	else if (!verify_all_bytes(now, PG, 0))
		ret = verify_fail(msg, len, "the mapping does not read zero after the punch");
	else if (pfn_before && pfn_before == pfn_after)
		ret = verify_fail(msg, len, "the mapping still shows the pinned PFN 0x%llx",
				  (unsigned long long)pfn_before);
	else
		snprintf(msg, len, "pin yields 0xc3, mapping reads 0, PFN 0x%llx -> 0x%llx (no EAGAIN exists on a punch)",
			 (unsigned long long)pfn_before, (unsigned long long)pfn_after);
out:
	pin_set_destroy(&ps);
	gm_close(&g);
	return ret;
}

/* ---- the guest's view after a punch (runs the built-in guest program) ---- */

struct touch_arg {
	uint8_t pattern;
	char why[256];
};

static int guest_touch_once(struct session *s, unsigned int idx, void *arg)
{
	struct touch_arg *ta = arg;
	struct vcpu *vc = &s->vcpus[idx];
	struct guest_req req;
	int r;

	r = vcpu_reset_regs(vc);
	if (r)
		return r;
	vcpu_mailbox_setup(vc, GUEST_CMD_TOUCH_ONCE, session_region_gpa(s, idx),
			   s->region_bytes, PG, 1, ta->pattern, CHANNEL_PIO);
	r = vcpu_next_request(vc, &req, ta->why, sizeof(ta->why));
	if (!r && req.op != REQ_DONE) {
		snprintf(ta->why, sizeof(ta->why), "unexpected guest request %d", req.op);
		r = -EPROTO;
	}
	return r;
}

static int run_touch(struct session *s, uint8_t pattern, char *msg, size_t len)
{
	struct touch_arg ta = { .pattern = pattern };
	int ret_thread = 0;
	struct session_threads t = {
		.nr_threads = 1,
		.fn = guest_touch_once,
		.arg = &ta,
		.timeout_ns = 20ULL * 1000000000ULL,
		.thread_ret = &ret_thread,
	};
	int r = session_run_threads(s, &t);

	if (r)
		snprintf(msg, len, "guest TOUCH_ONCE: %s", ta.why[0] ? ta.why : strerror(-r));
	return r;
}

static enum verdict c_guest_after_punch(struct vctx *v, char *msg, size_t len)
{
	struct session_cfg sc = {
		.backend = &backend_discard,
		.vm_type = KVM_X86_DEFAULT_VM,
		.nr_vcpus = 1,
		.region_bytes = 16 * PG,
		.channel = CHANNEL_PIO,
	};
	unsigned long type;
	struct session s;
	unsigned char *hva;
	char why[512] = "";
	uint64_t k;
	enum verdict ret = V_PASS;
	int r;

	if (backend_discard.probe(&v->sys, &type, why, sizeof(why)))
		return verify_skip(msg, len, "discard backend: %s", why);
	r = session_create(&s, &v->sys, &sc, why, sizeof(why));
	if (r)
		return verify_fail(msg, len, "session: %s", why);
	hva = session_data_hva(&s, session_region_gpa(&s, 0));
	memset(hva, 0xa5, sc.region_bytes);
	if (run_touch(&s, 0x11, msg, len)) {
		ret = V_FAIL;
		goto out;
	}
	/* the guest wrote byte 0 of every page into the host's shared page */
	for (k = 0; k < 16; k++)
		if (hva[k * PG] != 0x11 || hva[k * PG + 1] != 0xa5) {
			ret = verify_fail(msg, len, "before the punch, page %llu holds 0x%02x 0x%02x (want 0x11 0xa5)",
					  (unsigned long long)k, hva[k * PG], hva[k * PG + 1]);
			goto out;
		}
	r = fd_punch_hole(s.mem.gmem_fd, s.mem.gmem_offset, sc.region_bytes);
	if (r) {
		ret = verify_fail(msg, len, "punch: %s", strerror(-r));
		goto out;
	}
	if (run_touch(&s, 0x22, msg, len)) {
		ret = V_FAIL;
		goto out;
	}
	/*
	 * A stale guest mapping would have written into the freed page and the
	 * host would see a zero byte 0; a fresh page shows the guest's byte on
	 * an otherwise zero page.
	 */
	for (k = 0; k < 16; k++)
		if (hva[k * PG] != 0x22 || !verify_all_bytes(hva + k * PG + 1, PG - 1, 0)) {
			ret = verify_fail(msg, len, "after the punch, page %llu: byte 0 = 0x%02x (want 0x22), rest %s",
					  (unsigned long long)k, hva[k * PG],
					  verify_all_bytes(hva + k * PG + 1, PG - 1, 0) ? "zero" : "NOT zero");
			goto out;
		}
	snprintf(msg, len, "16 pages: the guest's write after the punch landed in a fresh zero page the host sees");
out:
	session_destroy(&s);
	return ret;
}

/* ------------------------------------------------------------ attribute mode */

struct mode_obs {
	bool gmem_ioctl, vm_ioctl;
	long cap_attrs;
};

static int observe_mode(struct vctx *v, struct mode_obs *o, char *msg, size_t len)
{
	struct gm g;
	int r;

	r = gm_open(v, &g, v->have_inplace ? v->priv_type : KVM_X86_DEFAULT_VM, 0, 1 << 20,
		    msg, len);
	if (!r) {
		o->gmem_ioctl = gmem_attrs2_probe(g.fd) == GMEM_ATTRS2_PRESENT;
		o->vm_ioctl = kvm_vm_attrs_ioctl_answers(g.vm.fd);
		o->cap_attrs = kvm_check_cap(v->sys.fd, KVM_CAP_MEMORY_ATTRIBUTES);
	}
	gm_close(&g);
	return r;
}

static enum verdict c_mode_exclusive(struct vctx *v, char *msg, size_t len)
{
	struct mode_obs o;

	if (observe_mode(v, &o, msg, len))
		return V_FAIL;
	if (o.gmem_ioctl && o.vm_ioctl)
		return verify_fail(msg, len, "both KVM_SET_MEMORY_ATTRIBUTES (VM) and KVM_SET_MEMORY_ATTRIBUTES2 (guest_memfd) answer; one kvm.ko tracks attributes one way only");
	snprintf(msg, len, "VM ioctl %s, guest_memfd ioctl %s",
		 o.vm_ioctl ? "present" : "ENOTTY", o.gmem_ioctl ? "present" : "ENOTTY");
	return V_PASS;
}

static enum verdict c_mode_cap(struct vctx *v, char *msg, size_t len)
{
	struct mode_obs o;

	if (observe_mode(v, &o, msg, len))
		return V_FAIL;
	/* on /dev/kvm the cap is PRIVATE exactly when per-VM attributes exist */
	if ((o.cap_attrs > 0) != o.vm_ioctl)
		return verify_fail(msg, len, "KVM_CAP_MEMORY_ATTRIBUTES=0x%lx but the VM ioctl %s",
				   o.cap_attrs, o.vm_ioctl ? "answers" : "is ENOTTY");
	snprintf(msg, len, "KVM_CAP_MEMORY_ATTRIBUTES=0x%lx, VM ioctl %s",
		 o.cap_attrs < 0 ? 0 : o.cap_attrs, o.vm_ioctl ? "present" : "ENOTTY");
	return V_PASS;
}

static int read_param(const char *path, char *val, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(val, (int)len, f))
		val[0] = 0;
	fclose(f);
	val[strcspn(val, "\n")] = 0;
	return 0;
}

static enum verdict c_mode_param(struct vctx *v, char *msg, size_t len)
{
	char val[16] = "";
	struct mode_obs o;
	bool on, want_gmem;
	const char *name;

	if (!read_param(GMB_PARAM_INPLACE, val, sizeof(val))) {
		name = "gmem_in_place_conversion";
		on = val[0] == 'Y' || val[0] == '1';
		want_gmem = on;
	} else if (!read_param(GMB_PARAM_VM_ATTRS, val, sizeof(val))) {
		name = "vm_memory_attributes";
		on = val[0] == 'Y' || val[0] == '1';
		want_gmem = !on;
	} else {
		return verify_skip(msg, len, "no attribute-mode module parameter (%s and %s absent): kvm.ko predates the in-place conversion series",
				   GMB_PARAM_INPLACE, GMB_PARAM_VM_ATTRS);
	}
	if (observe_mode(v, &o, msg, len))
		return V_FAIL;
	if (o.gmem_ioctl != want_gmem || (want_gmem && o.vm_ioctl))
		return verify_fail(msg, len, "kvm.%s=%s but the guest_memfd ioctl %s and the VM ioctl %s",
				   name, val, o.gmem_ioctl ? "answers" : "is ENOTTY",
				   o.vm_ioctl ? "answers" : "is ENOTTY");
	snprintf(msg, len, "kvm.%s=%s", name, val);
	return V_PASS;
}

/* ------------------------------------------------------- in-place conversion */

static int ip_open(struct vctx *v, struct gm *g, uint64_t pages, char *msg, size_t len)
{
	return gm_open(v, g, v->priv_type,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, pages * PG, msg, len);
}

/* v->variant: 0 a read, 1 a write */
static enum verdict private_access(struct vctx *v, char *msg, size_t len)
{
	bool write = v->variant;
	struct gm g;
	int r, sig;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	g.map[0] = 0x41;
	r = gmem_set_mem_attrs2(g.fd, 0, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	sig = r ? -1 : child_access(g.map, write, 0x42);
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "to-private: %s", strerror(-r));
	if (sig != SIGBUS)
		return verify_fail(msg, len, "host %s of a private page: %s (want SIGBUS)",
				   write ? "write" : "read", sig > 0 ? strsignal(sig) : "no fault");
	return V_PASS;
}

/* to-private of 4 pages with page 2 pinned by vmsplice */
/* v->variant: 0 with the pin held, 1 after it is released */
static enum verdict pinned_conversion(struct vctx *v, char *msg, size_t len)
{
	bool after_unpin = v->variant;
	uint64_t page = 2, eoff = UINT64_MAX;
	enum verdict ret = V_PASS;
	char why[256] = "";
	struct pin_set ps;
	struct gm g;
	int r, tries;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	memset(g.map, 0x33, 4 * PG);
	if (pin_set_init(&ps, &pin_vmsplice, g.map, &page, 1) ||
	    pin_set_pin(&ps, why, sizeof(why))) {
		gm_close(&g);
		return verify_fail(msg, len, "vmsplice pin: %s", why);
	}
	r = gmem_set_mem_attrs2(g.fd, 0, 4 * PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, &eoff);
	if (!after_unpin) {
		if (r != -EAGAIN)
			ret = verify_fail(msg, len, "to-private with page 2 pinned: %s (want EAGAIN)",
					  r ? strerror(-r) : "success");
		else if (eoff != 2 * PG)
			ret = verify_fail(msg, len, "EAGAIN with error_offset 0x%llx (want 0x%llx, the pinned page)",
					  (unsigned long long)eoff, 2 * PG);
		goto out;
	}
	pin_set_unpin(&ps);
	/* per-CPU LRU batches can hold a transient reference: a few retries */
	for (tries = 0; tries < 100; tries++) {
		r = gmem_set_mem_attrs2(g.fd, 0, 4 * PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
		if (r != -EAGAIN)
			break;
		usleep(1000);
	}
	if (r)
		ret = verify_fail(msg, len, "to-private after unpin: %s", strerror(-r));
	else
		snprintf(msg, len, "succeeded after %d EAGAIN retries", tries);
out:
	pin_set_destroy(&ps);
	gm_close(&g);
	return ret;
}

static enum verdict c_ip_contents(struct vctx *v, char *msg, size_t len)
{
	static unsigned char buf[PG];
	struct gm g;
	int r;

	if (v->priv_type != KVM_X86_SW_PROTECTED_VM)
		return verify_skip(msg, len, "contents are only specified for KVM_X86_SW_PROTECTED_VM (type %lu here)",
				   v->priv_type);
	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	memset(g.map, 0x41, PG);
	r = gmem_set_mem_attrs2(g.fd, 0, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	if (!r)
		r = gmem_set_mem_attrs2(g.fd, 0, PG, 0, NULL);
	if (!r)
		r = safe_read(g.map, buf, PG);
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "round trip: %s", strerror(-r));
	if (!verify_all_bytes(buf, PG, 0x41))
		return verify_fail(msg, len, "'A' written while shared did not survive shared->private->shared");
	return V_PASS;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static enum verdict c_ip_early_cheaper(struct vctx *v, char *msg, size_t len)
{
	enum { N = 31 };
	uint64_t noop[N], real[N], t0;
	struct gm g;
	int i, r = 0;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	for (i = 0; i < N && !r; i++) {
		g.map[0] = 1;
		t0 = now_ns();
		r = gmem_set_mem_attrs2(g.fd, 0, PG, 0, NULL);		/* already shared */
		noop[i] = now_ns() - t0;
		if (r)
			break;
		t0 = now_ns();
		r = gmem_set_mem_attrs2(g.fd, 0, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
		real[i] = now_ns() - t0;
		if (!r)
			r = gmem_set_mem_attrs2(g.fd, 0, PG, 0, NULL);
	}
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "conversion: %s", strerror(-r));
	qsort(noop, N, sizeof(noop[0]), cmp_u64);
	qsort(real, N, sizeof(real[0]), cmp_u64);
	/* "much cheaper": no unmap, no invalidation, no refcount scan */
	if (noop[N / 2] * 2 > real[N / 2])
		return verify_fail(msg, len, "shared->shared median %llu ns vs real to-private %llu ns (want < half)",
				   (unsigned long long)noop[N / 2], (unsigned long long)real[N / 2]);
	snprintf(msg, len, "median shared->shared %llu ns, shared->private %llu ns",
		 (unsigned long long)noop[N / 2], (unsigned long long)real[N / 2]);
	return V_PASS;
}

static enum verdict c_ip_early_no_zap(struct vctx *v, char *msg, size_t len)
{
	uint64_t before = 0, after = 0;
	struct gm g;
	int r;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	g.map[0] = 7;		/* mapped: a PTE exists */
	pin_pagemap_pfn(g.map, &before);
	r = gmem_set_mem_attrs2(g.fd, 0, 4 * PG, 0, NULL);
	pin_pagemap_pfn(g.map, &after);
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "shared->shared: %s", strerror(-r));
	if (!before)
		return verify_fail(msg, len, "the touched page is not mapped (pagemap)");
	if (after != before)
		return verify_fail(msg, len, "shared->shared zapped the host mapping (PFN 0x%llx -> 0x%llx)",
				   (unsigned long long)before, (unsigned long long)after);
	return V_PASS;
}

static enum verdict c_ip_punch_keeps(struct vctx *v, char *msg, size_t len)
{
	struct gm g;
	int r, sig = -1;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	g.map[0] = 1;
	r = gmem_set_mem_attrs2(g.fd, 0, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	if (!r)
		r = fd_punch_hole(g.fd, 0, PG);
	if (!r)
		sig = child_access(g.map, false, 0);
	gm_close(&g);
	if (r)
		return verify_fail(msg, len, "to-private + punch: %s", strerror(-r));
	if (sig != SIGBUS)
		return verify_fail(msg, len, "punched private page: host read %s (want SIGBUS: still private)",
				   sig > 0 ? strsignal(sig) : "did not fault");
	return V_PASS;
}

/*
 * v->variant: the argument that is wrong, 0 size 0, 1 an unaligned offset,
 * 2 flags, 3 reserved[0]
 */
static enum verdict invalid_arg(struct vctx *v, char *msg, size_t len)
{
	static const struct kvm_memory_attributes2 bad[] = {
		{ .size = 0 },
		{ .offset = 1, .size = PG },
		{ .size = PG, .flags = 1 },
		{ .size = PG, .reserved = { 1 } },
	};
	struct kvm_memory_attributes2 a = bad[v->variant];
	struct gm g;
	int r;

	if (ip_open(v, &g, 4, msg, len))
		return V_FAIL;
	r = gmem_set_mem_attrs2_raw(g.fd, &a);
	gm_close(&g);
	if (r != -EINVAL)
		return verify_fail(msg, len, "offset 0x%llx size 0x%llx flags 0x%llx reserved[0] 0x%llx -> %s (want EINVAL)",
				   (unsigned long long)a.offset, (unsigned long long)a.size,
				   (unsigned long long)a.flags,
				   (unsigned long long)a.reserved[0],
				   r ? strerror(-r) : "success");
	return V_PASS;
}


/* ------------------------------------------------------------------- driver */

static const struct check checks[] = {
	{ "guest_memfd: KVM_CREATE_GUEST_MEMFD with an unknown flag fails EINVAL", NEED_KVM, c_gmem_unknown_flag, 0 },
	{ "guest_memfd: KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD works", NEED_KVM, c_memslot2, 0 },
	{ "guest_memfd: INIT_SHARED memory is host-accessible through mmap", NEED_KVM, c_init_shared_access, 0 },
	{ "guest_memfd: MMAP without INIT_SHARED: host read raises SIGBUS", NEED_KVM, mmap_only_access, 0 },
	{ "guest_memfd: MMAP without INIT_SHARED: host write raises SIGBUS", NEED_KVM, mmap_only_access, 1 },
	{ "discard: punched pages read back zero through the mmap", NEED_KVM, c_punch_reads_zero, 0 },
	{ "discard: a vmsplice pin keeps the old page alive across a punch", NEED_KVM, pin_survives_punch, 0 },
	{ "discard: an io_uring registered buffer keeps the old page alive across a punch", NEED_KVM, pin_survives_punch, 1 },
	{ "discard: a gup_test long-term pin keeps the old page alive across a punch", NEED_KVM, pin_survives_punch, 2 },
	{ "discard: after a punch the guest's next write lands in a fresh zero page", NEED_KVM, c_guest_after_punch, 0 },
	{ "mode: at most one of the VM and guest_memfd attribute ioctls answers", NEED_KVM, c_mode_exclusive, 0 },
	{ "mode: KVM_CAP_MEMORY_ATTRIBUTES agrees with the VM attribute ioctl", NEED_KVM, c_mode_cap, 0 },
	{ "mode: the kvm.ko attribute-mode parameter agrees with the ioctls", NEED_KVM, c_mode_param, 0 },
	{ "inplace: host read of a private page raises SIGBUS", NEED_INPLACE, private_access, 0 },
	{ "inplace: host write of a private page raises SIGBUS", NEED_INPLACE, private_access, 1 },
	{ "inplace: to-private with a pinned page fails EAGAIN, error_offset at that page", NEED_INPLACE, pinned_conversion, 0 },
	{ "inplace: to-private succeeds after the pin is released", NEED_INPLACE, pinned_conversion, 1 },
	{ "inplace: contents survive shared->private->shared (SW_PROTECTED_VM)", NEED_INPLACE, c_ip_contents, 0 },
	{ "inplace: an already-shared range converted to shared returns early (cheaper)", NEED_INPLACE, c_ip_early_cheaper, 0 },
	{ "inplace: an already-in-state conversion does not zap the host mapping", NEED_INPLACE, c_ip_early_no_zap, 0 },
	{ "inplace: a punch keeps the private attribute (host read still SIGBUS)", NEED_INPLACE, c_ip_punch_keeps, 0 },
	{ "inplace: size 0 fails EINVAL", NEED_INPLACE, invalid_arg, 0 },
	{ "inplace: an unaligned offset fails EINVAL", NEED_INPLACE, invalid_arg, 1 },
	{ "inplace: flags != 0 fails EINVAL", NEED_INPLACE, invalid_arg, 2 },
	{ "inplace: reserved != 0 fails EINVAL", NEED_INPLACE, invalid_arg, 3 },
};

static const struct check *base_checks(size_t *nr)
{
	*nr = sizeof(checks) / sizeof(checks[0]);
	return checks;
}

/* the groups of checks, numbered in this order */
static const struct check *(*const groups[])(size_t *nr) = {
	base_checks,
	verify_dual_checks,
};

#define NR_GROUPS (sizeof(groups) / sizeof(groups[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: gmembench verify [-h]\n\n"
		"Check that this kernel's guest_memfd behaves as documented. TAP 13 on\n"
		"stdout; exit 0 all passed/skipped, 1 any failure, 4 everything skipped.\n");
}

/* keep TAP lines single-line */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '#')
			*s = *s == '#' ? '_' : ' ';
}

/* the TAP line of check n, after its "# " comment */
static void print_result(unsigned int n, const char *desc, enum verdict vd, char *msg)
{
	one_line(msg);
	switch (vd) {
	case V_PASS:
		if (msg[0])
			printf("# %s\n", msg);
		printf("ok %u - %s\n", n, desc);
		break;
	case V_FAIL:
		printf("# %s\n", msg[0] ? msg : "failed");
		printf("not ok %u - %s\n", n, desc);
		break;
	case V_SKIP:
		printf("ok %u - %s # SKIP %s\n", n, desc, msg[0] ? msg : "not applicable on this host");
		break;
	}
	fflush(stdout);
}

static enum verdict run_check(struct vctx *v, const struct check *ck, char *msg, size_t len)
{
	if (!v->have_kvm)
		return verify_skip(msg, len, "%s", v->kvm_why);
	if ((ck->needs & NEED_INPLACE) && !v->have_inplace)
		return verify_skip(msg, len, "needs in-place conversion: %s", v->inplace_why);
	if ((ck->needs & NEED_DUAL) && !v->have_dual)
		return verify_skip(msg, len, "needs per-VM attributes on a VM type with private memory: %s",
				   v->dual_why);
	v->variant = ck->variant;
	return ck->fn(v, msg, len);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int n = 0, count[3] = { 0 };
	size_t g, i, nr, total = 0;
	struct vctx v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		gmb_err("verify: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	memset(&v, 0, sizeof(v));
	v.have_kvm = kvm_sys_open(&v.sys, v.kvm_why, sizeof(v.kvm_why)) == 0;
	if (v.have_kvm) {
		v.have_inplace = backend_inplace.probe(&v.sys, &v.priv_type, v.inplace_why,
						       sizeof(v.inplace_why)) == 0;
		v.have_dual = backend_dual.probe(&v.sys, &v.dual_type, v.dual_why,
						 sizeof(v.dual_why)) == 0;
	} else {
		v.sys.fd = -1;
	}
	for (g = 0; g < NR_GROUPS; g++) {
		groups[g](&nr);
		total += nr;
	}
	printf("TAP version 13\n1..%zu\n", total);
	fflush(stdout);
	for (g = 0; g < NR_GROUPS; g++) {
		const struct check *group = groups[g](&nr);

		for (i = 0; i < nr; i++) {
			const struct check *ck = &group[i];
			char msg[MSG_LEN] = "";
			enum verdict vd = run_check(&v, ck, msg, sizeof(msg));

			count[vd]++;
			print_result(++n, ck->desc, vd, msg);
		}
	}
	printf("# Totals: pass:%u fail:%u skip:%u\n", count[V_PASS], count[V_FAIL],
	       count[V_SKIP]);
	if (v.have_kvm)
		kvm_sys_close(&v.sys);
	if (count[V_FAIL])
		return 1;
	return count[V_PASS] ? 0 : EXIT_SKIP;
}
