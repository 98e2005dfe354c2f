// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: the frame pool. POOL_FRAMES 64-byte IPv4/UDP frames walked in order, whose
// MACs and ingress ports each row writes before its runs (prepare()), the bridges of mem
// ports the rows forward on, and the learning pass that fills their MAC tables.
#include <stdio.h>
#include <stdlib.h>

#include "../vswitch/dp/csum.h"
#include "../vswitch/dp/l2.h"
#include "../vswitch/dp/parse.h"
#include "bench_common.h"
#include "pipeline_bench.h"

// A bijection on 32 bits (murmur3's finaliser): distinct inputs give distinct, scattered MACs.
static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

void pool_init(void)
{
	pb.frames = aligned_alloc(VS_CACHE_LINE, (size_t)POOL_FRAMES * FRAME_LEN);
	pb.meta = aligned_alloc(VS_CACHE_LINE, (size_t)POOL_FRAMES * sizeof(*pb.meta));
	if (pb.frames == NULL || pb.meta == NULL)
		die("out of memory");
	// The MACs are written per row (fill_*()).
	for (uint32_t i = 0; i < POOL_FRAMES; i++)
		bench_udp_frame(pb.frames + (size_t)i * FRAME_LEN, FRAME_LEN, 0, 0);
	for (uint32_t s = 0; s < 2; s++)
		for (uint32_t i = 0; i < SIDE_MACS_MAX; i++)
			pb.macs[s][i] = 0x020000000000ULL |
					mix32(i < SIDE_MACS ? s * SIDE_MACS + i + 1
							    : 0x40000000u + s * SIDE_MACS_MAX + i);
}

void pool_free(void)
{
	free(pb.frames);
	free(pb.meta);
}

void add_topo(struct topo *t)
{
	struct vs_bridge_opts o = {.mac_table_size = t->table_size};
	struct vs_opt opt[2] = {{.key = "tx-ring", .val = TX_RING},
				{.key = "rx-csum-full", .val = "1"}};
	char err[256], name[VS_NAME_MAX + 1];

	if (vs_switch_add_bridge(&pb.sw, t->bridge, &o, err, sizeof(err)) < 0)
		die("add bridge %s: %s", t->bridge, err);
	for (uint16_t p = 0; p < t->n_ports; p++) {
		int id;

		snprintf(name, sizeof(name), "%s-%u", t->bridge, p);
		if (vs_switch_add_port(&pb.sw, t->bridge, name, "mem", opt, t->whole ? 2 : 1, err,
				       sizeof(err)) < 0)
			die("add port %s: %s", name, err);
		id = vs_switch_port_id(&pb.sw, name);
		t->id[p] = (uint16_t)id;
		t->port[p] = pb.sw.ports[id];
	}
}

// Writes the pool for a unicast row between ports 0 and 1 of 't' with n_macs MACs, half
// behind each port. Bursts alternate between the two ingress ports; within one direction
// frame m goes from MAC m % half of its side to MAC m % half of the other side.
static void fill_unicast(const struct topo *t, uint32_t n_macs)
{
	uint32_t half = n_macs / 2;

	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		unsigned side = b & 1;

		pb.in_port[b] = t->id[side];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint8_t *f = pb.frames + (size_t)(b * VS_BURST + j) * FRAME_LEN;
			uint32_t m = pb.mac_offset + (b >> 1) * VS_BURST + j;

			bench_put_mac(f, pb.macs[!side][m % half]);
			bench_put_mac(f + 6, pb.macs[side][m % half]);
		}
	}
}

// Writes the pool for a flood row: every frame enters on port 0 of 't', from one MAC, to the
// broadcast address or to 'dst' (a MAC the bridge does not know: unknown unicast).
static void fill_flood(const struct topo *t, uint64_t dst)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		pb.in_port[b] = t->id[0];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint8_t *f = pb.frames + (size_t)(b * VS_BURST + j) * FRAME_LEN;

			bench_put_mac(f, dst);
			bench_put_mac(f + 6, pb.macs[0][0]);
		}
	}
}

// Fills pb.meta with the pool's packets as the pipeline would have them after parse and
// csum (for the csum and L2 rows) or after L2 too (for the output row).
static void prepare_meta(bool through_l2)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		struct vs_pkt *pkts = &pb.meta[b * VS_BURST];

		for (uint32_t i = 0; i < VS_BURST; i++) {
			pkts[i] = (struct vs_pkt){
				.data = pb.frames + (size_t)(b * VS_BURST + i) * FRAME_LEN,
				.len = FRAME_LEN,
				.buf = b * VS_BURST + i,
				.in_port = pb.in_port[b],
				.out_port = VS_PORT_NONE,
			};
		}
		vs_parse_burst(pkts, VS_BURST);
		vs_csum_burst(pkts, VS_BURST);
		if (through_l2)
			vs_l2_burst(pb.pmd, pb.conf, pkts, VS_BURST);
	}
}

void prepare(struct row *r)
{
	if (r->n_macs > POOL_FRAMES) {
		// More MACs than frames: each run walks the next POOL_FRAMES / 2 MACs of each side.
		pb.mac_offset = r->mac_offset;
		r->mac_offset = (r->mac_offset + POOL_FRAMES / 2) % (r->n_macs / 2);
	}
	if (r->topo->macvlan)
		fill_macvlan(r->topo, r->mv_runs);
	else if (r->kind == K_VX_ENCAP || r->kind == K_VX_DECAP || r->kind == K_VX_PLAIN)
		fill_vxlan(r);
	else if (r->n_macs)
		fill_unicast(r->topo, r->n_macs);
	else if (r->unknown_dst)
		fill_flood(r->topo, UNKNOWN_MAC);
	else
		fill_flood(r->topo, BROADCAST);
	pb.mac_offset = 0;
	if (r->kind == K_CSUM || r->kind == K_L2 || r->kind == K_OUTPUT)
		prepare_meta(r->kind == K_OUTPUT);
}

void learn(struct topo *t, uint32_t expect)
{
	struct row r = {.kind = K_FULL, .topo = t};
	const struct vs_bridge *br = vs_switch_bridge(&pb.sw, t->bridge);

	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		vs_pmd_clock(pb.pmd);
		run_bursts(&r, 1);
		vs_switch_housekeeping(&pb.sw);
	}
	if (expect && br->fdb->count != expect)
		die("%s: %u MACs learned, expected %u", t->bridge, br->fdb->count, expect);
}
