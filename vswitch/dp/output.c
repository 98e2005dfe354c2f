// SPDX-License-Identifier: Apache-2.0
#include "output.h"

#include <vs/compiler.h>
#include <vs/drops.h>

static inline void stage(struct vs_pmd *pmd, const struct vs_conf *conf, uint16_t out,
			 struct vs_pkt *pkt)
{
	struct vs_port *port = conf->ports[out];

	if (pkt->len > port->max_frame) {
		vs_ctr_add(&port->ctr[pmd->id].drops[VS_DROP_OVERSIZED], 1);
		return;
	}
	if (pmd->tx_n[out] == 0)
		pmd->touched[pmd->n_touched++] = out;
	pmd->tx_pkts[out][pmd->tx_n[out]++] = pkt;
	pmd->tx_bytes[out] += pkt->len;
}

void vs_output_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts,
		     uint16_t n)
{
	for (uint16_t i = 0; i < n;) {
		struct vs_pkt *pkt = &pkts[i];
		struct vs_port *in;
		const struct vs_dp_bridge *br;

		// Known unicast, the common case: a run of frames to one egress port (usually the
		// whole burst), appended to its staging array with its count in a register.
		if (VS_LIKELY(pkt->drop == VS_DROP_NONE && pkt->out_port < VS_PORT_FLOOD_SKIP)) {
			uint16_t out = pkt->out_port, k = pmd->tx_n[out], k0 = k;
			struct vs_port *port = conf->ports[out];
			struct vs_pkt **q = pmd->tx_pkts[out];
			uint32_t max = port->max_frame, bytes = 0;

			do {
				uint32_t len = pkt->len;

				if (VS_UNLIKELY(len > max)) {
					vs_ctr_add(&port->ctr[pmd->id].drops[VS_DROP_OVERSIZED], 1);
				} else {
					q[k++] = pkt;
					bytes += len;
				}
				pkt++;
				i++;
			} while (i < n && pkt->drop == VS_DROP_NONE && pkt->out_port == out);
			if (k0 == 0 && k != 0)
				pmd->touched[pmd->n_touched++] = out;
			pmd->tx_n[out] = k;
			pmd->tx_bytes[out] += bytes;
			continue;
		}
		i++;
		in = conf->ports[pkt->in_port];
		if (pkt->drop == VS_DROP_NONE &&
		    (pkt->out_port == VS_PORT_FLOOD || pkt->out_port == VS_PORT_FLOOD_SKIP)) {
			uint16_t skip = pkt->out_port == VS_PORT_FLOOD_SKIP ? pkt->flood_skip
									   : pkt->in_port;

			br = conf->bridge_of[pkt->in_port];
			if (br->n_ports < 2)
				pkt->drop = VS_DROP_NO_DESTINATION;
			for (uint16_t p = 0; p < br->n_ports; p++)
				if (br->ports[p] != pkt->in_port && br->ports[p] != skip)
					stage(pmd, conf, br->ports[p], pkt);
		} else if (pkt->drop == VS_DROP_NONE) {
			stage(pmd, conf, pkt->out_port, pkt);
		}
		if (pkt->drop != VS_DROP_NONE)
			vs_ctr_add(&in->ctr[pmd->id].drops[pkt->drop], 1);
	}
}

// Counts on 'port' a tx burst of 'n' frames of 'bytes' bytes of which the first 'sent' were
// queued ('unsent_bytes': the others' bytes): tx counters and tx-ring-full drops.
static inline void count_tx(const struct vs_pmd *pmd, struct vs_port *port, uint16_t n,
			    uint16_t sent, uint64_t bytes, uint64_t unsent_bytes)
{
	struct vs_port_counters *c = &port->ctr[pmd->id];

	vs_ctr_add(&c->tx_packets, sent);
	vs_ctr_add(&c->tx_bytes, bytes - unsent_bytes);
	if (sent < n)
		vs_ctr_add(&c->drops[VS_DROP_TX_RING_FULL], n - sent);
}

void vs_output_flush(struct vs_pmd *pmd, const struct vs_conf *conf)
{
	for (uint16_t t = 0; t < pmd->n_touched; t++) {
		uint16_t out = pmd->touched[t], n = pmd->tx_n[out], sent;
		struct vs_port *port = conf->ports[out];
		uint64_t unsent = 0;
		uint16_t q = vs_conf_txq(port, pmd->id);

		if (conf->tx_shared[out])
			vs_port_tx_lock(port, q);
		sent = port->ops->tx_burst(port, q, pmd->tx_pkts[out], n);
		if (conf->tx_shared[out])
			vs_port_tx_unlock(port, q);
		for (uint16_t i = sent; i < n; i++) // rare: not all were sent
			unsent += pmd->tx_pkts[out][i]->len;
		count_tx(pmd, port, n, sent, pmd->tx_bytes[out], unsent);
		pmd->tx_n[out] = 0;
		pmd->tx_bytes[out] = 0;
	}
	pmd->n_touched = 0;
}

bool vs_output_pass(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *rx_port,
		    struct vs_pkt *pkts, uint16_t n, uint16_t out, uint64_t bytes, uint32_t len_or)
{
	struct vs_port *port = conf->ports[out];
	uint64_t unsent = 0;
	uint16_t q, sent;

	if (port->ops->tx_rx_burst == NULL || port->ops != rx_port->ops ||
	    len_or > port->max_frame || pmd->tx_n[out] != 0)
		return false;
	q = vs_conf_txq(port, pmd->id);
	if (conf->tx_shared[out])
		vs_port_tx_lock(port, q);
	sent = port->ops->tx_rx_burst(port, q, pkts, n);
	if (conf->tx_shared[out])
		vs_port_tx_unlock(port, q);
	for (uint16_t i = sent; i < n; i++) // rare: not all were sent
		unsent += pkts[i].len;
	count_tx(pmd, port, n, sent, bytes, unsent);
	return true;
}
