// SPDX-License-Identifier: Apache-2.0
#include "l2.h"

#include <vs/drops.h>
#include <vs/mac.h>

#include "macvlan.h"

// Asks the control thread to learn 'mac' on 'port', at most once per 100 ms per MAC.
static void learn(struct vs_pmd *pmd, const struct vs_dp_bridge *br, uint64_t mac, uint16_t port,
		  uint32_t vtep)
{
	uint32_t slot = vs_fdb_hash(mac ^ br->id) & (VS_LEARN_CACHE - 1);
	struct vs_learn_ev ev = {.mac = mac, .bridge = br->id, .port = port, .vtep = vtep};
	uint32_t now = (uint32_t)pmd->now_ms;

	if (pmd->learn_cache[slot].mac == mac && pmd->learn_cache[slot].bridge == br->id &&
	    pmd->learn_cache[slot].port == port && pmd->learn_cache[slot].vtep == vtep &&
	    now - pmd->learn_cache[slot].when_ms < 100)
		return;
	if (!vs_learn_push(pmd->learn, &ev))
		return;
	pmd->learn_cache[slot].mac = mac;
	pmd->learn_cache[slot].bridge = br->id;
	pmd->learn_cache[slot].port = port;
	pmd->learn_cache[slot].when_ms = now;
	pmd->learn_cache[slot].vtep = vtep;
}

// The last source and destination looked up in this burst: frames of one flow come in runs,
// and a burst is short enough that a table change during it may take effect one burst late.
struct l2_cache {
	uint64_t src; // learned on the burst's ingress port and refreshed (0: none)
	uint64_t dst; // unicast destination (0: none)
	uint16_t dst_out;
	uint8_t dst_drop;
	uint32_t src_vtep; // remote VTEP of 'src' (vxlan ports), else 0
	uint32_t dst_vtep; // remote VTEP of 'dst'
	uint16_t in_port;  // the ingress port the cache is about
};

static uint8_t l2_one(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkt,
		      struct l2_cache *c)
{
	const struct vs_dp_bridge *br = conf->bridge_of[pkt->in_port];
	struct vs_fdb_table *t;
	uint16_t port;
	int32_t slot;

	if (br == NULL)
		return VS_DROP_NO_BRIDGE;
	if (vs_mac_is_multicast(pkt->src_mac) || pkt->src_mac == 0)
		return VS_DROP_INVALID_SRC_MAC;
	if (vs_mac_is_link_local(pkt->dst_mac))
		return VS_DROP_LINK_LOCAL;

	t = vs_fdb_table_get(br->fdb);
	if (pkt->src_mac != c->src || pkt->vtep != c->src_vtep) {
		slot = vs_fdb_lookup(t, pkt->src_mac, &port);
		if (slot >= 0 && port == pkt->in_port && vs_fdb_vtep(t, (uint32_t)slot) == pkt->vtep) {
			vs_fdb_touch(t, (uint32_t)slot, pmd->now_s);
			c->src = pkt->src_mac;
			c->src_vtep = pkt->vtep;
		} else {
			learn(pmd, br, pkt->src_mac, pkt->in_port, pkt->vtep);
		}
	}

	if (vs_mac_is_multicast(pkt->dst_mac)) {
		pkt->out_port = VS_PORT_FLOOD;
		pkt->vtep = 0;
		return VS_DROP_NONE;
	}
	if (pkt->dst_mac == c->dst) {
		pkt->out_port = c->dst_out;
		pkt->vtep = c->dst_vtep;
		return c->dst_drop;
	}
	c->dst = pkt->dst_mac;
	c->dst_drop = VS_DROP_NONE;
	c->dst_vtep = 0;
	slot = vs_fdb_lookup(t, pkt->dst_mac, &port);
	if (slot >= 0)
		c->dst_vtep = vs_fdb_vtep(t, (uint32_t)slot);
	pkt->vtep = c->dst_vtep;
	if (slot < 0)
		c->dst_out = VS_PORT_FLOOD;
	else if (port == pkt->in_port)
		c->dst_drop = VS_DROP_HAIRPIN, c->dst_out = VS_PORT_NONE;
	else // an entry whose port just left the bridge: flood until the control thread removes it
		c->dst_out =
			port < VS_MAX_PORTS && conf->bridge_of[port] == br ? port : VS_PORT_FLOOD;
	pkt->out_port = c->dst_out;
	return c->dst_drop;
}

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n)
{
	struct l2_cache cache = {0};
	const struct vs_dp_bridge *br;

	// Macvlan bridges demultiplex instead of learning (all frames of a burst share a port).
	br = n ? conf->bridge_of[pkts[0].in_port] : NULL;
	if (br != NULL && br->type == VS_BRIDGE_MACVLAN) {
		vs_macvlan_burst(pmd, br, pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];

		// A frame an earlier stage answered (out_port set) is neither learned nor switched.
		if (pkt->drop != VS_DROP_NONE || pkt->out_port != VS_PORT_NONE)
			continue;
		// Frames of a burst come from one rx queue, hence usually one port and one bridge;
		// decapsulated VXLAN frames of one underlay queue may belong to several ports.
		if (pkt->in_port != cache.in_port) {
			cache = (struct l2_cache){0};
			cache.in_port = pkt->in_port;
		}
		pkt->drop = l2_one(pmd, conf, pkt, &cache);
	}
}
