// SPDX-License-Identifier: Apache-2.0
#include "parse.h"

#include "csum.h"

#include <vs/compiler.h>
#include <vs/drops.h>

#include <string.h>

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

// The 8 bytes at 'p' as a big-endian number: one load (and a byte swap) instead of eight.
static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint8_t parse(struct vs_pkt *pkt)
{
	const uint8_t *d = pkt->data;
	uint32_t off = 12;
	uint16_t type;

	pkt->n_vlans = 0;
	pkt->vlan = 0;
	if (pkt->len < VS_ETH_HLEN)
		return pkt->drop = VS_DROP_MALFORMED;
	// Bytes 0-7 hold the destination and 4-11 end with the source (the frame has 14).
	pkt->dst_mac = rd64(d) >> 16;
	pkt->src_mac = rd64(d + 4) & 0xffffffffffffULL;
	type = rd16(d + off);
	while (VS_UNLIKELY(type == VS_ETH_P_8021Q || type == VS_ETH_P_8021AD)) {
		// A tag is 2 bytes of TCI after the TPID, then the next ethertype.
		if (pkt->n_vlans == 2 || pkt->len < off + 2 + VS_VLAN_HLEN)
			return pkt->drop = VS_DROP_MALFORMED;
		if (pkt->n_vlans == 0)
			pkt->vlan = rd16(d + off + 2) & 0x0fff;
		pkt->n_vlans++;
		off += VS_VLAN_HLEN;
		type = rd16(d + off);
	}
	pkt->ethertype = type;
	pkt->l3_off = (uint16_t)(off + 2);
	return pkt->drop = VS_DROP_NONE;
}

uint8_t vs_parse_one(struct vs_pkt *pkt)
{
	return parse(pkt);
}

void vs_parse_burst(struct vs_pkt *pkts, uint16_t n)
{
	// Start loading every frame's first line before reading any: the frames of a burst
	// sit anywhere in the driver's buffers, and their misses overlap instead of queueing.
	for (uint16_t i = 0; i < n; i++)
		vs_prefetch0(pkts[i].data);
	for (uint16_t i = 0; i < n; i++)
		parse(&pkts[i]);
}

uint16_t vs_parse_csum_burst(struct vs_pkt *pkts, uint16_t n)
{
	uint16_t fixed = 0;

	for (uint16_t i = 0; i < n; i++)
		vs_prefetch0(pkts[i].data);
	// The checksum test reads the header parse() just read, in the same cache line, and
	// the fields parse() just stored, still in registers.
	for (uint16_t i = 0; i < n; i++)
		if (parse(&pkts[i]) == VS_DROP_NONE && VS_UNLIKELY(vs_csum_maybe_partial(&pkts[i])))
			fixed += (uint16_t)vs_csum_complete_partial(&pkts[i]);
	return fixed;
}
