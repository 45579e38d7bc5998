// SPDX-License-Identifier: GPL-2.0
/*
 * xoshiro256** (Blackman and Vigna, 2018) and the distributions built on
 * it. The gamma sampler is Marsaglia and Tsang's (ACM TOMS 26(3), 2000):
 * exact, a handful of operations per draw for any shape >= 1, which is
 * what the bootstrap's order statistics need (shapes up to millions).
 */
#include <math.h>

#include "bench/rng.h"

uint64_t rng_mix(uint64_t a, uint64_t b)
{
	uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	/* splitmix64 outputs: never the all-zero state xoshiro must avoid */
	for (i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

double rng_uniform(struct rng *r)
{
	/* (k + 0.5) / 2^53 for k in [0, 2^53): never 0, never 1 */
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t x, lim;

	if (!n)
		return 0;
	/* reject the top partial copy of [0, n) so every value is equally likely */
	lim = UINT64_MAX - UINT64_MAX % n;
	do {
		x = rng_next(r);
	} while (x >= lim);
	return x % n;
}

double rng_normal(struct rng *r)
{
	double u, v, s;

	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	/* the second variate is dropped: one call, one state, simpler seeding */
	return u * sqrt(-2.0 * log(s) / s);
}

double rng_gamma(struct rng *r, double shape)
{
	double d, c, x, v, u;

	if (shape < 1.0) {
		/* Gamma(a) = Gamma(a + 1) * U^(1/a) */
		u = rng_uniform(r);
		return rng_gamma(r, shape + 1.0) * pow(u, 1.0 / shape);
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			x = rng_normal(r);
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = rng_uniform(r);
		if (u < 1.0 - 0.0331 * x * x * x * x)
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return d * v;
	}
}

double rng_beta(struct rng *r, double a, double b)
{
	double x = rng_gamma(r, a), y = rng_gamma(r, b);

	return x / (x + y);
}
