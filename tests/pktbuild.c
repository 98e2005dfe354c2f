// SPDX-License-Identifier: Apache-2.0
#include "pktbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define TCP_HLEN 20

static uint8_t *grow(struct pb *b, uint32_t n)
{
	uint8_t *p;

	if (n > PB_MAX - b->len) {
		fprintf(stderr, "pktbuild: frame larger than %d bytes\n", PB_MAX);
		abort();
	}
	p = b->buf + b->len;
	b->len += n;
	return p;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static void wrmac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)mac;
		mac >>= 8;
	}
}

void pb_init(struct pb *b)
{
	b->len = 0;
	b->type_off = -1;
	b->ip_off = -1;
	b->udp_off = -1;
	b->ip6_off = -1;
	b->tcp_off = -1;
}

void pb_eth(struct pb *b, uint64_t dst, uint64_t src, uint16_t ethertype)
{
	uint8_t *p = grow(b, ETH_HLEN);

	wrmac(p, dst);
	wrmac(p + 6, src);
	wr16(p + 12, ethertype);
	b->type_off = (int32_t)(b->len - 2);
}

void pb_vlan(struct pb *b, uint16_t tpid, uint16_t vid, uint16_t inner_type)
{
	uint8_t *p;

	if (b->type_off < 0) {
		fprintf(stderr, "pktbuild: pb_vlan() before pb_eth()\n");
		abort();
	}
	wr16(b->buf + b->type_off, tpid);
	p = grow(b, VLAN_HLEN);
	wr16(p, vid & 0x0fff);
	wr16(p + 2, inner_type);
	b->type_off = (int32_t)(b->len - 2);
}

void pb_ipv4(struct pb *b, uint32_t src, uint32_t dst, uint8_t proto)
{
	uint8_t *p = grow(b, IPV4_HLEN);

	memset(p, 0, IPV4_HLEN);
	p[0] = 0x45; // version 4, IHL 5
	wr16(p + 4, 0x1234);
	wr16(p + 6, 0x4000); // DF
	p[8] = 64;
	p[9] = proto;
	wr32(p + 12, src);
	wr32(p + 16, dst);
	b->ip_off = (int32_t)(b->len - IPV4_HLEN);
}

void pb_ipv4_options(struct pb *b, const uint8_t *opts, uint32_t len)
{
	uint8_t *ip;

	if (b->ip_off < 0 || b->len != (uint32_t)b->ip_off + IPV4_HLEN || len % 4 || len > 40) {
		fprintf(stderr,
			"pktbuild: pb_ipv4_options() not right after pb_ipv4() or bad length\n");
		abort();
	}
	memcpy(grow(b, len), opts, len);
	ip = b->buf + b->ip_off;
	ip[0] = (uint8_t)(0x40 | (IPV4_HLEN + len) / 4);
}

void pb_ipv6(struct pb *b, const uint8_t *src, const uint8_t *dst, uint8_t next_header)
{
	uint8_t *p = grow(b, IPV6_HLEN);

	memset(p, 0, IPV6_HLEN);
	p[0] = 0x60; // version 6
	p[6] = next_header;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	b->ip6_off = (int32_t)(b->len - IPV6_HLEN);
}

void pb_tcp(struct pb *b, uint16_t sport, uint16_t dport)
{
	uint8_t *p = grow(b, TCP_HLEN);

	memset(p, 0, TCP_HLEN);
	wr16(p, sport);
	wr16(p + 2, dport);
	wr32(p + 4, 0x01020304); // sequence number
	wr32(p + 8, 0x0a0b0c0d); // acknowledgment number
	p[12] = 5 << 4;		 // data offset: 5 words
	p[13] = 0x18;		 // ACK | PSH
	wr16(p + 14, 65535);	 // window
	b->tcp_off = (int32_t)(b->len - TCP_HLEN);
}

void pb_udp(struct pb *b, uint16_t sport, uint16_t dport)
{
	uint8_t *p = grow(b, UDP_HLEN);

	memset(p, 0, UDP_HLEN);
	wr16(p, sport);
	wr16(p + 2, dport);
	b->udp_off = (int32_t)(b->len - UDP_HLEN);
}

void pb_payload(struct pb *b, uint32_t len)
{
	uint8_t *p = grow(b, len);

	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)i;
}

