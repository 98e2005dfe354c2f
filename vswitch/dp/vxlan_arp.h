// SPDX-License-Identifier: Apache-2.0
// ARP on VXLAN underlays that the kernel does not see (DPDK uplinks): vswitchd itself
// answers ARP requests for local_ip and resolves the next hops of remote VTEPs.
//
// Datapath (PMD threads, vs_vxlan_arp_input): an ARP request for local_ip on the
// underlay is turned into the reply in place and sent back out the underlay; the
// sender of every valid ARP frame (ip, MAC) is passed to the control thread on this
// PMD thread's SPSC ring (arp->learn[pmd]), which keeps what it needs in its
// neighbour table (vswitch/cp/vxlan_arp.c).
//
// Control tx (vs_vxlan_arp_drain): the control thread queues the ARP requests it
// builds on arp->ctl, a ring with one producer (the control thread); the PMD thread
// polling the underlay's rx queue 0 sends them. While a new configuration moves that
// queue to another thread, two threads may drain at once: consumers claim a slot with
// a compare-and-swap on 'head', so no frame is sent twice or lost. No locks.
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <vs/compiler.h>

#include "../../pmd/port.h"
#include "pkt.h"

#define VS_ARP_FRAME 60	    // an ARP frame padded to the Ethernet minimum
#define VS_ARP_LEARN_RING 64 // power of two
#define VS_ARP_CTL_RING 64   // power of two

struct vs_pmd;

struct vs_arp_learn_ev {
	uint32_t ip; // sender protocol address, host order
	uint64_t mac;
};

// Per PMD thread: sender addresses seen, producer the PMD thread, consumer the control thread.
struct vs_arp_learn_ring {
	uint32_t head VS_CACHE_ALIGNED; // cp: rw, PMD: ro
	uint32_t tail VS_CACHE_ALIGNED; // PMD: rw, cp: ro
	struct vs_arp_learn_ev ev[VS_ARP_LEARN_RING];
	// Written by the PMD thread only, read by the control thread.
	uint64_t replies;  // ARP replies sent for local_ip
	uint64_t rx;	   // ARP frames addressed to local_ip (requests and replies)
	uint64_t lost;	   // senders not passed on: the ring was full
	uint64_t ctl_sent; // control frames (ARP requests) sent by this thread
};

struct vs_arp_ctl_ring {
	uint32_t head VS_CACHE_ALIGNED; // consumers (PMD threads): CAS
	uint32_t tail VS_CACHE_ALIGNED; // producer (cp): rw
	uint8_t frame[VS_ARP_CTL_RING][VS_ARP_FRAME];
};

// ARP state of one underlay: allocated by the control thread with the underlay, freed
// after the underlay's last snapshot is gone.
struct vs_vxlan_arp {
	uint32_t local_ip; // host order
	uint64_t mac;	   // the underlay's MAC
	struct vs_arp_ctl_ring ctl;
	struct vs_arp_learn_ring learn[VS_MAX_PMDS];
};

// Is 'pkt' an ARP frame (EtherType 0x0806)?
static inline bool vs_vxlan_is_arp(const struct vs_pkt *pkt)
{
	return pkt->len >= 14 && pkt->data[12] == 0x08 && pkt->data[13] == 0x06;
}

// Handles the ARP frame 'pkt' received on underlay 'ul' by PMD thread 'pmd_id': passes
// the sender to the control thread and, for a request for local_ip, writes the reply
// into 'reply' (VS_ARP_FRAME bytes). Returns true if 'reply' is to be sent back out the
// underlay; '*drop' is VS_DROP_NONE if the frame was for local_ip, else the reason
// (vxlan-not-vxlan: not ours, like other non-VXLAN frames). Reads nothing beyond pkt->len.
bool vs_vxlan_arp_input(struct vs_vxlan_arp *arp, uint16_t pmd_id, const struct vs_pkt *pkt,
			uint8_t *reply, uint8_t *drop);

// Sends the control thread's queued frames out 'port' (tx queue of PMD thread 'pmd_id').
// Called from: the PMD thread polling rx queue 0 of the underlay.
void vs_vxlan_arp_drain(struct vs_vxlan_arp *arp, struct vs_port *port, uint16_t pmd_id);

// Queues 'frame' (VS_ARP_FRAME bytes) for sending. False if the ring is full.
// Called from: control thread.
bool vs_vxlan_arp_ctl_push(struct vs_vxlan_arp *arp, const uint8_t *frame);

// Takes the next sender seen by PMD thread 'pmd_id'. Called from: control thread.
bool vs_vxlan_arp_learn_pop(struct vs_vxlan_arp *arp, uint16_t pmd_id, struct vs_arp_learn_ev *ev);

// Writes an ARP frame (VS_ARP_FRAME bytes) into 'out': operation 'op' (1 request, 2
// reply) from 'sha'/'spa' to 'tha'/'tpa', Ethernet destination 'dst'.
void vs_vxlan_arp_build(uint8_t *out, uint16_t op, uint64_t dst, uint64_t sha, uint32_t spa,
			uint64_t tha, uint32_t tpa);
