// SPDX-License-Identifier: Apache-2.0
#include "l2.h"

#include <vs/drops.h>
#include <vs/mac.h>

#include "macvlan.h"

// Asks the control thread to learn 'mac' on 'port', at most once per 100 ms per MAC.
static __attribute__((noinline)) void learn(struct vs_pmd *pmd, const struct vs_dp_bridge *br, uint64_t mac, uint16_t port,
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

// Why a frame cannot be switched before any lookup (VS_DROP_NONE: it can).
static uint8_t refuse(const struct vs_pkt *pkt)
{
	if (vs_mac_is_multicast(pkt->src_mac) || pkt->src_mac == 0)
		return VS_DROP_INVALID_SRC_MAC;
	if (vs_mac_is_link_local(pkt->dst_mac))
		return VS_DROP_LINK_LOCAL;
	return VS_DROP_NONE;
}

// Below this many MACs in its table, a bridge's lookups are not prefetched.
#define VS_L2_PREFETCH_MIN 64

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n)
{
	const struct vs_dp_bridge *br;
	struct vs_fdb_table *t;
	struct vs_fdb_slot *slots = NULL; // t's slots and mask: fixed for the life of a table
	uint32_t mask = 0;
	uint16_t in_port;
	// The last source and destination looked up in this burst, about frames of 'in_port':
	// frames of one flow come in runs, and a burst is short enough that a table change
	// during it may take effect one burst late. No MAC is all ones (48 bits): nothing
	// matches 'c_src' and 'c_dst' until they are set.
	uint64_t c_src = UINT64_MAX, c_dst = UINT64_MAX;
	uint32_t c_src_vtep = 0, c_dst_vtep = 0; // remote VTEPs of c_src, c_dst (vxlan ports)
	uint16_t c_out = VS_PORT_NONE; // VS_PORT_NONE: a hairpin, dropped
	// Read once: the stores to packets below may alias it, which would reload it per packet.
	const uint32_t now_s = pmd->now_s;

	if (n == 0)
		return;
	// Macvlan bridges demultiplex instead of learning (all frames of a burst share a port).
	in_port = pkts[0].in_port;
	br = conf->bridge_of[in_port];
	if (br != NULL && br->type == VS_BRIDGE_MACVLAN) {
		vs_macvlan_burst(pmd, br, pkts, n);
		return;
	}
	t = br != NULL ? vs_fdb_table_get(br->fdb) : NULL;
	if (t != NULL) {
		slots = t->slots;
		mask = t->mask;
	}
	for (uint16_t b = 0; b < n; b += VS_BURST) {
		uint16_t m = n - b < VS_BURST ? n - b : VS_BURST;
		struct vs_pkt *p = pkts + b;

		// Pass 1: start loading the table slot the lookup of each source and destination
		// MAC begins with, so that the lookups of pass 2 find them in the cache (pass 2
		// hashes again: two instructions, cheaper than storing and loading the hashes).
		// The table is the first frame's bridge's: frames of one burst share an ingress
		// port, and for the rare other port the prefetch is only wasted. A table of a few
		// MACs stays in the L1 cache: nothing to start.
		if (t != NULL && __atomic_load_n(&br->fdb->count, __ATOMIC_RELAXED) > VS_L2_PREFETCH_MIN)
			for (uint16_t i = 0; i < m; i++) {
				__builtin_prefetch(&slots[vs_fdb_hash(p[i].src_mac) & mask], 0, 3);
				__builtin_prefetch(&slots[vs_fdb_hash(p[i].dst_mac) & mask], 0, 3);
			}
		// Pass 2: learn and switch.
		for (uint16_t i = 0; i < m; i++) {
			struct vs_pkt *pkt = &p[i];
			uint64_t src = pkt->src_mac, dst = pkt->dst_mac;
			uint32_t vtep = pkt->vtep;
			struct vs_fdb_hit f;

			// A frame an earlier stage answered (out_port set) is neither learned nor
			// switched.
			if (pkt->drop != VS_DROP_NONE || pkt->out_port != VS_PORT_NONE)
				continue;
			// Frames of a burst come from one rx queue, hence usually one port and one
			// bridge; decapsulated VXLAN frames of one underlay queue may belong to
			// several ports.
			if (VS_UNLIKELY(pkt->in_port != in_port)) {
				in_port = pkt->in_port;
				br = conf->bridge_of[in_port];
				t = br != NULL ? vs_fdb_table_get(br->fdb) : NULL;
				if (t != NULL) {
					slots = t->slots;
					mask = t->mask;
				}
				c_src = c_dst = UINT64_MAX;
				c_src_vtep = 0;
			}
			if (VS_UNLIKELY(br == NULL)) {
				pkt->drop = VS_DROP_NO_BRIDGE;
				continue;
			}
			// A group source or destination (link-local ones are group addresses) or a
			// zero source: one test on the OR of both MACs for the common unicast frame.
			if (VS_UNLIKELY(vs_mac_is_multicast(src | dst) | (src == 0))) {
				uint8_t why = refuse(pkt);

				if (why != VS_DROP_NONE) {
					pkt->drop = why;
					continue;
				}
			}
			// The source: known on this port (and VTEP): refresh; absent or elsewhere:
			// ask the control thread to learn it.
			if (src != c_src || vtep != c_src_vtep) {
				f = vs_fdb_slot_find_uc(slots, mask, src, vs_fdb_hash(src));
				if (f.e != VS_FDB_EMPTY && (uint16_t)f.e == in_port &&
				    __atomic_load_n(&f.slot->vtep, __ATOMIC_RELAXED) == vtep) {
					// No store (the line stays clean) when it holds 'now' already.
					if (__atomic_load_n(&f.slot->seen, __ATOMIC_RELAXED) != now_s)
						__atomic_store_n(&f.slot->seen, now_s, __ATOMIC_RELAXED);
					c_src = src;
					c_src_vtep = vtep;
				} else {
					learn(pmd, br, src, in_port, vtep);
				}
			}
			// The destination.
			if (vs_mac_is_multicast(dst)) {
				pkt->out_port = VS_PORT_FLOOD;
				pkt->vtep = 0;
				continue;
			}
			if (dst != c_dst) {
				c_dst = dst;
				c_dst_vtep = 0;
				f = vs_fdb_slot_find_uc(slots, mask, dst, vs_fdb_hash(dst));
				if (f.e == VS_FDB_EMPTY) {
					c_out = VS_PORT_FLOOD;
				} else {
					uint16_t port = (uint16_t)f.e;

					c_dst_vtep = __atomic_load_n(&f.slot->vtep, __ATOMIC_RELAXED);
					if (port == in_port)
						c_out = VS_PORT_NONE;
					else // an entry whose port just left the bridge: flood until
					     // the control thread removes it
						c_out = port < VS_MAX_PORTS && conf->bridge_of[port] == br
								? port
								: VS_PORT_FLOOD;
				}
			}
			pkt->vtep = c_dst_vtep;
			pkt->out_port = c_out;
			if (VS_UNLIKELY(c_out == VS_PORT_NONE))
				pkt->drop = VS_DROP_HAIRPIN;
		}
	}
}
