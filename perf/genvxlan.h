// SPDX-License-Identifier: Apache-2.0
// genvxlan: dpdkgen as the remote VTEP of a device under test (perf/fwd_bench.sh, rows
// memif_vxlan_encap and memif_vxlan_decap). One of dpdkgen's two ports is the underlay
// towards the device's VTEP: generated frames are sent on it VXLAN-encapsulated (the
// device decapsulates), or arrive on it encapsulated (the device encapsulated them), and
// the generator answers the device's ARP requests for its VTEP address there, as a VTEP
// on the underlay's link would.
//
// The VXLAN frames are shaped as vswitchd sends them: outer Ethernet/IPv4 (no options,
// DF, TTL 64, checksum)/UDP (to dst port 4789, checksum 0)/VXLAN (the I flag, the VNI),
// then the generated frame, nothing after it.
#pragma once

#include <stdint.h>

#define GEN_VX_HDR 50	    // outer Ethernet + IPv4 + UDP + VXLAN
#define GEN_VX_PORT 4789    // UDP destination port
#define GEN_VX_ARP_FRAME 60 // an ARP frame, padded to the Ethernet minimum

enum gen_vx_side { GEN_VX_NONE, GEN_VX_TX, GEN_VX_RX };

struct gen_vxlan {
	int side;	     // which port is the underlay (GEN_VX_TX: frames are sent encapsulated)
	uint32_t ip, dut_ip; // the generator's VTEP (the remote one) and the device's
	uint64_t mac, dut_mac; // their MACs on the underlay
	uint32_t vni;
};

// Option parsing: "IP,MAC" (--vtep, --dut-vtep) and "rx"/"tx" (--vxlan); 0 or -1.
int gen_vx_parse_vtep(const char *s, uint32_t *ip, uint64_t *mac);
int gen_vx_parse_side(const char *s, int *side);

// Writes the GEN_VX_HDR outer bytes at 'f' for the inner frame of 'inner_len' bytes at
// f + GEN_VX_HDR, from the generator's VTEP to the device's, UDP source port 'sport'.
void gen_vx_encap(const struct gen_vxlan *vx, uint8_t *f, uint32_t inner_len, uint16_t sport);

// 1 if 'f' ('len' bytes) is a VXLAN frame from the device's VTEP to the generator's, UDP to
// GEN_VX_PORT, flags exactly I and vx->vni, with an IPv4 header of 20 bytes: its inner
// frame is at f + GEN_VX_HDR; else 0.
int gen_vx_match(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len);

// ARP on the underlay. If 'f' is an ARP request for vx->ip, writes the reply (from vx->mac,
// GEN_VX_ARP_FRAME bytes) into 'out' and returns 1; if 'f' is any other ARP frame, returns
// 0; if it is not ARP, -1. '*asker' gets the requester's MAC (reply or not).
int gen_vx_arp(const struct gen_vxlan *vx, const uint8_t *f, uint32_t len, uint8_t *out,
	       uint64_t *asker);
