// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the host-driven conversion workloads.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/parse.h"
#include "harness/clock.h"
#include "harness/convert.h"
#include "harness/guest_abi.h"
#include "workloads/wl_conv_util.h"

#define SZ_2M	(2ULL << 20)

static uint64_t align_2m(uint64_t v)
{
	return (v + SZ_2M - 1) & ~(SZ_2M - 1);
}

int wlc_threads_init(struct wlc_threads *t, struct wl_ctx *c, unsigned int nr_threads)
{
	unsigned int i, nr_vcpus = c->sess.nr_vcpus;

	memset(t, 0, sizeof(*t));
	t->c = c;
	t->nr_threads = nr_threads;
	t->parts = calloc(nr_threads, sizeof(*t->parts));
	t->cpus = calloc(nr_threads, sizeof(*t->cpus));
	t->rets = calloc(nr_threads, sizeof(*t->rets));
	if (!t->parts || !t->cpus || !t->rets) {
		wlc_threads_fini(t);
		return -ENOMEM;
	}
	/* every histogram is allocated here, none in a timed loop */
	for (i = 0; i < nr_threads; i++) {
		if (cell_result_init(&t->parts[i], NULL, c->cfg->wl->metrics)) {
			wlc_threads_fini(t);
			return -ENOMEM;
		}
	}
	/*
	 * The runner plans one PU per vCPU and one per converter; harness
	 * threads beyond one per vCPU share the converter PUs round-robin.
	 */
	for (i = 0; i < nr_threads; i++) {
		unsigned int p = i < nr_vcpus ? i : nr_vcpus + (i - nr_vcpus) % nr_vcpus;

		t->cpus[i] = c->cpu_plan && p < c->nr_plan ? c->cpu_plan[p] : -1;
	}
	return 0;
}

void wlc_threads_fini(struct wlc_threads *t)
{
	unsigned int i;

	if (t->c && t->c->sess.wedged)
		return;

	if (t->parts)
		for (i = 0; i < t->nr_threads; i++)
			cell_result_free(&t->parts[i]);
	free(t->parts);
	free(t->cpus);
	free(t->rets);
	t->parts = NULL;
	t->cpus = NULL;
	t->rets = NULL;
}

