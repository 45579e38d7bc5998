/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small deterministic random number generator for the statistics of
 * `gmembench compare`: xoshiro256** seeded through splitmix64, and the
 * few distributions the bootstrap needs (uniform, normal, gamma, beta).
 * Same seed, same sequence, on every host: a verdict must reproduce.
 * Not for anything security related.
 */
#ifndef GMB_RNG_H
#define GMB_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/*
 * splitmix64 as a stream: a tiny seeded generator for reproducible layouts,
 * data and test inputs, where xoshiro's state is more than needed.
 */
static inline uint64_t rng_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64 finaliser of a ^ b: seeds derived from (seed, key, ...) */
uint64_t rng_mix(uint64_t a, uint64_t b);

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* uniform on the open interval (0, 1), 53 random bits */
double rng_uniform(struct rng *r);
/* uniform integer in [0, n), unbiased; 0 for n == 0 */
uint64_t rng_below(struct rng *r, uint64_t n);
/* standard normal (Marsaglia polar method) */
double rng_normal(struct rng *r);
/* Gamma(shape, 1), shape > 0 (Marsaglia-Tsang; boosted below 1) */
double rng_gamma(struct rng *r, double shape);
/* Beta(a, b), a, b > 0, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) */
double rng_beta(struct rng *r, double a, double b);

#endif /* GMB_RNG_H */
