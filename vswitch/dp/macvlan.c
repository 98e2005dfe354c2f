// SPDX-License-Identifier: Apache-2.0
#include "macvlan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <vs/drops.h>
#include <vs/mac.h>

#include "fdb.h"
#include "learn.h"

// The last MAC looked up in this burst and its child: frames of one flow come in runs.
struct mv_cache {
	uint64_t mac; // 0: none (never a valid lookup key: zero sources are refused first)
	uint16_t port;
};

static inline uint16_t cached_lookup(const struct vs_macvlan_dp *mv, struct mv_cache *c,
				     uint64_t mac)
{
	if (mac != c->mac) {
		c->mac = mac;
		c->port = vs_macvlan_lookup(mv, mac);
	}
	return c->port;
}

// Asks the control thread to fix 'mac' as the MAC of child 'port', at most once per 100 ms
// (the same de-duplication cache as MAC learning on learning bridges).
static void request_mac(struct vs_pmd *pmd, const struct vs_dp_bridge *br, uint16_t port,
			uint64_t mac)
{
	uint32_t slot = vs_fdb_hash(mac ^ br->id) & (VS_LEARN_CACHE - 1);
	struct vs_learn_ev ev = {.mac = mac, .bridge = br->id, .port = port};
	uint32_t now = (uint32_t)pmd->now_ms;

	if (pmd->learn_cache[slot].mac == mac && pmd->learn_cache[slot].bridge == br->id &&
	    pmd->learn_cache[slot].port == port && now - pmd->learn_cache[slot].when_ms < 100)
		return;
	if (!vs_learn_push(pmd->learn, &ev))
		return;
	pmd->learn_cache[slot].mac = mac;
	pmd->learn_cache[slot].bridge = br->id;
	pmd->learn_cache[slot].port = port;
	pmd->learn_cache[slot].when_ms = now;
}

static inline bool bad_src(uint64_t src)
{
	return vs_mac_is_multicast(src) || src == 0;
}

// Frames from the parent: by destination MAC to one child, multicast to every child.
static void from_parent(const struct vs_macvlan_dp *mv, struct vs_pkt *pkts, uint16_t n)
{
	struct mv_cache dst = {0}, src = {0};

	for (uint16_t i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];
		uint16_t x, y;

		if (pkt->drop != VS_DROP_NONE)
			continue;
		if (VS_UNLIKELY(bad_src(pkt->src_mac))) {
			pkt->drop = VS_DROP_INVALID_SRC_MAC;
			continue;
		}
		if (VS_UNLIKELY(vs_mac_is_link_local(pkt->dst_mac))) {
			pkt->drop = VS_DROP_LINK_LOCAL;
			continue;
		}
		if (mv->mode == VS_MACVLAN_PASSTHRU) {
			// The one child has taken over the parent: it gets everything.
			pkt->out_port = mv->passthru;
			if (mv->passthru == VS_PORT_NONE)
				pkt->drop = VS_DROP_NO_DESTINATION;
			continue;
		}
		if (!vs_mac_is_multicast(pkt->dst_mac)) {
			y = cached_lookup(mv, &dst, pkt->dst_mac);
			if (y == VS_PORT_NONE) {
				pkt->drop = VS_DROP_MACVLAN_UNKNOWN_DST;
				continue;
			}
			// Private: not even through an external switch that hairpins.
			if (mv->mode == VS_MACVLAN_PRIVATE) {
				x = cached_lookup(mv, &src, pkt->src_mac);
				if (x != VS_PORT_NONE && x != y) {
					pkt->drop = VS_DROP_MACVLAN_PRIVATE;
					continue;
				}
			}
			pkt->out_port = y;
			continue;
		}
		// Multicast: is it a child's own frame coming back (reflected by the LAN)?
		x = cached_lookup(mv, &src, pkt->src_mac);
		if (x == VS_PORT_NONE) {
			pkt->out_port = VS_PORT_FLOOD; // every port but the parent: the children
			continue;
		}
		switch (mv->mode) {
		case VS_MACVLAN_BRIDGE: // the other children got it on its way out
			pkt->drop = VS_DROP_MACVLAN_REFLECTED;
			break;
		case VS_MACVLAN_PRIVATE: // back to the sender only, as the kernel does
			pkt->out_port = x;
			break;
		default: // VEPA: every child but the sender
			if (mv->n_children < 2) {
				pkt->drop = VS_DROP_MACVLAN_REFLECTED;
			} else {
				pkt->out_port = VS_PORT_FLOOD_SKIP;
				pkt->flood_skip = x;
			}
		}
	}
}

