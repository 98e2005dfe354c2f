// SPDX-License-Identifier: Apache-2.0
#include "svc.h"

#include <arpa/inet.h>
#include <string.h>
#include <vs/drops.h>
#include <vs/mac.h>

#include "csum.h"
#include "fdb.h"
#include "maglev.h"
#include "pmd.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806
#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

// What one burst needs, loaded once.
struct ctx {
	struct vs_pmd *pmd;
	struct vs_svc_br *sb;
	const struct vs_svc_snap *snap;
	struct vs_ct *ct;
	struct vs_neigh_tab *neigh;
	const struct vs_fdb_table *fdb;
	uint16_t br_id;
};

// A parsed TCP/UDP over IPv4 packet.
struct l4pkt {
	uint8_t *ip;
	uint8_t *l4;
	uint32_t l4len;
	uint8_t proto;
	uint8_t tcp_flags;
	struct vs_ct_key key;
};

static bool is_vip(const struct vs_svc_snap *snap, uint32_t ip)
{
	for (uint32_t i = vs_svc_ihash(ip) & snap->imask;; i = (i + 1) & snap->imask) {
		if (snap->vips[i] == 0)
			return false;
		if (snap->vips[i] == ip)
			return true;
	}
}

static void set_eth(struct vs_pkt *pkt, uint64_t dst, uint64_t src)
{
	vs_mac_to_bytes(dst, pkt->data);
	vs_mac_to_bytes(src, pkt->data + 6);
	pkt->dst_mac = dst;
	pkt->src_mac = src;
}

// Answers ARP requests for VIPs, learns backend MACs, consumes replies sent to the switch.
static void svc_arp(struct ctx *x, struct vs_pkt *pkt)
{
	uint8_t *a = pkt->data + pkt->l3_off;
	uint32_t spa, tpa;
	uint64_t sha;
	uint16_t op;
	struct vs_neigh *nb;

	if (pkt->len < (uint32_t)pkt->l3_off + 28 || rd16(a) != 1 || rd16(a + 2) != ETH_P_IPV4 ||
	    a[4] != 6 || a[5] != 4)
		return;
	op = rd16(a + 6);
	sha = vs_mac_from_bytes(a + 8);
	spa = rd32(a + 14);
	tpa = rd32(a + 24);
	if (spa != 0 && sha != 0 && !vs_mac_is_multicast(sha)) {
		nb = vs_neigh_find(x->neigh, spa);
		if (nb != NULL && __atomic_load_n(&nb->mac, __ATOMIC_RELAXED) != sha)
			__atomic_store_n(&nb->mac, sha, __ATOMIC_RELAXED);
	}
	if (op == 1 && spa != tpa && is_vip(x->snap, tpa)) {
		wr16(a + 6, 2);
		memmove(a + 18, a + 8, 10); // target := requester
		vs_mac_to_bytes(x->sb->mac, a + 8);
		wr32(a + 14, tpa);
		set_eth(pkt, pkt->src_mac, x->sb->mac);
		pkt->out_port = pkt->in_port;
		vs_ctr_add(&x->sb->ctr[x->pmd->id].arp_replies, 1);
	} else if (op == 2 && vs_mac_from_bytes(a + 18) == x->sb->mac) {
		// The answer to our request: L2 never sees it, so learn its sender here.
		struct vs_learn_ev ev = {
			.mac = pkt->src_mac, .bridge = x->br_id, .port = pkt->in_port};

		if (!vs_mac_is_multicast(pkt->src_mac) && pkt->src_mac != 0)
			vs_learn_push(x->pmd->learn, &ev);
		pkt->drop = VS_DROP_SVC_ARP_LOCAL;
	}
}

// Turns 'pkt' into a broadcast ARP request from 'vip' for 'ip'.
static void arp_request(struct ctx *x, struct vs_pkt *pkt, uint32_t vip, uint32_t ip)
{
	uint8_t *a = pkt->data + pkt->l3_off;

	set_eth(pkt, 0xffffffffffffULL, x->sb->mac);
	wr16(a - 2, ETH_P_ARP);
	wr16(a, 1);
	wr16(a + 2, ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, 1);
	vs_mac_to_bytes(x->sb->mac, a + 8);
	wr32(a + 14, vip);
	memset(a + 18, 0, 6);
	wr32(a + 24, ip);
	pkt->len = pkt->l3_off + 28u;
	pkt->ethertype = ETH_P_ARP;
	pkt->out_port = VS_PORT_FLOOD;
	vs_ctr_add(&x->sb->ctr[x->pmd->id].arp_requests, 1);
}

