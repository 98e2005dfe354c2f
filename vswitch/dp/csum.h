// SPDX-License-Identifier: Apache-2.0
// Checksum completion stage.
//
// A Linux sender with checksum offload (a container's veth at its defaults)
// hands over TCP/UDP frames whose checksum field holds only the folded
// pseudo-header sum, leaving the rest to "the hardware" (CHECKSUM_PARTIAL).
// That state is lost across XDP/AF_XDP, so such frames would reach their
// receiver with a wrong checksum and be dropped there. This stage finds them
// and completes the checksum; frames with a valid checksum are left alone.
//
// Cost: per IPv4/IPv6 frame, a pseudo-header sum compared with the checksum
// field, before any other check of the headers (no loop, no call); only frames
// that pass are checked in full. The payload is read only for candidates, whose
// checksum field equals that sum, in one pass (four add-with-carry chains of
// 8-byte words). A candidate whose full checksum already verifies (1 in 65536
// valid frames) is left as it is.
#pragma once

#include <stdint.h>
#include <string.h>

#include "pkt.h"

// Completes a partial TCP/UDP checksum over IPv4 or IPv6 (no extension headers,
// no fragments). Returns 1 if the frame was changed, 0 otherwise.
int vs_csum_complete(struct vs_pkt *pkt);
// Runs vs_csum_complete() over the live packets of a burst; returns how many changed.
uint16_t vs_csum_burst(struct vs_pkt *pkts, uint16_t n);
// vs_csum_complete() for a frame vs_csum_maybe_partial() let through.
int vs_csum_complete_partial(struct vs_pkt *pkt);

// Ones-complement sum of 'len' bytes (big-endian 16-bit words) added to 'sum'.
uint32_t vs_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
// Folds a 32-bit sum into 16 bits.
static inline uint16_t vs_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

// The end of vs_csum_maybe_partial(): whether 'field' equals the folded sum of 's' (the
// addresses, as loaded) and 'x' (the rest of the pseudo-header).
static inline int vs_csum_pseudo_eq_(uint64_t s, uint32_t x, uint16_t field)
{
	s += x;
	s += s < x; // end-around carry
	s += s >> 32 | s << 32; // fold 64 -> 32 (high half), then 32 -> 16
	x = (uint32_t)(s >> 32);
	x = (x + (x >> 16 | x << 16)) >> 16;
	return field == x;
}

// A necessary condition of a partial checksum, as cheap as it gets (the parse stage runs it
// inline on every frame it parsed): the checksum field, wherever the header says it is (if
// that is inside the frame), equals the folded pseudo-header sum of the header's addresses,
// protocol and L4 length, none of them checked yet. Only frames that pass (the partial ones,
// and 1 in 65536 others) pay for vs_csum_complete_partial()'s checks.
//
// The sum is taken over the words as the CPU loads them (byte order does not change a
// ones-complement sum, it swaps the bytes of the result) and compared with the field loaded
// the same way; nonzero sums fold to one value in 1..0xffff, so the comparison is exact.
// IPv4's L4 length tot_len - 4 * ihl enters as tot_len plus the complement of 4 * ihl.
static inline int vs_csum_maybe_partial(const struct vs_pkt *pkt)
{
	const uint8_t *ip = pkt->data + pkt->l3_off;
	int32_t room = (int32_t)(pkt->len - pkt->l3_off); // negative if l3_off > len
	uint32_t l4, off, proto, x;
	uint16_t w, field;
	uint64_t s;

	if (pkt->ethertype == 0x0800) {
		if (room < 20)
			return 0;
		proto = ip[9];
		l4 = (uint32_t)(ip[0] & 0xf) * 4;
		memcpy(&w, ip + 2, 2); // tot_len
		memcpy(&s, ip + 12, 8); // the addresses
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		x = w + (proto << 8) + (0xffff - (l4 << 8));
#else
		x = w + proto + (0xffff - l4);
#endif
	} else if (pkt->ethertype == 0x86dd) {
		uint64_t a[4];

		if (room < 40)
			return 0;
		proto = ip[6];
		l4 = 40;
		memcpy(&w, ip + 4, 2); // payload length
		memcpy(a, ip + 8, 32); // the addresses
		s = a[0] + a[1];
		s += s < a[1];
		a[2] += a[3];
		a[2] += a[2] < a[3];
		s += a[2];
		s += s < a[2];
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		x = w + (proto << 8);
#else
		x = w + proto;
#endif
	} else {
		return 0;
	}
	off = proto == 6 ? 16 : 6; // TCP, else where UDP has it
	if (l4 + off + 2 > (uint32_t)room)
		return 0;
	memcpy(&field, ip + l4 + off, 2);
	return vs_csum_pseudo_eq_(s, x, field);
}

// vs_csum_maybe_partial() for the most common frame, as the pipeline's first pass finds it
// (dp/parse.c): untagged IPv4 without options (version and IHL byte 0x45, right behind the
// 14-byte Ethernet header) in a frame of at least VS_CSUM_FAST_MIN bytes, so that every
// bounds test of the general version passes by construction. 'd' is the Ethernet header.
// Returns exactly what vs_csum_maybe_partial() returns for such a frame.
#define VS_CSUM_FAST_MIN (14 + 20 + 16 + 2) // up to the end of a TCP checksum field
static inline int vs_csum_maybe_partial_ip4(const uint8_t *d)
{
	const uint8_t *ip = d + 14;
	uint32_t proto = ip[9], x;
	uint16_t w, field;
	uint64_t s;

	memcpy(&w, ip + 2, 2); // tot_len
	memcpy(&s, ip + 12, 8); // the addresses
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = w + (proto << 8) + (0xffff - (20u << 8));
#else
	x = w + proto + (0xffff - 20u);
#endif
	memcpy(&field, ip + 20 + (proto == 6 ? 16 : 6), 2);
	return vs_csum_pseudo_eq_(s, x, field);
}
