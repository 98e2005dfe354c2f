// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver (libxdp): one AF_XDP socket with its own UMEM per queue.
//
// UMEM layout per queue: VS_AFXDP_FRAMES frames; the first half is receive
// buffers, which live in the fill ring, the rx ring or a PMD burst; the second
// half is transmit buffers, kept on a free stack and returned by the completion
// ring. Forwarding copies a frame from the ingress UMEM into an egress frame.
// libxdp loads its default XSK program (redirect to the socket bound to the
// queue, XDP_PASS otherwise); closing the last socket detaches it.
#include <errno.h>
#include <linux/if_link.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vs/log.h>

#include "afxdp.h"
#include "netdev.h"
#include "port.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

VS_LOG_MODULE("afxdp");

#define VS_AFXDP_FRAMES 4096
#define VS_AFXDP_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define VS_AFXDP_RX_FRAMES (VS_AFXDP_FRAMES / 2)
#define VS_AFXDP_RING 2048
#define VS_AFXDP_MAX_QUEUES 64

struct afxdp_queue {
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	uint8_t *area;
	int fd;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fill;
	struct xsk_ring_prod tx;
	struct xsk_ring_cons comp;
	uint32_t n_free_tx;
	uint64_t free_tx[VS_AFXDP_FRAMES - VS_AFXDP_RX_FRAMES];
} VS_CACHE_ALIGNED;

struct afxdp_port {
	int ifindex;
	uint16_t n_queues;
	uint32_t xdp_flags; // XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE
	struct afxdp_queue *q[VS_AFXDP_MAX_QUEUES];
};

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	if (level == LIBXDP_DEBUG && vs_log_level < VS_LOG_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	// libxdp warns when it falls back from its dispatcher; that is expected without bpffs.
	VS_LOG(DEBUG, "libxdp: %s", msg);
	return 0;
}

static void queue_close(struct afxdp_queue *q)
{
	if (q == NULL)
		return;
	if (q->xsk != NULL)
		xsk_socket__delete(q->xsk);
	if (q->umem != NULL)
		xsk_umem__delete(q->umem);
	if (q->area != NULL)
		munmap(q->area, (size_t)VS_AFXDP_FRAMES * VS_AFXDP_FRAME_SIZE);
	free(q);
}

static int queue_open(struct vs_port *port, struct afxdp_port *ap, uint16_t qid,
		      struct afxdp_queue **out)
{
	struct xsk_umem_config ucfg = {
		.fill_size = VS_AFXDP_RING,
		.comp_size = VS_AFXDP_RING,
		.frame_size = VS_AFXDP_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = VS_AFXDP_RING,
		.tx_size = VS_AFXDP_RING,
		.libxdp_flags = 0,
		.xdp_flags = ap->xdp_flags,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	size_t size = (size_t)VS_AFXDP_FRAMES * VS_AFXDP_FRAME_SIZE;
	struct afxdp_queue *q;
	uint32_t idx;
	int ret;

