// SPDX-License-Identifier: Apache-2.0
// VXLAN datapath: the underlay rx hook and the vxlan port's transmit (encapsulation).
#include "vxlan.h"

#include <string.h>
#include <vs/drops.h>

#include "conf.h"
#include "csum.h"
#include "netbytes.h"
#include "pmd.h"
#include "vxlan_arp.h"
#include "vxlan_rx.h"

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

// The per-packet helpers of the rx and transmit loops: inlined, or the calls cost more than
// they do.
#define ALWAYS_INLINE inline __attribute__((always_inline))

// What the rx loop keeps across frames: the cache, and the rx counters of the current vxlan
// port, added per run of frames of one port.
struct rxs {
	struct vs_vxlan_rx rx;
	struct vs_port_counters *c; // of port 'cur', NULL if none yet
	uint64_t npk, nby;	    // frames and their (outer) bytes since the last add
	uint64_t ubytes;	    // bytes of every frame of the burst (the underlay's rx)
	uint16_t cur;
	bool mixed; // live frames of more than one vxlan port
};

static ALWAYS_INLINE void rxs_flush(struct rxs *st)
{
	if (st->c != NULL) {
		vs_ctr_add(&st->c->rx_packets, st->npk);
		vs_ctr_add(&st->c->rx_bytes, st->nby - VS_VXLAN_HLEN * st->npk);
	}
}

// The frames of a burst decapsulated on the fast path (vxlan_rx.h) from pkts[i], up to the
// first one that is not (returned: where it stopped, 'end' if none), prefetching 4 frames
// ahead if 'pf'. In this run, live frames stay where they are.
static ALWAYS_INLINE uint16_t rx_run(struct rxs *st, const struct vs_conf *conf, uint16_t pmd_id,
				     struct vs_pkt *pkts, uint16_t i, uint16_t end, bool pf)
{
	struct vs_pkt *pkt = pkts + i, *const stop = pkts + end;
	struct vs_pkt *from = pkt; // frames from here on not yet in st->npk

	for (; pkt < stop; pkt++) {
		const uint8_t *d = pkt->data;
		uint32_t len = pkt->len;

		if (pf)
			vs_prefetch0(pkt[4].data);
		if (VS_UNLIKELY(!vs_vxlan_rx_shape(&st->rx, d, len)))
			break;
		if (VS_UNLIKELY(vs_vxlan_rx_vni(d) != st->rx.vni ||
				vs_vxlan_ld32(d + 26) != st->rx.src)) {
			if (vs_vxlan_rx_miss(&st->rx, d) != VS_DROP_NONE)
				break;
			if (st->rx.port_id != st->cur) {
				st->npk += (uint64_t)(pkt - from);
				from = pkt;
				rxs_flush(st);
				st->mixed |= st->c != NULL;
				st->cur = st->rx.port_id;
				st->c = &conf->ports[st->cur]->ctr[pmd_id];
				st->npk = st->nby = 0;
			}
		}
		pkt->data = (uint8_t *)d + VS_VXLAN_HLEN;
		pkt->len = len - VS_VXLAN_HLEN;
		pkt->in_port = st->rx.port_id;
		pkt->vtep = st->rx.vtep;
		st->nby += len;
		st->ubytes += len;
	}
	st->npk += (uint64_t)(pkt - from);
	return (uint16_t)(pkt - pkts);
}

