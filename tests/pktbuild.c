// SPDX-License-Identifier: Apache-2.0
#include "pktbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IPV4_HLEN 20
#define UDP_HLEN 8

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

uint32_t pb_finish(struct pb *b)
{
	if (b->ip_off >= 0) {
		uint8_t *ip = b->buf + b->ip_off;

		wr16(ip + 2, (uint16_t)(b->len - (uint32_t)b->ip_off));
		wr16(ip + 10, 0);
		wr16(ip + 10, (uint16_t)~pb_csum_fold(ip, IPV4_HLEN, 0));
	}
	if (b->udp_off >= 0) {
		uint8_t *udp = b->buf + b->udp_off;
		uint16_t ulen = (uint16_t)(b->len - (uint32_t)b->udp_off), sum;
		uint32_t pseudo = 0;

		wr16(udp + 4, ulen);
		wr16(udp + 6, 0);
		if (b->ip_off >= 0) {
			const uint8_t *ip = b->buf + b->ip_off;

			// Pseudo header: addresses, protocol, UDP length.
			pseudo = pb_csum_fold(ip + 12, 8, 0) + ip[9] + ulen;
			sum = (uint16_t)~pb_csum_fold(udp, ulen, pseudo);
			wr16(udp + 6, sum == 0 ? 0xffff : sum);
		}
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
