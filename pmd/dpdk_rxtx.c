// SPDX-License-Identifier: Apache-2.0
// DPDK port driver: the rx/tx bursts of the PMD threads, and the hand-over of an ingress
// mbuf to the egress device. Everything a burst calls is static here or inline in
// pmd/dpdk_int.h (the burst gates), so that it inlines.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dpdk_int.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

// This thread's current rx burst, from one vs_dpdk_rx_burst() to its vs_dpdk_rx_done() (a
// PMD thread does not nest rx bursts, and a frame is only handed to an egress device in
// between, see vs_dpdk_tx_burst()): its size, and how many of its frames were handed over.
// Once all of them were, rx_done() has nothing to free and skips its scan, and the tx burst
// that completed the count need not mark its frames (pkt->buf = 0) for it.
static __thread struct {
	uint32_t n;
	uint32_t handed;
} rx_cur __attribute__((tls_model("initial-exec")));

// An mbuf whose headroom is not the frame's own or shorter than promised (port->rx_headroom):
// the promise is withdrawn before the pipeline sees the frame.
static __attribute__((noinline)) void headroom_lost(struct vs_port *port)
{
	__atomic_store_n(&port->rx_headroom, 0, __ATOMIC_RELAXED);
}

// The frames of a burst one by one, each rare case handled: too big (dropped), several
// segments (gathered), headroom not as promised (promise withdrawn).
static __attribute__((noinline)) uint16_t rx_slow(struct vs_port *port, uint16_t q,
						   struct vs_pkt *pkts, struct rte_mbuf **m,
						   uint16_t got, uint16_t headroom)
{
	struct dpdk_port *dp = port->priv;
	uint16_t k = 0;

	for (uint16_t i = 0; i < got; i++) {
		struct rte_mbuf *mb = m[i];

		if (mb->pkt_len > port->max_frame ||
		    (mb->nb_segs > 1 && rte_pktmbuf_linearize(mb) < 0)) {
			vs_ctr_add(&dp->rxq[q].too_big, 1);
			rte_pktmbuf_free(mb);
			continue;
		}
		if (headroom != 0 && (mb->data_off < headroom || !RTE_MBUF_DIRECT(mb) ||
				      rte_mbuf_refcnt_read(mb) != 1))
			headroom_lost(port);
		pkts[k].data = rte_pktmbuf_mtod(mb, uint8_t *);
		pkts[k].len = mb->data_len;
		pkts[k].buf = (uint64_t)(uintptr_t)mb;
		k++;
	}
	return k;
}

// The 8 bytes at data_off: data_off, refcnt, nb_segs, port (DPDK 22.11's layout). One load
// checks that an mbuf has one segment and one reference.
_Static_assert(offsetof(struct rte_mbuf, refcnt) == offsetof(struct rte_mbuf, data_off) + 2 &&
		       offsetof(struct rte_mbuf, nb_segs) == offsetof(struct rte_mbuf, data_off) + 4,
	       "struct rte_mbuf: data_off, refcnt, nb_segs adjacent");
#define ONE_SEG_ONE_REF 0x0000000100010000ull // nb_segs 1, refcnt 1
#define SEGS_REF_MASK 0x0000ffffffff0000ull

// The common case in one pass without branches per frame: the frames are converted as if
// none were rare, and what would make one rare is gathered over the burst: in 'segs_ref',
// any mbuf with several segments or other references; in 'flags', any with an attached
// buffer; in 'wrap', above bit 31, any frame longer than max_frame or with less headroom
// than promised (the differences wrap around). Only if one was rare is the burst converted
// again, one frame at a time.
uint16_t vs_dpdk_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	const uint64_t max_frame = port->max_frame; // not reloaded after each store to pkts[]
	const uint16_t headroom = __atomic_load_n(&port->rx_headroom, __ATOMIC_RELAXED);
	struct rte_mbuf *m[VS_BURST];
	uint64_t segs_ref = 0, flags = 0, wrap = 0;
	uint16_t got;

	struct burst_gate *gt = gate_enter(dp);

	got = rte_eth_rx_burst(dp->port_id, q, m, n < VS_BURST ? n : VS_BURST);
	gate_exit(gt);
	for (uint16_t i = 0; i < got; i++) {
		const struct rte_mbuf *mb = m[i];
		uint64_t w, off, len;

		memcpy(&w, &mb->data_off, sizeof(w));
		off = (uint16_t)w;
		len = mb->data_len;
		segs_ref |= w ^ ONE_SEG_ONE_REF;
		flags |= mb->ol_flags;
		wrap |= (off - headroom) | (max_frame - len);
		pkts[i].data = (uint8_t *)mb->buf_addr + off;
		pkts[i].len = (uint32_t)len;
		pkts[i].buf = (uint64_t)(uintptr_t)mb;
	}
	if (VS_UNLIKELY(((segs_ref & SEGS_REF_MASK) |
			 (flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)) | (wrap >> 32)) != 0))
		got = rx_slow(port, q, pkts, m, got, headroom);
	rx_cur.n = got;
	rx_cur.handed = 0;
	return got;
}