// Decapsulates pkts[0..n) of underlay 'ul' (see vs_vxlan_rx_burst()); '*one' becomes the
// vxlan port of every live frame if they share one, else VS_PORT_NONE; '*bytes' the bytes of
// all n frames as they arrived.
static uint16_t rx_burst(struct vs_pmd *pmd, const struct vs_conf *conf,
			 const struct vs_vxlan_underlay *ul, struct vs_pkt *pkts, uint16_t n,
			 uint16_t *one, uint64_t *bytes)
{
	const struct vs_vxlan_conf *vc = conf->vxlan;
	struct vs_port_counters *uc = &ul->port->ctr[pmd->id];
	struct rxs st = {.c = NULL, .npk = 0, .nby = 0, .ubytes = 0, .cur = VS_PORT_NONE};
	const bool arp = ul->arp != NULL; // read once: the stores to pkts[] below could alias it
	uint16_t live, i;

	vs_vxlan_rx_init(&st.rx, vc, ul);
	// The common case: every frame of the burst on the fast path, none dropped.
	i = rx_run(&st, conf, pmd->id, pkts, 0, n > 4 ? (uint16_t)(n - 4) : 0, true);
	if (VS_LIKELY(i == (n > 4 ? n - 4 : 0)))
		i = rx_run(&st, conf, pmd->id, pkts, i, n, false);
	// From the first frame that is not (if any), frame by frame: ARP, the slow path, drops.
	for (live = i; i < n; i++) {
		uint8_t drop;

		if (i + 4 < n)
			vs_prefetch0(pkts[i + 4].data);
		st.ubytes += pkts[i].len;
		drop = vs_vxlan_rx_fast(&st.rx, &pkts[i]);
		if (VS_UNLIKELY(drop == VS_VXLAN_RX_SLOW)) {
			if (VS_UNLIKELY(arp) && vs_vxlan_is_arp(&pkts[i])) {
				arp_one(pmd, ul, &pkts[i]);
				continue;
			}
			drop = vs_vxlan_decap_slow(vc, ul, &pkts[i]);
		}
		if (VS_UNLIKELY(drop != VS_DROP_NONE)) {
			vs_ctr_add(&uc->drops[drop], 1);
			continue;
		}
		if (VS_UNLIKELY(pkts[i].in_port != st.cur)) {
			rxs_flush(&st);
			st.mixed |= st.c != NULL;
			st.cur = pkts[i].in_port;
			st.c = &conf->ports[st.cur]->ctr[pmd->id];
			st.npk = st.nby = 0;
		}
		st.npk++;
		st.nby += pkts[i].len + VS_VXLAN_HLEN; // counted as outer bytes, as rx_run() does
		if (VS_UNLIKELY(i != live)) {
			struct vs_pkt t = pkts[live];

			pkts[live] = pkts[i];
			pkts[i] = t;
		}
		live++;
	}
	rxs_flush(&st);
	*one = st.mixed || live == 0 ? VS_PORT_NONE : st.cur;
	*bytes = st.ubytes;
	return live;
}

const struct vs_vxlan_underlay *vs_vxlan_underlay_of(const struct vs_conf *conf,
						     const struct vs_port *port)
{
	const struct vs_vxlan_conf *vc = conf->vxlan;

	if (vc == NULL)
		return NULL;
	for (uint16_t u = 0; u < vc->n_underlays; u++)
		if (vc->underlay[u].port == port)
			return &vc->underlay[u];
	return NULL;
}

uint16_t vs_vxlan_rx_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
			   struct vs_pkt *pkts, uint16_t n)
{
	const struct vs_vxlan_underlay *ul = vs_vxlan_underlay_of(conf, port);
	uint64_t bytes;
	uint16_t one;

	return ul != NULL ? rx_burst(pmd, conf, ul, pkts, n, &one, &bytes) : n;
}

uint16_t vs_vxlan_rx_underlay(struct vs_pmd *pmd, const struct vs_conf *conf,
			      const struct vs_vxlan_underlay *ul, struct vs_pkt *pkts, uint16_t n,
			      uint16_t *one)
{
	struct vs_port_counters *c = &ul->port->ctr[pmd->id];
	uint64_t bytes;
	uint16_t live = rx_burst(pmd, conf, ul, pkts, n, one, &bytes);

	vs_ctr_add(&c->rx_packets, n);
	vs_ctr_add(&c->rx_bytes, bytes);
	return live;
}

// --- encapsulation ----------------------------------------------------------------------
//
// Per packet: the outer headers from the remote's template (one 50-byte copy, then four
// 16-bit fields: IPv4 total length and checksum, UDP source port and length), then the
// inner frame right behind them. Everything else was computed when the remote was
// prepared, the IPv4 checksum included (summed without the total length, so that adding
// it and folding once is all that is left).

// Stores a big-endian 16-bit field.
static inline void st16(uint8_t *p, uint32_t v)
{
	uint16_t x = (uint16_t)v;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap16(x);
#endif
	memcpy(p, &x, sizeof(x));
}

