// SPDX-License-Identifier: Apache-2.0
#include "csum.h"

#include <string.h>
#include <vs/compiler.h>
#include <vs/drops.h>

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define ETH_P_IPV4_ 0x0800
#define ETH_P_IPV6_ 0x86dd

static inline uint64_t add_carry(uint64_t s, uint64_t w)
{
	s += w;
	return s + (s < w); // end-around carry: 2^64 is 1 modulo 0xffff
}

// The 16-bit ones-complement sum of the two halves of 'x', end-around carry included: the
// carry out of the low half lands in the high half (one rotate, one add, one shift).
static inline uint32_t fold32(uint32_t x)
{
	return (x + (x >> 16 | x << 16)) >> 16;
}

// The same for a 64-bit sum, down to 16 bits.
static inline uint32_t fold64(uint64_t x)
{
	return fold32((uint32_t)((x + (x >> 32 | x << 32)) >> 32));
}

// A folded sum of native-order words into the network-order value of the same words.
static inline uint32_t to_net(uint32_t f)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = __builtin_bswap16((uint16_t)f);
#endif
	return f;
}

uint32_t vs_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = 0, s1 = 0, s2 = 0, s3 = 0, w, w1, w2, w3;

	// The ones-complement sum does not depend on byte order: add native 64-bit words,
	// fold, and swap the 16-bit result into network order at the end. Four independent
	// add-with-carry chains over 32 bytes per step keep the core's adders busy.
	while (len >= 32) {
		memcpy(&w, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		s = add_carry(s, w);
		s1 = add_carry(s1, w1);
		s2 = add_carry(s2, w2);
		s3 = add_carry(s3, w3);
		p += 32;
		len -= 32;
	}
	s = add_carry(add_carry(s, s1), add_carry(s2, s3));
	while (len >= 8) {
		memcpy(&w, p, 8);
		s = add_carry(s, w);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t x;

		memcpy(&x, p, 4);
		s = add_carry(s, x);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t x;

		memcpy(&x, p, 2);
		s = add_carry(s, x);
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t tail[2] = {p[0], 0};
		uint16_t x;

		memcpy(&x, tail, 2);
		s = add_carry(s, x);
	}
	return sum + to_net(fold64(s));
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

// What the cheap test found out about a candidate.
struct cand {
	uint32_t l4;	 // offset of the L4 header
	uint32_t l4_len; // its length, payload included
	uint32_t pseudo; // pseudo-header sum (not folded)
	uint8_t proto;
};

// Whether 'pkt' is a complete, unfragmented TCP/UDP frame over IPv4 or IPv6 whose checksum
// field holds its folded pseudo-header sum: what a sender that left the checksum to the
// hardware (CHECKSUM_PARTIAL) leaves there.
static inline int candidate(const struct vs_pkt *pkt, struct cand *c)
{
	const uint8_t *ip = pkt->data + pkt->l3_off;
	uint32_t room, hdr, off;
	uint64_t s;

	if (pkt->l3_off > pkt->len)
		return 0;
	room = pkt->len - pkt->l3_off;
	if (pkt->ethertype == ETH_P_IPV4_) {
		uint32_t ihl, tot;

		if (room < 20 || (ip[0] & 0xf0) != 0x40)
			return 0;
		c->proto = ip[9];
		if (c->proto != IPPROTO_TCP_ && c->proto != IPPROTO_UDP_)
			return 0;
		hdr = c->proto == IPPROTO_TCP_ ? 20 : 8;
		ihl = (uint32_t)(ip[0] & 0xf) * 4;
		tot = rd16(ip + 2);
		// Fragments (MF set or an offset) cannot be checksummed here; the L4 header must
		// fit in the datagram, and the datagram in the frame.
		if (ihl < 20 || tot > room || tot < ihl + hdr || (rd16(ip + 6) & 0x3fff))
			return 0;
		c->l4 = pkt->l3_off + ihl;
		c->l4_len = tot - ihl;
		memcpy(&s, ip + 12, 8); // the addresses
	} else if (pkt->ethertype == ETH_P_IPV6_) {
		uint64_t w[4];

		if (room < 40 || (ip[0] & 0xf0) != 0x60)
			return 0;
		c->proto = ip[6];
		if (c->proto != IPPROTO_TCP_ && c->proto != IPPROTO_UDP_)
			return 0;
		hdr = c->proto == IPPROTO_TCP_ ? 20 : 8;
		c->l4_len = rd16(ip + 4);
		if (c->l4_len > room - 40 || c->l4_len < hdr)
			return 0;
		c->l4 = pkt->l3_off + 40;
		memcpy(w, ip + 8, 32); // the addresses
		s = add_carry(add_carry(w[0], w[1]), add_carry(w[2], w[3]));
	} else {
		return 0;
	}
	off = c->proto == IPPROTO_TCP_ ? 16 : 6;
	c->pseudo = to_net(fold64(s)) + c->proto + c->l4_len;
	return rd16(pkt->data + c->l4 + off) == vs_csum_fold(c->pseudo);
}

// Completes the checksum of a candidate. Returns 1 if the frame was changed.
static int repair(struct vs_pkt *pkt, const struct cand *c)
{
	uint8_t *f = pkt->data + c->l4 + (c->proto == IPPROTO_TCP_ ? 16 : 6);
	uint16_t check = rd16(f), sum;
	uint32_t full;

	// It is partial unless the full checksum already verifies. One pass over the segment
	// gives both answers: the sum without the field is the sum plus the field's complement.
	full = vs_csum_add(c->pseudo, pkt->data + c->l4, c->l4_len);
	if (vs_csum_fold(full) == 0xffff)
		return 0;
	sum = (uint16_t)~vs_csum_fold(vs_csum_fold(full) + (uint16_t)~check);
	if (sum == 0 && c->proto == IPPROTO_UDP_)
		sum = 0xffff; // zero means "no checksum" for UDP
	f[0] = (uint8_t)(sum >> 8);
	f[1] = (uint8_t)sum;
	return 1;
}

int vs_csum_complete_partial(struct vs_pkt *pkt)
{
	struct cand c;

	return candidate(pkt, &c) ? repair(pkt, &c) : 0;
}

int vs_csum_complete(struct vs_pkt *pkt)
{
	return vs_csum_maybe_partial(pkt) ? vs_csum_complete_partial(pkt) : 0;
}

uint16_t vs_csum_burst(struct vs_pkt *pkts, uint16_t n)
{
	uint16_t fixed = 0;

	for (uint16_t i = 0; i < n; i++)
		if (pkts[i].drop == VS_DROP_NONE && VS_UNLIKELY(vs_csum_maybe_partial(&pkts[i])))
			fixed += (uint16_t)vs_csum_complete_partial(&pkts[i]);
	return fixed;
}
