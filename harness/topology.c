// SPDX-License-Identifier: GPL-2.0
/*
 * CPU topology and thread placement: see topology.h.
 */
#include "harness/topology.h"
#include "harness/errbuf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int topology_init(struct topology *t)
{
	int ret;

	if (!t)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&t->topo))
		return errno ? -errno : -ENOMEM;
	if (hwloc_topology_load(t->topo)) {
		ret = errno ? -errno : -EIO;
		hwloc_topology_destroy(t->topo);
		t->topo = NULL;
		return ret;
	}
	t->loaded = true;
	return 0;
}

void topology_fini(struct topology *t)
{
	if (!t || !t->loaded)
		return;
	hwloc_topology_destroy(t->topo);
	t->topo = NULL;
	t->loaded = false;
}

/*
 * PUs a thread may be placed on: present (online) in the topology and
 * allowed to this process by its cpuset cgroup. Caller frees.
 */
static hwloc_bitmap_t topo_usable_cpuset(const struct topology *t)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (!set)
		return NULL;
	if (hwloc_bitmap_and(set, hwloc_topology_get_topology_cpuset(t->topo),
			     hwloc_topology_get_allowed_cpuset(t->topo))) {
		hwloc_bitmap_free(set);
		return NULL;
	}
	return set;
}

unsigned int topology_nr_pus(const struct topology *t)
{
	int n;

	if (!t || !t->loaded)
		return 0;
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
	return n > 0 ? (unsigned int)n : 0;
}

unsigned int topology_nr_cores(const struct topology *t)
{
	int n;

	if (!t || !t->loaded)
		return 0;
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
	/* Some VMs expose no core level; every PU is then its own core. */
	if (n <= 0)
		return topology_nr_pus(t);
	return (unsigned int)n;
}

static const char *topo_plural(unsigned int n, const char *one,
			       const char *many)
{
	return n == 1 ? one : many;
}

int topology_summary(const struct topology *t, char *buf, size_t len)
{
	unsigned int pkgs, nodes, cores, pus, nr_l3;
	hwloc_obj_t l3;
	int n;

	if (!t || !t->loaded || !buf || !len)
		return -EINVAL;
	pkgs = (unsigned int)hwloc_get_nbobjs_by_type(t->topo,
						      HWLOC_OBJ_PACKAGE);
	nodes = (unsigned int)hwloc_get_nbobjs_by_type(t->topo,
						       HWLOC_OBJ_NUMANODE);
	cores = topology_nr_cores(t);
	pus = topology_nr_pus(t);
	n = snprintf(buf, len, "%u %s, %u %s, %u %s, %u %s", pkgs,
		     topo_plural(pkgs, "package", "packages"), nodes,
		     topo_plural(nodes, "NUMA node", "NUMA nodes"), cores,
		     topo_plural(cores, "core", "cores"), pus,
		     topo_plural(pus, "PU", "PUs"));
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENOSPC;

	nr_l3 = (unsigned int)hwloc_get_nbobjs_by_type(t->topo,
						       HWLOC_OBJ_L3CACHE);
	l3 = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_L3CACHE, 0);
	if (!l3 || !l3->attr)
		return 0;
	if (nr_l3 > 1)
		n += snprintf(buf + n, len - (size_t)n, ", %ux L3 %llu KiB",
			      nr_l3,
			      (unsigned long long)l3->attr->cache.size >> 10);
	else
		n += snprintf(buf + n, len - (size_t)n, ", L3 %llu KiB",
			      (unsigned long long)l3->attr->cache.size >> 10);
	return (size_t)n >= len ? -ENOSPC : 0;
}

/*
 * Usable PUs ordered for spreading: PU 0 of every core, then PU 1 of every
 * core, ... so that the first nr_cores threads never share a core.
 * Returns the count or -errno; *order is malloc'ed.
 */
static int topo_spread_order(const struct topology *t, hwloc_const_bitmap_t usable,
			     int **order)
{
	int nr_cores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
	int weight = hwloc_bitmap_weight(usable);
	int n = 0, round, c;
	bool took;
	int *o;

	if (weight <= 0)
		return -ENODEV;
	o = calloc((size_t)weight, sizeof(*o));
	if (!o)
		return -ENOMEM;

	if (nr_cores <= 0) {
		unsigned int id;

		hwloc_bitmap_foreach_begin(id, usable)
			o[n++] = (int)id;
		hwloc_bitmap_foreach_end();
		*order = o;
		return n;
	}

	for (round = 0, took = true; took && n < weight; round++) {
		took = false;
		for (c = 0; c < nr_cores && n < weight; c++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(t->topo,
						HWLOC_OBJ_CORE, (unsigned int)c);
			int i = 0, id;

			if (!core || !core->cpuset)
				continue;
			/* round-th usable PU of this core, if it has one */
			hwloc_bitmap_foreach_begin(id, core->cpuset)
				if (hwloc_bitmap_isset(usable, (unsigned int)id) &&
				    i++ == round) {
					o[n++] = id;
					took = true;
					break;
				}
			hwloc_bitmap_foreach_end();
		}
	}
	/* PUs outside any core (should not happen): append in order. */
	if (n < weight) {
		unsigned int id;

		hwloc_bitmap_foreach_begin(id, usable) {
			bool seen = false;
			int k;

			for (k = 0; k < n && !seen; k++)
				seen = o[k] == (int)id;
			if (!seen && n < weight)
				o[n++] = (int)id;
		}
		hwloc_bitmap_foreach_end();
	}
	*order = o;
	return n;
}

