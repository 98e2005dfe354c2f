// SPDX-License-Identifier: Apache-2.0
// Maglev consistent hashing (Eisenbud et al., NSDI 2016) for service backends.
//
// A service's lookup table has M slots (M prime); slot i names the backend that gets the
// flows whose hash is i modulo M. Each backend fills slots along its own permutation of
// 0..M-1, derived from its address only, so when a backend comes or goes most slots keep
// their backend: flows that hashed to the others keep going where they went. M is sized
// to the backend count (vs_maglev_size) so 10,000 services with 10 backends each take
// about 20 MB, and kept when the count changes within a range, since a new M reshuffles.
#pragma once

#include <stdint.h>

#define VS_MAGLEV_MAX_BACKENDS 65535 // table entries are 16-bit backend indices

// 64-bit mixer (splitmix64 finaliser): good avalanche, a few cycles.
static inline uint64_t vs_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

// Table size for 'n' backends (n >= 1): 'cur' if it still suits n, else a new prime of
// about 64 slots per backend (at least 67).
uint32_t vs_maglev_size(uint32_t n, uint32_t cur);
// Fills 'table' (m entries) for the 'n' backends identified by keys[] (e.g. ip << 16 |
// port). Returns 0, or -ENOMEM / -EINVAL (n == 0 or n > VS_MAGLEV_MAX_BACKENDS or m < n).
int vs_maglev_build(const uint64_t *keys, uint32_t n, uint32_t m, uint16_t *table);
