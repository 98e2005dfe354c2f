// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: the macvlan rows. Bridge "mv" is a macvlan bridge: port 0 the parent (a mem
// port), port 1 + i the child with MAC pb.macs[1][i], MV_CHILDREN children. Frames enter on
// the parent and are demultiplexed to the children by destination MAC.
#include <stdio.h>
#include <vs/drops.h>
#include <vs/mac.h>

#include "../pmd/mem.h"
#include "../vswitch/cp/macvlan.h"
#include "bench_common.h"
#include "pipeline_bench.h"

static uint8_t mv_child[POOL_FRAMES]; // macvlan rows: the child each frame of the pool is for

void add_mv_topo(struct topo *t)
{
	struct vs_opt opt[2] = {{.key = "tx-ring", .val = TX_RING}, {.key = "mac"}};
	struct vs_macvlan_opts mo = {.parent_type = "mem", .mode = -1, .n_parent_opts = 1};
	char err[256], name[VS_MAC_STRLEN], mac[VS_MAC_STRLEN];

	snprintf(name, sizeof(name), "%s-0", t->bridge);
	mo.parent = name;
	mo.parent_opts[0] = opt[0];
	if (vs_macvlan_add_bridge(&pb.sw, t->bridge, &mo, err, sizeof(err)) < 0)
		die("add macvlan bridge %s: %s", t->bridge, err);
	for (uint16_t p = 0; p < t->n_ports; p++) {
		snprintf(name, sizeof(name), "%s-%u", t->bridge, p);
		vs_mac_format(pb.macs[1][p ? p - 1 : 0], mac);
		opt[1].val = mac;
		if (p > 0 && vs_switch_add_port(&pb.sw, t->bridge, name, "mem", opt, 2, err,
						sizeof(err)) < 0)
			die("add port %s: %s", name, err);
		t->id[p] = (uint16_t)vs_switch_port_id(&pb.sw, name);
		t->port[p] = pb.sw.ports[t->id[p]];
	}
}

// Writes the pool for a macvlan row: every frame enters on the parent (port 0 of 't'), from
// one of 512 hosts of the parent's LAN, to child m % MV_CHILDREN (frame m of the pool), or
// with 'runs' to child b % MV_CHILDREN (every frame of burst b).
void fill_macvlan(const struct topo *t, bool runs)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		pb.in_port[b] = t->id[0];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint32_t m = b * VS_BURST + j;
			uint8_t *f = pb.frames + (size_t)m * FRAME_LEN;

			mv_child[m] = (uint8_t)((runs ? b : m) % MV_CHILDREN);
			bench_put_mac(f, pb.macs[1][mv_child[m]]);
			bench_put_mac(f + 6, pb.macs[0][m % 512]);
		}
	}
}

// As k_full, on a macvlan bridge; only the tx rings of the children the burst went to are
// emptied (the other rows empty every port of their bridge).
void k_mv_full(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;
		int last = -1;

		rx(b);
		vs_pmd_pipeline(pb.pmd, pb.conf, pb.conf->ports[pb.in_port[b]], VS_BURST);
		for (uint32_t j = 0; j < VS_BURST; j++) {
			if (mv_child[b * VS_BURST + j] != last)
				vs_mem_tx_clear(r->topo->port[1 + mv_child[b * VS_BURST + j]]);
			last = mv_child[b * VS_BURST + j];
		}
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

void mv_check_l2(const struct row *r)
{
	for (uint32_t i = 0; i < POOL_FRAMES; i++) {
		const struct vs_pkt *p = &pb.meta[i];
		uint16_t want = r->topo->id[1 + mv_child[i]];

		if (p->drop != VS_DROP_NONE || p->out_port != want)
			die("%s: packet %u: drop %u, out_port %u (expected %u)", r->label, i,
			    p->drop, p->out_port, want);
	}
}
