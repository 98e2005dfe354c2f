// SPDX-License-Identifier: Apache-2.0
#include "l2.h"

#include <vs/drops.h>
#include <vs/mac.h>

// Asks the control thread to learn 'mac' on 'port', at most once per 100 ms per MAC.
static void learn(struct vs_pmd *pmd, const struct vs_dp_bridge *br, uint64_t mac, uint16_t port)
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

static uint8_t l2_one(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkt)
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
	slot = vs_fdb_lookup(t, pkt->src_mac, &port);
	if (slot >= 0 && port == pkt->in_port)
		vs_fdb_touch(t, (uint32_t)slot, pmd->now_s);
	else
		learn(pmd, br, pkt->src_mac, pkt->in_port);

	if (vs_mac_is_multicast(pkt->dst_mac) || vs_fdb_lookup(t, pkt->dst_mac, &port) < 0) {
		pkt->out_port = VS_PORT_FLOOD;
		return VS_DROP_NONE;
	}
	if (port == pkt->in_port)
		return VS_DROP_HAIRPIN;
	// An entry whose port just left the bridge: flood until the control thread removes it.
	pkt->out_port = port < VS_MAX_PORTS && conf->bridge_of[port] == br ? port : VS_PORT_FLOOD;
	return VS_DROP_NONE;
}

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct vs_pkt *pkt = &pkts[i];

		if (pkt->drop != VS_DROP_NONE)
			continue;
		pkt->drop = l2_one(pmd, conf, pkt);
	}
}