// Turns TCP segment 'p' into the RST that answers it, back out of the ingress port.
static void reflect_rst(struct ctx *x, struct vs_pkt *pkt, const struct l4pkt *p)
{
	uint8_t *ip = p->ip, *t = ip + 20;
	uint32_t src = p->key.src, dst = p->key.dst, seq = rd32(p->l4 + 4), ack = rd32(p->l4 + 8);
	uint32_t plen = p->l4len - (uint32_t)(p->l4[12] >> 4) * 4, sum;
	uint16_t sp = p->key.sport, dp = p->key.dport;
	uint8_t f = p->tcp_flags;

	if (f & TCP_RST) {
		pkt->drop = VS_DROP_SVC_RESET;
		return;
	}
	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, 40);
	wr16(ip + 4, 0);
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = PROTO_TCP;
	wr16(ip + 10, 0);
	wr32(ip + 12, dst);
	wr32(ip + 16, src);
	wr16(ip + 10, (uint16_t)~vs_csum_fold(vs_csum_add(0, ip, 20)));
	wr16(t, dp);
	wr16(t + 2, sp);
	if (f & TCP_ACK) {
		wr32(t + 4, ack);
		wr32(t + 8, 0);
		t[13] = TCP_RST;
	} else {
		wr32(t + 4, 0);
		wr32(t + 8, seq + plen + !!(f & TCP_SYN) + !!(f & TCP_FIN));
		t[13] = TCP_RST | TCP_ACK;
	}
	t[12] = 5 << 4;
	wr16(t + 14, 0);
	wr16(t + 16, 0);
	wr16(t + 18, 0);
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + PROTO_TCP + 20;
	wr16(t + 16, (uint16_t)~vs_csum_fold(vs_csum_add(sum, t, 20)));
	set_eth(pkt, pkt->src_mac, x->sb->mac);
	pkt->len = pkt->l3_off + 40u;
	pkt->out_port = pkt->in_port;
	vs_ctr_add(&x->sb->ctr[x->pmd->id].resets, 1);
}

// Folds a 64-bit sum of 32-bit words into a 16-bit ones' complement sum.
static inline uint16_t fold64(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return vs_csum_fold((uint32_t)s);
}

