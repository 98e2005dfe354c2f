// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver (libxdp sockets): one AF_XDP socket with its own UMEM per queue.
//
// UMEM layout per queue: VS_AFXDP_FRAMES frames; the first half is receive
// buffers, which live in the fill ring, the rx ring or a PMD burst; the second
// half is transmit buffers, kept on a free stack and returned by the completion
// ring. Forwarding copies a frame from the ingress UMEM into an egress frame.
//
// The XDP program is vswitchd's own (pmd/bpf/xsk_redirect.bpf.c, built into the
// binary): it redirects each queue's frames to the socket bound to it and passes
// the rest to the kernel. It is loaded as "xdp.frags", and the sockets are bound
// with XDP_USE_SG where the kernel has AF_XDP multi-buffer (6.6+): a frame larger
// than one 4 KiB UMEM frame then arrives in several descriptors, and leaves in several
// on transmit. Without multi-buffer, ports refuse devices whose MTU does not fit one
// UMEM frame.
//
// Multi-buffer receive without a copy: the kernel puts each descriptor's data 256 bytes
// (XDP_PACKET_HEADROOM) into its chunk and fills at most 3840 bytes, and it takes fill
// ring entries in order. With an unaligned-chunk UMEM (XDP_UMEM_UNALIGNED_CHUNK_FLAG)
// the receive chunks are placed 3840 bytes apart, so that one chunk's data ends where the
// next chunk's data begins (a chunk's unused headroom lies in its predecessor's data),
// and the driver gives the chunks back to the fill ring strictly in the order they were
// received. The fill ring then always holds the chunks in address order, and the
// descriptors of one frame are adjacent in memory: the pipeline gets the frame in place.
// Only a frame that wraps from the last chunk to the first, or one whose descriptors are
// not adjacent for another reason, is gathered (copied) into a per-queue buffer.
//
// With xdp-filter=vxlan (VXLAN underlays, see vswitch/cp/vxlan.c) the program is
// pmd/bpf/xsk_vxlan.bpf.c instead: only IPv4/UDP to vxlan-ip:vxlan-port reaches the
// sockets, everything else stays with the kernel.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vs/log.h>

#include "afxdp.h"
#include "netdev.h"
#include "port.h"
#include "xdp_fastpath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "bpf/xsk_fastpath.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4) // linux/if_xdp.h of kernels >= 6.6
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif

// pmd/bpf/xsk_redirect.bpf.c, compiled and embedded at build time.
extern const unsigned char vs_xsk_redirect_obj[];
extern const size_t vs_xsk_redirect_obj_len;
// pmd/bpf/xsk_vxlan.bpf.c, likewise.
extern const unsigned char vs_xsk_vxlan_obj[];
extern const size_t vs_xsk_vxlan_obj_len;

VS_LOG_MODULE("afxdp");

#define VS_AFXDP_FRAMES 4096
#define VS_AFXDP_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define VS_AFXDP_RX_FRAMES (VS_AFXDP_FRAMES / 2)
#define VS_AFXDP_RING 2048
// The kernel publishes its fill ring consumer index lazily, so a frame can come back
// on the rx ring before its fill slot shows as free: twice the rx frames leaves room.
#define VS_AFXDP_FILL_RING (2 * VS_AFXDP_RX_FRAMES)
#define VS_AFXDP_MAX_QUEUES 64
// Largest frame with multi-buffer (MTU 9000 and more with room to spare), and without:
// one UMEM frame less the kernel's XDP headroom.
#define VS_AFXDP_MAX_FRAME 16384
#define VS_AFXDP_MAX_FRAME_1BUF (VS_AFXDP_FRAME_SIZE - 256)
#define VS_AFXDP_MAX_FRAGS 8 // descriptors of one received frame
// Distance between receive chunks in an unaligned UMEM: the data room of one descriptor.
#define VS_AFXDP_RX_STRIDE VS_AFXDP_MAX_FRAME_1BUF
#define VS_AFXDP_MAX_HELD (4 * VS_BURST) // descriptors one rx burst looks at (multi-buffer)
#define VS_AFXDP_L2_OVERHEAD 22 // Ethernet header, two VLAN tags

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
	uint64_t rx_too_big; // PMD: rw, cp: ro (relaxed)
	bool unaligned;	     // rx chunks VS_AFXDP_RX_STRIDE apart (see the top of the file)
	uint32_t n_held;     // rx chunks of the last burst, in ring order, until rx_done()
	uint64_t held[VS_AFXDP_MAX_HELD];
	uint64_t rx_multi;    // multi-descriptor frames received; PMD: rw, logged at close
	uint64_t rx_gathered; // ... of which copied (descriptors not adjacent); likewise
	uint32_t n_stash;     // rx chunks waiting for room in the fill ring, oldest first
	uint64_t stash[VS_AFXDP_RX_FRAMES];
	uint64_t free_tx[VS_AFXDP_FRAMES - VS_AFXDP_RX_FRAMES];
	uint8_t (*gather)[VS_AFXDP_MAX_FRAME]; // [VS_BURST] multi-descriptor frames, sg only
} VS_CACHE_ALIGNED;