// A big-endian constant as it lies in memory, for comparing 16-bit loads.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE16(v) ((uint16_t)((((v)&0xff) << 8) | ((v) >> 8)))
#else
#define BE16(v) ((uint16_t)(v))
#endif

static inline uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

// TCP and UDP: the protocols whose ports the source port hash takes.
static const uint8_t has_ports[256] = {[6] = 1, [17] = 1};

// Bytes 12..14 of an untagged IPv4 frame without options, in memory order: ethertype 0x0800,
// version 4 and header length 5.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IPV4_45_MASK 0x00ffffffu
#define IPV4_45 0x00450008u
#else
#define IPV4_45_MASK 0xffffff00u
#define IPV4_45 0x08004500u
#endif

// The source port hash of a frame that is not untagged IPv4 without options of at least 38
// bytes.
static __attribute__((noinline)) uint64_t src_hash_other(const uint8_t *in, uint32_t len)
{
	// IPv4 with options: addresses and protocol.
	if (len >= 34 && ld16(in + 12) == BE16(0x0800))
		return (vs_vxlan_ld64(in + 26) ^ in[23]) * 0x100000001b3ULL;
	// Anything else: both MACs and the ethertype (what there is of them).
	if (len >= 14)
		return vs_vxlan_ld64(in) + vs_vxlan_ld64(in + 6) * 31;
	return 0;
}

static ALWAYS_INLINE uint16_t src_port(const uint8_t *in, uint32_t len)
{
	uint64_t h;

	// Raw words in the machine's byte order: any fixed combination will do.
	if (VS_LIKELY(len >= 38 && (vs_vxlan_ld32(in + 12) & IPV4_45_MASK) == IPV4_45)) {
		// An untagged IPv4 frame: addresses and protocol (what tells its flows apart; the
		// MACs are those of the two hosts or their routers), and the ports of TCP/UDP
		// (right behind the header, which has no options), if not a fragment.
		uint32_t proto = in[23];

		h = (vs_vxlan_ld64(in + 26) ^ proto) * 0x100000001b3ULL;
		if (!(ld16(in + 20) & BE16(0x3fff)) && has_ports[proto])
			h ^= (uint64_t)vs_vxlan_ld32(in + 34) << 17;
	} else {
		h = src_hash_other(in, len);
	}
	// One multiply: the top bits of the product depend on every input bit. The port as it
	// lies in memory (big-endian): its first byte, the high one, with the two top bits set.
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint16_t)((h >> 48) | 0x00c0);
#else
	return (uint16_t)((h >> 48) | 0xc000);
#endif
}

uint16_t vs_vxlan_src_port(const uint8_t *in, uint32_t len)
{
	uint8_t b[2];
	uint16_t p = src_port(in, len);

	memcpy(b, &p, sizeof(p));
	return (uint16_t)(b[0] << 8 | b[1]);
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
	// In memory order: the one's complement sum does not depend on the byte order.
	for (int i = 0; i < 20; i += 2)
		sum += ld16(ip + i);
	r->ip_sum = vs_csum_fold(sum);
}

// Copies a frame: small ones (the common case in packets per second) inline, in two
// overlapping moves of 32 or 64 bytes, instead of a call.
static ALWAYS_INLINE void copy_frame(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	if (len >= 32 && len <= 64) {
		memcpy(dst, src, 32);
		memcpy(dst + len - 32, src + len - 32, 32);
	} else if (len > 64 && len <= 128) {
		memcpy(dst, src, 64);
		memcpy(dst + len - 64, src + len - 64, 64);
	} else {
		memcpy(dst, src, len);
	}
}

