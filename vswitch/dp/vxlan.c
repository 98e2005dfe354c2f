// SPDX-License-Identifier: Apache-2.0
// VXLAN datapath: the underlay rx hook and the vxlan port's transmit (encapsulation).
#include "vxlan.h"

#include <string.h>
#include <vs/drops.h>

#include "conf.h"
#include "csum.h"
#include "pmd.h"
#include "vxlan_arp.h"

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static inline void wrmac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)mac;
		mac >>= 8;
	}
}

// --- rx ---------------------------------------------------------------------------------

// An ARP frame on an underlay with vswitchd's own ARP: a request for local_ip is answered
// right away (from a buffer of its own: the rx buffer stays the driver's).
static void arp_one(struct vs_pmd *pmd, const struct vs_vxlan_underlay *ul, struct vs_pkt *pkt)
{
	struct vs_port_counters *uc = &ul->port->ctr[pmd->id];
	uint16_t uq = (uint16_t)(pmd->id % ul->port->n_txq), sent;
	uint8_t drop, buf[VS_ARP_FRAME];
	struct vs_pkt reply = {.data = buf}, *rp = &reply;

	if (!vs_vxlan_arp_input(ul->arp, pmd->id, pkt, buf, &drop)) {
		if (drop != VS_DROP_NONE)
			vs_ctr_add(&uc->drops[drop], 1);
		return;
	}
	reply.len = VS_ARP_FRAME;
	vs_port_tx_lock(ul->port, uq);
	sent = ul->port->ops->tx_burst(ul->port, uq, &rp, 1);
	if (ul->port->ops->tx_flush != NULL)
		ul->port->ops->tx_flush(ul->port, uq);
	vs_port_tx_unlock(ul->port, uq);
	if (sent == 1) {
		vs_ctr_add(&ul->arp->learn[pmd->id].replies, 1);
		vs_ctr_add(&uc->tx_packets, 1);
		vs_ctr_add(&uc->tx_bytes, VS_ARP_FRAME);
	} else {
		vs_ctr_add(&uc->drops[VS_DROP_TX_RING_FULL], 1);
	}
}

void vs_vxlan_ctl_drain(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
			uint16_t q)
{
	const struct vs_vxlan_conf *vc = conf->vxlan;

	if (q != 0)
		return;
	for (uint16_t u = 0; u < vc->n_underlays; u++)
		if (vc->underlay[u].port == port && vc->underlay[u].arp != NULL)
			vs_vxlan_arp_drain(vc->underlay[u].arp, port, pmd->id);
}

uint16_t vs_vxlan_rx_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
			   struct vs_pkt *pkts, uint16_t n)
{
	const struct vs_vxlan_conf *vc = conf->vxlan;
	const struct vs_vxlan_underlay *ul = NULL;
	struct vs_port_counters *uc = &port->ctr[pmd->id], *c = NULL;
	uint64_t npk = 0, nby = 0;
	uint16_t live = 0, cur = VS_PORT_NONE;

	for (uint16_t u = 0; u < vc->n_underlays; u++)
		if (vc->underlay[u].port == port)
			ul = &vc->underlay[u];
	if (ul == NULL)
		return n;
	for (uint16_t i = 0; i < n; i++) {
		uint8_t drop;

		if (ul->arp != NULL && vs_vxlan_is_arp(&pkts[i])) {
			arp_one(pmd, ul, &pkts[i]);
			continue;
		}
		drop = vs_vxlan_decap_one(vc, ul, &pkts[i]);
		if (drop != VS_DROP_NONE) {
			vs_ctr_add(&uc->drops[drop], 1);
			continue;
		}
		// rx counters of the vxlan port, added per run of frames of one port
		if (pkts[i].in_port != cur) {
			if (c != NULL) {
				vs_ctr_add(&c->rx_packets, npk);
				vs_ctr_add(&c->rx_bytes, nby);
			}
			cur = pkts[i].in_port;
			c = &conf->ports[cur]->ctr[pmd->id];
			npk = nby = 0;
		}
		npk++;
		nby += pkts[i].len;
		if (i != live) {
			struct vs_pkt t = pkts[live];

			pkts[live] = pkts[i];
			pkts[i] = t;
		}
		live++;
	}
	if (c != NULL) {
		vs_ctr_add(&c->rx_packets, npk);
		vs_ctr_add(&c->rx_bytes, nby);
	}
	return live;
}