	q = aligned_alloc(VS_CACHE_LINE, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		       -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		ret = -errno;
		goto err;
	}
	ret = xsk_umem__create(&q->umem, q->area, size, &q->fill, &q->comp, &ucfg);
	if (ret < 0)
		goto err;
	ret = xsk_socket__create(&q->xsk, port->name, qid, q->umem, &q->rx, &q->tx, &scfg);
	if (ret < 0) {
		q->xsk = NULL;
		goto err;
	}
	q->fd = xsk_socket__fd(q->xsk);
	if (xsk_ring_prod__reserve(&q->fill, VS_AFXDP_RX_FRAMES, &idx) != VS_AFXDP_RX_FRAMES) {
		ret = -ENOSPC;
		goto err;
	}
	for (uint32_t i = 0; i < VS_AFXDP_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = (uint64_t)i * VS_AFXDP_FRAME_SIZE;
	xsk_ring_prod__submit(&q->fill, VS_AFXDP_RX_FRAMES);
	for (uint32_t i = VS_AFXDP_RX_FRAMES; i < VS_AFXDP_FRAMES; i++)
		q->free_tx[q->n_free_tx++] = (uint64_t)i * VS_AFXDP_FRAME_SIZE;
	*out = q;
	return 0;
err:
	queue_close(q);
	return ret;
}

static void afxdp_close(struct vs_port *port)
{
	struct afxdp_port *ap = port->priv;
	uint32_t prog_id = 0;

	if (ap == NULL)
		return;
	for (uint16_t i = 0; i < ap->n_queues; i++)
		queue_close(ap->q[i]);
	// libxdp detaches its program with the last socket; make sure nothing of ours is left.
	if (bpf_xdp_query_id(ap->ifindex, (int)ap->xdp_flags, &prog_id) == 0 && prog_id != 0) {
		VS_LOG(WARN, "%s: XDP program %u still attached after closing; detaching",
		       port->name, prog_id);
		bpf_xdp_detach(ap->ifindex, ap->xdp_flags, NULL);
	}
	free(ap);
	port->priv = NULL;
}

static int open_queues(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	for (uint16_t i = 0; i < ap->n_queues; i++) {
		int ret = queue_open(port, ap, i, &ap->q[i]);

		if (ret < 0) {
			snprintf(err, errlen, "%s: cannot open AF_XDP socket on queue %u (%s mode): %s",
				 port->name, i,
				 ap->xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic",
				 strerror(-ret));
			for (uint16_t j = 0; j < i; j++) {
				queue_close(ap->q[j]);
				ap->q[j] = NULL;
			}
			return ret;
		}
	}
	return 0;
}

static int afxdp_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		      size_t errlen)
{
	const char *mode = "auto";
	struct afxdp_port *ap;
	long queues = 1;
	uint32_t prog_id = 0;
	int ifindex, dev_queues, ret;

	for (size_t i = 0; i < n_opts; i++) {
		if (strcmp(opts[i].key, "xdp-mode") == 0) {
			mode = opts[i].val;
			if (strcmp(mode, "auto") && strcmp(mode, "native") && strcmp(mode, "generic")) {
				snprintf(err, errlen,
					 "invalid xdp-mode '%s' (expected auto, native or generic)",
					 mode);
				return -EINVAL;
			}
		} else if (strcmp(opts[i].key, "queues") == 0) {
			char *end;

			errno = 0;
			queues = strtol(opts[i].val, &end, 10);
			if (errno || *end || end == opts[i].val || queues < 1 ||
			    queues > VS_AFXDP_MAX_QUEUES) {
				snprintf(err, errlen, "invalid queues '%s' (expected 1-%d)",
					 opts[i].val, VS_AFXDP_MAX_QUEUES);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "unknown option for afxdp port: %s", opts[i].key);
			return -EINVAL;
		}
	}
	ifindex = vs_netdev_ifindex(port->name);
	if (ifindex <= 0) {
		snprintf(err, errlen, "no such network device: %s", port->name);
		return -ENODEV;
	}
	dev_queues = vs_netdev_rx_queues(port->name);
	if (dev_queues > 0 && queues > dev_queues) {
		snprintf(err, errlen, "%s has %d rx queue%s, cannot use queues=%ld", port->name,
			 dev_queues, dev_queues == 1 ? "" : "s", queues);
		return -EINVAL;
	}
	if (bpf_xdp_query_id(ifindex, 0, &prog_id) == 0 && prog_id != 0) {
		snprintf(err, errlen,
			 "%s already has an XDP program attached (id %u); vswitchd will not replace "
			 "it",
			 port->name, prog_id);
		return -EBUSY;
	}
	ap = calloc(1, sizeof(*ap));
	if (ap == NULL) {
		snprintf(err, errlen, "%s: out of memory", port->name);
		return -ENOMEM;
	}
	libxdp_set_print(libxdp_print);
	ap->ifindex = ifindex;
	ap->n_queues = (uint16_t)queues;
	ap->xdp_flags = strcmp(mode, "generic") == 0 ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	ret = open_queues(port, ap, err, errlen);
	if (ret < 0 && strcmp(mode, "auto") == 0) {
		VS_LOG(INFO, "%s: native XDP failed (%s), falling back to generic", port->name,
		       strerror(-ret));
		ap->xdp_flags = XDP_FLAGS_SKB_MODE;
		ret = open_queues(port, ap, err, errlen);
	}
	if (ret < 0) {
		free(ap);
		return ret;
	}
	port->priv = ap;
	port->n_rxq = ap->n_queues;
	port->n_txq = ap->n_queues;
	port->max_frame = VS_AFXDP_FRAME_SIZE;
	vs_port_set_opt(port, "xdp-mode", "%s",
			ap->xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic");
	vs_port_set_opt(port, "queues", "%u", ap->n_queues);
	VS_LOG(INFO, "%s: AF_XDP port open, ifindex %d, %u queue(s), %s XDP", port->name, ifindex,
	       ap->n_queues, ap->xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic");
	return 0;
}

static void kick_rx(struct afxdp_queue *q)
{
	// The kernel asks for a wakeup when it ran out of fill buffers.
	if (xsk_ring_prod__needs_wakeup(&q->fill))
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static uint16_t afxdp_rx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];
	uint32_t idx, got;

	got = xsk_ring_cons__peek(&q->rx, n, &idx);
	if (got == 0) {
		kick_rx(q);
		return 0;
	}
	for (uint32_t i = 0; i < got; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);

		pkts[i].buf = d->addr;
		pkts[i].data = xsk_umem__get_data(q->area, d->addr);
		pkts[i].len = d->len;
	}
	xsk_ring_cons__release(&q->rx, got);
	return (uint16_t)got;
}

static void afxdp_rx_done(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];
	uint32_t idx;