// Frees the mbufs of the burst that are still ours: a unicast frame sent in its own mbuf
// was handed to the egress device (buf 0, see vs_dpdk_tx_burst()).
void vs_dpdk_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct rte_mbuf *m[VS_BURST];
	unsigned k = 0;

	(void)port;
	(void)q;
	if (rx_cur.handed == n && rx_cur.n == n) // all of them: nothing left to free
		return;
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i].buf != 0)
			m[k++] = (struct rte_mbuf *)(uintptr_t)pkts[i].buf;
	if (k != 0)
		rte_pktmbuf_free_bulk(m, k);
}

// The mbuf of 'pkt' if it can be sent as it is: received on a dpdk port, and still
// describing the frame exactly (no stage moved its start or changed its length). It has
// one segment: vs_dpdk_rx_burst() linearised it or dropped it. With 'moving' (the frame
// goes to this port only and its mbuf is handed over), a frame a stage moved or resized
// within the mbuf's buffer (VXLAN decapsulation strips the 50 outer bytes in place) is
// sent from it too, the mbuf re-described, when nobody else holds it.
static inline struct rte_mbuf *own_mbuf(const struct vs_pkt *pkt, bool moving)
{
	struct rte_mbuf *mb;
	uintptr_t off;

	if (pkt->rx_port == NULL || pkt->rx_port->ops != &vs_dpdk_ops)
		return NULL;
	mb = (struct rte_mbuf *)(uintptr_t)pkt->buf;
	if (VS_LIKELY(rte_pktmbuf_mtod(mb, uint8_t *) == pkt->data && mb->data_len == pkt->len))
		return mb;
	off = (uintptr_t)pkt->data - (uintptr_t)mb->buf_addr;
	if (!moving || !RTE_MBUF_DIRECT(mb) || rte_mbuf_refcnt_read(mb) != 1 ||
	    pkt->data < (uint8_t *)mb->buf_addr || off + pkt->len > mb->buf_len)
		return NULL;
	mb->data_off = (uint16_t)off;
	mb->data_len = (uint16_t)pkt->len;
	mb->pkt_len = pkt->len;
	return mb;
}

static uint16_t tx_send(struct dpdk_port *dp, uint16_t q, struct rte_mbuf **m, uint16_t k)
{
	struct burst_gate *gt = gate_enter(dp);
	uint16_t sent = rte_eth_tx_burst(dp->port_id, q, m, k);

	gate_exit(gt);
	return sent;
}

// The general case, frame by frame: a copy for a frame from another driver or changed by
// the pipeline, a new reference for a flooded one, the mbuf itself for the rest.
static __attribute__((noinline)) uint16_t tx_general(struct vs_port *port, uint16_t q,
						     struct vs_pkt *const *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	struct rte_mbuf *m[VS_BURST];
	uint64_t shared = 0; // bit i: m[i] is the ingress mbuf
	uint64_t moved = 0;  // bit i: ... handed over without a new reference
	const uint16_t id = port->id; // not reloaded after each mbuf write
	uint16_t k, sent, n_shared;

	for (k = 0; k < n; k++) {
		const struct vs_pkt *pkt = pkts[k];
		struct rte_mbuf *mb = own_mbuf(pkt, pkt->out_port == id);

		if (mb != NULL) {
			if (pkt->out_port == id)
				moved |= 1ull << k;
			else
				rte_mbuf_refcnt_update(mb, 1);
			shared |= 1ull << k;
		} else {
			mb = rte_pktmbuf_alloc(dp->pool->mp);
			if (VS_UNLIKELY(mb == NULL))
				break;
			if (VS_UNLIKELY(rte_pktmbuf_append(mb, (uint16_t)pkt->len) == NULL)) {
				rte_pktmbuf_free(mb);
				break;
			}
			memcpy(rte_pktmbuf_mtod(mb, void *), pkt->data, pkt->len);
		}
		m[k] = mb;
	}
	sent = tx_send(dp, q, m, k);
	n_shared = (uint16_t)__builtin_popcountll(shared & ((1ull << sent) - 1));
	vs_ctr_add(&dp->txq[q].shared, n_shared);
	vs_ctr_add(&dp->txq[q].copied, (uint64_t)(sent - n_shared));
	moved &= (1ull << sent) - 1;
	rx_cur.handed += (uint32_t)__builtin_popcountll(moved);
	for (uint64_t b = moved; b != 0; b &= b - 1)
		pkts[__builtin_ctzll(b)]->buf = 0; // the device owns it now
	for (uint16_t i = sent; i < k; i++)
		if (!(moved & (1ull << i))) // a moved mbuf not sent stays with rx_done()
			rte_pktmbuf_free(m[i]);
	return sent;
}

