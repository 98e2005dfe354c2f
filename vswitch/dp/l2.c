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

// The ingress port of a run of frames, and the last source and destination looked up in this
// burst: frames of one flow come in runs, and a burst is short enough that a table change
// during it may take effect one burst late.
struct l2_cache {
	uint16_t in_port;		 // the ingress port the cache is about
	const struct vs_dp_bridge *br; // its bridge (NULL: none)
	struct vs_fdb_table *t;		 // and that bridge's MAC table
	uint64_t src;			 // learned on 'in_port' and refreshed (UINT64_MAX: none)
	uint64_t dst;			 // unicast destination (UINT64_MAX: none)
	uint16_t dst_out;
	uint8_t dst_drop;
	uint32_t src_vtep; // remote VTEP of 'src' (vxlan ports), else 0
	uint32_t dst_vtep; // remote VTEP of 'dst'
};

static void cache_port(const struct vs_conf *conf, struct l2_cache *c, uint16_t in_port)
{
	// No MAC is all ones (48 bits): nothing matches 'src' and 'dst' until they are set.
	*c = (struct l2_cache){.in_port = in_port,
			       .br = conf->bridge_of[in_port],
			       .src = UINT64_MAX,
			       .dst = UINT64_MAX};
	if (c->br != NULL)
		c->t = vs_fdb_table_get(c->br->fdb);
}

// hs, hd: vs_fdb_hash() of the source and destination MACs.
static inline uint8_t l2_one(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkt,
			     struct l2_cache *c, uint32_t hs, uint32_t hd)
{
	const struct vs_dp_bridge *br = c->br;
	struct vs_fdb_table *t = c->t;
	uint16_t port;
	int32_t slot;
	uint64_t e;

	if (br == NULL)
		return VS_DROP_NO_BRIDGE;
	if (vs_mac_is_multicast(pkt->src_mac) || pkt->src_mac == 0)
		return VS_DROP_INVALID_SRC_MAC;
	if (vs_mac_is_link_local(pkt->dst_mac))
		return VS_DROP_LINK_LOCAL;

	if (pkt->src_mac != c->src || pkt->vtep != c->src_vtep) {
		// Known on this port (and VTEP): refresh; absent or elsewhere: ask to learn.
		slot = vs_fdb_find_uc(t, pkt->src_mac, hs, &e);
		if (slot >= 0 && (uint16_t)e == pkt->in_port &&
		    vs_fdb_vtep(t, (uint32_t)slot) == pkt->vtep) {
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
	slot = vs_fdb_find_uc(t, pkt->dst_mac, hd, &e);
	if (slot < 0) {
		c->dst_out = VS_PORT_FLOOD;
	} else {
		port = (uint16_t)e;
		c->dst_vtep = vs_fdb_vtep(t, (uint32_t)slot);
		if (port == pkt->in_port)
			c->dst_drop = VS_DROP_HAIRPIN, c->dst_out = VS_PORT_NONE;
		else // an entry whose port just left the bridge: flood until the control thread
		     // removes it
			c->dst_out = port < VS_MAX_PORTS && conf->bridge_of[port] == br
					     ? port
					     : VS_PORT_FLOOD;
	}
	pkt->vtep = c->dst_vtep;
	pkt->out_port = c->dst_out;
	return c->dst_drop;
}

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n)
{
	struct l2_cache cache;
	const struct vs_dp_bridge *br;
	uint32_t hs[VS_BURST], hd[VS_BURST];

	// Macvlan bridges demultiplex instead of learning (all frames of a burst share a port).
	br = n ? conf->bridge_of[pkts[0].in_port] : NULL;
	if (br != NULL && br->type == VS_BRIDGE_MACVLAN) {
		vs_macvlan_burst(pmd, br, pkts, n);
		return;
	}
	if (n == 0)
		return;
	cache_port(conf, &cache, pkts[0].in_port);
	for (uint16_t b = 0; b < n; b += VS_BURST) {
		uint16_t m = n - b < VS_BURST ? n - b : VS_BURST;
		struct vs_pkt *p = pkts + b;

		// Pass 1: hash each source and destination MAC and start loading the table slot
		// its lookup begins with, so that the lookups of pass 2 find them in the cache.
		// The table is the first frame's bridge's: frames of one burst share an ingress
		// port, and for the rare other port the prefetch is only wasted.
		if (cache.t != NULL) {
			for (uint16_t i = 0; i < m; i++) {
				hs[i] = vs_fdb_hash(p[i].src_mac);
				hd[i] = vs_fdb_hash(p[i].dst_mac);
				vs_fdb_prefetch(cache.t, hs[i]);
				vs_fdb_prefetch(cache.t, hd[i]);
			}
		} else {
			for (uint16_t i = 0; i < m; i++) {
				hs[i] = vs_fdb_hash(p[i].src_mac);
				hd[i] = vs_fdb_hash(p[i].dst_mac);
			}
		}
		// Pass 2: learn and switch.
		for (uint16_t i = 0; i < m; i++) {
			struct vs_pkt *pkt = &p[i];

			// A frame an earlier stage answered (out_port set) is neither learned nor
			// switched.
			if (pkt->drop != VS_DROP_NONE || pkt->out_port != VS_PORT_NONE)
				continue;
			// Frames of a burst come from one rx queue, hence usually one port and one
			// bridge; decapsulated VXLAN frames of one underlay queue may belong to
			// several ports.
			if (pkt->in_port != cache.in_port)
				cache_port(conf, &cache, pkt->in_port);
			pkt->drop = l2_one(pmd, conf, pkt, &cache, hs[i], hd[i]);
		}
	}
}
