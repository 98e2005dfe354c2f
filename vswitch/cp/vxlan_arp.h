// SPDX-License-Identifier: Apache-2.0
// The neighbour table of an underlay the kernel does not see (DPDK uplinks), kept by
// vswitchd itself: next hops of remote VTEPs (each remote itself, or the underlay_gw
// gateway) are resolved by ARP requests the control thread sends out the underlay,
// refreshed every VS_ARP_REFRESH_MS and forgotten VS_ARP_AGE_MS after the last answer.
// The datapath side (answering ARP for local_ip, passing senders back) is in
// vswitch/dp/vxlan_arp.h. Control thread only.
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../dp/vxlan_arp.h"

#define VS_ARP_RETRY_MS 500	 // unanswered: ask again this often
#define VS_ARP_REFRESH_MS 15000	 // answered: confirm again after this long
#define VS_ARP_AGE_MS 60000	 // unconfirmed this long: forgotten
#define VS_ARP_MAX_NEIGH 128

struct vs_arp_neigh {
	uint32_t ip; // host order, 0: free slot
	uint64_t mac; // 0 while unresolved
	uint64_t confirmed_ms;
	uint64_t asked_ms;
	uint32_t asked;	   // requests sent since the last answer
	uint64_t used_ms;  // last asked for by a vxlan port
};

struct vs_arp_table {
	struct vs_vxlan_arp *dp; // shared with PMD threads (snapshot's underlay->arp)
	uint32_t gw;		 // host order, 0: remote VTEPs are on-link
	struct vs_arp_neigh n[VS_ARP_MAX_NEIGH];
	uint64_t requests; // ARP requests queued
};

// Creates the table of an underlay with MAC 'mac' and VTEP address 'local_ip' (host order),
// 'gw' the gateway to every remote VTEP or 0. NULL with errno set on failure.
struct vs_arp_table *vs_arp_table_create(uint64_t mac, uint32_t local_ip, uint32_t gw);
// Frees 't' and its datapath state. Only once no snapshot lists the underlay.
void vs_arp_table_destroy(struct vs_arp_table *t);
// The MAC of the next hop to remote VTEP 'ip' (host order) at time 'now' (ms): 0 with '*mac'
// set, or -EAGAIN (an ARP request is on its way) or -ENOSPC (table full).
int vs_arp_table_resolve(struct vs_arp_table *t, uint32_t ip, uint64_t now, uint64_t *mac);
// Takes what PMD threads saw, refreshes and ages entries. Returns true if a MAC changed.
bool vs_arp_table_poll(struct vs_arp_table *t, uint64_t now);
// Adds the table's counters and entries to an underlay's port-stats object 'o'.
void vs_arp_table_query(const struct vs_arp_table *t, json_t *o);