struct afxdp_port {
	int ifindex;
	uint16_t n_queues;
	uint32_t busy_poll_us; // preferred busy polling: 0 = off
	bool sg;	    // sockets bound with XDP_USE_SG
	bool unaligned;	    // UMEMs with unaligned chunks (multi-buffer without copies)
	uint32_t xdp_flags; // XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE
	struct bpf_object *obj;
	int prog_fd;
	int xsks_fd; // the program's XSKMAP
	bool vxlan_filter; // xdp-filter=vxlan: only VXLAN to vtep_ip:vtep_port goes to the sockets
	uint32_t vtep_ip;  // network order
	uint16_t vtep_port;
	struct vs_fp_port *fp_cfg; // the program's fast-path configuration (its .bss), or NULL
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

static void prog_detach(struct afxdp_port *ap)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = ap->prog_fd);

	// Only if it is still ours: never remove a program someone else attached since.
	bpf_xdp_detach(ap->ifindex, ap->xdp_flags, &opts);
}

static int prog_load(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	const char *prog_name = ap->vxlan_filter ? "vs_xsk_vxlan" : "vs_xsk_redirect";
	struct bpf_program *prog;
	struct bpf_map *map;
	int ret;

	if (ap->vxlan_filter)
		ap->obj = bpf_object__open_mem(vs_xsk_vxlan_obj, vs_xsk_vxlan_obj_len, NULL);
	else
		ap->obj = bpf_object__open_mem(vs_xsk_redirect_obj, vs_xsk_redirect_obj_len, NULL);
	if (ap->obj != NULL && !ap->vxlan_filter)
		vs_xdp_fastpath_prepare(ap->obj); // the fast path's shared maps
	if (ap->obj == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open the XDP program: %s", port->name,
			 strerror(-ret));
		return ret;
	}
	ret = bpf_object__load(ap->obj);
	prog = bpf_object__find_program_by_name(ap->obj, prog_name);
	map = bpf_object__find_map_by_name(ap->obj, "vs_xsks");
	if (ret < 0 || prog == NULL || map == NULL) {
		ret = ret < 0 ? ret : -ENOENT;
		snprintf(err, errlen, "%s: cannot load the XDP program: %s", port->name,
			 strerror(-ret));
		bpf_object__close(ap->obj);
		ap->obj = NULL;
		return ret;
	}
	ap->prog_fd = bpf_program__fd(prog);
	ap->xsks_fd = bpf_map__fd(map);
	if (!ap->vxlan_filter) {
		// The program's .bss, mapped shared: the fast-path configuration it reads.
		struct bpf_map *bss = bpf_object__find_map_by_name(ap->obj, ".bss");
		void *m = bss ? mmap(NULL, sizeof(struct vs_fp_port), PROT_READ | PROT_WRITE,
				     MAP_SHARED, bpf_map__fd(bss), 0)
			      : MAP_FAILED;

		ap->fp_cfg = m == MAP_FAILED ? NULL : m;
	}
	if (ap->vxlan_filter) {
		struct {
			uint32_t ip;
			uint16_t port;
			uint16_t pad;
		} vtep = {.ip = ap->vtep_ip, .port = htons(ap->vtep_port)};
		uint32_t key = 0;

		map = bpf_object__find_map_by_name(ap->obj, "vs_vtep");
		ret = map ? bpf_map_update_elem(bpf_map__fd(map), &key, &vtep, BPF_ANY) : -ENOENT;
		if (ret < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: cannot configure the XDP filter: %s",
				 port->name, strerror(-ret));
			bpf_object__close(ap->obj);
			ap->obj = NULL;
			return ret;
		}
	}
	return 0;
}

