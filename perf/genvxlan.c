// SPDX-License-Identifier: Apache-2.0
// genvxlan: dpdkgen as a remote VTEP (see genvxlan.h).
#include "genvxlan.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <vs/mac.h>

#define OFF_IP 14
#define OFF_UDP 34
#define OFF_VX 42
#define VX_FLAG_I 0x08

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--, mac >>= 8)
		p[i] = (uint8_t)mac;
}

static uint64_t get_mac(const uint8_t *p)
{
	uint64_t m = 0;

	for (int i = 0; i < 6; i++)
		m = m << 8 | p[i];
	return m;
}

int gen_vx_parse_vtep(const char *s, uint32_t *ip, uint64_t *mac)
{
	char buf[64];
	char *comma;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	comma = strchr(buf, ',');
	if (comma == NULL)
		return -1;
	*comma = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || a.s_addr == 0)
		return -1;
	*ip = ntohl(a.s_addr);
	return vs_mac_parse(comma + 1, mac) < 0 || *mac == 0 || vs_mac_is_multicast(*mac) ? -1 : 0;
}

int gen_vx_parse_side(const char *s, int *side)
{
	if (!strcmp(s, "tx"))
		*side = GEN_VX_TX;
	else if (!strcmp(s, "rx"))
		*side = GEN_VX_RX;
	else
		return -1;
	return 0;
}

void gen_vx_encap(const struct gen_vxlan *vx, uint8_t *f, uint32_t inner_len, uint16_t sport)
{
	uint8_t *ip = f + OFF_IP;
	uint32_t sum = 0;

	memset(f, 0, GEN_VX_HDR);
	put_mac(f, vx->dut_mac);
	put_mac(f + 6, vx->mac);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(inner_len + GEN_VX_HDR - OFF_IP));
	put16(ip + 6, 0x4000); // DF
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, vx->ip);
	put32(ip + 16, vx->dut_ip);
	for (int i = 0; i < 20; i += 2)
		sum += get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	put16(f + OFF_UDP, sport);
	put16(f + OFF_UDP + 2, GEN_VX_PORT);
	put16(f + OFF_UDP + 4, (uint16_t)(inner_len + GEN_VX_HDR - OFF_UDP));
	f[OFF_VX] = VX_FLAG_I;
	put32(f + OFF_VX + 4, vx->vni << 8);
}

int gen_vx_match(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len)
{
	return len >= GEN_VX_HDR + 14 && get16(f + 12) == 0x0800 && f[OFF_IP] == 0x45 &&
	       f[OFF_IP + 9] == 17 && get32(f + OFF_IP + 12) == vx->dut_ip &&
	       get32(f + OFF_IP + 16) == vx->ip && get16(f + OFF_UDP + 2) == GEN_VX_PORT &&
	       f[OFF_VX] == VX_FLAG_I && get32(f + OFF_VX + 4) >> 8 == vx->vni;
}

int gen_vx_arp(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len, uint8_t *out,
	       uint64_t *asker)
{
	const uint8_t *a = f + 14;
	uint8_t *r = out + 14;

	if (len < 14 + 28 || get16(f + 12) != 0x0806)
		return -1;
	*asker = get_mac(a + 8);
	if (get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
	    get16(a + 6) != 1 || get32(a + 24) != vx->ip || *asker == 0 ||
	    vs_mac_is_multicast(*asker))
		return 0;
	memset(out, 0, GEN_VX_ARP_FRAME);
	put_mac(out, *asker);
	put_mac(out + 6, vx->mac);
	put16(out + 12, 0x0806);
	put16(r, 1);
	put16(r + 2, 0x0800);
	r[4] = 6;
	r[5] = 4;
	put16(r + 6, 2); // reply
	put_mac(r + 8, vx->mac);
	put32(r + 14, vx->ip);
	memcpy(r + 18, a + 8, 10); // the requester's MAC and IPv4 address
	return 1;
}