// A frame received on a dpdk port leaves in its own mbuf. When this port is its only
// destination (out_port, not a flood), the mbuf itself is handed to the device: no reference
// is added, and once the device took it, pkt->buf becomes 0 so that vs_dpdk_rx_done() does not
// free it. This keeps the reference count at 1, so the device frees the mbuf without an
// atomic operation (a locked instruction per packet, which also waits for the device's
// stores into shared memory to drain: about 15% of the PMD's cycles on memif). A flooded
// frame gets one more reference per egress port instead.
//
// The common case first, with one test per frame: every frame of the burst arrived on the
// same dpdk port, is unchanged and goes to this port only. Its mismatches are gathered over
// the burst (no branch per frame but the one that keeps another driver's 'buf' from being
// read as an mbuf); if any, the burst goes frame by frame instead.
uint16_t vs_dpdk_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	const struct vs_port *rxp;
	struct rte_mbuf *m[VS_BURST];
	uint64_t diff = 0;
	const uint16_t id = port->id; // not reloaded after each mbuf write
	uint16_t k, sent;

	if (n > VS_BURST)
		n = VS_BURST;
	if (VS_UNLIKELY(n == 0))
		return 0;
	rxp = pkts[0]->rx_port;
	if (rxp == NULL || rxp->ops != &vs_dpdk_ops)
		return tx_general(port, q, pkts, n);
	for (k = 0; k < n; k++) {
		const struct vs_pkt *pkt = pkts[k];
		struct rte_mbuf *mb;

		if (VS_UNLIKELY(pkt->rx_port != rxp))
			return tx_general(port, q, pkts, n);
		mb = (struct rte_mbuf *)(uintptr_t)pkt->buf;
		diff |= ((uintptr_t)rte_pktmbuf_mtod(mb, uint8_t *) ^ (uintptr_t)pkt->data) |
			(uint32_t)(mb->data_len ^ pkt->len) | (uint16_t)(pkt->out_port ^ id);
		m[k] = mb;
	}
	if (VS_UNLIKELY(diff != 0))
		return tx_general(port, q, pkts, n);
	sent = tx_send(dp, q, m, n);
	vs_ctr_add(&dp->txq[q].shared, sent);
	rx_cur.handed += sent;
	if (rx_cur.handed != rx_cur.n) // else rx_done() frees nothing and reads no buf
		for (k = 0; k < sent; k++)
			pkts[k]->buf = 0; // the device owns it now; one not sent stays with rx_done()
	return sent;
}

// A whole received burst of another dpdk port, unchanged (the caller's promise): the mbufs
// are handed to the device as vs_dpdk_tx_burst() hands them, without its per-frame tests.
uint16_t vs_dpdk_tx_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	struct rte_mbuf *m[VS_BURST];
	uint16_t k, sent;

	if (n > VS_BURST)
		n = VS_BURST;
	for (k = 0; k < n; k++)
		m[k] = (struct rte_mbuf *)(uintptr_t)pkts[k].buf;
	sent = tx_send(dp, q, m, n);
	vs_ctr_add(&dp->txq[q].shared, sent);
	rx_cur.handed += sent;
	if (rx_cur.handed != rx_cur.n) // else rx_done() frees nothing and reads no buf
		for (k = 0; k < sent; k++)
			pkts[k].buf = 0; // the device owns it now; one not sent stays with rx_done()
	return sent;
}

void vs_dpdk_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_stats st;

	if (rte_eth_stats_get(dp->port_id, &st) == 0) {
		drops[VS_DROP_RX_RING_FULL] += st.imissed;
		drops[VS_DROP_RX_FILL_EMPTY] += st.rx_nombuf;
	}
	for (uint16_t q = 0; q < dp->o.n_rxq; q++)
		drops[VS_DROP_RX_TOO_BIG] += vs_ctr_read(&dp->rxq[q].too_big);
}
