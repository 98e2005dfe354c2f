// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver: the rx/tx burst paths of the PMD threads (multi-buffer frames in
// place or gathered, transmit in several descriptors) and the drop counters. Everything a
// burst calls is static here so that it inlines. See pmd/afxdp_int.h.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "afxdp_int.h"
#include "port.h"

#include <xdp/xsk.h>

static void kick_rx(struct afxdp_queue *q, bool busy_poll)
{
	if (busy_poll) {
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return;
	}
	// The kernel asks for a wakeup when it ran out of fill buffers.
	if (xsk_ring_prod__needs_wakeup(&q->fill))
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static inline uint64_t frame_base(uint64_t addr)
{
	return addr & ~(uint64_t)(VS_AFXDP_FRAME_SIZE - 1);
}

// The fill-ring address of the rx chunk a descriptor's address points into.
static inline uint64_t rx_chunk(const struct afxdp_queue *q, uint64_t addr)
{
	return q->unaligned ? xsk_umem__extract_addr(addr) : frame_base(addr);
}

// The data a descriptor's address points to (an unaligned address carries its offset in
// the upper bits; an aligned one has none there).
static inline uint8_t *rx_data(const struct afxdp_queue *q, uint64_t addr)
{
	return q->area + xsk_umem__add_offset_to_addr(addr);
}

// Puts as many stashed rx chunks as fit back into the fill ring, oldest first.
static void flush_stash(struct afxdp_queue *q)
{
	uint32_t idx, n = xsk_prod_nb_free(&q->fill, q->n_stash);

	if (n > q->n_stash)
		n = q->n_stash;
	if (n == 0 || xsk_ring_prod__reserve(&q->fill, n, &idx) != n)
		return;
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = q->stash[i];
	xsk_ring_prod__submit(&q->fill, n);
	q->n_stash -= n;
	memmove(q->stash, q->stash + n, q->n_stash * sizeof(q->stash[0]));
}

// Returns 'n' rx chunks to the fill ring in the given order, through the stash when it
// has no room (the order is kept: see the top of pmd/afxdp_int.h).
static void refill(struct afxdp_queue *q, const uint64_t *chunks, uint32_t n)
{
	uint32_t idx;

	if (q->n_stash == 0 && xsk_ring_prod__reserve(&q->fill, n, &idx) == n) {
		for (uint32_t i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&q->fill, idx + i) = chunks[i];
		xsk_ring_prod__submit(&q->fill, n);
		return;
	}
	// The stash holds at most every rx chunk, which is its size.
	memcpy(q->stash + q->n_stash, chunks, n * sizeof(chunks[0]));
	q->n_stash += n;
	flush_stash(q);
}

// The frame in descriptors [first, last] of the rx ring, whose chunks are held until
// rx_done(): in place if its descriptors are adjacent in the UMEM, else copied into
// gather buffer 'slot'. Returns 1 if 'pkt' now holds the frame, 0 if it was too big.
static int rx_multi(struct afxdp_queue *q, uint32_t first, uint32_t last, uint16_t slot,
		    struct vs_pkt *pkt)
{
	const struct xdp_desc *d0 = xsk_ring_cons__rx_desc(&q->rx, first);
	uint8_t *start = rx_data(q, d0->addr), *next = start;
	uint32_t len = 0;
	bool adjacent = true;

	for (uint32_t i = first; i <= last; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, i);
		uint8_t *data = rx_data(q, d->addr);

		adjacent &= data == next;
		next = data + d->len;
		len += d->len;
		q->held[q->n_held++] = rx_chunk(q, d->addr);
	}
	if (last - first + 1 > VS_AFXDP_MAX_FRAGS || len > VS_AFXDP_MAX_FRAME) {
		vs_ctr_add(&q->rx_too_big, 1);
		return 0;
	}
	pkt->buf = d0->addr;
	pkt->len = len;
	q->rx_multi++;
	if (adjacent) {
		pkt->data = start;
		return 1;
	}
	len = 0;
	for (uint32_t i = first; i <= last; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, i);

		memcpy(q->gather[slot] + VS_AFXDP_GATHER_ROOM + len, rx_data(q, d->addr), d->len);
		len += d->len;
	}
	pkt->data = q->gather[slot] + VS_AFXDP_GATHER_ROOM;
	q->rx_gathered++;
	return 1;
}

// A descriptor longer than the headroom promise allows arrived (the device's MTU was raised
// after the port was opened): the promise is withdrawn, for every queue of the port.
static __attribute__((noinline)) void headroom_lost(struct vs_port *port, struct afxdp_queue *q)
{
	__atomic_store_n(&port->rx_headroom, 0, __ATOMIC_RELAXED);
	q->hr_limit = UINT32_MAX;
}

