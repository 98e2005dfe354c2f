// SPDX-License-Identifier: Apache-2.0
// L2 bridge stage: MAC learning on the source, forwarding decision on the destination.
//
// For each live packet: refuse a multicast or zero source (invalid-src-mac) and
// 802.1D link-local destinations (link-local); ask the control thread to learn
// the source MAC on the ingress port when it is new or moved; set out_port to
// the learned port of a known unicast destination (hairpin if that is the
// ingress port), or VS_PORT_FLOOD for broadcast, multicast and unknown unicast.
#pragma once

#include <stdbool.h>

#include "conf.h"
#include "parse.h"
#include "pmd.h"

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n);

// Whether the lookups in the MAC table of learning bridge 'br' are worth prefetching (it holds
// more MACs than stay in the L1 cache). Called from: PMD threads.
bool vs_l2_prefetch_wanted(const struct vs_dp_bridge *br);

// The egress port of frames from 'src' to 'dst' received on local port 'in_port' of
// learning bridge 'br' (MAC table 'slots', 'mask'), found with the tests of
// vs_l2_fast_burst(): a known source on 'in_port', behind no VTEP (its last-seen time
// refreshed), and a known unicast destination on another port of 'br' (if that is a vxlan
// port, the remote VTEP is not looked up: the caller sends only to local ports).
// VS_PORT_NONE, having changed nothing, for any other pair (learning, moves, hairpins,
// floods): the frames take vs_l2_fast_burst() then. Called from: PMD threads.
uint16_t vs_l2_pair_out(struct vs_pmd *pmd, const struct vs_conf *conf,
			const struct vs_dp_bridge *br, struct vs_fdb_slot *slots, uint32_t mask,
			uint16_t in_port, uint64_t dst, uint64_t src);

// The L2 and output staging stages in one pass, for a burst of 'n' (at most VS_BURST) frames
// from one port of learning bridge 'br' that vs_parse_rx_burst() prepared ('prep', dropping
// none) and that no stage answered yet (out_port VS_PORT_NONE; vtep 0, or with prep->decap
// the VTEP each came from, all of one vxlan port). Learns and switches
// each frame as vs_l2_burst() does and stages known unicast on its egress port as
// vs_output_burst() does, counting drops, up to the first frame to flood: returns its index
// (n if none), from which the caller runs vs_output_burst() on the rest.
// Called from: PMD threads.
uint16_t vs_l2_fast_burst(struct vs_pmd *pmd, const struct vs_conf *conf,
			  const struct vs_dp_bridge *br, const struct vs_rx_prep *prep,
			  struct vs_pkt *pkts, uint16_t n);
