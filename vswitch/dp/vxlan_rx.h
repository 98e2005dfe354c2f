// SPDX-License-Identifier: Apache-2.0
// VXLAN decapsulation, the common case in few instructions (private to vxlan.c and
// vxlan_decap.c).
//
// Almost every frame on an underlay is a VXLAN frame whose outer headers have exactly the
// shape this VTEP sends: IPv4 without options, not a fragment, UDP to local_ip:dst_port,
// the I flag, a UDP length that fills the IPv4 packet. vs_vxlan_rx_fast() checks all of
// that with four masked 64-bit compares (struct vs_vxlan_rx, set up once per burst), one
// length test and the IPv4 checksum, then maps (VNI, sending VTEP) to a vxlan port through
// a one-entry cache (the VNIs and VTEPs of a burst rarely change). Any other frame, valid or
// not, goes through vs_vxlan_decap_slow() (vxlan_decap.c), which checks everything in
// order and names the reason of a drop: the fast path never decides a drop on its own but
// for an unknown VNI or VTEP, which it looks up exactly as the slow path does. The fuzz
// target (tests/fuzz/vxlan_decap_fuzz.c) checks that both agree on every input.
#pragma once

#include <string.h>
#include <vs/compiler.h>
#include <vs/drops.h>

#include "vxlan.h"

#define VS_VXLAN_RX_SLOW 0xff // vs_vxlan_rx_fast(): not the common shape, take the slow path

struct vs_vxlan_rx {
	// Bytes 12..43 of a frame (4 words, memory order) that the fast path accepts:
	// (word ^ want) & mask == 0. Ethertype, version/IHL, fragment bits, protocol,
	// destination address, UDP destination port, VXLAN flags.
	uint64_t want[4], mask[4];
	const struct vs_vxlan_conf *vc;
	const struct vs_vxlan_underlay *ul;
	// The last (VNI, VTEP) that decapsulated (VTEP raw from the frame), and what a frame
	// of it gets: the vxlan port's id and the VTEP in host order.
	uint32_t vni, src; // vni UINT32_MAX: none yet
	uint32_t vtep;
	uint16_t port_id;
};

static inline uint64_t vs_vxlan_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t vs_vxlan_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

// A big-endian 16-bit field.
static inline uint32_t vs_vxlan_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	return v;
}

