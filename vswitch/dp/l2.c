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

bool vs_l2_prefetch_wanted(const struct vs_dp_bridge *br)
{
	return __atomic_load_n(&br->fdb->count, __ATOMIC_RELAXED) > VS_L2_PREFETCH_MIN;
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

// Drop counters, out of the loop's way.
static __attribute__((noinline)) void count_drop(struct vs_port *port, uint16_t pmd_id,
						 uint8_t why)
{
	vs_ctr_add(&port->ctr[pmd_id].drops[why], 1);
}

// The rest of a lookup of 'mac' whose first slot 'sl' holds another MAC: its slot ('*e' its
// entry word) or '*e' VS_FDB_EMPTY.
static __attribute__((noinline)) struct vs_fdb_slot *
next_probe(struct vs_fdb_slot *slots, uint32_t mask, struct vs_fdb_slot *sl, uint64_t mac,
	   uint64_t *e)
{
	struct vs_fdb_hit f =
		vs_fdb_slot_probe(slots, mask, mac, (uint32_t)(sl - slots + 1) & mask);

	*e = f.e;
	return f.slot;
}

// The run of frames to one egress port that vs_l2_fast_burst() is staging: appended to the
// port's staging array as vs_output_burst() appends them, its count and bytes stored when
// the run ends.
struct run {
	uint16_t out; // VS_PORT_NONE: no run yet
	struct vs_pkt **q, **end; // the port's staging array and where the next frame goes
	uint32_t max, bytes;	  // the port's largest frame; bytes staged in this run
};

static ALWAYS_INLINE void run_close(struct vs_pmd *pmd, struct run *r)
{
	uint16_t k = (uint16_t)(r->end - r->q);

	if (r->out == VS_PORT_NONE)
		return;
	if (pmd->tx_n[r->out] == 0 && k != 0)
		pmd->touched[pmd->n_touched++] = r->out;
	pmd->tx_n[r->out] = k;
	pmd->tx_bytes[r->out] += r->bytes;
}

static ALWAYS_INLINE void run_open(struct vs_pmd *pmd, const struct vs_conf *conf, struct run *r,
				   uint16_t out)
{
	run_close(pmd, r);
	r->out = out;
	r->q = pmd->tx_pkts[out];
	r->end = r->q + pmd->tx_n[out];
	r->max = conf->ports[out]->max_frame;
	r->bytes = 0;
}

uint16_t vs_l2_pair_out(struct vs_pmd *pmd, const struct vs_conf *conf,
			const struct vs_dp_bridge *br, struct vs_fdb_slot *slots, uint32_t mask,
			uint16_t in_port, uint64_t dst, uint64_t src)
{
	const uint32_t now_s = pmd->now_s;
	struct vs_fdb_slot *sl;
	uint64_t e;
	uint16_t out;

	// The same tests as fast_burst()'s, once. A group or zero source, a group destination:
	if ((((src - 1) | src | dst) >> 40) & 1)
		return VS_PORT_NONE;
	// The source: known on this port, behind no VTEP (refreshed); else learn it.
	sl = vs_fdb_first_slot(slots, mask, src);
	e = __atomic_load_n(&sl->e, __ATOMIC_ACQUIRE);
	if (e != (src << 16 | in_port)) {
		if (e == VS_FDB_EMPTY || (e >> 16) == src)
			return VS_PORT_NONE;
		sl = next_probe(slots, mask, sl, src, &e);
		if (e != (src << 16 | in_port))
			return VS_PORT_NONE;
	}
	if (__atomic_load_n(&sl->vtep, __ATOMIC_RELAXED) != 0)
		return VS_PORT_NONE;
	if (__atomic_load_n(&sl->seen, __ATOMIC_RELAXED) != now_s)
		__atomic_store_n(&sl->seen, now_s, __ATOMIC_RELAXED);
	// The destination: known, on another port of the bridge; else flood or drop.
	sl = vs_fdb_first_slot(slots, mask, dst);
	e = __atomic_load_n(&sl->e, __ATOMIC_ACQUIRE);
	if ((e >> 16) != dst) {
		if (e == VS_FDB_EMPTY)
			return VS_PORT_NONE;
		sl = next_probe(slots, mask, sl, dst, &e);
	}
	out = (uint16_t)e;
	if (e == VS_FDB_EMPTY || out == in_port || out >= VS_MAX_PORTS ||
	    conf->bridge_of[out] != br)
		return VS_PORT_NONE;
	return out;
}

// vs_l2_fast_burst(), one copy with the slots vs_parse_rx_burst() computed ('hashed'), one
// computing them itself, with vs_l2_burst()'s cache of the last source and destination (a table
// of few MACs: a burst's frames likely share them); each for frames of a local port (no
// VTEP: a source's entry must have none) and for decapsulated ones ('vx': the entry must name
// the frame's VTEP).
static ALWAYS_INLINE uint16_t fast_burst(struct vs_pmd *pmd, const struct vs_conf *conf,
					 const struct vs_dp_bridge *br,
					 const struct vs_rx_prep *prep, struct vs_pkt *pkts,
					 uint16_t n, const bool hashed, const bool vx)
{
	struct vs_fdb_slot *slots = prep->slots;
	const uint32_t mask = prep->mask, now_s = pmd->now_s;
	const uint16_t in_port = pkts[0].in_port;
	uint64_t c_src = UINT64_MAX, c_dst = UINT64_MAX;
	uint32_t c_vtep = 0, c_src_vtep = 0;
	uint16_t c_out = VS_PORT_NONE;
	struct run r = {.out = VS_PORT_NONE};
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];
		uint64_t src = pkt->src_mac, dst = pkt->dst_mac;
		// The VTEP the frame came from (decapsulated frames), which its source's entry
		// must name: none for frames of a local port.
		const uint32_t from = vx ? pkt->vtep : 0;
		uint32_t vtep;
		uint16_t out;

		// A group source or destination, a zero source (src - 1 has the group bit
		// then; it also has it for a source whose 40 low bits are all zero, a rare one
		// that only takes the longer way): vs_l2_burst() refuses, floods or switches them.
		if (VS_UNLIKELY((((src - 1) | src | dst) >> 40) & 1))
			goto slow;
		// The source: its first slot holds it, on this port and behind the VTEP the
		// frame came from (none for frames of a local port): refresh. Anything else
		// (absent, moved, further down the probe sequence): vs_l2_burst().
		if (hashed || src != c_src || (vx && from != c_src_vtep)) {
			struct vs_fdb_slot *sl =
				hashed ? prep->src[i] : vs_fdb_first_slot(slots, mask, src);
			const uint64_t key = src << 16 | in_port;
			uint64_t e = __atomic_load_n(&sl->e, __ATOMIC_ACQUIRE);

			if (VS_UNLIKELY(e != key)) {
				// Further down the probe sequence? Absent or moved: learn it.
				if (e == VS_FDB_EMPTY || (e >> 16) == src)
					goto slow;
				sl = next_probe(slots, mask, sl, src, &e);
				if (e != key)
					goto slow;
			}
			if (__atomic_load_n(&sl->vtep, __ATOMIC_RELAXED) != from)
				goto slow;
			// No store (the line stays clean) when it holds 'now' already.
			if (__atomic_load_n(&sl->seen, __ATOMIC_RELAXED) != now_s)
				__atomic_store_n(&sl->seen, now_s, __ATOMIC_RELAXED);
			c_src = src;
			c_src_vtep = from;
		}
		// The destination: found in its first slot, on another port of the bridge.
		// Anything else (unknown, a hairpin, a port that left the bridge): vs_l2_burst().
		if (hashed || dst != c_dst) {
			struct vs_fdb_slot *sl =
				hashed ? prep->dst[i] : vs_fdb_first_slot(slots, mask, dst);
			uint64_t e = __atomic_load_n(&sl->e, __ATOMIC_ACQUIRE);

			if (VS_UNLIKELY((e >> 16) != dst)) {
				// Absent (flood), or further down the probe sequence.
				if (e == VS_FDB_EMPTY)
					goto slow;
				sl = next_probe(slots, mask, sl, dst, &e);
			}
			out = (uint16_t)e;
			if (VS_UNLIKELY(e == VS_FDB_EMPTY)) // not found (or the MAC 0)
				goto slow;
			if (VS_UNLIKELY(out == in_port))
				goto slow;
			if (VS_UNLIKELY(out >= VS_MAX_PORTS || conf->bridge_of[out] != br))
				goto slow;
			vtep = __atomic_load_n(&sl->vtep, __ATOMIC_RELAXED);
			c_dst = dst;
			c_out = out;
			c_vtep = vtep;
		} else {
			out = c_out;
			vtep = c_vtep;
		}
		pkt->vtep = vtep;
		pkt->out_port = out;
	stage:
		if (VS_UNLIKELY(out != r.out))
			run_open(pmd, conf, &r, out);
		if (VS_UNLIKELY(pkt->len > r.max)) {
			count_drop(conf->ports[out], pmd->id, VS_DROP_OVERSIZED);
		} else {
			*r.end++ = pkt;
			r.bytes += pkt->len;
		}
		continue;
	slow:
		// A group destination floods (or is refused): vs_l2_burst() and vs_output_burst()
		// take the rest of the burst from here.
		if (vs_mac_is_multicast(dst))
			break;
		vs_l2_burst(pmd, conf, pkt, 1);
		if (pkt->drop != VS_DROP_NONE) {
			count_drop(conf->ports[in_port], pmd->id, pkt->drop);
			continue;
		}
		out = pkt->out_port;
		if (out < VS_PORT_FLOOD_SKIP)
			goto stage;
		// A flood: vs_output_burst() replicates it, and stages everything after it, in
		// order, once vs_l2_burst() has switched it.
		run_close(pmd, &r);
		vs_l2_burst(pmd, conf, pkt + 1, (uint16_t)(n - i - 1));
		return i;
	}
	run_close(pmd, &r);
	if (i < n)
		vs_l2_burst(pmd, conf, pkts + i, (uint16_t)(n - i));
	return i;
}

// Decapsulated frames: their copies out of line, so that the plain ones stay as they were.
static __attribute__((noinline)) uint16_t fast_decap(struct vs_pmd *pmd, const struct vs_conf *conf,
						     const struct vs_dp_bridge *br,
						     const struct vs_rx_prep *prep,
						     struct vs_pkt *pkts, uint16_t n)
{
	if (prep->hashed)
		return fast_burst(pmd, conf, br, prep, pkts, n, true, true);
	return fast_burst(pmd, conf, br, prep, pkts, n, false, true);
}

uint16_t vs_l2_fast_burst(struct vs_pmd *pmd, const struct vs_conf *conf,
			  const struct vs_dp_bridge *br, const struct vs_rx_prep *prep,
			  struct vs_pkt *pkts, uint16_t n)
{
	if (n == 0)
		return 0;
	if (VS_UNLIKELY(prep->decap))
		return fast_decap(pmd, conf, br, prep, pkts, n);
	if (prep->hashed)
		return fast_burst(pmd, conf, br, prep, pkts, n, true, false);
	return fast_burst(pmd, conf, br, prep, pkts, n, false, false);
}
