// SPDX-License-Identifier: Apache-2.0
#include "csum.h"

#include <string.h>
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

uint32_t vs_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = 0, w;
	uint32_t f;

	// The ones-complement sum does not depend on byte order: add native 64-bit words,
	// fold, and swap the 16-bit result into network order at the end.
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
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	f = vs_csum_fold((uint32_t)s);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = __builtin_bswap16((uint16_t)f);
#endif
	return sum + f;
}

// vs_csum_add(0, p, 8) for the 8 address bytes of an IPv4 pseudo-header, without the loop:
// one load and three folds (the same end-around-carry sum, so the same result).
static inline uint32_t sum8(const uint8_t *p)
{
	uint64_t w, s;

	memcpy(&w, p, 8);
	s = (w & 0xffffffff) + (w >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = __builtin_bswap16((uint16_t)s);
#endif
	return (uint32_t)s;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

// Finds the L4 header: sets '*l4', '*l4_len', '*proto' and the pseudo-header sum.
// Returns 0 when the frame is not a complete, unfragmented TCP/UDP frame.
static int locate(const struct vs_pkt *pkt, uint32_t *l4, uint32_t *l4_len, uint8_t *proto,
		  uint32_t *pseudo)
{
	const uint8_t *ip = pkt->data + pkt->l3_off;
	uint32_t room;

	if (pkt->l3_off > pkt->len)
		return 0;
	room = pkt->len - pkt->l3_off;
	if (pkt->ethertype == ETH_P_IPV4_) {
		uint32_t ihl, tot;

		if (room < 20 || (ip[0] >> 4) != 4)
			return 0;
		ihl = (uint32_t)(ip[0] & 0xf) * 4;
		tot = rd16(ip + 2);
		// Fragments (MF set or an offset) cannot be checksummed here.
		if (ihl < 20 || tot < ihl || tot > room || (rd16(ip + 6) & 0x3fff))
			return 0;
		*proto = ip[9];
		*l4 = pkt->l3_off + ihl;
		*l4_len = tot - ihl;
		*pseudo = sum8(ip + 12) + *proto + *l4_len;
	} else if (pkt->ethertype == ETH_P_IPV6_) {
		uint32_t plen;

		if (room < 40 || (ip[0] >> 4) != 6)
			return 0;
		plen = rd16(ip + 4);
		if (plen > room - 40)
			return 0;
		*proto = ip[6];
		*l4 = pkt->l3_off + 40;
		*l4_len = plen;
		*pseudo = vs_csum_add(0, ip + 8, 32) + *proto + *l4_len;
	} else {
		return 0;
	}
	return *proto == IPPROTO_TCP_ || *proto == IPPROTO_UDP_;
}

int vs_csum_complete(struct vs_pkt *pkt)
{
	uint32_t l4, l4_len, pseudo, off, full;
	uint16_t check, sum;
	uint8_t proto;
	uint8_t *c;

	if (!locate(pkt, &l4, &l4_len, &proto, &pseudo))
		return 0;
	off = proto == IPPROTO_TCP_ ? 16 : 6;
	if (l4_len < off + 2 || l4_len < (proto == IPPROTO_TCP_ ? 20u : 8u))
		return 0;
	c = pkt->data + l4 + off;
	check = rd16(c);
	if (check != vs_csum_fold(pseudo))
		return 0;
	// A candidate: it is partial unless the full checksum already verifies. One pass over
	// the payload does both: the sum without the field is the sum plus its complement.
	full = vs_csum_add(pseudo, pkt->data + l4, l4_len);
	if (vs_csum_fold(full) == 0xffff)
		return 0;
	sum = (uint16_t)~vs_csum_fold(vs_csum_fold(full) + (uint16_t)~check);
	if (sum == 0 && proto == IPPROTO_UDP_)
		sum = 0xffff; // zero means "no checksum" for UDP
	c[0] = (uint8_t)(sum >> 8);
	c[1] = (uint8_t)sum;
	return 1;
}

uint16_t vs_csum_burst(struct vs_pkt *pkts, uint16_t n)
{
	uint16_t fixed = 0;

	for (uint16_t i = 0; i < n; i++)
		if (pkts[i].drop == VS_DROP_NONE)
			fixed += (uint16_t)vs_csum_complete(&pkts[i]);
	return fixed;
}
