// SPDX-License-Identifier: Apache-2.0
// genvxlan: dpdkgen as a remote VTEP (see genvxlan.h).
#include "genvxlan.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <vs/mac.h>

#include "../vswitch/dp/netbytes.h"

#define OFF_IP 14
#define OFF_UDP 34
#define OFF_VX 42
#define VX_FLAG_I 0x08

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
	wrmac(f, vx->dut_mac);
	wrmac(f + 6, vx->mac);
	wr16(f + 12, 0x0800);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(inner_len + GEN_VX_HDR - OFF_IP));
	wr16(ip + 6, 0x4000); // DF
	ip[8] = 64;
	ip[9] = 17;
	wr32(ip + 12, vx->ip);
	wr32(ip + 16, vx->dut_ip);
	for (int i = 0; i < 20; i += 2)
		sum += rd16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	wr16(ip + 10, (uint16_t)~sum);
	wr16(f + OFF_UDP, sport);
	wr16(f + OFF_UDP + 2, GEN_VX_PORT);
	wr16(f + OFF_UDP + 4, (uint16_t)(inner_len + GEN_VX_HDR - OFF_UDP));
	f[OFF_VX] = VX_FLAG_I;
	wr32(f + OFF_VX + 4, vx->vni << 8);
}

int gen_vx_match(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len)
{
	return len >= GEN_VX_HDR + 14 && rd16(f + 12) == 0x0800 && f[OFF_IP] == 0x45 &&
	       f[OFF_IP + 9] == 17 && rd32(f + OFF_IP + 12) == vx->dut_ip &&
	       rd32(f + OFF_IP + 16) == vx->ip && rd16(f + OFF_UDP + 2) == GEN_VX_PORT &&
	       f[OFF_VX] == VX_FLAG_I && rd32(f + OFF_VX + 4) >> 8 == vx->vni;
}

int gen_vx_arp(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len, uint8_t *out,
	       uint64_t *asker)
{
	const uint8_t *a = f + 14;
	uint8_t *r = out + 14;

	if (len < 14 + 28 || rd16(f + 12) != 0x0806)
		return -1;
	*asker = rdmac(a + 8);
	if (rd16(a) != 1 || rd16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
	    rd16(a + 6) != 1 || rd32(a + 24) != vx->ip || *asker == 0 ||
	    vs_mac_is_multicast(*asker))
		return 0;
	memset(out, 0, GEN_VX_ARP_FRAME);
	wrmac(out, *asker);
	wrmac(out + 6, vx->mac);
	wr16(out + 12, 0x0806);
	wr16(r, 1);
	wr16(r + 2, 0x0800);
	r[4] = 6;
	r[5] = 4;
	wr16(r + 6, 2); // reply
	wrmac(r + 8, vx->mac);
	wr32(r + 14, vx->ip);
	memcpy(r + 18, a + 8, 10); // the requester's MAC and IPv4 address
	return 1;
}