static void close_queues(struct afxdp_port *ap)
{
	for (uint16_t i = 0; i < ap->n_queues; i++) {
		queue_close(ap->q[i]);
		ap->q[i] = NULL;
	}
}

static void afxdp_close(struct vs_port *port)
{
	struct afxdp_port *ap = port->priv;

	if (ap == NULL)
		return;
	if (ap->sg) {
		uint64_t multi = 0, copied = 0;

		for (uint16_t i = 0; i < ap->n_queues; i++) {
			if (ap->q[i] == NULL)
				continue;
			multi += ap->q[i]->rx_multi;
			copied += ap->q[i]->rx_gathered;
		}
		VS_LOG(INFO, "%s: %llu multi-descriptor frames received, %llu of them copied (%s "
		       "UMEM chunks)", port->name, (unsigned long long)multi,
		       (unsigned long long)copied, ap->unaligned ? "unaligned" : "aligned");
	}
	close_queues(ap);
	prog_detach(ap);
	if (ap->fp_cfg != NULL)
		munmap(ap->fp_cfg, sizeof(struct vs_fp_port));
	bpf_object__close(ap->obj);
	free(ap);
	port->priv = NULL;
}

static const char *mode_name(uint32_t xdp_flags)
{
	return xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic";
}

static int open_queues(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
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
				 port->name, i, mode_name(ap->xdp_flags), strerror(-ret));
			close_queues(ap);
			return ret;
		}
	}
	return 0;
}

// Attaches the program in the mode of 'ap->xdp_flags' and opens the sockets, with
// multi-buffer if the kernel binds it.
static int attach_mode(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	int ret = bpf_xdp_attach(ap->ifindex, ap->prog_fd,
				 ap->xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);

	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot attach XDP program (%s mode): %s", port->name,
			 mode_name(ap->xdp_flags), strerror(-ret));
		return ret;
	}
	ap->sg = true;
	ap->unaligned = true;
	ret = open_queues(port, ap, err, errlen);
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		VS_LOG(INFO, "%s: unaligned UMEM chunks refused (%s); multi-descriptor frames "
		       "will be copied", port->name, strerror(-ret));
		ap->unaligned = false;
		ret = open_queues(port, ap, err, errlen);
	}
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		VS_LOG(INFO, "%s: AF_XDP multi-buffer refused (%s); frames limited to %d bytes",
		       port->name, strerror(-ret), VS_AFXDP_MAX_FRAME_1BUF);
		ap->sg = false;
		ret = open_queues(port, ap, err, errlen);
	}
	if (ret < 0)
		prog_detach(ap);
	return ret;
}

// The name of the BPF program 'id', or "" if it cannot be read.
static void prog_name(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info = {0};
	uint32_t info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0)
		snprintf(name, len, "%s", info.name);
	close(fd);
}

// xdp-filter=all|vxlan, vxlan-ip=A.B.C.D, vxlan-port=N (set by vxlan underlays).
static int parse_filter_opt(struct afxdp_port *f, const struct vs_opt *opt, char *err,
			    size_t errlen)
{
	struct in_addr a;
	char *end;
	long v;

	if (strcmp(opt->key, "xdp-filter") == 0) {
		if (strcmp(opt->val, "all") && strcmp(opt->val, "vxlan")) {
			snprintf(err, errlen, "invalid xdp-filter '%s' (all or vxlan)", opt->val);
			return -EINVAL;
		}
		f->vxlan_filter = strcmp(opt->val, "vxlan") == 0;
		return 1;
	}
	if (strcmp(opt->key, "vxlan-ip") == 0) {
		if (inet_pton(AF_INET, opt->val, &a) != 1) {
			snprintf(err, errlen, "invalid vxlan-ip '%s'", opt->val);
			return -EINVAL;
		}
		f->vtep_ip = a.s_addr;
		return 1;
	}
	if (strcmp(opt->key, "vxlan-port") == 0) {
		errno = 0;
		v = strtol(opt->val, &end, 10);
		if (errno || *end || end == opt->val || v < 1 || v > 65535) {
			snprintf(err, errlen, "invalid vxlan-port '%s' (1-65535)", opt->val);
			return -EINVAL;
		}
		f->vtep_port = (uint16_t)v;
		return 1;
	}
	return 0;
}