uint16_t vs_afxdp_rx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];
	uint32_t idx, got, i = 0;
	uint16_t np = 0;

	if (n > VS_BURST)
		n = VS_BURST;
	// With multi-buffer a frame may take several descriptors: look further ahead.
	got = xsk_ring_cons__peek(&q->rx, ap->sg ? 4u * n : n, &idx);
	if (got == 0) {
		if (q->n_stash)
			flush_stash(q);
		kick_rx(q, ap->busy_poll_us != 0);
		return 0;
	}
	while (i < got && np < n) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);
		uint32_t last = i;

		if (VS_LIKELY(!(d->options & XDP_PKT_CONTD))) {
			if (VS_UNLIKELY(d->len > q->hr_limit))
				headroom_lost(port, q);
			q->held[q->n_held++] = rx_chunk(q, d->addr);
			pkts[np].buf = d->addr;
			pkts[np].data = rx_data(q, d->addr);
			pkts[np].len = d->len;
			np++;
			i++;
			continue;
		}
		while (last < got &&
		       (xsk_ring_cons__rx_desc(&q->rx, idx + last)->options & XDP_PKT_CONTD))
			last++;
		if (last == got)
			break; // the frame's last descriptor is beyond this peek: next time
		if (VS_UNLIKELY(q->hr_limit != UINT32_MAX)) // full descriptors: too long
			headroom_lost(port, q);
		np += (uint16_t)rx_multi(q, idx + i, idx + last, np, &pkts[np]);
		i = last + 1;
	}
	if (i < got)
		xsk_ring_cons__cancel(&q->rx, got - i);
	xsk_ring_cons__release(&q->rx, i);
	if (np == 0 && q->n_held) { // only frames too big: no rx_done() follows
		refill(q, q->held, q->n_held);
		q->n_held = 0;
	}
	return np;
}

void vs_afxdp_rx_done(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];

	(void)pkts;
	(void)n;
	// Every chunk the last burst took, in the order the kernel filled them.
	if (q->n_held)
		refill(q, q->held, q->n_held);
	q->n_held = 0;
	kick_rx(q, false);
}

static void reclaim_tx(struct afxdp_queue *q)
{
	uint32_t idx, done = xsk_ring_cons__peek(&q->comp, VS_AFXDP_RING, &idx);

	for (uint32_t i = 0; i < done; i++)
		q->free_tx[q->n_free_tx++] = frame_base(*xsk_ring_cons__comp_addr(&q->comp, idx + i));
	if (done)
		xsk_ring_cons__release(&q->comp, done);
}

static void kick_tx(struct afxdp_queue *q)
{
	if (xsk_ring_prod__needs_wakeup(&q->tx))
		sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

uint16_t vs_afxdp_tx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *const *pkts,
			   uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];
	uint32_t idx, avail, need = 0, k;

	reclaim_tx(q);
	// A frame larger than a UMEM frame leaves in several descriptors (multi-buffer).
	avail = xsk_prod_nb_free(&q->tx, q->n_free_tx);
	if (avail > q->n_free_tx)
		avail = q->n_free_tx;
	for (k = 0; k < n; k++) {
		uint32_t f = (pkts[k]->len + VS_AFXDP_FRAME_SIZE - 1) / VS_AFXDP_FRAME_SIZE;

		if (need + f > avail)
			break;
		need += f;
	}
	if (need == 0 || xsk_ring_prod__reserve(&q->tx, need, &idx) != need)
		return 0;
	for (uint32_t i = 0; i < k; i++) {
		const uint8_t *data = pkts[i]->data;
		uint32_t left = pkts[i]->len;

		do {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx++);
			uint32_t chunk = left < VS_AFXDP_FRAME_SIZE ? left : VS_AFXDP_FRAME_SIZE;
			uint64_t addr = q->free_tx[--q->n_free_tx];

			memcpy(q->area + addr, data, chunk);
			d->addr = addr;
			d->len = chunk;
			data += chunk;
			left -= chunk;
			d->options = left ? XDP_PKT_CONTD : 0;
		} while (left);
	}
	xsk_ring_prod__submit(&q->tx, need);
	kick_tx(q);
	return (uint16_t)k;
}

void vs_afxdp_tx_flush(struct vs_port *port, uint16_t qid)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];

	if (q->n_free_tx == VS_AFXDP_FRAMES - VS_AFXDP_RX_FRAMES)
		return;
	reclaim_tx(q);
	// In copy mode the kernel sends at most a few dozen frames per wakeup: kick again while
	// descriptors wait in the tx ring.
	if (q->tx.cached_prod != __atomic_load_n(q->tx.consumer, __ATOMIC_ACQUIRE))
		kick_tx(q);
}

int vs_afxdp_rx_fd(struct vs_port *port, uint16_t qid)
{
	struct afxdp_port *ap = port->priv;

	return ap->q[qid]->fd;
}

void vs_afxdp_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
{
	struct afxdp_port *ap = port->priv;

	for (uint16_t i = 0; i < ap->n_queues; i++) {
		struct xdp_statistics st;
		socklen_t len = sizeof(st);

		drops[VS_DROP_RX_TOO_BIG] += vs_ctr_read(&ap->q[i]->rx_too_big);
		if (getsockopt(ap->q[i]->fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
			continue;
		drops[VS_DROP_RX_RING_FULL] += st.rx_ring_full;
		drops[VS_DROP_RX_FILL_EMPTY] += st.rx_fill_ring_empty_descs;
		// The kernel counts a frame dropped for want of a fill buffer in both rx_dropped
		// and rx_fill_ring_empty_descs: count it once.
		if (st.rx_dropped > st.rx_fill_ring_empty_descs)
			drops[VS_DROP_RX_KERNEL] += st.rx_dropped - st.rx_fill_ring_empty_descs;
	}
}