	// Cannot fail: the fill ring has room for every rx frame, and these n are out of it.
	if (xsk_ring_prod__reserve(&q->fill, n, &idx) != n) {
		VS_LOG_RL(ERR, "%s: fill ring full, %u rx buffers lost", port->name, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) =
			pkts[i].buf & ~(uint64_t)(VS_AFXDP_FRAME_SIZE - 1);
	xsk_ring_prod__submit(&q->fill, n);
	kick_rx(q);
}

static void reclaim_tx(struct afxdp_queue *q)
{
	uint32_t idx, done = xsk_ring_cons__peek(&q->comp, VS_AFXDP_RING, &idx);

	for (uint32_t i = 0; i < done; i++)
		q->free_tx[q->n_free_tx++] = *xsk_ring_cons__comp_addr(&q->comp, idx + i) &
					     ~(uint64_t)(VS_AFXDP_FRAME_SIZE - 1);
	if (done)
		xsk_ring_cons__release(&q->comp, done);
}

static void kick_tx(struct afxdp_queue *q)
{
	if (xsk_ring_prod__needs_wakeup(&q->tx))
		sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

static uint16_t afxdp_tx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *const *pkts,
			       uint16_t n)
{
	struct afxdp_port *ap = port->priv;
	struct afxdp_queue *q = ap->q[qid];
	uint32_t idx, k;

	reclaim_tx(q);
	k = n < q->n_free_tx ? n : q->n_free_tx;
	k = xsk_ring_prod__reserve(&q->tx, k, &idx);
	for (uint32_t i = 0; i < k; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx + i);
		uint64_t addr = q->free_tx[--q->n_free_tx];

		memcpy(q->area + addr, pkts[i]->data, pkts[i]->len);
		d->addr = addr;
		d->len = pkts[i]->len;
		d->options = 0;
	}
	if (k) {
		xsk_ring_prod__submit(&q->tx, k);
		kick_tx(q);
	}
	return (uint16_t)k;
}

static void afxdp_tx_flush(struct vs_port *port, uint16_t qid)
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

static void afxdp_kernel_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
{
	struct afxdp_port *ap = port->priv;

	for (uint16_t i = 0; i < ap->n_queues; i++) {
		struct xdp_statistics st;
		socklen_t len = sizeof(st);

		if (getsockopt(ap->q[i]->fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
			continue;
		drops[VS_DROP_RX_RING_FULL] += st.rx_ring_full;
		drops[VS_DROP_RX_FILL_EMPTY] += st.rx_fill_ring_empty_descs;
		drops[VS_DROP_RX_KERNEL] += st.rx_dropped;
	}
}

const struct vs_port_ops vs_afxdp_ops = {
	.type = "afxdp",
	.open = afxdp_open,
	.close = afxdp_close,
	.rx_burst = afxdp_rx_burst,
	.rx_done = afxdp_rx_done,
	.tx_burst = afxdp_tx_burst,
	.tx_flush = afxdp_tx_flush,
	.kernel_drops = afxdp_kernel_drops,
};
