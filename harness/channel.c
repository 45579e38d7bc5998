// SPDX-License-Identifier: GPL-2.0
/*
 * Request-channel detection: one NOP request over KVM_HC_MAP_GPA_RANGE on
 * a throw-away VM, with a watchdog that kicks the vCPU out of KVM_RUN
 * (immediate_exit + signal -> EINTR) when the exit never arrives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness/channel.h"
#include "harness/clock.h"
#include "harness/guest_abi.h"

const char *channel_name(enum guest_channel c)
{
	return c == CHANNEL_HYPERCALL ? "hypercall" : "pio";
}

struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	bool fired;
	unsigned int deadline_ms;
	struct vcpu *v;
	pthread_t target;
};

static void *watchdog_fn(void *arg)
{
	struct watchdog *w = arg;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += w->deadline_ms / 1000;
	ts.tv_nsec += (long)(w->deadline_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT) {
			/* keep kicking until the vCPU thread says it is out */
			w->fired = true;
			vcpu_kick(w->v, w->target);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/*
 * One request from @v, with the watchdog kicking it out of KVM_RUN after
 * deadline_ms: *req_ret is vcpu_next_request()'s result, *probe_ns how
 * long it took. -errno when the watchdog could not start, else 0.
 */
static int request_watched(struct vcpu *v, unsigned int deadline_ms,
			   struct guest_req *req, char *why, size_t why_len,
			   uint64_t *probe_ns, int *req_ret)
{
	struct watchdog w = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
		.deadline_ms = deadline_ms,
		.v = v,
		.target = pthread_self(),
	};
	pthread_t wd;
	uint64_t t0;
	int r;

	r = pthread_create(&wd, NULL, watchdog_fn, &w);
	if (r)
		return -r;
	t0 = now_ns();
	*req_ret = vcpu_next_request(v, req, why, why_len);
	*probe_ns = now_ns() - t0;
	pthread_mutex_lock(&w.lock);
	w.done = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(wd, NULL);
	return 0;
}

/* 1 when the NOP request came as KVM_EXIT_HYPERCALL, else 0; says why */
static int probe_verdict(const struct kvm_sys *sys, int r,
			 const struct guest_req *req, const char *why,
			 unsigned int deadline_ms, uint64_t probe_ns,
			 char *reason, size_t len)
{
	if (r == 0 && req->via_hypercall && req->op == REQ_NOP) {
		snprintf(reason, len, "KVM_HC_MAP_GPA_RANGE exits to userspace (%.1f us)",
			 probe_ns / 1e3);
		return 1;
	}
	if (r == -EINTR)
		snprintf(reason, len,
			 "KVM_HC_MAP_GPA_RANGE did not exit to userspace within %u ms (vCPU kicked out)",
			 deadline_ms);
	else if (r == 0)
		snprintf(reason, len, "%s exited as port I/O instead of KVM_EXIT_HYPERCALL",
			 sys->intel ? "vmcall" : "vmmcall");
	else
		snprintf(reason, len, "hypercall probe failed: %s", why);
	return 0;
}

int channel_probe_hypercall(const struct kvm_sys *sys, unsigned int deadline_ms,
			    char *reason, size_t len, uint64_t *probe_ns)
{
	struct guest_req req;
	struct vcpu v;
	struct vm vm;
	char why[256] = "";
	int r, req_ret;

	r = vcpu_install_kick_handler();
	if (r)
		return r;
	r = vm_create(&vm, sys, KVM_X86_DEFAULT_VM);
	if (r)
		return r;
	r = vm_setup_system(&vm, GMB_DATA_GPA);
	if (r)
		goto out_vm;
	r = vm_enable_hypercall_exit(&vm);
	if (r) {
		snprintf(reason, len, "KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL): %s",
			 strerror(-r));
		r = 0;
		goto out_vm;
	}
	r = vcpu_create(&vm, 0, &v);
	if (r)
		goto out_vm;
	/* a NOP request names a system-slot page: valid gpa, 1 page */
	vcpu_mailbox_setup(&v, GUEST_CMD_NOP_REQUESTS, GMB_MAILBOX_GPA,
			   GMB_PAGE_SIZE, GMB_PAGE_SIZE, 1, 0, CHANNEL_HYPERCALL);
	r = request_watched(&v, deadline_ms, &req, why, sizeof(why), probe_ns,
			    &req_ret);
	if (!r)
		r = probe_verdict(sys, req_ret, &req, why, deadline_ms,
				  *probe_ns, reason, len);
	vcpu_destroy(&v);
	vm_destroy(&vm);
	return r;
out_vm:
	vm_destroy(&vm);
	return r;
}

int channel_decide(const struct kvm_sys *sys, enum channel_pref pref,
		   unsigned int deadline_ms, struct channel_info *out)
{
	char why[256] = "";
	int r;

	memset(out, 0, sizeof(*out));
	if (pref == CHANNEL_PREF_PIO) {
		out->channel = CHANNEL_PIO;
		snprintf(out->reason, sizeof(out->reason), "port I/O requested (--channel pio)");
		return 0;
	}
	r = channel_probe_hypercall(sys, deadline_ms, why, sizeof(why), &out->probe_ns);
	if (r < 0) {
		snprintf(out->reason, sizeof(out->reason), "hypercall probe setup failed: %s",
			 strerror(-r));
		return r;
	}
	if (r == 1) {
		out->channel = CHANNEL_HYPERCALL;
		snprintf(out->reason, sizeof(out->reason), "%s", why);
		return 0;
	}
	if (pref == CHANNEL_PREF_HYPERCALL) {
		snprintf(out->reason, sizeof(out->reason), "%s", why);
		return -EOPNOTSUPP;
	}
	out->channel = CHANNEL_PIO;
	snprintf(out->reason, sizeof(out->reason), "port I/O fallback: %s", why);
	return 0;
}
