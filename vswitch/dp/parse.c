// SPDX-License-Identifier: Apache-2.0
#include "parse.h"

#include <vs/compiler.h>
#include <vs/drops.h>
#include <vs/mac.h>

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint8_t vs_parse_one(struct vs_pkt *pkt)
{
	const uint8_t *d = pkt->data;
	uint32_t off = 12;
	uint16_t type;

	pkt->n_vlans = 0;
	pkt->vlan = 0;
	if (pkt->len < VS_ETH_HLEN)
		return pkt->drop = VS_DROP_MALFORMED;
	pkt->dst_mac = vs_mac_from_bytes(d);
	pkt->src_mac = vs_mac_from_bytes(d + 6);
	type = rd16(d + off);
	while (type == VS_ETH_P_8021Q || type == VS_ETH_P_8021AD) {
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

void vs_parse_burst(struct vs_pkt *pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		if (i + 4 < n)
			vs_prefetch0(pkts[i + 4].data);
		vs_parse_one(&pkts[i]);
	}
}