uint16_t pb_csum_fold(const uint8_t *data, uint32_t len, uint32_t initial)
{
	uint64_t sum = initial;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(data[i] << 8 | data[i + 1]);
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

int pb_ipv4_csum_ok(const uint8_t *ip)
{
	return pb_csum_fold(ip, (uint32_t)(ip[0] & 0xf) * 4, 0) == 0xffff;
}

// Pseudo-header sum (not folded) for 'l4_len' bytes of L4, from the IP header written last
// (with the protocol its header names). Sets '*found' to 0 when there is no IP header.
static uint32_t pseudo_sum(const struct pb *b, uint32_t l4_len, int *found)
{
	const uint8_t *ip;

	*found = 1;
	if (b->ip6_off > b->ip_off) {
		ip = b->buf + b->ip6_off;
		return pb_csum_fold(ip + 8, 32, 0) + ip[6] + l4_len;
	}
	if (b->ip_off >= 0) {
		ip = b->buf + b->ip_off;
		return pb_csum_fold(ip + 12, 8, 0) + ip[9] + l4_len;
	}
	*found = 0;
	return 0;
}

uint32_t pb_finish(struct pb *b)
{
	if (b->ip_off >= 0) {
		uint8_t *ip = b->buf + b->ip_off;
		uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;

		wr16(ip + 2, (uint16_t)(b->len - (uint32_t)b->ip_off));
		wr16(ip + 10, 0);
		wr16(ip + 10, (uint16_t)~pb_csum_fold(ip, ihl, 0));
	}
	if (b->ip6_off >= 0)
		wr16(b->buf + b->ip6_off + 4,
		     (uint16_t)(b->len - (uint32_t)b->ip6_off - IPV6_HLEN));
	if (b->udp_off >= 0) {
		uint8_t *udp = b->buf + b->udp_off;
		uint16_t ulen = (uint16_t)(b->len - (uint32_t)b->udp_off), sum;
		uint32_t pseudo;
		int found;

		wr16(udp + 4, ulen);
		wr16(udp + 6, 0);
		// Pseudo header: addresses, protocol, UDP length.
		pseudo = pseudo_sum(b, ulen, &found);
		if (found) {
			sum = (uint16_t)~pb_csum_fold(udp, ulen, pseudo);
			wr16(udp + 6, sum == 0 ? 0xffff : sum);
		}
	}
	if (b->tcp_off >= 0) {
		uint8_t *tcp = b->buf + b->tcp_off;
		uint32_t tlen = b->len - (uint32_t)b->tcp_off, pseudo;
		int found;

		wr16(tcp + 16, 0);
		pseudo = pseudo_sum(b, tlen, &found);
		if (found)
			wr16(tcp + 16, (uint16_t)~pb_csum_fold(tcp, tlen, pseudo));
	}
	return b->len;
}

uint32_t pb_simple(struct pb *b, uint64_t dst, uint64_t src, uint32_t len)
{
	const uint32_t hdrs = ETH_HLEN + IPV4_HLEN + UDP_HLEN;

	if (len < hdrs) {
		fprintf(stderr, "pktbuild: pb_simple() needs at least %u bytes\n", hdrs);
		abort();
	}
	pb_init(b);
	pb_eth(b, dst, src, PB_ETH_P_IPV4);
	pb_ipv4(b, 0x0a000001, 0x0a000002, PB_IPPROTO_UDP);
	pb_udp(b, 10000, 20000);
	pb_payload(b, len - hdrs);
	return pb_finish(b);
}

void pb_arp(struct pb *b, uint16_t op, uint64_t sha, uint32_t spa, uint64_t tha, uint32_t tpa)
{
	uint8_t *p = grow(b, 28);

	wr16(p, 1);
	wr16(p + 2, PB_ETH_P_IPV4);
	p[4] = 6;
	p[5] = 4;
	wr16(p + 6, op);
	wrmac(p + 8, sha);
	wr16(p + 14, (uint16_t)(spa >> 16));
	wr16(p + 16, (uint16_t)spa);
	wrmac(p + 18, tha);
	wr16(p + 24, (uint16_t)(tpa >> 16));
	wr16(p + 26, (uint16_t)tpa);
}