static int parse_opts(const struct vs_opt *opts, size_t n_opts, const char **mode, long *queues,
		      long *busy_us, struct afxdp_port *filter, char *err, size_t errlen)
{
	for (size_t i = 0; i < n_opts; i++) {
		int f = parse_filter_opt(filter, &opts[i], err, errlen);

		if (f < 0)
			return f;
		if (f > 0)
			continue;
		if (strcmp(opts[i].key, "busy-poll") == 0) {
			char *end;

			errno = 0;
			*busy_us = strtol(opts[i].val, &end, 10);
			if (errno || *end || end == opts[i].val || *busy_us < 0 || *busy_us > 1000) {
				snprintf(err, errlen,
					 "invalid busy-poll '%s' (microseconds, 0-1000; 0 = off)",
					 opts[i].val);
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(opts[i].key, "xdp-mode") == 0) {
			*mode = opts[i].val;
			if (strcmp(*mode, "auto") && strcmp(*mode, "native") &&
			    strcmp(*mode, "generic")) {
				snprintf(err, errlen,
					 "invalid xdp-mode '%s' (expected auto, native or generic)",
					 *mode);
				return -EINVAL;
			}
		} else if (strcmp(opts[i].key, "queues") == 0) {
			char *end;

			errno = 0;
			*queues = strtol(opts[i].val, &end, 10);
			if (errno || *end || end == opts[i].val || *queues < 1 ||
			    *queues > VS_AFXDP_MAX_QUEUES) {
				snprintf(err, errlen, "invalid queues '%s' (expected 1-%d)",
					 opts[i].val, VS_AFXDP_MAX_QUEUES);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "unknown option for afxdp port: %s", opts[i].key);
			return -EINVAL;
		}
	}
	return 0;
}

static int afxdp_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		      size_t errlen)
{
	const char *mode = "auto";
	struct afxdp_port *ap, filter = {0};
	long queues = 1, busy_us = 0;
	uint32_t prog_id = 0, max_frame;
	int ifindex, dev_queues, mtu = 0, ret;

	ret = parse_opts(opts, n_opts, &mode, &queues, &busy_us, &filter, err, errlen);
	if (ret < 0)
		return ret;
	if (filter.vxlan_filter && (filter.vtep_ip == 0 || filter.vtep_port == 0)) {
		snprintf(err, errlen, "xdp-filter=vxlan needs vxlan-ip and vxlan-port");
		return -EINVAL;
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
		char name[BPF_OBJ_NAME_LEN] = "";

		prog_name(prog_id, name, sizeof(name));
		if (strcmp(name, "vs_xsk_redirect") == 0 || strcmp(name, "vs_xsk_vxlan") == 0)
			snprintf(err, errlen,
				 "%s already has vswitchd's XDP program attached (id %u): another "
				 "vswitchd uses it, or one was killed without cleaning up (then "
				 "remove it with 'ip link set dev %s xdp off')",
				 port->name, prog_id, port->name);
		else
			snprintf(err, errlen,
				 "%s already has an XDP program attached (id %u%s%s); vswitchd will "
				 "not replace it",
				 port->name, prog_id, name[0] ? ", " : "", name);
		return -EBUSY;
	}
	vs_netdev_mtu(port->name, &mtu);
	ap = calloc(1, sizeof(*ap));
	if (ap == NULL) {
		snprintf(err, errlen, "%s: out of memory", port->name);
		return -ENOMEM;
	}
	libxdp_set_print(libxdp_print);
	ap->ifindex = ifindex;
	ap->n_queues = (uint16_t)queues;
	ap->busy_poll_us = (uint32_t)busy_us;
	ap->prog_fd = ap->xsks_fd = -1;
	ap->vxlan_filter = filter.vxlan_filter;
	ap->vtep_ip = filter.vtep_ip;
	ap->vtep_port = filter.vtep_port;
	ret = prog_load(port, ap, err, errlen);
	if (ret < 0)
		goto err;
	ap->xdp_flags = strcmp(mode, "generic") == 0 ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	ret = attach_mode(port, ap, err, errlen);
	// Fall back only when the driver cannot do native XDP, not when something is busy.
	if (ret < 0 && ret != -EBUSY && strcmp(mode, "auto") == 0) {
		VS_LOG(INFO, "%s: native XDP failed (%s), falling back to generic", port->name, err);
		ap->xdp_flags = XDP_FLAGS_SKB_MODE;
		ret = attach_mode(port, ap, err, errlen);
	}
	if (ret < 0)
		goto err;
	max_frame = ap->sg ? VS_AFXDP_MAX_FRAME : VS_AFXDP_MAX_FRAME_1BUF;
	if (mtu + VS_AFXDP_L2_OVERHEAD > (int)max_frame) {
		snprintf(err, errlen,
			 "%s: MTU %d is too large: frames are limited to %u bytes%s (MTU %u)",
			 port->name, mtu, max_frame,
			 ap->sg ? "" : " without AF_XDP multi-buffer (kernel 6.6+)",
			 max_frame - VS_AFXDP_L2_OVERHEAD);
		close_queues(ap);
		prog_detach(ap);
		ret = -EINVAL;
		goto err;
	}
	port->priv = ap;
	port->n_rxq = ap->n_queues;
	port->n_txq = ap->n_queues;
	port->max_frame = max_frame;
	vs_port_set_opt(port, "xdp-mode", "%s", mode_name(ap->xdp_flags));
	vs_port_set_opt(port, "queues", "%u", ap->n_queues);
	vs_port_set_opt(port, "multi-buffer", "%s", ap->sg ? "on" : "off");
	vs_port_set_opt(port, "max-frame", "%u", max_frame);
	if (ap->busy_poll_us)
		vs_port_set_opt(port, "busy-poll", "%u", ap->busy_poll_us);
	if (ap->vxlan_filter)
		vs_port_set_opt(port, "xdp-filter", "vxlan");
	if (ap->xdp_flags & XDP_FLAGS_SKB_MODE)
		VS_LOG(WARN,
		       "%s: generic XDP does not see frames the kernel aggregated (TSO/GSO/GRO): "
		       "turn off tso and gso on the sending peer, or use xdp-mode=native",
		       port->name);
	VS_LOG(INFO, "%s: AF_XDP port open, ifindex %d, %u queue(s), %s XDP, frames up to %u bytes",
	       port->name, ifindex, ap->n_queues, mode_name(ap->xdp_flags), max_frame);
	return 0;
err:
	if (ap->fp_cfg != NULL)
		munmap(ap->fp_cfg, sizeof(struct vs_fp_port));
	bpf_object__close(ap->obj);
	free(ap);
	return ret;
}

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
// has no room (the order is kept: see the top of the file).
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

		memcpy(q->gather[slot] + len, rx_data(q, d->addr), d->len);
		len += d->len;
	}
	pkt->data = q->gather[slot];
	q->rx_gathered++;
	return 1;
}