// --- encapsulation ----------------------------------------------------------------------

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint16_t vs_vxlan_src_port(const uint8_t *in, uint32_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	// The words are combined in memory order (any order will do, as long as it is fixed)
	// and mixed once.
	if (len >= 14)
		h ^= ld64(in) + (ld64(in + 6) >> 16) * 31 + rd16(in + 12);
	// An untagged IPv4 frame: addresses, protocol, and the ports of TCP/UDP (not fragments).
	if (len >= 34 && rd16(in + 12) == 0x0800) {
		const uint8_t *ip = in + 14;
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;

		h += (ld64(ip + 12) ^ ip[9]) * 0x100000001b3ULL;
		if ((ip[9] == 6 || ip[9] == 17) && !(rd16(ip + 6) & 0x3fff) && ihl >= 20 &&
		    len >= 14 + ihl + 4)
			h ^= (uint64_t)ld32(ip + ihl) << 17;
	}
	// One multiply: the top bits of the product depend on every input bit.
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	return (uint16_t)(0xc000 | (h >> 50));
}

void vs_vxlan_remote_prepare(const struct vs_vxlan_tx *tx, struct vs_vxlan_remote *r)
{
	uint8_t *h = r->hdr, *ip = h + 14, *udp = h + 34, *vx = h + 42;
	uint32_t sum = 0;

	memset(h, 0, sizeof(r->hdr));
	wrmac(h, r->mac);
	wrmac(h + 6, tx->src_mac);
	wr16(h + 12, 0x0800);
	ip[0] = 0x45;
	wr16(ip + 6, 0x4000); // DF; no identification: nothing fragments (RFC 6864)
	ip[8] = tx->ttl;
	ip[9] = 17;
	wr32(ip + 12, tx->local_ip);
	wr32(ip + 16, r->ip);
	wr16(udp + 2, tx->dst_port);
	wr32(vx, (uint32_t)VS_VXLAN_FLAG_I << 24);
	wr32(vx + 4, tx->vni << 8);
	for (int i = 0; i < 20; i += 2)
		sum += rd16(ip + i);
	r->ip_sum = sum;
}

uint32_t vs_vxlan_encap(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
			const uint8_t *inner, uint32_t len, uint8_t *out)
{
	uint8_t *ip = out + 14, *udp = out + 34;
	uint16_t ulen = (uint16_t)(16 + len), tot = (uint16_t)(VS_VXLAN_OUTER_OVERHEAD + len);
	uint32_t sum;

	// The template, then what depends on the frame: lengths, checksum, source port.
	memcpy(out, r->hdr, VS_VXLAN_HLEN);
	wr16(ip + 2, tot);
	wr16(ip + 10, (uint16_t)~vs_csum_fold(r->ip_sum + tot));
	wr16(udp, vs_vxlan_src_port(inner, len));
	wr16(udp + 4, ulen);
	memcpy(out + VS_VXLAN_HLEN, inner, len);
	if (tx->udp_csum) {
		uint16_t c;

		// Pseudo header: addresses, protocol, UDP length; then the UDP datagram.
		sum = (tx->local_ip >> 16) + (tx->local_ip & 0xffff) + (r->ip >> 16) +
		      (r->ip & 0xffff) + 17 + ulen;
		c = (uint16_t)~vs_csum_fold(vs_csum_add(sum, udp, ulen));
		wr16(udp + 6, c ? c : 0xffff);
	}
	return VS_VXLAN_HLEN + len;
}

// --- transmit ---------------------------------------------------------------------------

struct txb {
	struct vs_vxlan_port *vx;
	struct vs_port *ul;
	uint16_t q, uq, k;
	uint8_t *scratch; // this PMD thread's area: VS_BURST slots' worth
	size_t used;	  // bytes of it holding staged frames, packed (cache lines)
	struct vs_pkt pkts[VS_BURST];
	struct vs_pkt *ptrs[VS_BURST];
};

