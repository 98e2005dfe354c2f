// SPDX-License-Identifier: Apache-2.0
// VXLAN decapsulation: outer header validation and VNI/VTEP lookup. No I/O, no
// allocation: tests/fuzz/vxlan_decap_fuzz.c feeds it arbitrary bytes. The slow path
// (vs_vxlan_parse_outer, vs_vxlan_decap_slow) checks every field in order and names the
// reason of a drop; the common case takes the fast path of vxlan_rx.h first.
#include <vs/drops.h>

#include "netbytes.h"
#include "vxlan.h"
#include "vxlan_rx.h"

#define ETH_HLEN 14
#define IPV4_HLEN 20
#define UDP_HLEN 8
#define VXLAN_HLEN 8
#define ETH_P_IPV4 0x0800
#define IPPROTO_UDP_ 17

// One's complement sum in 32-bit words (the header is a multiple of 4 bytes), folded.
static bool ipv4_csum_ok(const uint8_t *ip, uint32_t hlen)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < hlen; i += 4)
		sum += rd32(ip + i);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

uint8_t vs_vxlan_parse_outer(const uint8_t *d, uint32_t len, uint32_t local_ip, uint16_t dst_port,
			     struct vs_vxlan_outer *o)
{
	const uint8_t *ip, *udp, *vx;
	uint32_t ihl, tot, ulen;

	if (len < ETH_HLEN)
		return VS_DROP_VXLAN_TRUNCATED;
	if (rd16(d + 12) != ETH_P_IPV4)
		return VS_DROP_VXLAN_NOT_VXLAN;
	ip = d + ETH_HLEN;
	if (len < ETH_HLEN + IPV4_HLEN)
		return VS_DROP_VXLAN_TRUNCATED;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4 || ihl < IPV4_HLEN)
		return VS_DROP_VXLAN_BAD_OUTER;
	if (len < ETH_HLEN + ihl)
		return VS_DROP_VXLAN_TRUNCATED;
	tot = rd16(ip + 2);
	if (tot < ihl || !ipv4_csum_ok(ip, ihl))
		return VS_DROP_VXLAN_BAD_OUTER;
	// Ethernet may pad a short packet: the IPv4 total length is what counts.
	if (tot > len - ETH_HLEN)
		return VS_DROP_VXLAN_TRUNCATED;
	if (ip[9] != IPPROTO_UDP_ || rd32(ip + 16) != local_ip)
		return VS_DROP_VXLAN_NOT_VXLAN;
	// Any fragment (more fragments, or an offset): later ones carry no UDP header.
	if (rd16(ip + 6) & 0x3fff)
		return VS_DROP_VXLAN_FRAGMENT;
	if (tot < ihl + UDP_HLEN)
		return VS_DROP_VXLAN_TRUNCATED;
	udp = ip + ihl;
	if (rd16(udp + 2) != dst_port)
		return VS_DROP_VXLAN_NOT_VXLAN;
	ulen = rd16(udp + 4);
	if (ulen < UDP_HLEN + VXLAN_HLEN || ulen > tot - ihl)
		return VS_DROP_VXLAN_TRUNCATED;
	vx = udp + UDP_HLEN;
	// The I flag must be set; other flags mean extensions (GBP, GPE) this VTEP does not speak.
	if (vx[0] != VS_VXLAN_FLAG_I)
		return VS_DROP_VXLAN_BAD_FLAGS;
	o->src_ip = rd32(ip + 12);
	o->vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];
	o->inner_off = ETH_HLEN + ihl + UDP_HLEN + VXLAN_HLEN;
	o->inner_len = ulen - UDP_HLEN - VXLAN_HLEN;
	if (o->inner_len < ETH_HLEN)
		return VS_DROP_VXLAN_INNER_TRUNCATED;
	return VS_DROP_NONE;
}

int vs_vxlan_remote_find(const struct vs_vxlan_tx *tx, uint32_t ip)
{
	for (uint16_t i = 0; i < tx->n_remotes; i++)
		if (tx->remotes[i].ip == ip)
			return i;
	return -1;
}

uint8_t vs_vxlan_decap_slow(const struct vs_vxlan_conf *vc, const struct vs_vxlan_underlay *ul,
			    struct vs_pkt *pkt)
{
	const struct vs_vxlan_vni *v = &vc->vni[ul->first_vni], *end = v + ul->n_vni;
	const struct vs_vxlan_port *vx;
	struct vs_vxlan_outer o;
	uint8_t drop;

	drop = vs_vxlan_parse_outer(pkt->data, pkt->len, ul->local_ip, ul->dst_port, &o);
	if (drop != VS_DROP_NONE)
		return drop;
	while (v < end && v->vni != o.vni)
		v++;
	if (v == end)
		return VS_DROP_VXLAN_UNKNOWN_VNI;
	vx = v->port->priv;
	if (vs_vxlan_remote_find(vs_vxlan_tx_get(vx), o.src_ip) < 0)
		return VS_DROP_VXLAN_UNKNOWN_VTEP;
	pkt->data += o.inner_off;
	pkt->len = o.inner_len;
	pkt->in_port = v->port_id;
	pkt->vtep = o.src_ip;
	return VS_DROP_NONE;
}

uint8_t vs_vxlan_decap_one(const struct vs_vxlan_conf *vc, const struct vs_vxlan_underlay *ul,
			   struct vs_pkt *pkt)
{
	struct vs_vxlan_rx rx;
	uint8_t drop;

	vs_vxlan_rx_init(&rx, vc, ul);
	drop = vs_vxlan_rx_fast(&rx, pkt);
	return drop != VS_VXLAN_RX_SLOW ? drop : vs_vxlan_decap_slow(vc, ul, pkt);
}