// Writes the VXLAN frame of the 'len'-byte inner frame 'inner' to 'r' into 'out', with UDP
// source port 'sport' (as src_port() returns it: in memory order) and, if 'csum'
// (tx->udp_csum), the UDP checksum. Returns its length.
// With 'in_place', 'inner' is already at out + VS_VXLAN_HLEN (the outer headers go into its
// headroom) and is not copied.
static ALWAYS_INLINE uint32_t encap(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
				    const uint8_t *inner, uint32_t len, uint16_t sport, bool csum,
				    uint8_t *out, bool in_place)
{
	uint32_t ulen = 16 + len;
	uint16_t tot = be16_mem(VS_VXLAN_OUTER_OVERHEAD + len), c;
	uint32_t sum = r->ip_sum + tot; // both at most 0xffff, in memory order: one fold

	memcpy(out, r->hdr, VS_VXLAN_HLEN);
	c = (uint16_t) ~((sum & 0xffff) + (sum >> 16));
	memcpy(out + 16, &tot, sizeof(tot));
	memcpy(out + 24, &c, sizeof(c));
	memcpy(out + 34, &sport, sizeof(sport));
	st16(out + 38, ulen);
	if (!in_place)
		copy_frame(out + VS_VXLAN_HLEN, inner, len);
	if (VS_UNLIKELY(csum)) {
		// Pseudo header: addresses, protocol, UDP length; then the UDP datagram.
		sum = (tx->local_ip >> 16) + (tx->local_ip & 0xffff) + (r->ip >> 16) +
		      (r->ip & 0xffff) + 17 + ulen;
		c = (uint16_t)~vs_csum_fold(vs_csum_add(sum, out + 34, ulen));
		st16(out + 40, c ? c : 0xffff);
	}
	return VS_VXLAN_HLEN + len;
}

uint32_t vs_vxlan_encap(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
			const uint8_t *inner, uint32_t len, uint8_t *out)
{
	return encap(tx, r, inner, len, src_port(inner, len), tx->udp_csum, out, false);
}

uint32_t vs_vxlan_encap_in_place(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
				 uint8_t *inner, uint32_t len)
{
	return encap(tx, r, inner, len, src_port(inner, len), tx->udp_csum, inner - VS_VXLAN_HLEN,
		     true);
}

// --- transmit ---------------------------------------------------------------------------

// The frames staged for the underlay. Its functions are all inlined, so that the compiler
// keeps the scalars in registers (only the two arrays, handed to the driver, live in memory).
struct txb {
	struct vs_port *ul;
	uint16_t q, uq, k;
	uint8_t *scratch;     // this PMD thread's area: VS_BURST slots' worth
	uint8_t *out;	      // where the next frame goes: frames are packed (cache lines)
	uint64_t bytes;	      // length of the staged frames
	uint32_t n_copied;    // frames built in the scratch area (the others: in their headroom)
	struct vs_pkt *pkts;  // [VS_BURST]: the frames built here
	struct vs_pkt *o;     // &pkts[k]
	// [VS_BURST]: the staged frames, handed to the driver: &pkts[i], or a frame
	// encapsulated in place, which leaves in its own struct vs_pkt (see the fast loop).
	struct vs_pkt **ptrs;
};

void vs_vxlan_txq_init(struct vs_vxlan_txq *txq, unsigned n)
{
	for (unsigned q = 0; q < n; q++)
		for (unsigned i = 0; i < VS_BURST; i++) {
			txq[q].pkts[i] =
				(struct vs_pkt){.in_port = VS_PORT_NONE, .out_port = VS_PORT_NONE};
			txq[q].ptrs[i] = &txq[q].pkts[i];
		}
}

// Hands the staged VXLAN frames to the underlay's tx queue (shared by the PMD threads that
// map to it, hence the lock, taken once per batch).
static ALWAYS_INLINE void txb_send(struct txb *b)
{
	struct vs_port_counters *uc = &b->ul->ctr[b->q];
	uint16_t sent;

	if (b->k == 0)
		return;
	vs_port_tx_lock(b->ul, b->uq);
	sent = b->ul->ops->tx_burst(b->ul, b->uq, b->ptrs, b->k);
	vs_port_tx_unlock(b->ul, b->uq);
	if (VS_UNLIKELY(sent < b->k)) {
		for (uint16_t i = sent; i < b->k; i++)
			b->bytes -= b->ptrs[i]->len;
		vs_ctr_add(&uc->drops[VS_DROP_TX_RING_FULL], (uint64_t)(b->k - sent));
	}
	vs_ctr_add(&uc->tx_packets, sent);
	vs_ctr_add(&uc->tx_bytes, b->bytes);
	b->k = 0;
	b->o = b->pkts;
	b->out = b->scratch;
	b->bytes = 0;
}

