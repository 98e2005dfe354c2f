// SPDX-License-Identifier: Apache-2.0
// Test frame builder: composable header writers appending into a fixed buffer.
//
//	struct pb b;
//	pb_init(&b);
//	pb_eth(&b, dst, src, PB_ETH_P_IPV4);
//	pb_vlan(&b, PB_ETH_P_8021Q, 10, PB_ETH_P_IPV4); // optional, any number of times
//	pb_ipv4(&b, 0x0a000001, 0x0a000002, PB_IPPROTO_UDP);
//	pb_udp(&b, 1000, 2000);
//	pb_payload(&b, 64);
//	pb_finish(&b); // fixes IPv4/UDP lengths and checksums; returns b.len
//
// Each writer appends one header. The last two bytes written are always the
// "next protocol" ethertype field, so pb_vlan() rewrites them with its TPID and
// appends the tag: tags can be stacked after any pb_eth(). MAC addresses are
// 48-bit integers as in <vs/mac.h>; IPv4 addresses are host-order integers.
// Overflowing the buffer aborts the test.
#pragma once

#include <stdint.h>

#define PB_MAX 16384

#define PB_ETH_P_IPV4 0x0800
#define PB_ETH_P_ARP 0x0806
#define PB_ETH_P_IPV6 0x86dd
#define PB_ETH_P_8021Q 0x8100
#define PB_ETH_P_8021AD 0x88a8
#define PB_IPPROTO_UDP 17

#define PB_BROADCAST 0xffffffffffffULL

struct pb {
	uint8_t buf[PB_MAX];
	uint32_t len;
	int32_t type_off; // offset of the last ethertype field written, -1 if none
	int32_t ip_off;	  // offset of the IPv4 header, -1 if none
	int32_t udp_off;  // offset of the UDP header, -1 if none
};

void pb_init(struct pb *b);
// Ethernet header.
void pb_eth(struct pb *b, uint64_t dst, uint64_t src, uint16_t ethertype);
// VLAN tag: sets the previous ethertype field to 'tpid', appends TCI (VID 'vid', PCP 0)
// and 'inner_type'.
void pb_vlan(struct pb *b, uint16_t tpid, uint16_t vid, uint16_t inner_type);
// IPv4 header without options (TTL 64); total length and checksum are fixed by pb_finish().
void pb_ipv4(struct pb *b, uint32_t src, uint32_t dst, uint8_t proto);
// UDP header; length and checksum are fixed by pb_finish().
void pb_udp(struct pb *b, uint16_t sport, uint16_t dport);
// 'len' payload bytes of a recognisable pattern (byte i of the payload is (uint8_t)i).
void pb_payload(struct pb *b, uint32_t len);
// Fixes IPv4 total length and header checksum, UDP length and checksum. Returns b->len.
uint32_t pb_finish(struct pb *b);

// One's complement sum over 'len' bytes folded into 16 bits (not inverted).
uint16_t pb_csum_fold(const uint8_t *data, uint32_t len, uint32_t initial);
// Returns 1 if the IPv4 header at 'ip' has a valid checksum.
int pb_ipv4_csum_ok(const uint8_t *ip);

// A unicast, locally administered MAC derived from 'n': 02:00:nn:nn:nn:nn.
static inline uint64_t pb_mac(uint32_t n)
{
	return 0x020000000000ULL | n;
}

// Shorthand: a complete Ethernet/IPv4/UDP frame of exactly 'len' bytes (len >= 42).
uint32_t pb_simple(struct pb *b, uint64_t dst, uint64_t src, uint32_t len);
