// SPDX-License-Identifier: Apache-2.0
// Macvlan stage: demultiplexes a parent port into child ports by destination MAC.
//
// A macvlan bridge has one parent port (the uplink) and child ports, each owning one MAC.
// No MAC learning, no flooding of unknown unicast. Frames from the parent go to the one
// child whose MAC is the destination (unknown unicast: macvlan-unknown-dst), broadcast and
// multicast to every child, with the kernel macvlan's rules for a child's own multicast
// coming back through the parent. Frames from a child must carry its MAC as the source
// (else macvlan-spoofed-src) and go out the parent, or, child to child, as the mode says:
// bridge delivers directly, private drops (macvlan-private), vepa and passthru send them
// out the parent. See docs/macvlan.md.
//
// The table is part of the configuration snapshot: built by the control thread
// (vswitch/cp/macvlan.c), immutable once published, read by PMD threads without locks.
#pragma once

#include <stdint.h>

#include "conf.h"
#include "pmd.h"

enum vs_macvlan_mode {
	VS_MACVLAN_BRIDGE,
	VS_MACVLAN_PRIVATE,
	VS_MACVLAN_VEPA,
	VS_MACVLAN_PASSTHRU,
};

// The snapshot's view of one macvlan bridge.
struct vs_macvlan_dp {
	uint8_t mode;	     // enum vs_macvlan_mode
	uint16_t parent;     // port id of the parent
	uint16_t n_children; // ports of the bridge other than the parent
	uint16_t passthru;   // passthru: the child's port id (VS_PORT_NONE: none yet)
	uint32_t mask;	     // capacity of 'tab' - 1 (a power of two, at least 2x n_children)
	uint64_t *tab;	     // exact-match table: mac << 16 | port id, 0 = empty slot
	uint64_t mac_of[VS_MAX_PORTS]; // by port id: a child's MAC, 0 = not known yet
};

// The first slot 'mac' may be in.
static inline uint32_t vs_macvlan_slot(const struct vs_macvlan_dp *mv, uint64_t mac)
{
	return (uint32_t)((mac * 0x9E3779B97F4A7C15ULL) >> 40) & mv->mask;
}

// Looks 'mac' up among the children. Returns the child's port id or VS_PORT_NONE.
static inline uint16_t vs_macvlan_lookup(const struct vs_macvlan_dp *mv, uint64_t mac)
{
	uint32_t i = vs_macvlan_slot(mv, mac);

	for (;;) {
		uint64_t e = mv->tab[i];

		if (e == 0)
			return VS_PORT_NONE;
		if ((e >> 16) == mac)
			return (uint16_t)e;
		i = (i + 1) & mv->mask;
	}
}

// Decides out_port (or drop) for the 'n' packets of one burst, all received on one port of
// macvlan bridge 'br'. Asks the control thread to fix the MAC of a child that has none yet.
// Called from: PMD threads (through vs_l2_burst()).
void vs_macvlan_burst(struct vs_pmd *pmd, const struct vs_dp_bridge *br, struct vs_pkt *pkts,
		      uint16_t n);

// Allocates an empty snapshot table for 'n_children' children of mode 'mode', parent port
// 'parent'. NULL on failure. Called from: control thread.
struct vs_macvlan_dp *vs_macvlan_dp_alloc(uint8_t mode, uint16_t parent, uint16_t n_children);
// Adds child 'port' with 'mac' (0: not known yet). Returns 0, -EEXIST if another child
// has 'mac', or -ENOSPC beyond the 'n_children' the table was allocated for. Called from: control
// thread, before the snapshot is published.
int vs_macvlan_dp_add(struct vs_macvlan_dp *mv, uint16_t port, uint64_t mac);
void vs_macvlan_dp_free(struct vs_macvlan_dp *mv);