// Stages the VXLAN frame of 'pkt' to 'r' (the caller made sure there is room: b->k <
// VS_BURST): with 'in_place', its outer headers are written into the headroom of pkt's
// buffer, in front of the frame (which stays where it is, unchanged); else the whole frame
// is built in the scratch area.
static ALWAYS_INLINE void txb_add(struct txb *b, const struct vs_vxlan_tx *tx,
				  const struct vs_vxlan_remote *r, const struct vs_pkt *pkt,
				  uint16_t sport, bool csum, bool in_place)
{
	// Frames are packed, so small ones share pages and cache lines; the area holds
	// VS_BURST of the largest.
	uint8_t *out = in_place ? pkt->data - VS_VXLAN_HLEN : b->out;
	struct vs_pkt *o = b->o;
	uint32_t len = encap(tx, r, pkt->data, pkt->len, sport, csum, out, in_place);

	// A frame of vswitchd's own: no driver buffer behind it (rx_port NULL, buf 0, as
	// vs_vxlan_txq_init() left them).
	o->data = out;
	o->len = len;
	b->ptrs[b->k] = o;
	b->o = o + 1;
	if (!in_place) {
		b->out = out + ((len + 63) & ~(size_t)63);
		b->n_copied++;
	}
	b->bytes += len;
	b->k++;
}

// A port no frame comes from (its address is all that is used).
static const struct vs_port no_port;