static uint16_t afxdp_rx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
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

static void afxdp_rx_done(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n)
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

static uint16_t afxdp_tx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *const *pkts,
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

static int afxdp_rx_fd(struct vs_port *port, uint16_t qid)
{
	struct afxdp_port *ap = port->priv;

	return ap->q[qid]->fd;
}

static void afxdp_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
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

struct vs_fp_port *vs_afxdp_fp_cfg(struct vs_port *port, int *ifindex)
{
	struct afxdp_port *ap = port->priv;

	// Native XDP only: in generic mode the frame is an skb whose offload state (e.g. a
	// partial checksum) a redirect would carry along after the program changed the frame.
	if (port->ops != &vs_afxdp_ops || ap == NULL || !(ap->xdp_flags & XDP_FLAGS_DRV_MODE))
		return NULL;
	*ifindex = ap->ifindex;
	return ap->fp_cfg;
}

const struct vs_port_ops vs_afxdp_ops = {
	.type = "afxdp",
	.open = afxdp_open,
	.close = afxdp_close,
	.rx_burst = afxdp_rx_burst,
	.rx_done = afxdp_rx_done,
	.tx_burst = afxdp_tx_burst,
	.tx_flush = afxdp_tx_flush,
	.rx_fd = afxdp_rx_fd,
	.driver_drops = afxdp_driver_drops,
};