// Frames from child 'in': source must be its MAC; out the parent or, per mode, to a child.
static void from_child(struct vs_pmd *pmd, const struct vs_dp_bridge *br,
		       const struct vs_macvlan_dp *mv, struct vs_pkt *pkts, uint16_t n)
{
	uint16_t in = pkts[0].in_port;
	uint64_t own = mv->mac_of[in];
	struct mv_cache dst = {0};

	for (uint16_t i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];
		uint16_t y;

		if (pkt->drop != VS_DROP_NONE)
			continue;
		if (VS_UNLIKELY(pkt->src_mac != own)) {
			if (bad_src(pkt->src_mac)) {
				pkt->drop = VS_DROP_INVALID_SRC_MAC;
				continue;
			}
			// A child without a MAC yet: its first source becomes its MAC, unless
			// another child owns that one.
			if (own != 0 || vs_macvlan_lookup(mv, pkt->src_mac) != VS_PORT_NONE) {
				pkt->drop = VS_DROP_MACVLAN_SPOOFED;
				continue;
			}
			own = pkt->src_mac;
			request_mac(pmd, br, in, own);
		}
		if (VS_UNLIKELY(vs_mac_is_link_local(pkt->dst_mac))) {
			pkt->drop = VS_DROP_LINK_LOCAL;
			continue;
		}
		if (vs_mac_is_multicast(pkt->dst_mac)) {
			// Bridge: the parent and every other child at once; else the parent only.
			pkt->out_port = mv->mode == VS_MACVLAN_BRIDGE ? VS_PORT_FLOOD : mv->parent;
			continue;
		}
		if (mv->mode == VS_MACVLAN_VEPA || mv->mode == VS_MACVLAN_PASSTHRU) {
			pkt->out_port = mv->parent;
			continue;
		}
		y = cached_lookup(mv, &dst, pkt->dst_mac);
		if (y == VS_PORT_NONE)
			pkt->out_port = mv->parent;
		else if (mv->mode == VS_MACVLAN_PRIVATE)
			pkt->drop = VS_DROP_MACVLAN_PRIVATE;
		else if (y == in)
			pkt->drop = VS_DROP_HAIRPIN;
		else
			pkt->out_port = y;
	}
}

void vs_macvlan_burst(struct vs_pmd *pmd, const struct vs_dp_bridge *br, struct vs_pkt *pkts,
		      uint16_t n)
{
	const struct vs_macvlan_dp *mv = br->mv;

	if (n == 0)
		return;
	// Every frame of a burst comes from one rx queue, hence one port.
	if (pkts[0].in_port == mv->parent) {
		from_parent(mv, pkts, n);
	} else if (VS_UNLIKELY(mv->parent == VS_PORT_NONE)) {
		for (uint16_t i = 0; i < n; i++)
			if (pkts[i].drop == VS_DROP_NONE)
				pkts[i].drop = VS_DROP_NO_DESTINATION;
	} else {
		from_child(pmd, br, mv, pkts, n);
	}
}

struct vs_macvlan_dp *vs_macvlan_dp_alloc(uint8_t mode, uint16_t parent, uint16_t n_children)
{
	struct vs_macvlan_dp *mv = calloc(1, sizeof(*mv));
	uint32_t cap = 4;

	if (mv == NULL)
		return NULL;
	while (cap < 2u * n_children + 2)
		cap <<= 1;
	mv->tab = calloc(cap, sizeof(*mv->tab));
	if (mv->tab == NULL) {
		free(mv);
		return NULL;
	}
	mv->mask = cap - 1;
	mv->mode = mode;
	mv->parent = parent;
	mv->passthru = VS_PORT_NONE;
	return mv;
}

int vs_macvlan_dp_add(struct vs_macvlan_dp *mv, uint16_t port, uint64_t mac)
{
	uint32_t i;

	// Keep the table at most half full: lookups always reach an empty slot.
	if (2u * mv->n_children + 2 > mv->mask + 1 || port >= VS_MAX_PORTS)
		return -ENOSPC;
	if (mac != 0) {
		if (vs_macvlan_lookup(mv, mac) != VS_PORT_NONE)
			return -EEXIST;
		i = vs_macvlan_slot(mv, mac);
		while (mv->tab[i] != 0)
			i = (i + 1) & mv->mask;
		mv->tab[i] = mac << 16 | port;
	}
	mv->mac_of[port] = mac;
	mv->n_children++;
	if (mv->passthru == VS_PORT_NONE)
		mv->passthru = port;
	return 0;
}

void vs_macvlan_dp_free(struct vs_macvlan_dp *mv)
{
	if (mv == NULL)
		return;
	free(mv->tab);
	free(mv);
}