// Hands the staged VXLAN frames to the underlay's tx queue (shared by the PMD threads that
// map to it, hence the lock, taken once per batch).
static void txb_send(struct txb *b)
{
	struct vs_port_counters *uc = &b->ul->ctr[b->q];
	uint64_t bytes = 0;
	uint16_t sent;

	if (b->k == 0)
		return;
	vs_port_tx_lock(b->ul, b->uq);
	sent = b->ul->ops->tx_burst(b->ul, b->uq, b->ptrs, b->k);
	vs_port_tx_unlock(b->ul, b->uq);
	for (uint16_t i = 0; i < sent; i++)
		bytes += b->pkts[i].len;
	vs_ctr_add(&uc->tx_packets, sent);
	vs_ctr_add(&uc->tx_bytes, bytes);
	if (sent < b->k)
		vs_ctr_add(&uc->drops[VS_DROP_TX_RING_FULL], (uint64_t)(b->k - sent));
	b->k = 0;
	b->used = 0;
}

static void txb_add(struct txb *b, const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
		    const struct vs_pkt *pkt)
{
	// Frames are packed, so small ones share pages and cache lines; the area holds
	// VS_BURST of the largest.
	uint8_t *out = b->scratch + b->used;

	// A frame of vswitchd's own: no driver buffer behind it (rx_port NULL).
	b->pkts[b->k] = (struct vs_pkt){.data = out, .in_port = VS_PORT_NONE};
	b->pkts[b->k].len = vs_vxlan_encap(tx, r, pkt->data, pkt->len, out);
	b->used += (b->pkts[b->k].len + 63) & ~(size_t)63;
	b->ptrs[b->k] = &b->pkts[b->k];
	if (++b->k == VS_BURST)
		txb_send(b);
}

uint16_t vs_vxlan_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts, uint16_t n)
{
	struct vs_vxlan_port *vx = port->priv;
	const struct vs_vxlan_tx *tx = vs_vxlan_tx_get(vx);
	struct vs_port_counters *c = &port->ctr[q];
	struct txb b;

	b.vx = vx;
	b.ul = vx->underlay;
	b.q = q;
	b.uq = (uint16_t)(q % b.ul->n_txq);
	b.k = 0;
	b.used = 0;
	b.scratch = vx->scratch + (size_t)q * VS_BURST * vx->slot;
	for (uint16_t i = 0; i < n; i++) {
		const struct vs_pkt *pkt = pkts[i];
		int r;

		if (VS_VXLAN_OUTER_OVERHEAD + pkt->len > tx->mtu) {
			vs_ctr_add(&c->drops[VS_DROP_VXLAN_TOO_BIG], 1);
			continue;
		}
		if (pkt->vtep != 0) {
			// A unicast to a MAC learned behind one VTEP.
			r = vs_vxlan_remote_find(tx, pkt->vtep);
			if (r >= 0 && tx->remotes[r].mac != 0)
				txb_add(&b, tx, &tx->remotes[r], pkt);
			else
				vs_ctr_add(&c->drops[VS_DROP_VXLAN_UNRESOLVED], 1);
			continue;
		}
		// Head-end replication to every remote VTEP.
		for (r = 0; r < tx->n_remotes; r++) {
			if (tx->remotes[r].mac != 0)
				txb_add(&b, tx, &tx->remotes[r], pkt);
			else
				vs_ctr_add(&c->drops[VS_DROP_VXLAN_UNRESOLVED], 1);
		}
	}
	txb_send(&b);
	// Every frame was handled: sent, or counted under a vxlan-* reason (or, for the copies
	// the underlay's ring refused, tx-ring-full of the underlay).
	return n;
}

void vs_vxlan_tx_flush(struct vs_port *port, uint16_t q)
{
	struct vs_vxlan_port *vx = port->priv;
	struct vs_port *ul = vx->underlay;
	uint16_t uq = (uint16_t)(q % ul->n_txq);

	if (ul->ops->tx_flush == NULL)
		return;
	vs_port_tx_lock(ul, uq);
	ul->ops->tx_flush(ul, uq);
	vs_port_tx_unlock(ul, uq);
}