uint16_t vs_vxlan_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts, uint16_t n)
{
	struct vs_vxlan_port *vx = port->priv;
	const struct vs_vxlan_tx *tx = vs_vxlan_tx_get(vx);
	struct vs_port_counters *c = &port->ctr[q];
	const struct vs_vxlan_remote *last = NULL; // the remote of VTEP 'last_ip', NULL if none
	uint32_t last_ip = 0;
	const bool csum = tx->udp_csum;
	// The longest inner frame that fits the underlay's MTU (read once: the stores below
	// could alias tx->mtu).
	const uint32_t max_len =
		tx->mtu > VS_VXLAN_OUTER_OVERHEAD ? tx->mtu - VS_VXLAN_OUTER_OVERHEAD : 0;
	const struct vs_port *hr_port = NULL; // the receiving port of the last frame
	bool hr_ok = false;		      // ... promises room for the outer headers
	uint32_t replicas = 0; // copies of flooded frames beyond the first (copied in any case)
	struct txb b;
	uint16_t i;

	// The loop below keeps room for one frame per packet still to come: at most VS_BURST.
	if (VS_UNLIKELY(n > VS_BURST)) {
		for (uint16_t s = 0; s < n; s += VS_BURST)
			vs_vxlan_tx_burst(port, q, pkts + s,
					  (uint16_t)(n - s < VS_BURST ? n - s : VS_BURST));
		return n;
	}
	b.ul = vx->underlay;
	b.q = q;
	b.uq = (uint16_t)(q % b.ul->n_txq);
	b.k = 0;
	b.bytes = 0;
	b.n_copied = 0;
	b.scratch = vx->scratch + (size_t)q * VS_BURST * vx->slot;
	b.out = b.scratch;
	b.pkts = vx->txq[q].pkts;
	b.o = b.pkts;
	b.ptrs = vx->txq[q].ptrs;
	i = 0;
	if (VS_LIKELY(!csum)) {
		// The common case: unicasts to a MAC learned behind a resolved VTEP, from a port
		// that promises headroom, without UDP checksum: the outer headers go in front of
		// the frame. Frames from port 'fport' to VTEP 'fvtep' take this loop without
		// further tests but their length; the first frame that does not stops it, and it
		// and the rest of the burst go through the loop below (which can do everything).
		// Such a frame goes to this port only (a flood has no VTEP), so its own struct
		// vs_pkt is re-described (start, length) and handed to the underlay, with
		// out_port the underlay's: a driver that sends received buffers as they are (a
		// DPDK port's mbufs) may then send this one too, the headers in its headroom,
		// instead of a copy.
		const struct vs_port *fport = &no_port; // no frame's rx_port: the first one misses
		const uint16_t ul_id = b.ul->id;
		uint32_t fvtep = 0;
		struct vs_pkt **o = b.ptrs;
		uint64_t bytes = 0;

		struct vs_pkt *const *pp = pkts, *const *const stop = pkts + n;

		for (; pp < stop; pp++) {
			struct vs_pkt *pkt = *pp;
			uint8_t *in = pkt->data;
			uint32_t len = pkt->len;

			if (VS_UNLIKELY(pkt->rx_port != fport || pkt->vtep != fvtep)) {
				if (pkt->rx_port != hr_port) {
					hr_port = pkt->rx_port;
					hr_ok = hr_port != NULL &&
						__atomic_load_n(&hr_port->rx_headroom,
								__ATOMIC_RELAXED) >= VS_VXLAN_HLEN;
				}
				if (pkt->vtep != last_ip && pkt->vtep != 0) {
					int r = vs_vxlan_remote_find(tx, pkt->vtep);

					last_ip = pkt->vtep;
					last = r >= 0 && tx->remotes[r].mac != 0 ? &tx->remotes[r]
										 : NULL;
				}
				if (!hr_ok || pkt->vtep == 0 || pkt->vtep != last_ip ||
				    last == NULL)
					break;
				fport = hr_port;
				fvtep = last_ip;
			}
			if (VS_UNLIKELY(len > max_len))
				break;
			encap(tx, last, in, len, src_port(in, len), false, in - VS_VXLAN_HLEN,
			      true);
			pkt->data = in - VS_VXLAN_HLEN;
			pkt->len = len + VS_VXLAN_HLEN;
			pkt->out_port = ul_id;
			*o++ = pkt;
			bytes += len;
		}
		i = (uint16_t)(pp - pkts);
		b.k = (uint16_t)(o - b.ptrs);
		b.o = b.pkts + b.k;
		b.bytes = bytes + (uint64_t)VS_VXLAN_HLEN * b.k;
	}
	for (; i < n; i++) {
		const struct vs_pkt *pkt = pkts[i];
		uint16_t sport, staged;
		bool own;

		// Room for the outer headers in front of the frame: the headroom its driver
		// promises (looked up again only when the receiving port changes).
		if (VS_UNLIKELY(pkt->rx_port != hr_port)) {
			hr_port = pkt->rx_port;
			hr_ok = hr_port != NULL &&
				__atomic_load_n(&hr_port->rx_headroom, __ATOMIC_RELAXED) >=
					VS_VXLAN_HLEN;
		}
		own = hr_ok;

		if (VS_UNLIKELY(pkt->len > max_len)) {
			vs_ctr_add(&c->drops[VS_DROP_VXLAN_TOO_BIG], 1);
			continue;
		}
		if (VS_LIKELY(pkt->vtep != 0)) {
			// A unicast to a MAC learned behind one VTEP (the same as the last one,
			// mostly).
			if (VS_UNLIKELY(pkt->vtep != last_ip)) {
				int r = vs_vxlan_remote_find(tx, pkt->vtep);

				last_ip = pkt->vtep;
				last = r >= 0 && tx->remotes[r].mac != 0 ? &tx->remotes[r] : NULL;
			}
			if (VS_LIKELY(last != NULL)) {
				txb_add(&b, tx, last, pkt, src_port(pkt->data, pkt->len), csum,
					own);
			} else {
				vs_ctr_add(&c->drops[VS_DROP_VXLAN_UNRESOLVED], 1);
			}
			continue;
		}
		// Head-end replication to every remote VTEP.
		sport = src_port(pkt->data, pkt->len);
		// One copy may use the frame's headroom; the others are built in the scratch area.
		staged = 0;
		for (uint16_t r = 0; r < tx->n_remotes; r++) {
			if (tx->remotes[r].mac != 0) {
				if (b.k == VS_BURST)
					txb_send(&b);
				txb_add(&b, tx, &tx->remotes[r], pkt, sport, csum,
					own && staged == 0);
				staged++;
			} else {
				vs_ctr_add(&c->drops[VS_DROP_VXLAN_UNRESOLVED], 1);
			}
		}
		replicas += staged > 1 ? staged - 1u : 0u;
		// Room again for one frame per packet still to come (a unicast adds one at most).
		if (b.k + (n - i - 1) > VS_BURST)
			txb_send(&b);
	}
	txb_send(&b);
	if (VS_UNLIKELY(b.n_copied != 0)) {
		vs_ctr_add(&vx->enc[q].copied, b.n_copied);
		vs_ctr_add(&vx->enc[q].no_headroom, b.n_copied - replicas);
	}
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
