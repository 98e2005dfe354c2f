// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver: per queue, a UMEM and the AF_XDP socket bound to it (set-up, with
// the retries and fallbacks the kernel needs, and tear-down). See pmd/afxdp_int.h.
#include <errno.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <vs/log.h>

#include "afxdp_int.h"
#include "port.h"

#include <xdp/xsk.h>

VS_LOG_MODULE("afxdp");

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
	free(q->gather);
	free(q);
}

static int queue_open(struct vs_port *port, struct afxdp_port *ap, uint16_t qid,
		      struct afxdp_queue **out)
{
	struct xsk_umem_config ucfg = {
		.fill_size = VS_AFXDP_FILL_RING,
		.comp_size = VS_AFXDP_RING,
		.frame_size = VS_AFXDP_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = ap->unaligned ? XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = VS_AFXDP_RING,
		.tx_size = VS_AFXDP_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = ap->xdp_flags,
		.bind_flags = XDP_USE_NEED_WAKEUP | (ap->sg ? XDP_USE_SG : 0),
	};
	size_t size = (size_t)VS_AFXDP_FRAMES * VS_AFXDP_FRAME_SIZE;
	struct afxdp_queue *q;
	uint32_t idx;
	int ret;

	q = aligned_alloc(VS_CACHE_LINE, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->unaligned = ap->unaligned;
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
	if (ap->busy_poll_us) {
		int one = 1, us = (int)ap->busy_poll_us, budget = VS_BURST * 2;

		// The PMD thread runs the device's receive work (NAPI) in its own recvfrom()
		// instead of competing with a softirq or kernel thread for the CPU.
		if (setsockopt(q->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) < 0 ||
		    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) < 0 ||
		    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)) < 0) {
			ret = -errno;
			goto err;
		}
	}
	ret = xsk_socket__update_xskmap(q->xsk, ap->xsks_fd);
	if (ret < 0)
		goto err;
	if (ap->sg) {
		q->gather = malloc(VS_BURST * sizeof(*q->gather));
		if (q->gather == NULL) {
			ret = -ENOMEM;
			goto err;
		}
	}
	if (xsk_ring_prod__reserve(&q->fill, VS_AFXDP_RX_FRAMES, &idx) != VS_AFXDP_RX_FRAMES) {
		ret = -ENOSPC;
		goto err;
	}
	// Unaligned: chunk i at i * 3840, its data at i * 3840 + 256: the receive chunks
	// end at 2047 * 3840 + 4096, below the first transmit frame (2048 * 4096).
	for (uint32_t i = 0; i < VS_AFXDP_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) =
			(uint64_t)i * (q->unaligned ? VS_AFXDP_RX_STRIDE : VS_AFXDP_FRAME_SIZE);
	xsk_ring_prod__submit(&q->fill, VS_AFXDP_RX_FRAMES);
	for (uint32_t i = VS_AFXDP_RX_FRAMES; i < VS_AFXDP_FRAMES; i++)
		q->free_tx[q->n_free_tx++] = (uint64_t)i * VS_AFXDP_FRAME_SIZE;
	*out = q;
	return 0;
err:
	queue_close(q);
	return ret;
}

void vs_afxdp_close_queues(struct afxdp_port *ap)
{
	for (uint16_t i = 0; i < ap->n_queues; i++) {
		queue_close(ap->q[i]);
		ap->q[i] = NULL;
	}
}

const char *vs_afxdp_mode_name(uint32_t xdp_flags)
{
	return xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic";
}

int vs_afxdp_open_queues(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	for (uint16_t i = 0; i < ap->n_queues; i++) {
		struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
		int ret = queue_open(port, ap, i, &ap->q[i]);

		// The kernel releases the queue of a just-closed socket in deferred work: a port
		// deleted and added again at once can find it busy for a few milliseconds.
		for (int tries = 0; ret == -EBUSY && tries < 100; tries++) {
			nanosleep(&pause, NULL);
			ret = queue_open(port, ap, i, &ap->q[i]);
		}

		if (ret < 0) {
			snprintf(err, errlen, "%s: cannot open AF_XDP socket on queue %u (%s mode): %s",
				 port->name, i, vs_afxdp_mode_name(ap->xdp_flags), strerror(-ret));
			vs_afxdp_close_queues(ap);
			return ret;
		}
	}
	return 0;
}
