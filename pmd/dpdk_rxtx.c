// SPDX-License-Identifier: Apache-2.0
// DPDK port driver: the rx/tx bursts of the PMD threads, and the hand-over of an ingress
// mbuf to the egress device. Everything a burst calls is static here or inline in
// pmd/dpdk_int.h (the burst gates), so that it inlines.
#include <stdint.h>
#include <string.h>

#include "dpdk_int.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

// An mbuf whose headroom is not the frame's own or shorter than promised (port->rx_headroom):
// the promise is withdrawn before the pipeline sees the frame.
static __attribute__((noinline)) void headroom_lost(struct vs_port *port)
{
	__atomic_store_n(&port->rx_headroom, 0, __ATOMIC_RELAXED);
}

uint16_t vs_dpdk_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	const uint32_t max_frame = port->max_frame; // not reloaded after each store to pkts[]
	const uint16_t headroom = __atomic_load_n(&port->rx_headroom, __ATOMIC_RELAXED);
	struct rte_mbuf *m[VS_BURST];
	uint16_t got, k = 0;

	struct burst_gate *gt = gate_enter(dp);

	got = rte_eth_rx_burst(dp->port_id, q, m, n < VS_BURST ? n : VS_BURST);
	gate_exit(gt);
	for (uint16_t i = 0; i < got; i++) {
		struct rte_mbuf *mb = m[i];

		if (VS_UNLIKELY(mb->pkt_len > max_frame ||
				(mb->nb_segs > 1 && rte_pktmbuf_linearize(mb) < 0))) {
			vs_ctr_add(&dp->rxq[q].too_big, 1);
			rte_pktmbuf_free(mb);
			continue;
		}
		if (VS_UNLIKELY(headroom != 0 &&
				(mb->data_off < headroom || !RTE_MBUF_DIRECT(mb) ||
				 rte_mbuf_refcnt_read(mb) != 1)))
			headroom_lost(port);
		pkts[k].data = rte_pktmbuf_mtod(mb, uint8_t *);
		pkts[k].len = mb->data_len;
		pkts[k].buf = (uint64_t)(uintptr_t)mb;
		k++;
	}
	return k;
}

// Frees the mbufs of the burst that are still ours: a unicast frame sent in its own mbuf
// was handed to the egress device (buf 0, see vs_dpdk_tx_burst()).
void vs_dpdk_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct rte_mbuf *m[VS_BURST];
	unsigned k = 0;

	(void)port;
	(void)q;
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

// A frame received on a dpdk port leaves in its own mbuf. When this port is its only
// destination (out_port, not a flood), the mbuf itself is handed to the device: no reference
// is added, and once the device took it, pkt->buf becomes 0 so that vs_dpdk_rx_done() does not
// free it. This keeps the reference count at 1, so the device frees the mbuf without an
// atomic operation (a locked instruction per packet, which also waits for the device's
// stores into shared memory to drain: about 15% of the PMD's cycles on memif). A flooded
// frame gets one more reference per egress port instead.
uint16_t vs_dpdk_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	struct rte_mbuf *m[VS_BURST];
	uint64_t shared = 0; // bit i: m[i] is the ingress mbuf
	uint64_t moved = 0;  // bit i: ... handed over without a new reference
	struct burst_gate *gt;
	const uint16_t id = port->id; // not reloaded after each mbuf write
	uint16_t k, sent, n_shared;

	if (n > VS_BURST)
		n = VS_BURST;
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
	gt = gate_enter(dp);
	sent = rte_eth_tx_burst(dp->port_id, q, m, k);
	gate_exit(gt);
	n_shared = (uint16_t)__builtin_popcountll(shared & ((1ull << sent) - 1));
	vs_ctr_add(&dp->txq[q].shared, n_shared);
	vs_ctr_add(&dp->txq[q].copied, (uint64_t)(sent - n_shared));
	for (uint64_t b = moved & ((1ull << sent) - 1); b != 0; b &= b - 1)
		pkts[__builtin_ctzll(b)]->buf = 0; // the device owns it now
	for (uint16_t i = sent; i < k; i++)
		if (!(moved & (1ull << i))) // a moved mbuf not sent stays with rx_done()
			rte_pktmbuf_free(m[i]);
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