static inline uint32_t vs_vxlan_be32(const uint8_t *p)
{
	uint32_t v = vs_vxlan_ld32(p);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

// Decapsulation of an underlay's frames without the fast path's cache: every frame
// checked in order, drops named. Same contract as vs_vxlan_decap_one().
uint8_t vs_vxlan_decap_slow(const struct vs_vxlan_conf *vc, const struct vs_vxlan_underlay *ul,
			    struct vs_pkt *pkt);

static inline void vs_vxlan_rx_init(struct vs_vxlan_rx *rx, const struct vs_vxlan_conf *vc,
				    const struct vs_vxlan_underlay *ul)
{
	uint8_t w[32] = {0}, m[32] = {0}; // frame bytes 12..43
	uint32_t ip = ul->local_ip;

	w[0] = 0x08, m[0] = 0xff; // ethertype IPv4
	w[1] = 0x00, m[1] = 0xff;
	w[2] = 0x45, m[2] = 0xff;     // version 4, no options
	m[8] = 0x3f, m[9] = 0xff;     // no fragment: MF and offset zero (DF as it likes)
	w[11] = 17, m[11] = 0xff;     // UDP
	for (int i = 0; i < 4; i++) { // destination address: local_ip
		w[18 + i] = (uint8_t)(ip >> (24 - 8 * i));
		m[18 + i] = 0xff;
	}
	w[24] = (uint8_t)(ul->dst_port >> 8), m[24] = 0xff; // UDP destination port
	w[25] = (uint8_t)ul->dst_port, m[25] = 0xff;
	w[30] = VS_VXLAN_FLAG_I, m[30] = 0xff; // VXLAN flags: the I flag only
	for (int i = 0; i < 4; i++) {
		rx->want[i] = vs_vxlan_ld64(w + 8 * i);
		rx->mask[i] = vs_vxlan_ld64(m + 8 * i);
	}
	rx->vc = vc;
	rx->ul = ul;
	rx->vni = UINT32_MAX; // no VNI: the first frame looks up
	rx->src = 0;
	rx->vtep = 0;
	rx->port_id = VS_PORT_NONE;
}

// Looks up VNI 'vni' of the underlay and checks VTEP 'src' (host order) against its vxlan
// port's remotes. Returns VS_DROP_NONE with '*vp' set, or the reason.
static inline uint8_t vs_vxlan_rx_lookup(const struct vs_vxlan_conf *vc,
					 const struct vs_vxlan_underlay *ul, uint32_t vni,
					 uint32_t src, const struct vs_vxlan_vni **vp)
{
	const struct vs_vxlan_vni *v = &vc->vni[ul->first_vni], *end = v + ul->n_vni;

	while (v < end && v->vni != vni)
		v++;
	if (v == end)
		return VS_DROP_VXLAN_UNKNOWN_VNI;
	if (vs_vxlan_remote_find(vs_vxlan_tx_get(v->port->priv), src) < 0)
		return VS_DROP_VXLAN_UNKNOWN_VTEP;
	*vp = v;
	return VS_DROP_NONE;
}

// Decapsulates 'pkt' if it has the common shape (see above). Returns VS_DROP_NONE (pkt is
// now the inner frame, as vs_vxlan_decap_one() leaves it), VS_DROP_VXLAN_UNKNOWN_VNI or
// _UNKNOWN_VTEP, or VS_VXLAN_RX_SLOW (pkt untouched). Reads nothing beyond pkt->len.
static inline uint8_t vs_vxlan_rx_fast(struct vs_vxlan_rx *rx, struct vs_pkt *pkt)
{
	const uint8_t *d = pkt->data;
	uint64_t bad, sum;
	uint32_t tot, ulen, vni, src;

	// 64: the 50 bytes of outer headers and at least an inner Ethernet header.
	if (VS_UNLIKELY(pkt->len < VS_VXLAN_HLEN + 14))
		return VS_VXLAN_RX_SLOW;
	bad = ((vs_vxlan_ld64(d + 12) ^ rx->want[0]) & rx->mask[0]) |
	      ((vs_vxlan_ld64(d + 20) ^ rx->want[1]) & rx->mask[1]) |
	      ((vs_vxlan_ld64(d + 28) ^ rx->want[2]) & rx->mask[2]) |
	      ((vs_vxlan_ld64(d + 36) ^ rx->want[3]) & rx->mask[3]);
	tot = vs_vxlan_be16(d + 16);
	ulen = vs_vxlan_be16(d + 38);
	// The UDP datagram is all of the IPv4 packet (tot = ulen + 20), holds at least an inner
	// Ethernet header (ulen >= 30) and lies within the frame (tot + 14 <= len; Ethernet
	// may pad): 30 <= ulen <= len - 34, one unsigned compare as len >= 64.
	// (The first as a difference: any non-zero bit is bad.)
	bad |= (uint64_t)((ulen + 20) ^ tot) | (uint64_t)(ulen - 30 > pkt->len - 64);
	// IPv4 header checksum: the one's complement sum of the 20 bytes must be 0xffff, that
	// is, their sum as integers (in 32-bit words of either byte order) a non-zero multiple
	// of 0xffff (2^16 = 1 modulo 0xffff). Not zero: the words above passed, so byte 14
	// is 0x45. A multiple of the odd 0xffff, without a division: n is one exactly when
	// n x (the inverse of 0xffff modulo 2^64), modulo 2^64, is at most (2^64 - 1) / 0xffff
	// (multiplying by the inverse maps the multiples k x 0xffff onto k, and every other n
	// above that bound).
	sum = (uint64_t)vs_vxlan_ld32(d + 14) + vs_vxlan_ld32(d + 18) + vs_vxlan_ld32(d + 22) +
	      vs_vxlan_ld32(d + 26) + vs_vxlan_ld32(d + 30);
	if (VS_UNLIKELY(bad != 0 || sum * 0xfffefffefffeffffULL > 0x1000100010001ULL))
		return VS_VXLAN_RX_SLOW;
	vni = vs_vxlan_be32(d + 46) >> 8;
	src = vs_vxlan_ld32(d + 26);
	if (VS_UNLIKELY(vni != rx->vni || src != rx->src)) {
		const struct vs_vxlan_vni *v;
		uint32_t vtep = vs_vxlan_be32(d + 26);
		uint8_t drop = vs_vxlan_rx_lookup(rx->vc, rx->ul, vni, vtep, &v);

		if (drop != VS_DROP_NONE)
			return drop;
		rx->vni = vni;
		rx->src = src;
		rx->vtep = vtep;
		rx->port_id = v->port_id;
	}
	pkt->data += VS_VXLAN_HLEN;
	pkt->len = ulen - 16;
	pkt->in_port = rx->port_id;
	pkt->vtep = rx->vtep;
	return VS_DROP_NONE;
}
