// SPDX-License-Identifier: Apache-2.0
// Internals of the AF_XDP port driver, shared by its files:
//   pmd/afxdp.c       options, port open/close, the driver's ops table
//   pmd/afxdp_prog.c  the XDP program: load, attach/detach, fast-path configuration
//   pmd/afxdp_xsk.c   UMEM and AF_XDP socket set-up and tear-down, per queue
//   pmd/afxdp_rxtx.c  the rx/tx burst paths (multi-buffer included) and drop counters
//
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
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vs/log.h>

#include "port.h"

#include <xdp/libxdp.h>
#include <xdp/xsk.h>

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
// Headroom promised to the pipeline (port->rx_headroom). Every frame the kernel writes into a
// receive chunk starts XDP_PACKET_HEADROOM (256) bytes into it; in an aligned UMEM those bytes
// are the frame's own. In an unaligned one they are also the last 256 bytes of the previous
// chunk's data room (see above), free only while no descriptor is longer than
// VS_AFXDP_RX_STRIDE - 256: the port promises them only when its MTU keeps every frame that
// short (native XDP; generic XDP may hand over aggregated frames), and withdraws the promise
// (rx_headroom 0) as soon as a longer descriptor arrives (the MTU was raised). Gathered
// frames get as much in front of them in their buffer.
#define VS_AFXDP_HEADROOM 256
#define VS_AFXDP_GATHER_ROOM VS_AFXDP_HEADROOM

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
	// [VS_BURST] multi-descriptor frames, sg only, each at VS_AFXDP_GATHER_ROOM (its headroom)
	uint8_t (*gather)[VS_AFXDP_GATHER_ROOM + VS_AFXDP_MAX_FRAME];
	uint32_t hr_limit; // unaligned UMEM: longer descriptors reach the next chunk's headroom
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

// pmd/afxdp_prog.c
int vs_afxdp_libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap);
void vs_afxdp_prog_detach(struct afxdp_port *ap);
int vs_afxdp_prog_load(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen);
int vs_afxdp_attach_mode(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen);
void vs_afxdp_prog_name(uint32_t id, char *name, size_t len);

// pmd/afxdp_xsk.c
const char *vs_afxdp_mode_name(uint32_t xdp_flags);
int vs_afxdp_open_queues(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen);
void vs_afxdp_close_queues(struct afxdp_port *ap);

// pmd/afxdp_rxtx.c
uint16_t vs_afxdp_rx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n);
void vs_afxdp_rx_done(struct vs_port *port, uint16_t qid, struct vs_pkt *pkts, uint16_t n);
uint16_t vs_afxdp_tx_burst(struct vs_port *port, uint16_t qid, struct vs_pkt *const *pkts,
			   uint16_t n);
void vs_afxdp_tx_flush(struct vs_port *port, uint16_t qid);
int vs_afxdp_rx_fd(struct vs_port *port, uint16_t qid);
void vs_afxdp_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX]);
