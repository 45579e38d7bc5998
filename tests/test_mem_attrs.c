// SPDX-License-Identifier: GPL-2.0
/*
 * The memory-attribute ioctl encoders (harness/mem_attrs.c) against the
 * documented ABI, without a kernel: this test defines ioctl() itself, which
 * the library's calls resolve to, records the request and the argument
 * struct, and answers as scripted. Request numbers are the literal values
 * from shared/reference/kvm-gmem-uapi.md 1.1, not recomputed from macros.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness/mem_attrs.h"

#define FAKE_FD		1000	/* ioctls on other fds go to the kernel */

static struct {
	int calls;
	unsigned long req[4];
	unsigned char arg[4][128];
	int err_for_d2;		/* errno for 0xd2 requests (0 = success) */
	int err_for_d6;		/* errno for RFC v1's 0xd6 */
	uint64_t write_error_offset;
} fake;

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	unsigned int size = (req >> 16) & 0x3fff, nr = req & 0xff;
	va_list ap;
	void *arg;
	int err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	if (fake.calls < 4) {
		fake.req[fake.calls] = req;
		memcpy(fake.arg[fake.calls], arg, size < 128 ? size : 128);
	}
	fake.calls++;
	err = nr == 0xd6 ? fake.err_for_d6 : fake.err_for_d2;
	if (nr == 0xd2 && size == 128)
		memcpy((char *)arg + 32, &fake.write_error_offset, 8);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static uint64_t u64_at(int call, size_t off)
{
	uint64_t v;

	memcpy(&v, fake.arg[call] + off, sizeof(v));
	return v;
}

static int reset(void **state)
{
	memset(&fake, 0, sizeof(fake));
	return 0;
}

static void test_vm_ioctl_encoding(void **state)
{
	assert_int_equal(kvm_set_mem_attrs(FAKE_FD, 0x100000000ULL, 0x3000,
					   KVM_MEMORY_ATTRIBUTE_PRIVATE, 0), 0);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(fake.req[0], 0x4020AED2UL);	/* _IOW(KVMIO, 0xd2, 32 bytes) */
	assert_int_equal(u64_at(0, 0), 0x100000000ULL);	/* address */
	assert_int_equal(u64_at(0, 8), 0x3000);		/* size */
	assert_int_equal(u64_at(0, 16), 1ULL << 3);	/* attributes: PRIVATE */
	assert_int_equal(u64_at(0, 24), 0);		/* flags */
}

static void test_vm_ioctl_errno(void **state)
{
	fake.err_for_d2 = EINVAL;
	assert_int_equal(kvm_set_mem_attrs(FAKE_FD, 0, 0, 0, 7), -EINVAL);
	assert_int_equal(u64_at(0, 24), 7);		/* flags passed through */
	fake.err_for_d2 = ENOTTY;
	assert_int_equal(kvm_vm_attrs_ioctl_answers(FAKE_FD), 0);
	fake.err_for_d2 = EINVAL;
	assert_int_equal(kvm_vm_attrs_ioctl_answers(FAKE_FD), 1);
	/* the presence probe is a size-0 call, which changes nothing */
	assert_int_equal(u64_at(2, 8), 0);
}

static void test_gmem_ioctl_encoding(void **state)
{
	uint64_t eoff = 0;
	size_t off;

	assert_int_equal(gmem_set_mem_attrs2(FAKE_FD, 0x5000, 0x2000,
					     KVM_MEMORY_ATTRIBUTE_PRIVATE, &eoff), 0);
	assert_int_equal(fake.req[0], 0xC080AED2UL);	/* _IOWR(KVMIO, 0xd2, 128 bytes) */
	assert_int_equal(u64_at(0, 0), 0x5000);		/* offset */
	assert_int_equal(u64_at(0, 8), 0x2000);		/* size */
	assert_int_equal(u64_at(0, 16), 1ULL << 3);	/* attributes */
	assert_int_equal(u64_at(0, 24), 0);		/* flags: 0 (v6+) */
	for (off = 40; off < 128; off += 8)
		assert_int_equal(u64_at(0, off), 0);	/* reserved[] */
	assert_int_equal(eoff, 0);			/* untouched on success */
}

static void test_gmem_error_offset(void **state)
{
	uint64_t eoff = 0;

	fake.err_for_d2 = EAGAIN;
	fake.write_error_offset = 0x7000;
	assert_int_equal(gmem_set_mem_attrs2(FAKE_FD, 0, 0x8000,
					     KVM_MEMORY_ATTRIBUTE_PRIVATE, &eoff), -EAGAIN);
	assert_int_equal(eoff, 0x7000);
	/* NULL error_offset is allowed */
	assert_int_equal(gmem_set_mem_attrs2(FAKE_FD, 0, 0x8000, 0, NULL), -EAGAIN);
}

static void test_gmem_raw_keeps_reserved(void **state)
{
	struct kvm_memory_attributes2 a;

	memset(&a, 0, sizeof(a));
	a.size = 0x1000;
	a.flags = 1;
	a.reserved[0] = 0x99;
	fake.err_for_d2 = EINVAL;
	assert_int_equal(gmem_set_mem_attrs2_raw(FAKE_FD, &a), -EINVAL);
	assert_int_equal(u64_at(0, 24), 1);
	assert_int_equal(u64_at(0, 40), 0x99);
}

static void test_gmem_probe(void **state)
{
	fake.err_for_d2 = EINVAL;
	assert_int_equal(gmem_attrs2_probe(FAKE_FD), GMEM_ATTRS2_PRESENT);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(u64_at(0, 8), 0);		/* size 0 */

	reset(state);
	fake.err_for_d2 = ENOTTY;
	fake.err_for_d6 = ENOTTY;
	assert_int_equal(gmem_attrs2_probe(FAKE_FD), GMEM_ATTRS2_ABSENT);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(fake.req[1], 0xC040AED6UL);	/* RFC v1: nr 0xd6, 64 bytes */

	reset(state);
	fake.err_for_d2 = ENOTTY;
	fake.err_for_d6 = EINVAL;
	assert_int_equal(gmem_attrs2_probe(FAKE_FD), GMEM_ATTRS2_RFC1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vm_ioctl_encoding, reset),
		cmocka_unit_test_setup(test_vm_ioctl_errno, reset),
		cmocka_unit_test_setup(test_gmem_ioctl_encoding, reset),
		cmocka_unit_test_setup(test_gmem_error_offset, reset),
		cmocka_unit_test_setup(test_gmem_raw_keeps_reserved, reset),
		cmocka_unit_test_setup(test_gmem_probe, reset),
	};

	return cmocka_run_group_tests_name("mem_attrs", tests, NULL, NULL);
}
