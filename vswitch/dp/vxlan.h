// SPDX-License-Identifier: Apache-2.0
// VXLAN (RFC 7348): decapsulation of frames arriving on an underlay port and
// encapsulation of frames leaving through a vxlan port.
//
// A vxlan port is a virtual port of a bridge (type "vxlan", driver in
// vswitch/cp/vxlan.c). It has no rx queue of its own: its frames arrive on its
// underlay, an uplink opened through a port driver (AF_XDP or DPDK), which PMD
// threads poll like any port. Several vxlan ports (VNIs) may share one underlay.
//
// Rx (vs_vxlan_rx_burst, called by the PMD pipeline before parsing): each frame
// of an underlay is validated (outer Ethernet, IPv4, UDP to local_ip:dst_port,
// VXLAN I flag), mapped by its VNI to a vxlan port, checked against that port's
// remote VTEPs, then stripped of its outer headers: from there on it is a frame
// received on the vxlan port, with pkt->vtep naming the VTEP that sent it, and
// the L2 stage learns its source MAC against (vxlan port, VTEP). Frames that fail
// are counted on the underlay under a vxlan-* drop reason.
//
// Tx (the vxlan port's tx_burst): a unicast whose destination MAC was learned
// behind a VTEP (pkt->vtep) goes to that VTEP; anything else (flood, unknown
// unicast, static entries) is replicated to every remote VTEP (head-end
// replication). Each copy gets outer Ethernet (next hop's MAC), IPv4 (DF, TTL,
// checksum), UDP (source port from a hash of the inner flow, checksum zero or
// computed) and VXLAN headers, written into the headroom of the frame's receive buffer
// (one copy per frame, in place; the others, and frames without headroom, are built in a
// per-PMD scratch buffer) and handed to
// the underlay's tx queue in batches.
//
// Concurrency: the transmit state of a port (struct vs_vxlan_tx: remote VTEPs,
// their next-hop MACs, MTU) is immutable once published; the control thread
// replaces it (vxlan port 'tx' pointer, release) and frees the old one after an
// RCU grace period. PMD threads load it once per burst (acquire). The VNI table
// (struct vs_vxlan_conf) is part of the configuration snapshot.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../../pmd/port.h"
#include "pkt.h"

#define VS_VXLAN_HLEN 50	   // outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8
#define VS_VXLAN_OUTER_OVERHEAD 36 // outer IPv4 packet length minus the inner frame
#define VS_VXLAN_DEFAULT_PORT 4789
#define VS_VXLAN_MAX_REMOTES 64
#define VS_VXLAN_MAX_UNDERLAYS 16
#define VS_VXLAN_MAX_VNI 0xffffff
#define VS_VXLAN_FLAG_I 0x08

struct vs_pmd;
struct vs_conf;
struct vs_vxlan_arp;

struct vs_vxlan_remote {
	uint32_t ip;	 // host order
	uint32_t ip_sum; // hdr's IPv4 header summed in memory order (total length 0), folded
	uint64_t mac;	 // next hop's MAC, 0 while it is not resolved
	// Outer headers to this VTEP, lengths, checksums and UDP source port left zero
	// (vs_vxlan_remote_prepare): encapsulation copies them and patches those.
	uint8_t hdr[VS_VXLAN_HLEN];
};

// What a vxlan port transmits with. Immutable once published.
struct vs_vxlan_tx {
	uint32_t vni;
	uint32_t local_ip; // host order
	uint16_t dst_port;
	uint8_t ttl;
	bool udp_csum;	  // compute the outer UDP checksum (else 0)
	uint32_t mtu;	  // underlay MTU: the largest outer IPv4 packet
	uint64_t src_mac; // the underlay's MAC
	uint16_t n_remotes;
	struct vs_vxlan_remote remotes[]; // the flood list, also the VTEPs frames are accepted from
};

// Encapsulation counters of a vxlan port as seen by one PMD thread (written by it only).
// A frame is encapsulated in place, its outer headers written into the headroom of its
// receive buffer (port->rx_headroom), unless it has none or it is one more copy of a
// replicated frame: then it is built in the scratch area (one more copy of the frame).
struct vs_vxlan_enc_ctr {
	uint64_t copied;      // VXLAN frames built in the scratch area
	uint64_t no_headroom; // ... of which because their frame had no headroom
} VS_CACHE_ALIGNED;

// What one PMD thread hands to an underlay's tx_burst(): the fields that never change (a frame
// of vswitchd's own, no driver buffer: rx_port NULL) and ptrs[i] = &pkts[i] are set once
// (vs_vxlan_txq_init()), each frame sets data and len.
struct vs_vxlan_txq {
	struct vs_pkt pkts[VS_BURST];
	struct vs_pkt *ptrs[VS_BURST];
} VS_CACHE_ALIGNED;

// Driver state of a vxlan port (port->priv).
struct vs_vxlan_port {
	struct vs_vxlan_tx *tx;	  // cp: rw (release, then free after a grace period), dp: ro
	struct vs_port *underlay; // cp: set at open
	uint8_t *scratch;	  // the underlay's: VS_MAX_PMDS x VS_BURST slots of 'slot' bytes
	uint32_t slot;		  // bytes per scratch slot (the underlay's max_frame)
	void *cp;		  // control-plane bookkeeping (vswitch/cp/vxlan.c)
	struct vs_vxlan_enc_ctr *enc; // [VS_MAX_PMDS]
	struct vs_vxlan_txq *txq;     // the underlay's: [VS_MAX_PMDS]
};