static inline uint32_t ld32_raw(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

// Writes MAC 'mac' (host order, low 48 bits) to 'p' with two stores.
static inline void put_mac(uint8_t *p, uint64_t mac)
{
	uint32_t hi = htonl((uint32_t)(mac >> 16));
	uint16_t lo = htons((uint16_t)mac);

	memcpy(p, &hi, 4);
	memcpy(p + 4, &lo, 2);
}

// Rewrites the addresses and ports of 'p' with incremental checksum updates (RFC 1624
// eqn. 3, HC' = ~(~HC + ~m + m') over all four fields at once). The sums are taken over
// the fields as they are in memory (network order): the ones' complement sum does not
// depend on byte order (RFC 1071), so nothing but the new values needs swapping.
static void rewrite(struct l4pkt *p, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	uint8_t *ip = p->ip, *l4 = p->l4, *ck = l4 + (p->proto == PROTO_TCP ? 16 : 6);
	uint32_t ns = htonl(src), nd = htonl(dst), np = htonl((uint32_t)sport << 16 | dport);
	uint64_t d;
	uint16_t c;

	// ~m + m' for both addresses (the IPv4 header and the pseudo-header), 32 bits at a time.
	d = (uint64_t)(uint32_t)~ld32_raw(ip + 12) + ns + (uint32_t)~ld32_raw(ip + 16) + nd;
	memcpy(&c, ip + 10, 2);
	c = (uint16_t)~fold64(d + (uint16_t)~c);
	memcpy(ip + 10, &c, 2);
	memcpy(&c, ck, 2);
	if (p->proto == PROTO_TCP || c != 0) { // UDP without a checksum stays without
		// ... and for the ports.
		c = (uint16_t)~fold64(d + (uint32_t)~ld32_raw(l4) + np + (uint16_t)~c);
		if (p->proto == PROTO_UDP && c == 0)
			c = 0xffff;
		memcpy(ck, &c, 2);
	}
	memcpy(ip + 12, &ns, 4);
	memcpy(ip + 16, &nd, 4);
	memcpy(l4, &np, 4);
}

// Applies connection 'c''s translation to a packet that matched its direction 'dir'.
static void translate(struct ctx *x, struct vs_pkt *pkt, struct l4pkt *p,
		      const struct vs_ct_conn *c, unsigned dir)
{
	const struct vs_ct_key *o = &c->key[VS_CT_ORIG], *r = &c->key[VS_CT_REPLY];

	if (dir == VS_CT_ORIG) {
		rewrite(p, r->dst, r->dport, r->src, r->sport);
		put_mac(pkt->data, c->backend_mac);
		pkt->dst_mac = c->backend_mac;
	} else {
		rewrite(p, o->dst, o->dport, o->src, o->sport);
		put_mac(pkt->data, c->client_mac);
		pkt->dst_mac = c->client_mac;
	}
	if (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & VS_CT_F_SNAT) {
		// Hairpin: back to the port it came from, as if from the switch.
		put_mac(pkt->data + 6, x->sb->mac);
		pkt->src_mac = x->sb->mac;
		pkt->out_port = pkt->in_port;
	}
}

// A packet of a tracked connection.
static void tracked(struct ctx *x, struct vs_pkt *pkt, struct l4pkt *p, struct vs_ct_conn *c,
		    unsigned dir)
{
	uint32_t f = __atomic_load_n(&c->flags, __ATOMIC_RELAXED), bits = 0;
	uint8_t tf = p->tcp_flags;

	if (f & VS_CT_F_DOOMED) {
		if (p->proto == PROTO_TCP) {
			vs_ct_set_flags(c, VS_CT_F_RST);
			reflect_rst(x, pkt, p);
		} else {
			pkt->drop = VS_DROP_SVC_RESET;
		}
		return;
	}
	if (p->proto == PROTO_TCP) {
		if (dir == VS_CT_ORIG) {
			// A new SYN on a closed connection reopens it, to the same backend.
			if ((tf & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
			    (f & (VS_CT_F_RST | VS_CT_F_FIN_O | VS_CT_F_FIN_R)))
				__atomic_store_n(&c->flags,
						 VS_CT_F_USED | VS_CT_F_SYN | (f & VS_CT_F_SNAT),
						 __ATOMIC_RELAXED);
			bits |= tf & TCP_SYN ? VS_CT_F_SYN : 0;
			bits |= tf & TCP_FIN ? VS_CT_F_FIN_O : 0;
			bits |= (tf & TCP_ACK) && (f & VS_CT_F_SYNACK) ? VS_CT_F_EST : 0;
		} else {
			bits |= (tf & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) ? VS_CT_F_SYNACK
										  : 0;
			bits |= tf & TCP_FIN ? VS_CT_F_FIN_R : 0;
		}
		bits |= tf & TCP_RST ? VS_CT_F_RST : 0;
	}
	if (dir == VS_CT_REPLY)
		bits |= VS_CT_F_SEEN_R;
	if (bits)
		vs_ct_set_flags(c, bits);
	if (__atomic_load_n(&c->seen, __ATOMIC_RELAXED) != x->pmd->now_s)
		__atomic_store_n(&c->seen, x->pmd->now_s, __ATOMIC_RELAXED);
	translate(x, pkt, p, c, dir);
}

// The backend MAC to use, 0 if it must be resolved first.
static uint64_t backend_mac(struct ctx *x, uint32_t ip)
{
	struct vs_neigh *nb = vs_neigh_find(x->neigh, ip);
	uint64_t mac = nb ? __atomic_load_n(&nb->mac, __ATOMIC_RELAXED) : 0;
	uint16_t port;

	// A MAC the bridge forgot (aged out, port removed) may have moved: ask again.
	if (mac == 0 || vs_fdb_lookup(x->fdb, mac, &port) < 0)
		return 0;
	return mac;
}

// A packet to a service that matched no connection.
static void new_conn(struct ctx *x, struct vs_pkt *pkt, struct l4pkt *p, const struct vs_svc *s,
		     uint64_t h)
{
	struct vs_ct_key ak = {0}, rk;
	const struct vs_ct_conn *aff = NULL;
	struct vs_ct_conn *c;
	uint32_t bip, flags = VS_CT_F_USED;
	uint16_t bport, snat_port = p->key.sport;
	unsigned dir;
	uint64_t mac;
	int64_t idx;

	if (p->proto == PROTO_TCP && (p->tcp_flags & TCP_RST)) {
		pkt->drop = VS_DROP_SVC_RESET;
		return;
	}
	if (s->n_backends == 0) {
		if (p->proto == PROTO_TCP)
			reflect_rst(x, pkt, p);
		else
			pkt->drop = VS_DROP_SVC_NO_BACKEND;
		return;
	}
	if (s->affinity == VS_SVC_AFFINITY_CLIENT_IP) {
		ak = vs_ct_key_make(p->key.src, s->vip, 0, s->vport, s->proto, VS_CT_KIND_AFFINITY);
		aff = vs_ct_lookup(x->ct, &ak, vs_ct_hash(&ak), &dir);
	}
	if (aff != NULL) {
		bip = aff->key[VS_CT_REPLY].src;
		bport = aff->key[VS_CT_REPLY].sport;
	} else {
		uint64_t sel = s->affinity ? vs_mix64(p->key.src ^ ((uint64_t)s->id << 32)) : h;
		const struct vs_svc_backend *b = &s->backends[s->table[sel % s->m]];

		bip = b->ip;
		bport = b->port;
	}
	mac = backend_mac(x, bip);
	if (mac == 0) {
		arp_request(x, pkt, s->vip, bip);
		return;
	}
	rk = vs_ct_key_make(bip, p->key.src, bport, p->key.sport, p->proto, VS_CT_KIND_CONN);
	if (bip == p->key.src) {
		// Hairpin to itself: source NAT to the VIP, with a port no other connection of
		// this backend uses.
		flags |= VS_CT_F_SNAT;
		rk = vs_ct_key_make(bip, s->vip, bport, snat_port, p->proto, VS_CT_KIND_CONN);
		for (unsigned i = 0;; i++) {
			if (vs_ct_lookup(x->ct, &rk, vs_ct_hash(&rk), &dir) == NULL)
				break;
			if (i == 8) {
				pkt->drop = VS_DROP_CONNTRACK_FULL;
				return;
			}
			snat_port = (uint16_t)(1024 + vs_mix64(h + i) % 64512);
			rk = vs_ct_key_make(bip, s->vip, bport, snat_port, p->proto,
					    VS_CT_KIND_CONN);
		}
	}
	if (p->proto == PROTO_TCP)
		flags |= p->tcp_flags & TCP_SYN ? VS_CT_F_SYN : VS_CT_F_EST | VS_CT_F_SYNACK;
	idx = vs_ct_alloc(x->ct, x->pmd->id);
	if (idx < 0) {
		pkt->drop = VS_DROP_CONNTRACK_FULL;
		return;
	}
	c = &x->ct->conns[idx];
	c->key[VS_CT_ORIG] = p->key;
	c->key[VS_CT_REPLY] = rk;
	c->client_mac = pkt->src_mac;
	c->backend_mac = mac;
	c->svc_id = s->id;
	c->timeout = 0;
	c->seen = x->pmd->now_s;
	__atomic_store_n(&c->flags, flags, __ATOMIC_RELEASE);
	if (vs_ct_insert(x->ct, (uint32_t)idx) < 0) {
		pkt->drop = VS_DROP_CONNTRACK_FULL;
		return;
	}
	if (s->affinity && aff == NULL) {
		idx = vs_ct_alloc(x->ct, x->pmd->id);
		if (idx >= 0) { // without room the connection goes on, unremembered
			struct vs_ct_conn *a = &x->ct->conns[idx];

			a->key[VS_CT_ORIG] = ak;
			a->key[VS_CT_REPLY] = vs_ct_key_make(bip, 0, bport, 0, 0, 0);
			a->client_mac = 0;
			a->backend_mac = 0;
			a->svc_id = s->id;
			a->timeout = s->affinity_timeout;
			a->seen = x->pmd->now_s;
			__atomic_store_n(&a->flags, VS_CT_F_USED, __ATOMIC_RELEASE);
			vs_ct_insert(x->ct, (uint32_t)idx);
		}
	} else if (aff != NULL && aff->seen != x->pmd->now_s) {
		__atomic_store_n(&((struct vs_ct_conn *)aff)->seen, x->pmd->now_s,
				 __ATOMIC_RELAXED);
	}
	vs_ctr_add(&x->sb->ctr[x->pmd->id].new_conns, 1);
	translate(x, pkt, p, c, VS_CT_ORIG);
}

// Parses TCP/UDP over IPv4 (unfragmented). Returns false for anything else.
static bool parse_l4(struct vs_pkt *pkt, struct l4pkt *p)
{
	uint8_t *ip = pkt->data + pkt->l3_off;
	uint32_t ihl, tot;

	if (pkt->len < (uint32_t)pkt->l3_off + 20 || (ip[0] >> 4) != 4)
		return false;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	tot = rd16(ip + 2);
	if (ihl < 20 || tot < ihl || pkt->l3_off + tot > pkt->len || (rd16(ip + 6) & 0x3fff))
		return false;
	p->proto = ip[9];
	p->ip = ip;
	p->l4 = ip + ihl;
	p->l4len = tot - ihl;
	if (p->proto == PROTO_TCP) {
		uint32_t doff;

		if (p->l4len < 20)
			return false;
		doff = (uint32_t)(p->l4[12] >> 4) * 4;
		if (doff < 20 || doff > p->l4len)
			return false;
		p->tcp_flags = p->l4[13];
	} else if (p->proto == PROTO_UDP) {
		if (p->l4len < 8)
			return false;
		p->tcp_flags = 0;
	} else {
		return false;
	}
	p->key = vs_ct_key_make(rd32(ip + 12), rd32(ip + 16), rd16(p->l4), rd16(p->l4 + 2),
				p->proto, VS_CT_KIND_CONN);
	return true;
}

// The last tracked tuple of the burst: packets of one flow come in runs.
struct flow_cache {
	struct vs_ct_key key;
	const struct vs_ct_conn *c; // NULL: none
	unsigned dir;
};

// Handles a parsed TCP/UDP packet whose tuple hashes to 'h'.
static void svc_ip(struct ctx *x, struct vs_pkt *pkt, struct l4pkt *p, uint64_t h,
		   struct flow_cache *fc)
{
	const struct vs_ct_conn *c;
	const struct vs_svc *s;
	unsigned dir;

	if (fc->c != NULL && vs_ct_key_eq(&fc->key, &p->key)) {
		c = fc->c;
		dir = fc->dir;
	} else {
		c = vs_ct_find(x->ct, &p->key, h, &dir);
	}
	if (c != NULL) {
		*fc = (struct flow_cache){.key = p->key, .c = c, .dir = dir};
		tracked(x, pkt, p, (struct vs_ct_conn *)c, dir);
		return;
	}
	s = vs_svc_find(x->snap, p->key.dst, p->key.dport, p->proto);
	if (s != NULL)
		new_conn(x, pkt, p, s, h);
}

void vs_svc_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n)
{
	const struct vs_dp_bridge *br;
	struct l4pkt p[VS_BURST];
	uint64_t h[VS_BURST];
	bool ip[VS_BURST];
	struct flow_cache fc = {.c = NULL};
	struct ctx x;

	if (n == 0)
		return;
	// Every frame of a burst comes from one rx queue, hence one port and one bridge.
	br = conf->bridge_of[pkts[0].in_port];
	if (br == NULL || br->svc == NULL)
		return;
	x.snap = __atomic_load_n(&br->svc->snap, __ATOMIC_ACQUIRE);
	if (x.snap == NULL || x.snap->n_svc == 0)
		return;
	x.pmd = pmd;
	x.sb = br->svc;
	x.ct = __atomic_load_n(&br->svc->ct, __ATOMIC_ACQUIRE);
	x.neigh = __atomic_load_n(&br->svc->neigh, __ATOMIC_ACQUIRE);
	x.fdb = vs_fdb_table_get(br->fdb);
	x.br_id = br->id;
	// Pass 1: parse and hash, and prefetch each tuple's first bucket, so that pass 2 finds
	// the connection table's lines on their way into the cache.
	for (uint16_t i = 0; i < n && i < VS_BURST; i++) {
		struct vs_pkt *pkt = &pkts[i];

		ip[i] = pkt->drop == VS_DROP_NONE && pkt->out_port == VS_PORT_NONE &&
			pkt->ethertype == ETH_P_IPV4 && parse_l4(pkt, &p[i]);
		if (ip[i]) {
			h[i] = vs_ct_hash(&p[i].key);
			vs_ct_prefetch(x.ct, h[i]);
		}
	}
	for (uint16_t i = 0; i < n && i < VS_BURST; i++) {
		struct vs_pkt *pkt = &pkts[i];

		if (ip[i])
			svc_ip(&x, pkt, &p[i], h[i], &fc);
		else if (pkt->drop == VS_DROP_NONE && pkt->out_port == VS_PORT_NONE &&
			 pkt->ethertype == ETH_P_ARP)
			svc_arp(&x, pkt);
	}
}
