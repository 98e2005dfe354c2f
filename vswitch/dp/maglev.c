// SPDX-License-Identifier: Apache-2.0
#include "maglev.h"

#include <errno.h>
#include <stdlib.h>

static int is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	if (n % 2 == 0)
		return n == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

uint32_t vs_maglev_size(uint32_t n, uint32_t cur)
{
	uint64_t want = (uint64_t)n * 64;
	uint32_t m;

	// Keep the current size while it gives every backend 16 to 256 slots on average:
	// balance stays within a few percent and flows keep their backends.
	if (cur && (uint64_t)cur >= (uint64_t)n * 16 && (uint64_t)cur <= (uint64_t)n * 256)
		return cur;
	if (want < 67)
		want = 67;
	for (m = (uint32_t)want; !is_prime(m); m++)
		;
	return m;
}

int vs_maglev_build(const uint64_t *keys, uint32_t n, uint32_t m, uint16_t *table)
{
	uint32_t *pos, *skip, filled = 0;

	if (n == 0 || n > VS_MAGLEV_MAX_BACKENDS || m < n)
		return -EINVAL;
	pos = malloc((size_t)n * sizeof(*pos));
	skip = malloc((size_t)n * sizeof(*skip));
	if (pos == NULL || skip == NULL) {
		free(pos);
		free(skip);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t h = vs_mix64(keys[i] ^ 0x6d61676c6576ULL);

		pos[i] = (uint32_t)((h >> 32) % m);		       // offset
		skip[i] = (uint32_t)((h & 0xffffffffu) % (m - 1)) + 1; // skip, coprime with prime m
	}
	for (uint32_t j = 0; j < m; j++)
		table[j] = UINT16_MAX;
	// Round-robin: each backend takes the next free slot of its permutation in turn.
	while (filled < m) {
		for (uint32_t i = 0; i < n && filled < m; i++) {
			uint32_t c = pos[i];

			while (table[c] != UINT16_MAX) {
				c += skip[i];
				if (c >= m)
					c -= m;
			}
			table[c] = (uint16_t)i;
			c += skip[i];
			pos[i] = c >= m ? c - m : c;
			filled++;
		}
	}
	free(pos);
	free(skip);
	return 0;
}
