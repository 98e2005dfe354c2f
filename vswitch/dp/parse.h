// SPDX-License-Identifier: Apache-2.0
// Parse stage: bounds-checked Ethernet + up to two VLAN tags (802.1Q / 802.1ad).
// Fills dst_mac, src_mac, vlan, n_vlans, ethertype and l3_off; marks frames too
// short for their headers as dropped (VS_DROP_MALFORMED).
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

struct vs_fdb_slot;

#define VS_ETH_HLEN 14
#define VS_VLAN_HLEN 4
#define VS_ETH_P_8021Q 0x8100
#define VS_ETH_P_8021AD 0x88a8

// Parses one frame. Returns VS_DROP_NONE or the drop reason (also stored in pkt->drop).
uint8_t vs_parse_one(struct vs_pkt *pkt);
// Parses a burst. Called from: PMD threads.
void vs_parse_burst(struct vs_pkt *pkts, uint16_t n);
// Parses a burst and completes partial checksums (vs_csum_burst(), dp/csum.h) in the same
// pass over each frame; returns how many frames the checksum stage changed.
uint16_t vs_parse_csum_burst(struct vs_pkt *pkts, uint16_t n);

// The pipeline's first pass over a burst that arrived on one port (not a VXLAN underlay:
// vs_pmd_pipeline(), dp/pmd.c), and what it leaves for the L2 stage (vs_l2_fast_burst(),
// dp/l2.h).
struct vs_rx_prep {
	// In: the slots and mask of the ingress bridge's MAC table (NULL: a bridge that does
	// not learn, or none), and whether to compute and prefetch each frame's first slots.
	struct vs_fdb_slot *slots;
	uint32_t mask;
	bool hashed;
	// In: frames decapsulated from VXLAN (vs_vxlan_rx_underlay(), dp/vxlan.h), all of one
	// vxlan port: each keeps its vtep (the VTEP that sent it), which the L2 stage checks
	// the source's MAC table entry against.
	bool decap;
	// Out, with 'hashed': the slot the lookup of each frame's source and destination MAC
	// begins with (undefined for frames the pass dropped).
	struct vs_fdb_slot *src[VS_BURST], *dst[VS_BURST];
	uint64_t bytes;	  // out: the frames' bytes
	uint16_t fixed;	  // out: frames whose partial checksum was completed
	uint16_t dropped; // out: frames the pass dropped (malformed)
};

// What vs_parse_pair() finds in a burst whose frames all carry one MAC pair.
struct vs_pair {
	uint64_t dst, src; // the MACs, as in struct vs_pkt
	uint64_t bytes;	   // the frames' bytes
	uint32_t len_or;   // their lengths ORed (no frame is longer)
};

// Whether each of the 'n' frames (n >= 1, as rx_burst() returned them: data and len) is at
// least an Ethernet header long and carries the first frame's destination and source MAC,
// then fills 'p'. It reads each frame's first 12 bytes and nothing else, and stops at the
// first frame that differs. Called from: PMD threads.
bool vs_parse_pair(const struct vs_pkt *pkts, uint16_t n, struct vs_pair *p);

// One pass over the 'n' (at most VS_BURST) frames of a burst received on port 'in_port'
// ('rx_port'): sets what the receive path owns (in_port, rx_port, out_port = VS_PORT_NONE,
// drop, vtep = 0 unless prep->decap), parses as vs_parse_burst() does, completes partial checksums as
// vs_parse_csum_burst() does if 'csum', and fills 'prep' (see above).
// Called from: PMD threads.
void vs_parse_rx_burst(struct vs_pkt *pkts, uint16_t n, uint16_t in_port, struct vs_port *rx_port,
		       bool csum, struct vs_rx_prep *prep);
