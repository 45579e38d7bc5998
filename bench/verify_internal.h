/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the verify driver (bench/cmd_verify.c) shares with the files that
 * hold groups of checks (bench/verify_dual.c): the context, the check
 * table entry and the verdict helpers.
 */
#ifndef GMB_VERIFY_INTERNAL_H
#define GMB_VERIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/kvm.h"

enum verdict { V_PASS, V_FAIL, V_SKIP };

#define NEED_KVM	(1u << 0)
#define NEED_INPLACE	(1u << 1)
#define NEED_DUAL	(1u << 2)	/* per-VM attributes on a private-memory VM type */

struct vctx {
	struct kvm_sys sys;
	bool have_kvm, have_inplace, have_dual;
	unsigned long priv_type;	/* in-place: the VM type its probe chose */
	unsigned long dual_type;	/* dual: the VM type its probe chose */
	char kvm_why[256];
	char inplace_why[512];
	char dual_why[512];
	const void *arg;	/* the running check's arg */
};

struct check {
	const char *desc;
	unsigned int needs;
	enum verdict (*fn)(struct vctx *v, char *msg, size_t len);
	const void *arg;	/* what fn checks, as v->arg; NULL: nothing */
};

/* fill msg and return V_FAIL / V_SKIP */
enum verdict verify_fail(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum verdict verify_skip(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

bool verify_all_bytes(const unsigned char *b, size_t n, unsigned char val);

/* the dual (per-VM attribute) checks, bench/verify_dual.c; *nr of them */
const struct check *verify_dual_checks(size_t *nr);

#endif /* GMB_VERIFY_INTERNAL_H */
