// SPDX-License-Identifier: Apache-2.0
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_RX_RING 256
#define MEM_FRAME 9216
#define MEM_HEADROOM 128 // in front of each received frame, as drivers with DMA buffers have

struct mem_frame {
	uint32_t len;
	uint8_t data[MEM_FRAME];
};

// A receive buffer: the frame with its headroom (port->rx_headroom) in front.
struct mem_rx_frame {
	uint8_t room[MEM_HEADROOM];
	uint8_t data[MEM_FRAME];
	uint32_t len;
};

struct mem_port {
	uint32_t rx_head, rx_tail; // injected frames waiting for rx_burst
	struct mem_rx_frame rx[MEM_RX_RING];
	uint32_t tx_cap, tx_n;
	struct mem_frame *tx;
	uint32_t tx_whole; // bursts sent by tx_rx_burst()
};

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int mem_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		    size_t errlen)
{
	uint32_t tx_cap = 1024, max_frame = MEM_FRAME, csum_full = 0;
	struct mem_port *mp;

	for (size_t i = 0; i < n_opts; i++) {
		int ret;

		if (strcmp(opts[i].key, "tx-ring") == 0)
			ret = parse_u32(opts[i].val, 1, 65536, &tx_cap);
		else if (strcmp(opts[i].key, "max-frame") == 0)
			ret = parse_u32(opts[i].val, 60, MEM_FRAME, &max_frame);
		else if (strcmp(opts[i].key, "rx-csum-full") == 0)
			ret = parse_u32(opts[i].val, 0, 1, &csum_full);
		else
			ret = -ENOENT;
		if (ret < 0) {
			snprintf(err, errlen, "%s option for mem port: %s",
				 ret == -ENOENT ? "unknown" : "invalid", opts[i].key);
			return -EINVAL;
		}
	}
	mp = calloc(1, sizeof(*mp));
	if (mp == NULL || (mp->tx = calloc(tx_cap, sizeof(*mp->tx))) == NULL) {
		free(mp);
		snprintf(err, errlen, "%s: out of memory", port->name);
		return -ENOMEM;
	}
	mp->tx_cap = tx_cap;
	port->priv = mp;
	port->n_rxq = 1;
	port->n_txq = 1;
	port->max_frame = max_frame;
	port->rx_headroom = MEM_HEADROOM;
	port->rx_csum_full = csum_full != 0;
	vs_port_set_opt(port, "tx-ring", "%u", tx_cap);
	return 0;
}

static void mem_close(struct vs_port *port)
{
	struct mem_port *mp = port->priv;

	if (mp != NULL)
		free(mp->tx);
	free(mp);
}

int vs_mem_inject(struct vs_port *port, const void *data, uint32_t len)
{
	struct mem_port *mp = port->priv;
	struct mem_rx_frame *f;

	if (mp->rx_tail - mp->rx_head >= MEM_RX_RING || len > MEM_FRAME)
		return -ENOSPC;
	f = &mp->rx[mp->rx_tail++ % MEM_RX_RING];
	memcpy(f->data, data, len);
	f->len = len;
	return 0;
}

static uint16_t mem_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct mem_port *mp = port->priv;
	uint16_t got = 0;

	(void)q;
	// Buffers stay in the ring until rx_done() advances the head.
	for (uint32_t i = mp->rx_head; i != mp->rx_tail && got < n; i++, got++) {
		struct mem_rx_frame *f = &mp->rx[i % MEM_RX_RING];

		pkts[got].data = f->data;
		pkts[got].len = f->len;
		pkts[got].buf = i;
	}
	return got;
}

static void mem_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct mem_port *mp = port->priv;

	(void)q;
	(void)pkts;
	mp->rx_head += n;
}

static uint16_t mem_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts,
			     uint16_t n)
{
	struct mem_port *mp = port->priv;
	uint32_t room = mp->tx_cap - mp->tx_n;
	uint16_t m = n < room ? n : (uint16_t)room;
	struct mem_frame *f = &mp->tx[mp->tx_n];

	(void)q;
	// The ring's count is stored once: inside the loop the copies could change it.
	for (uint16_t i = 0; i < m; i++, f++) {
		const struct vs_pkt *pkt = pkts[i];

		f->len = pkt->len;
		memcpy(f->data, pkt->data, pkt->len);
	}
	mp->tx_n += m;
	return m;
}

// The same copies, of a whole burst another mem port received; counted.
static uint16_t mem_tx_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct vs_pkt *ptrs[VS_BURST];
	struct mem_port *mp = port->priv;

	if (n > VS_BURST)
		n = VS_BURST;
	for (uint16_t i = 0; i < n; i++)
		ptrs[i] = &pkts[i];
	mp->tx_whole++;
	return mem_tx_burst(port, q, ptrs, n);
}

uint32_t vs_mem_tx_whole(const struct vs_port *port)
{
	const struct mem_port *mp = port->priv;

	return mp->tx_whole;
}

uint32_t vs_mem_tx_count(const struct vs_port *port)
{
	const struct mem_port *mp = port->priv;

	return mp->tx_n;
}

const uint8_t *vs_mem_tx_frame(const struct vs_port *port, uint32_t i, uint32_t *len)
{
	const struct mem_port *mp = port->priv;

	if (i >= mp->tx_n)
		return NULL;
	*len = mp->tx[i].len;
	return mp->tx[i].data;
}

void vs_mem_tx_clear(struct vs_port *port)
{
	struct mem_port *mp = port->priv;

	mp->tx_n = 0;
}

const struct vs_port_ops vs_mem_ops = {
	.type = "mem",
	.open = mem_open,
	.close = mem_close,
	.rx_burst = mem_rx_burst,
	.rx_done = mem_rx_done,
	.tx_burst = mem_tx_burst,
	.tx_rx_burst = mem_tx_rx_burst,
};
