// SPDX-License-Identifier: Apache-2.0
#include "parse.h"

#include "csum.h"
#include "fdb.h"

#include <vs/compiler.h>
#include <vs/drops.h>

#include <stddef.h>
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
	// Bytes 0-7 start with the destination and 6-13 with the source (the frame has 14).
	pkt->dst_mac = rd64(d) >> 16;
	pkt->src_mac = rd64(d + 6) >> 16;
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

bool vs_parse_pair(const struct vs_pkt *pkts, uint16_t n, struct vs_pair *p)
{
	uint64_t a0, b0, bytes = 0;
	uint32_t len_or = 0;

	if (pkts[0].len < VS_ETH_HLEN)
		return false;
	// Bytes 0-7 and 4-11 as loaded: the two MACs, compared without byte swaps.
	memcpy(&a0, pkts[0].data, 8);
	memcpy(&b0, pkts[0].data + 4, 8);
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *d = pkts[i].data;
		uint32_t len = pkts[i].len;
		uint64_t a, b;

		if (len < VS_ETH_HLEN)
			return false;
		memcpy(&a, d, 8);
		memcpy(&b, d + 4, 8);
		if ((a ^ a0) | (b ^ b0))
			return false;
		bytes += len;
		len_or |= len;
	}
	p->dst = rd64(pkts[0].data) >> 16;
	p->src = rd64(pkts[0].data + 6) >> 16;
	p->bytes = bytes;
	p->len_or = len_or;
	return true;
}

// The word of bytes 12-15 of an untagged IPv4 frame without options, as loaded: ethertype
// 0x0800, then version 4 and IHL 5.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IP4_WORD 0x450008u
#define IP4_MASK 0xffffffu
#else
#define IP4_WORD 0x08004500u
#define IP4_MASK 0xffffff00u
#endif

// What parse() stores in ethertype, vlan, l3_off, drop and n_vlans (adjacent, in this order)
// for an untagged IPv4 frame, as one 8-byte store.
_Static_assert(offsetof(struct vs_pkt, vlan) == offsetof(struct vs_pkt, ethertype) + 2 &&
		       offsetof(struct vs_pkt, l3_off) == offsetof(struct vs_pkt, ethertype) + 4 &&
		       offsetof(struct vs_pkt, drop) == offsetof(struct vs_pkt, ethertype) + 6 &&
		       offsetof(struct vs_pkt, n_vlans) == offsetof(struct vs_pkt, ethertype) + 7,
	       "struct vs_pkt: ethertype, vlan, l3_off, drop, n_vlans");
_Static_assert(offsetof(struct vs_pkt, out_port) == offsetof(struct vs_pkt, in_port) + 2,
	       "struct vs_pkt: in_port, out_port");

static inline uint64_t ip4_meta(void)
{
	struct {
		uint16_t ethertype, vlan, l3_off;
		uint8_t drop, n_vlans;
	} m = {0x0800, 0, VS_ETH_HLEN, VS_DROP_NONE, 0};
	uint64_t v;

	_Static_assert(sizeof(m) == 8, "8 bytes");
	memcpy(&v, &m, 8);
	return v;
}

static inline __attribute__((always_inline)) void rx_pass(struct vs_pkt *pkts, uint16_t n,
							  uint16_t in_port, struct vs_port *rx_port,
							  bool csum, bool hashed, bool decap,
							  struct vs_rx_prep *prep)
{
	struct vs_fdb_slot *slots = prep->slots;
	const uint32_t mask = prep->mask;
	// in_port, then out_port = VS_PORT_NONE, as one store
	const uint32_t ports = (uint32_t)in_port | (uint32_t)VS_PORT_NONE << 16;
	const uint64_t meta = ip4_meta();
	uint64_t bytes = 0;
	uint16_t fixed = 0, dropped = 0;

	for (uint16_t i = 0; i < n; i++)
		vs_prefetch0(pkts[i].data);
	for (uint16_t i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];
		const uint8_t *d = pkt->data;
		uint32_t len = pkt->len, w;
		uint64_t dst, src;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&pkt->in_port, &ports, 4);
#else
		pkt->in_port = in_port;
		pkt->out_port = VS_PORT_NONE;
#endif
		pkt->rx_port = rx_port;
		if (!decap)
			pkt->vtep = 0;
		bytes += len;
		if (VS_LIKELY(len >= VS_CSUM_FAST_MIN) &&
		    (memcpy(&w, d + 12, 4), (w & IP4_MASK) == IP4_WORD)) {
			// parse() of an untagged IPv4 frame, with the checksum test that knows
			// where the headers are.
			dst = rd64(d) >> 16;
			src = rd64(d + 6) >> 16;
			pkt->dst_mac = dst;
			pkt->src_mac = src;
			memcpy(&pkt->ethertype, &meta, 8);
			if (csum && VS_UNLIKELY(vs_csum_maybe_partial_ip4(d)))
				fixed += (uint16_t)vs_csum_complete_partial(pkt);
		} else {
			if (parse(pkt) != VS_DROP_NONE) {
				dropped++;
				continue;
			}
			if (csum && VS_UNLIKELY(vs_csum_maybe_partial(pkt)))
				fixed += (uint16_t)vs_csum_complete_partial(pkt);
			dst = pkt->dst_mac;
			src = pkt->src_mac;
		}
		if (hashed) {
			struct vs_fdb_slot *s = vs_fdb_first_slot(slots, mask, src);
			struct vs_fdb_slot *t = vs_fdb_first_slot(slots, mask, dst);

			__builtin_prefetch(s, 0, 3);
			__builtin_prefetch(t, 0, 3);
			prep->src[i] = s;
			prep->dst[i] = t;
		}
	}
	prep->bytes = bytes;
	prep->fixed = fixed;
	prep->dropped = dropped;
}

// One copy of rx_pass() per combination of 'csum' and 'hashed': the tests stay out of the loop.
#define RX_PASS(decap)                                                                          \
	do {                                                                                    \
		if (csum) {                                                                     \
			if (hashed)                                                             \
				rx_pass(pkts, n, in_port, rx_port, true, true, decap, prep);    \
			else                                                                    \
				rx_pass(pkts, n, in_port, rx_port, true, false, decap, prep);   \
		} else {                                                                        \
			if (hashed)                                                             \
				rx_pass(pkts, n, in_port, rx_port, false, true, decap, prep);   \
			else                                                                    \
				rx_pass(pkts, n, in_port, rx_port, false, false, decap, prep);  \
		}                                                                               \
	} while (0)

// Decapsulated frames: a copy of its own, out of line, so that the plain one stays as it was.
static __attribute__((noinline)) void rx_decap(struct vs_pkt *pkts, uint16_t n, uint16_t in_port,
					       struct vs_port *rx_port, bool csum, bool hashed,
					       struct vs_rx_prep *prep)
{
	RX_PASS(true);
}

void vs_parse_rx_burst(struct vs_pkt *pkts, uint16_t n, uint16_t in_port, struct vs_port *rx_port,
		       bool csum, struct vs_rx_prep *prep)
{
	bool hashed = prep->hashed && prep->slots != NULL;

	if (VS_UNLIKELY(prep->decap)) {
		rx_decap(pkts, n, in_port, rx_port, csum, hashed, prep);
		return;
	}
	RX_PASS(false);
}
