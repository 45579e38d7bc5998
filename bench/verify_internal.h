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
	unsigned int variant;	/* the running check's variant */
};

struct check {
	const char *desc;
	unsigned int needs;
	enum verdict (*fn)(struct vctx *v, char *msg, size_t len);
	unsigned int variant;	/* which case fn checks, as v->variant; 0: its only */
};

/* fill msg and return vd */
enum verdict verify_msg(enum verdict vd, char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define verify_fail(msg, len, ...)	verify_msg(V_FAIL, msg, len, __VA_ARGS__)
#define verify_skip(msg, len, ...)	verify_msg(V_SKIP, msg, len, __VA_ARGS__)

bool verify_all_bytes(const unsigned char *b, size_t n, unsigned char val);

/* the dual (per-VM attribute) checks, bench/verify_dual.c; *nr of them */
const struct check *verify_dual_checks(size_t *nr);

#endif /* GMB_VERIFY_INTERNAL_H */