/*
 * Parse "0,2-3" into CPU numbers, checking each against @usable. Returns
 * the count or -EINVAL with a message in @err; *out is malloc'ed.
 */
/* One item of a CPU list, toklen characters at p: N or N-M, digits only. */
static int topo_parse_item(const char *p, size_t toklen, unsigned long *a,
			   unsigned long *b)
{
	const char *q = p;
	char *end;

	/* no sign, no blanks: strtoul would take both */
	if (!isdigit((unsigned char)*q))
		return -EINVAL;
	errno = 0;
	*a = strtoul(q, &end, 10);
	*b = *a;
	q = end;
	if (*q == '-') {
		q++;
		if (!isdigit((unsigned char)*q))
			return -EINVAL;
		*b = strtoul(q, &end, 10);
		q = end;
	}
	return errno || (size_t)(q - p) != toklen ? -EINVAL : 0;
}

/* CPUs a..b onto list[*n]: each usable, none twice */
static int topo_add_range(const char *spec, hwloc_const_bitmap_t usable,
			  const char *accepted, unsigned long a, unsigned long b,
			  int *list, int *n, char *err, size_t errlen)
{
	unsigned long cpu;
	int k;

	for (cpu = a; cpu <= b; cpu++) {
		if (cpu > INT_MAX || !hwloc_bitmap_isset(usable, (unsigned int)cpu)) {
			errbuf_set(err, errlen,
				   "CPU %lu in \"%s\" is not an allowed online CPU (accepted CPUs: %s)",
				   cpu, spec, accepted);
			return -EINVAL;
		}
		for (k = 0; k < *n; k++) {
			if (list[k] == (int)cpu) {
				errbuf_set(err, errlen,
					   "CPU %lu is listed twice in \"%s\" (accepted CPUs: %s)",
					   cpu, spec, accepted);
				return -EINVAL;
			}
		}
		list[(*n)++] = (int)cpu;
	}
	return 0;
}

static int topo_parse_list(const char *spec, hwloc_const_bitmap_t usable,
			   int **out, char *err, size_t errlen)
{
	int weight = hwloc_bitmap_weight(usable);
	char accepted[256];
	const char *p = spec;
	int n = 0, ret = 0;
	int *list;

	if (hwloc_bitmap_list_snprintf(accepted, sizeof(accepted), usable) < 0)
		snprintf(accepted, sizeof(accepted), "?");
	if (weight <= 0) {
		errbuf_set(err, errlen, "no usable CPUs in the topology");
		return -EINVAL;
	}
	/* Duplicates are refused, so a valid list has at most weight CPUs. */
	list = calloc((size_t)weight, sizeof(*list));
	if (!list)
		return -ENOMEM;

	for (; !ret; p++) {
		size_t toklen = strcspn(p, ",");
		unsigned long a, b;

		if (topo_parse_item(p, toklen, &a, &b)) {
			errbuf_set(err, errlen,
				   "bad CPU list item \"%.*s\" in \"%s\": expected N or N-M, comma separated (accepted CPUs: %s)",
				   (int)toklen, p, spec, accepted);
			ret = -EINVAL;
		} else if (b < a) {
			errbuf_set(err, errlen,
				   "CPU range \"%.*s\" in \"%s\" is reversed (accepted CPUs: %s)",
				   (int)toklen, p, spec, accepted);
			ret = -EINVAL;
		} else {
			ret = topo_add_range(spec, usable, accepted, a, b, list, &n, err, errlen);
		}
		p += toklen;
		if (!*p)
			break;
	}
	if (ret) {
		free(list);
		return ret;
	}
	*out = list;
	return n;
}

int topology_plan(const struct topology *t, const char *cpus_spec,
		  unsigned int nr_threads, int *pu_os_index_out,
		  char *err, size_t errlen)
{
	hwloc_bitmap_t usable;
	int *order = NULL;
	unsigned int i;
	int n;

	if (err && errlen)
		err[0] = '\0';
	if (nr_threads && !pu_os_index_out)
		return -EINVAL;
	if (cpus_spec && !strcmp(cpus_spec, "none")) {
		for (i = 0; i < nr_threads; i++)
			pu_os_index_out[i] = -1;
		return 0;
	}
	if (!t || !t->loaded) {
		errbuf_set(err, errlen,
			 "no CPU topology loaded; only \"none\" is possible");
		return -EINVAL;
	}
	usable = topo_usable_cpuset(t);
	if (!usable)
		return -ENOMEM;
	if (!cpus_spec || !strcmp(cpus_spec, "spread"))
		n = topo_spread_order(t, usable, &order);
	else
		n = topo_parse_list(cpus_spec, usable, &order, err, errlen);
	hwloc_bitmap_free(usable);
	if (n < 0)
		return n;
	if (n == 0) {
		free(order);
		errbuf_set(err, errlen, "CPU list \"%s\" selects no CPU",
			 cpus_spec ? cpus_spec : "spread");
		return -EINVAL;
	}
	for (i = 0; i < nr_threads; i++)
		pu_os_index_out[i] = order[i % (unsigned int)n];
	free(order);
	return 0;
}

int topology_bind_thread(const struct topology *t, int pu_os_index)
{
	hwloc_obj_t pu;

	if (pu_os_index == -1)
		return 0;
	if (!t || !t->loaded || pu_os_index < 0)
		return -EINVAL;
	pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned int)pu_os_index);
	if (!pu || !pu->cpuset)
		return -EINVAL;
	errno = 0;
	if (hwloc_set_cpubind(t->topo, pu->cpuset,
			      HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT))
		return errno ? -errno : -EIO;
	return 0;
}

int topology_current_cpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? -errno : cpu;
}