void wlc_set_why(struct wlc_threads *t, const char *fmt, ...)
{
	va_list ap;

	__atomic_store_n(&t->failed, 1, __ATOMIC_SEQ_CST);
	/* first error wins; threads race benignly on a diagnostic string */
	if (t->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

uint64_t wlc_timeout_ns(const struct wl_ctx *c)
{
	uint64_t now;

	if (!c->deadline_ns)
		return c->cfg->timeout_ns;
	now = now_ns();
	/* spent already: the supervisor times the threads out at once */
	return now < c->deadline_ns ? c->deadline_ns - now : 1;
}

int wlc_guest_start(struct vcpu *v, unsigned int cmd, uint64_t gpa, uint64_t bytes,
		    uint64_t step, uint64_t passes, uint8_t pattern,
		    enum guest_channel channel)
{
	int r = vcpu_reset_regs(v);

	if (!r)
		vcpu_mailbox_setup(v, cmd, gpa, bytes, step, passes, pattern, channel);
	return r;
}

int wlc_guest_done(struct wlc_threads *t, struct vcpu *v, struct guest_req *req,
		   const char *what)
{
	char why[512];
	int r;

	r = vcpu_next_request(v, req, why, sizeof(why));
	if (r) {
		if (r != -EINTR)
			wlc_set_why(t, "%s, vCPU %u: %s", what, v->id, why);
		return r;
	}
	if (req->op != REQ_DONE) {
		wlc_set_why(t, "%s, vCPU %u: unexpected guest request op %d", what, v->id, req->op);
		return -EPROTO;
	}
	return 0;
}

int wlc_threads_exec(struct wlc_threads *t, session_thread_fn fn, void *arg)
{
	struct wl_ctx *c = t->c;
	struct session_threads st = {
		.nr_threads = t->nr_threads,
		.fn = fn,
		.arg = arg,
		.topo = c->topo,
		.cpu_plan = c->cpu_plan ? t->cpus : NULL,
		.timeout_ns = wlc_timeout_ns(c),
		.stall_ns = c->cfg->stall_ns,
		.stop = c->stop,
		.thread_ret = t->rets,
		.thread_cpu = t->thread_cpu,
		.diag = t->diag,
		.diag_len = sizeof(t->diag),
	};

	session_memory_faults(&c->sess, &t->mf_before[0], &t->mf_before[1]);
	return session_run_threads(&c->sess, &st);
}

int wlc_threads_merge(struct wlc_threads *t, struct cell_result *r, int ret)
{
	const struct session *s = &t->c->sess;
	uint64_t mf_private, mf_shared;
	unsigned int i;

	/* a failure to record stays in r->rec_err: cell_result_check */
	for (i = 0; i < t->nr_threads; i++)
		cell_result_merge(r, &t->parts[i]);
	/* races between guest faults and conversions, counted, never errors */
	if (s->vm.type != KVM_X86_DEFAULT_VM && s->vcpus) {
		session_memory_faults(s, &mf_private, &mf_shared);
		cell_extra_set(r, "memory_fault_to_private_count",
			       (double)(mf_private - t->mf_before[0]));
		cell_extra_set(r, "memory_fault_to_shared_count",
			       (double)(mf_shared - t->mf_before[1]));
	}
	return ret;
}

void wlc_threads_status(const struct wlc_threads *t, struct cell_result *r, int ret)
{
	const struct run_cfg *cfg = t->c->cfg;
	const char *sep = t->diag[0] ? "; " : "";

	if (ret == -EINTR)
		cell_set_status(r, CELL_INTERRUPTED, "interrupted by signal%s%s", sep, t->diag);
	else if (ret == -ETIMEDOUT)
		cell_set_status(r, CELL_TIMEOUT, "cell exceeded --timeout (%.0f s)%s%s%s%s",
				cfg->timeout_ns / 1e9, t->why[0] ? ": " : "", t->why,
				t->diag[0] ? "; at the timeout: " : "", t->diag);
	else if (ret)
		cell_set_status(r, CELL_ERROR, "%s%s%s", t->why[0] ? t->why : strerror(-ret),
				sep, t->diag);
}

int wlc_threads_run(struct wlc_threads *t, session_thread_fn fn, void *arg,
		    struct cell_result *r)
{
	int ret;

	ret = wlc_threads_exec(t, fn, arg);
	ret = wlc_threads_merge(t, r, ret);
	wlc_threads_status(t, r, ret);
	wlc_threads_fini(t);
	return ret;
}

void wlc_record_conversion_times(struct cell_result *p, bool to_private,
				 uint64_t bytes, const struct conv_result *cr)
{
	cell_record(p, MET_CONVERT_NS, cr->total_ns);
	cell_record(p, to_private ? MET_TO_PRIVATE_NS : MET_TO_SHARED_NS, cr->total_ns);
	if (cr->attr_ns)
		cell_record(p, MET_ATTR_IOCTL_NS, cr->attr_ns);
	if (cr->punch_ns)
		cell_record(p, MET_PUNCH_NS, cr->punch_ns);
	if (cr->retry_wait_ns)
		cell_record(p, MET_RETRY_WAIT_NS, cr->retry_wait_ns);
	p->ctr.conversions++;
	p->ctr.bytes_converted += bytes;
}

void wlc_record_conversion(struct cell_result *p, bool to_private,
			   uint64_t bytes, const struct conv_result *cr)
{
	wlc_record_conversion_times(p, to_private, bytes, cr);
	if (cr->retry_to_success_ns)
		cell_record(p, MET_RETRY_TO_SUCCESS_NS, cr->retry_to_success_ns);
	p->ctr.eagain_total += cr->eagain;
	p->ctr.retries_total += cr->retries;
}

int wlc_convert_raw(struct session *s, struct conv_mem *m, uint64_t gpa, uint64_t bytes,
		    bool to_private, struct conv_result *cr)
{
	return conv_convert(s->be, m, gpa, bytes, to_private, &s->policy, cr);
}

int wlc_convert(struct wlc_threads *t, struct session *s, struct conv_mem *m,
		struct cell_result *p, uint64_t gpa, uint64_t bytes, bool to_private)
{
	struct conv_result cr;
	int r;

	r = wlc_convert_raw(s, m, gpa, bytes, to_private, &cr);
	if (r) {
		wlc_set_why(t, "%s conversion to %s of %llu bytes at gpa 0x%llx: %s",
			    s->be->name, to_private ? "private" : "shared",
			    (unsigned long long)bytes, (unsigned long long)gpa,
			    strerror(-r));
		return r;
	}
	wlc_record_conversion(p, to_private, bytes, &cr);
	return 0;
}

int wlc_punch_all(struct conv_mem *m, uint64_t gpa, uint64_t bytes)
{
	uint64_t off = gpa - m->gpa;
	int r;

	r = fd_punch_hole(m->gmem_fd, m->gmem_offset + off, bytes);
	if (!r && m->shared_fd >= 0)
		r = fd_punch_hole(m->shared_fd, off, bytes);
	return r;
}

void *wlc_mem_hva(const struct conv_mem *m, uint64_t gpa)
{
	char *base = m->gmem_map ? m->gmem_map : m->shared_map;

	if (!base || gpa < m->gpa || gpa >= m->gpa + m->bytes)
		return NULL;
	return base + (gpa - m->gpa);
}

long wlc_resident_pages(const struct conv_mem *m, uint64_t gpa, uint64_t bytes,
			unsigned char *vec)
{
	void *hva = wlc_mem_hva(m, gpa);
	uint64_t i, n = bytes / GMB_PAGE_SIZE;
	long present = 0;

	if (!hva)
		return -ENODEV;
	if (mincore(hva, bytes, vec) < 0)
		return -errno;
	for (i = 0; i < n; i++)
		present += vec[i] & 1;
	return present;
}

int wlc_extra_mem_create(struct session *s, unsigned int idx, uint64_t bytes,
			 struct conv_mem *m, char *why, size_t whylen)
{
	uint64_t base = align_2m(s->mem.gpa + s->mem.bytes);
	uint64_t gpa = base + (uint64_t)idx * align_2m(bytes);
	int r;

	conv_mem_init(m, SESSION_DATA_SLOT + 1 + idx, gpa, bytes);
	r = s->be->setup(&s->vm, m);
	if (r)
		snprintf(why, whylen, "%s backend: extra memslot %u (%llu bytes at gpa 0x%llx): %s",
			 s->be->name, m->slot, (unsigned long long)bytes,
			 (unsigned long long)gpa, strerror(-r));
	return r;
}

void wlc_extra_mem_destroy(struct session *s, struct conv_mem *m)
{
	/* a slot whose setup failed has no fd and no memslot left */
	if (m->gmem_fd < 0 && m->shared_fd < 0)
		return;
	(void)vm_del_memslot(&s->vm, m->slot);
	s->be->teardown(m);
}

void wlc_session_cfg(const struct wl_ctx *c, enum guest_channel channel,
		     enum mf_policy mf_policy, struct session_cfg *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->backend = c->backend;
	sc->vm_type = c->vm_type;
	sc->nr_vcpus = c->cfg->vcpus;
	sc->region_bytes = c->cfg->region_bytes;
	sc->channel = channel;
	sc->policy = c->cfg->policy;
	sc->mf_policy = mf_policy;
}

int wlc_session_create(struct wl_ctx *c, enum guest_channel channel,
		       enum mf_policy mf_policy, char *why, size_t whylen)
{
	struct session_cfg sc;

	wlc_session_cfg(c, channel, mf_policy, &sc);
	return session_create(&c->sess, c->sys, &sc, why, whylen);
}

unsigned int wlc_passes(const struct wl_ctx *c, int rep)
{
	if (rep < 0)
		return c->cfg->warmup;
	return c->cfg->duration_ns ? UINT_MAX : c->cfg->iterations;
}

uint64_t wlc_opt_u64(const struct wl_ctx *c, const char *name)
{
	const char *v = wl_opt_str(c->cfg, c->cfg->wl, name);
	char err[128];
	uint64_t u = 0;

	if (!v)
		return 0;
	/* already validated by the CLI; sizes take suffixes, plain numbers too */
	if (parse_size(v, &u, err, sizeof(err)))
		u = strtoull(v, NULL, 0);
	return u;
}

void wlc_teardown(struct wl_ctx *c)
{
	session_destroy(&c->sess);
	free(c->priv);
	c->priv = NULL;
}