// One VNI of an underlay: the vxlan port its frames belong to.
struct vs_vxlan_vni {
	uint32_t vni;
	uint16_t port_id;
	struct vs_port *port; // the vxlan port (priv: struct vs_vxlan_port)
};

struct vs_vxlan_underlay {
	struct vs_port *port;
	uint32_t local_ip; // host order
	uint16_t dst_port;
	uint16_t first_vni; // its VNIs: vni[first_vni .. first_vni + n_vni)
	uint16_t n_vni;
	// Underlays the kernel does not see (DPDK): vswitchd's own ARP (dp/vxlan_arp.h), else NULL.
	struct vs_vxlan_arp *arp;
};

// The VXLAN part of a configuration snapshot: one allocation.
struct vs_vxlan_conf {
	uint16_t n_underlays;
	uint16_t n_vni;
	struct vs_vxlan_underlay underlay[VS_VXLAN_MAX_UNDERLAYS];
	struct vs_vxlan_vni vni[];
};

// What the outer headers of a VXLAN frame say.
struct vs_vxlan_outer {
	uint32_t src_ip; // the sending VTEP, host order
	uint32_t vni;
	uint32_t inner_off; // where the inner Ethernet frame starts
	uint32_t inner_len;
};

// Validates the outer headers of 'len' bytes at 'd' as VXLAN to 'local_ip':'dst_port'.
// Returns VS_DROP_NONE and fills 'o', or a vxlan-* drop reason. Reads nothing beyond 'len'.
uint8_t vs_vxlan_parse_outer(const uint8_t *d, uint32_t len, uint32_t local_ip, uint16_t dst_port,
			     struct vs_vxlan_outer *o);
// Decapsulates 'pkt' received on underlay 'ul' of 'vc': on success 'pkt' is the inner frame,
// received on the VNI's vxlan port from VTEP pkt->vtep. Returns VS_DROP_NONE or the reason.
uint8_t vs_vxlan_decap_one(const struct vs_vxlan_conf *vc, const struct vs_vxlan_underlay *ul,
			   struct vs_pkt *pkt);
// Is 'ip' one of the remote VTEPs of 'tx'? Returns its index or -1.
int vs_vxlan_remote_find(const struct vs_vxlan_tx *tx, uint32_t ip);

// If 'port' is an underlay of 'conf', decapsulates pkts[0..n): frames that fail are counted
// (rx side, on the underlay) and moved behind the returned count, so the caller still gives
// every buffer back. Returns the number of live frames, now first in pkts[]; 'n' unchanged if
// 'port' is not an underlay. Called from: PMD threads.
uint16_t vs_vxlan_rx_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
			   struct vs_pkt *pkts, uint16_t n);
// The underlay of 'conf' that 'port' is, or NULL.
const struct vs_vxlan_underlay *vs_vxlan_underlay_of(const struct vs_conf *conf,
						     const struct vs_port *port);
// vs_vxlan_rx_burst() on underlay 'ul' (its port received pkts[0..n)), which also counts the
// n frames as the underlay's rx (frames and bytes) and sets '*one' to the vxlan port of every
// live frame if they share one (the common case: the pipeline then runs them as a burst of
// that port), else VS_PORT_NONE. Called from: PMD threads.
uint16_t vs_vxlan_rx_underlay(struct vs_pmd *pmd, const struct vs_conf *conf,
			      const struct vs_vxlan_underlay *ul, struct vs_pkt *pkts, uint16_t n,
			      uint16_t *one);

// Fills r->hdr and r->ip_sum from 'tx' and r->ip, r->mac. Called from: control thread.
void vs_vxlan_remote_prepare(const struct vs_vxlan_tx *tx, struct vs_vxlan_remote *r);
// UDP source port for an inner frame: 49152-65535, from a hash of its addresses and ports.
uint16_t vs_vxlan_src_port(const uint8_t *inner, uint32_t len);
// Writes a complete VXLAN frame for the 'len'-byte inner frame 'inner' to remote 'r' into
// 'out' (VS_VXLAN_HLEN + len bytes). Returns its length.
uint32_t vs_vxlan_encap(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
			const uint8_t *inner, uint32_t len, uint8_t *out);
// The same in place: the VS_VXLAN_HLEN bytes in front of 'inner' must be writable (headroom).
// The frame then starts at inner - VS_VXLAN_HLEN. Returns its length.
uint32_t vs_vxlan_encap_in_place(const struct vs_vxlan_tx *tx, const struct vs_vxlan_remote *r,
				 uint8_t *inner, uint32_t len);

// Initialises 'n' tx packet arrays. Called from: control thread.
void vs_vxlan_txq_init(struct vs_vxlan_txq *txq, unsigned n);

// The vxlan port driver's transmit functions (port ops). 'q' is the PMD thread's id.
uint16_t vs_vxlan_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts,
			   uint16_t n);
void vs_vxlan_tx_flush(struct vs_port *port, uint16_t q);

// Sends the control thread's queued frames (ARP requests) out the underlays of 'conf' whose
// rx queue 0 is 'port' queue 'q'. Called from: PMD threads, after polling a queue.
void vs_vxlan_ctl_drain(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
			uint16_t q);

static inline const struct vs_vxlan_tx *vs_vxlan_tx_get(const struct vs_vxlan_port *vx)
{
	return __atomic_load_n(&vx->tx, __ATOMIC_ACQUIRE);
}
