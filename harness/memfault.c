// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_EXIT_MEMORY_FAULT decisions (see memfault.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "harness/kvm_uapi.h"
#include "harness/memfault.h"

int mf_decide(struct mf_repeat *rep, enum mf_policy pol, int attr, uint64_t gen,
	      uint64_t flags, uint64_t gpa, uint64_t size, char *why, size_t whylen)
{
	bool wants_private = flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;

	if (attr < 0) {
		snprintf(why, whylen, "the range is not memory gmembench converts (no attribute tracked there)");
		return -EFAULT;
	}
	if (rep->count && rep->gpa == gpa && rep->gen == gen) {
		if (++rep->count > MF_MAX_REPEATS) {
			snprintf(why, whylen,
				 "the same fault exited %u times in a row with no attribute change (gmembench holds it %s)",
				 rep->count, attr == 1 ? "private" : attr == 0 ? "shared" : "mixed");
			return -ELOOP;
		}
	} else {
		rep->gpa = gpa;
		rep->gen = gen;
		rep->count = 1;
	}
	/* the attribute already is what the fault wants: the race is over */
	if (attr == (wants_private ? 1 : 0))
		return 0;
	if (pol == MF_POLICY_REENTER)
		return 0;
	snprintf(why, whylen,
		 "the guest accessed it as %s while gmembench holds it %s, and no conversion may race a guest-driven vCPU",
		 wants_private ? "private" : "shared",
		 attr == 1 ? "private" : attr == 0 ? "shared" : "mixed");
	return -EPROTO;
}
