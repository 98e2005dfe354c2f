// SPDX-License-Identifier: Apache-2.0
// Test frame builder: composable header writers appending into a fixed buffer.
//
//	struct pb b;
//	pb_init(&b);
//	pb_eth(&b, dst, src, PB_ETH_P_IPV4);
//	pb_vlan(&b, PB_ETH_P_8021Q, 10, PB_ETH_P_IPV4); // optional, any number of times
//	pb_ipv4(&b, 0x0a000001, 0x0a000002, PB_IPPROTO_UDP); // or pb_ipv6()
//	pb_udp(&b, 1000, 2000);                                // or pb_tcp()
//	pb_payload(&b, 64);
//	pb_finish(&b); // fixes IP/UDP lengths and IPv4/TCP/UDP checksums; returns b.len
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
#define PB_IPPROTO_HOPOPTS 0
#define PB_IPPROTO_TCP 6
#define PB_IPPROTO_UDP 17
#define PB_IPPROTO_ICMPV6 58

#define PB_BROADCAST 0xffffffffffffULL

struct pb {
	uint8_t buf[PB_MAX];
	uint32_t len;
	int32_t type_off; // offset of the last ethertype field written, -1 if none
	int32_t ip_off;	  // offset of the IPv4 header, -1 if none
	int32_t udp_off;  // offset of the UDP header, -1 if none
	int32_t ip6_off;  // offset of the IPv6 header, -1 if none
	int32_t tcp_off;  // offset of the TCP header, -1 if none
};

void pb_init(struct pb *b);
// Ethernet header.
void pb_eth(struct pb *b, uint64_t dst, uint64_t src, uint16_t ethertype);
// VLAN tag: sets the previous ethertype field to 'tpid', appends TCI (VID 'vid', PCP 0)
// and 'inner_type'.
void pb_vlan(struct pb *b, uint16_t tpid, uint16_t vid, uint16_t inner_type);
// IPv4 header without options (TTL 64); total length and checksum are fixed by pb_finish().
void pb_ipv4(struct pb *b, uint32_t src, uint32_t dst, uint8_t proto);
// IPv4 options: appends 'len' bytes (a multiple of 4, at most 40) to the IPv4 header just
// written by pb_ipv4() and raises its IHL to match.
void pb_ipv4_options(struct pb *b, const uint8_t *opts, uint32_t len);
// IPv6 header (hop limit 64, traffic class and flow label 0); 'src' and 'dst' are 16 bytes
// in network order. The payload length is fixed by pb_finish().
void pb_ipv6(struct pb *b, const uint8_t *src, const uint8_t *dst, uint8_t next_header);
// UDP header; length and checksum are fixed by pb_finish().
void pb_udp(struct pb *b, uint16_t sport, uint16_t dport);
// TCP header of 20 bytes (no options, ACK|PSH, window 65535); checksum fixed by pb_finish().
void pb_tcp(struct pb *b, uint16_t sport, uint16_t dport);
// 'len' payload bytes of a recognisable pattern (byte i of the payload is (uint8_t)i).
void pb_payload(struct pb *b, uint32_t len);
// Fixes IPv4 total length and header checksum, IPv6 payload length, UDP length, and the
// UDP and TCP checksums: the pseudo header comes from the IP header written last, with the
// protocol that header names; a UDP checksum computing to 0 is sent as 0xffff; without an
// IP header the UDP checksum is 0. Every length runs to the end of the frame. Returns b->len.
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
// Ethernet/IPv4 ARP payload (after pb_eth(..., PB_ETH_P_ARP)): operation 'op' (1 request,
// 2 reply), sender 'sha'/'spa', target 'tha'/'tpa' (addresses in host order).
void pb_arp(struct pb *b, uint16_t op, uint64_t sha, uint32_t spa, uint64_t tha, uint32_t tpa);
