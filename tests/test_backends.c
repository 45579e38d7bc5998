// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: conversion backends on the real kernel. Availability must
 * agree with what the ioctls themselves answer (checked independently
 * here), and the discard backend must really free the pages it punches.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/backend.h"
#include "harness/convert.h"
#include "harness/guest_abi.h"
#include "harness/session.h"
#include "tests/kvm_test_util.h"

static void test_registry(void **state)
{
	size_t i, j, n = conv_backend_count();

	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(conv_backend_find(conv_backends[i]->name), conv_backends[i]);
		assert_non_null(conv_backends[i]->probe);
		assert_non_null(conv_backends[i]->setup);
		assert_non_null(conv_backends[i]->teardown);
		/* a conversion has at least one phase */
		assert_true(conv_backends[i]->set_attrs || conv_backends[i]->punch);
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(conv_backends[i]->name, conv_backends[j]->name);
	}
	assert_null(conv_backend_find("nonesuch"));
}

/* ask the kernel directly whether the in-place ioctl exists */
static int raw_attrs2_errno(struct kvm_sys *sys)
{
	struct kvm_memory_attributes2 a;
	struct vm vm;
	int fd, e;

	assert_int_equal(vm_create(&vm, sys, KVM_X86_DEFAULT_VM), 0);
	fd = gmem_create(&vm, 1 << 20, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	e = ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a) < 0 ? errno : 0;
	close(fd);
	vm_destroy(&vm);
	return e;
}

static void test_inplace_probe_matches_ioctl(void **state)
{
	struct kvm_sys sys;
	unsigned long type = 99;
	char why[512] = "";
	int e, r;

	KVM_OR_SKIP(&sys);
	if (kvm_check_cap(sys.fd, KVM_CAP_GUEST_MEMFD) <= 0) {
		print_message("SKIP: no guest_memfd on this kernel\n");
		skip();
	}
	e = raw_attrs2_errno(&sys);
	r = backend_inplace.probe(&sys, &type, why, sizeof(why));
	if (e == ENOTTY) {
		/* no ioctl: the backend must say so, naming the ioctl and errno */
		assert_int_not_equal(r, 0);
		assert_non_null(strstr(why, "KVM_SET_MEMORY_ATTRIBUTES2"));
		assert_non_null(strstr(why, "ENOTTY"));
		assert_int_equal(type, 99);
	} else {
		/* the ioctl exists: size 0 must have been rejected as invalid */
		assert_int_equal(e, EINVAL);
		if (r == 0)
			assert_int_equal(type, KVM_X86_SW_PROTECTED_VM);
		else
			assert_true(why[0] != 0);
	}
	kvm_sys_close(&sys);
}

static void test_dual_probe_matches_ioctl(void **state)
{
	struct kvm_memory_attributes a = { 0 };
	struct kvm_sys sys;
	unsigned long type = 99;
	char why[512] = "";
	struct vm vm;
	int e, r;

	KVM_OR_SKIP(&sys);
	assert_int_equal(vm_create(&vm, &sys, KVM_X86_DEFAULT_VM), 0);
	e = ioctl(vm.fd, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? errno : 0;
	vm_destroy(&vm);
	r = backend_dual.probe(&sys, &type, why, sizeof(why));
	if (e == ENOTTY) {
		assert_int_not_equal(r, 0);
		assert_non_null(strstr(why, "KVM_SET_MEMORY_ATTRIBUTES"));
		assert_non_null(strstr(why, "ENOTTY"));
	} else if (r) {
		assert_true(why[0] != 0);
	}
	kvm_sys_close(&sys);
}

/* a session on be with 16 pages of data, or skip when be is unavailable */
static void session_or_skip(const struct conv_backend *be, struct kvm_sys *sys,
			    struct session *s)
{
	struct session_cfg cfg = {
		.backend = be,
		.nr_vcpus = 1,
		.region_bytes = 1 << 20,
		.channel = CHANNEL_PIO,
	};
	char why[512];

	KVM_OR_SKIP(sys);
	if (be->probe(sys, &cfg.vm_type, why, sizeof(why))) {
		print_message("SKIP: %s backend unavailable: %s\n", be->name, why);
		kvm_sys_close(sys);
		skip();
	}
	assert_int_equal(session_create(s, sys, &cfg, why, sizeof(why)), 0);
}

static void test_discard_punches_and_frees(void **state)
{
	struct conv_result cr;
	struct session s;
	struct kvm_sys sys;
	volatile uint8_t *p;
	int i;

	session_or_skip(&backend_discard, &sys, &s);
	p = session_data_hva(&s, session_region_gpa(&s, 0));
	assert_non_null((void *)p);
	for (i = 0; i < 16; i++)
		p[i * 4096] = 0xc3;
	/* convert the first 8 pages: punched, so they read back zero */
	assert_int_equal(conv_convert(s.be, &s.mem, session_region_gpa(&s, 0), 8 * 4096, true,
				      &s.policy, &cr), 0);
	assert_true(cr.punch_ns > 0);
	assert_int_equal(cr.total_ns, cr.punch_ns);
	assert_int_equal(cr.eagain, 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(p[i * 4096], 0);
	for (i = 8; i < 16; i++)
		assert_int_equal(p[i * 4096], 0xc3);
	session_destroy(&s);
	kvm_sys_close(&sys);
}

/*
 * Every backend through the core, both directions on the real ioctls: the
 * phases it has are timed, the ones it lacks are zero, and they add up.
 */
static void check_phases(const struct conv_backend *be)
{
	struct conv_result cr;
	struct session s;
	struct kvm_sys sys;
	int dir;

	session_or_skip(be, &sys, &s);
	for (dir = 0; dir < 2; dir++) {
		assert_int_equal(conv_convert(be, &s.mem, session_region_gpa(&s, 0), 8 * 4096,
					      dir == 0, &s.policy, &cr), 0);
		print_message("%s to-%s: attr %llu + wait %llu + punch %llu = %llu ns\n",
			      be->name, dir == 0 ? "private" : "shared",
			      (unsigned long long)cr.attr_ns, (unsigned long long)cr.retry_wait_ns,
			      (unsigned long long)cr.punch_ns, (unsigned long long)cr.total_ns);
		assert_true(be->set_attrs ? cr.attr_ns > 0 : cr.attr_ns == 0);
		assert_true(be->punch ? cr.punch_ns > 0 : cr.punch_ns == 0);
		assert_true(cr.total_ns == cr.attr_ns + cr.retry_wait_ns + cr.punch_ns);
		if (s.mem.attrs)
			assert_int_equal(conv_attrs_get(&s.mem, session_region_gpa(&s, 0),
							8 * 4096, NULL), dir == 0);
	}
	session_destroy(&s);
	kvm_sys_close(&sys);
}

static void test_phases_inplace(void **state)
{
	check_phases(&backend_inplace);
}

static void test_phases_dual(void **state)
{
	check_phases(&backend_dual);
}

static void test_phases_discard(void **state)
{
	check_phases(&backend_discard);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_inplace_probe_matches_ioctl),
		cmocka_unit_test(test_dual_probe_matches_ioctl),
		cmocka_unit_test(test_discard_punches_and_frees),
		cmocka_unit_test(test_phases_inplace),
		cmocka_unit_test(test_phases_dual),
		cmocka_unit_test(test_phases_discard),
	};

	return cmocka_run_group_tests_name("backends", tests, NULL, NULL);
}
