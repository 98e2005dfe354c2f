// SPDX-License-Identifier: Apache-2.0
// Loads and stores of big-endian (network order) header fields at unaligned frame bytes,
// for the VXLAN datapath (vxlan.c, vxlan_decap.c, vxlan_arp.c). MACs are the low 48 bits
// of a uint64_t, first byte on the wire most significant.
#pragma once

#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rdmac(const uint8_t *p)
{
	uint64_t m = 0;

	for (int i = 0; i < 6; i++)
		m = m << 8 | p[i];
	return m;
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static inline void wrmac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)mac;
		mac >>= 8;
	}
}
