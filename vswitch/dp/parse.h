// SPDX-License-Identifier: Apache-2.0
// Parse stage: bounds-checked Ethernet + up to two VLAN tags (802.1Q / 802.1ad).
// Fills dst_mac, src_mac, vlan, n_vlans, ethertype and l3_off; marks frames too
// short for their headers as dropped (VS_DROP_MALFORMED).
#pragma once

#include <stdint.h>

#include "pkt.h"

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
