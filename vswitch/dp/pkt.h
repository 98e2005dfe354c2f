// SPDX-License-Identifier: Apache-2.0
// Per-packet metadata carried through the datapath stages.
//
// A packet's bytes stay in the buffer the receiving port driver owns; 'data'
// points at them until the burst has been transmitted, then the driver takes
// the buffer back (see pmd/port_driver.h).
#pragma once

#include <stdint.h>

struct vs_port;

#define VS_BURST 32          // packets per rx burst and per pipeline batch
#define VS_PORT_NONE 0xffff  // out_port: no destination decided yet
#define VS_PORT_FLOOD 0xfffe // out_port: every port of the bridge but the ingress one
#define VS_PORT_FLOOD_SKIP 0xfffd // out_port: as VS_PORT_FLOOD, also skipping 'flood_skip'

struct vs_pkt {
	uint8_t *data;     // first byte of the Ethernet header
	uint32_t len;      // frame length in bytes
	uint16_t in_port;  // port id the frame arrived on
	uint16_t out_port; // port id, VS_PORT_FLOOD or VS_PORT_NONE
	uint64_t buf;      // driver's handle for the buffer (e.g. UMEM address)
	// Filled by the parse stage.
	uint64_t dst_mac;
	uint64_t src_mac;
	uint16_t ethertype; // innermost ethertype, host order
	uint16_t vlan;      // outer VLAN id, 0 if untagged
	uint16_t l3_off;    // offset of the L3 header
	uint8_t drop;       // enum vs_drop, VS_DROP_NONE while alive
	uint8_t n_vlans;    // VLAN tags seen (0-2)
	uint16_t flood_skip; // with VS_PORT_FLOOD_SKIP: a second port the flood leaves out
	// Remote VTEP (IPv4, host order): on rx, the sender of a decapsulated frame (0 for other
	// frames); after the L2 stage, where a unicast to a vxlan port goes (0: every remote VTEP).
	uint32_t vtep;
	// Port the frame arrived on, set by the pipeline: its driver owns 'buf' (e.g. a DPDK
	// egress port may send the ingress mbuf itself instead of a copy).
	struct vs_port *rx_port;
};
// 64 bytes with 8-byte pointers: one cache line per packet of a burst (struct vs_pmd aligns
// its array).
_Static_assert(sizeof(void *) != 8 || sizeof(struct vs_pkt) == 64, "struct vs_pkt: 64 bytes");
