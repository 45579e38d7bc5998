# SPDX-License-Identifier: GPL-2.0
#
# Sorting, functions only: included as "awk -f plots/sort.awk -f PROG.awk"
# (see plots/csv.awk for why).

# Sort a[1..n] ascending, numerically when the values are numbers. An
# insertion sort: the arrays are a handful of repetitions or granularities.
function sort_asc(a, n,    i, j, v) {
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
}
