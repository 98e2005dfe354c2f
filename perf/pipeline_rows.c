// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: the rows (in the order they are printed), the bridges they run on, and the
// kernels that run a row's bursts through vs_pmd_pipeline() in vswitch/dp/pmd.c (or through
// one stage function of it).
#include "../pmd/mem.h"
#include "../vswitch/dp/csum.h"
#include "../vswitch/dp/l2.h"
#include "../vswitch/dp/output.h"
#include "../vswitch/dp/parse.h"
#include "pipeline_bench.h"

static struct topo uc2 = {.bridge = "uc2", .n_ports = 2};
static struct topo uc2w = {.bridge = "uc2w", .n_ports = 2, .whole = true};
static struct topo uc1k = {.bridge = "uc1k", .n_ports = 2};
static struct topo uc64k = {.bridge = "uc64k", .n_ports = 2, .table_size = 65536};
static struct topo fl3 = {.bridge = "fl3", .n_ports = 4};
static struct topo fl8 = {.bridge = "fl8", .n_ports = 9};
static struct topo mv = {.bridge = "mv", .n_ports = MV_CHILDREN + 1, .macvlan = true};
static struct topo uc100k = {.bridge = "uc100k", .n_ports = 2, .table_size = 131072};
static struct topo fl4 = {.bridge = "fl4", .n_ports = 5};

struct row pb_rows[] = {
	// (a) known unicast between two ports.
	{.label = "unicast, 2 MACs", .kind = K_FULL, .topo = &uc2, .n_macs = 2, .copies = 1},
	// The same between ports that need no checksum completion and send a burst of one MAC
	// pair whole (as memif ports do): no parse, no per-frame L2 (pmd.c: pass_through()).
	{.label = "unicast, 2 MACs, whole",
	 .kind = K_FULL,
	 .topo = &uc2w,
	 .n_macs = 2,
	 .copies = 1},
	{.label = "unicast, 1k MACs", .kind = K_FULL, .topo = &uc1k, .n_macs = 1024, .copies = 1},
	{.label = "unicast, 64k MACs",
	 .kind = K_FULL,
	 .topo = &uc64k,
	 .n_macs = 65536,
	 .copies = 1},
	// (b) broadcast from one port to every other port of the bridge.
	{.label = "broadcast, flood to 3", .kind = K_FULL, .topo = &fl3, .copies = 3},
	{.label = "broadcast, flood to 8", .kind = K_FULL, .topo = &fl8, .copies = 8},
	// (c) and the other single stages, on the 1k-MAC unicast frames.
	{.label = "parse only", .kind = K_PARSE, .topo = &uc1k, .n_macs = 1024},
	{.label = "csum only", .kind = K_CSUM, .topo = &uc1k, .n_macs = 1024},
	{.label = "output only, unicast",
	 .kind = K_OUTPUT,
	 .topo = &uc1k,
	 .n_macs = 1024,
	 .copies = 1},
	// (d) the L2 stage alone, on parsed packets.
	{.label = "L2 only, 2 MACs", .kind = K_L2, .topo = &uc2, .n_macs = 2},
	{.label = "L2 only, 1k MACs", .kind = K_L2, .topo = &uc1k, .n_macs = 1024},
	{.label = "L2 only, 64k MACs", .kind = K_L2, .topo = &uc64k, .n_macs = 65536},
	// (e) macvlan demux: from the parent to 100 children by destination MAC.
	{.label = "macvlan, 100 children", .kind = K_MV_FULL, .topo = &mv, .copies = 1},
	{.label = "macvlan, 100 ch., runs",
	 .kind = K_MV_FULL,
	 .topo = &mv,
	 .copies = 1,
	 .mv_runs = true},
	{.label = "macvlan only, 100 ch.", .kind = K_L2, .topo = &mv},
	// (e) a large MAC table, and flooding to 4 ports: unknown unicast and broadcast.
	{.label = "unicast, 100k MACs",
	 .kind = K_FULL,
	 .topo = &uc100k,
	 .n_macs = 100000,
	 .copies = 1},
	{.label = "unknown unicast, flood 4",
	 .kind = K_FULL,
	 .topo = &fl4,
	 .copies = 4,
	 .unknown_dst = true},
	{.label = "broadcast, flood to 4", .kind = K_FULL, .topo = &fl4, .copies = 4},
	// (e) VXLAN: known unicast into and out of a vxlan port, and its baseline: known unicast
	// between two mem ports of the same bridge, on the same frames (in buffers with a
	// driver's headroom), measured right before them in every run.
	{.label = "plain, vxlan bridge",
	 .kind = K_VX_PLAIN,
	 .topo = &vxt,
	 .n_macs = 2,
	 .copies = 1},
	{.label = "vxlan encap, 2 MACs",
	 .kind = K_VX_ENCAP,
	 .topo = &vxt,
	 .n_macs = 2,
	 .copies = 1},
	{.label = "vxlan decap, 2 MACs",
	 .kind = K_VX_DECAP,
	 .topo = &vxt,
	 .n_macs = 2,
	 .copies = 1},
	// The encap row with the frames copied into the scratch area (an ingress port without
	// headroom, as every frame was encapsulated before the outer headers went into the
	// headroom): what encapsulating in place saves, in the same run.
	{.label = "vxlan encap, copied",
	 .kind = K_VX_ENCAP,
	 .topo = &vxt,
	 .n_macs = 2,
	 .copies = 1,
	 .vx_copy = true},
};
const size_t pb_n_rows = VS_ARRAY_SIZE(pb_rows);

void rows_add_topos(void)
{
	add_topo(&uc2);
	add_topo(&uc2w);
	add_topo(&uc1k);
	add_topo(&uc64k);
	add_topo(&fl3);
	add_topo(&fl8);
	add_topo(&uc100k);
	add_topo(&fl4);
	add_vxlan_topo(&vxt);
}

void rows_add_late_topos(void)
{
	add_mv_topo(&mv); // its children's MACs are pb.macs[1][0..MV_CHILDREN)
	learn_vxlan(&vxt, 2);
}

static inline void tx_clear(const struct topo *t)
{
	for (uint16_t p = 0; p < t->n_ports; p++)
		vs_mem_tx_clear(t->port[p]);
}

// Each kernel runs 'n' bursts of row 'r', from r->pos on.
static void k_full(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		rx(b);
		vs_pmd_pipeline(pb.pmd, pb.conf, pb.conf->ports[pb.in_port[b]], VS_BURST);
		tx_clear(r->topo);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_parse(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		rx(b);
		vs_parse_burst(pb.pmd->pkts, VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_csum(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		r->csum_out += vs_csum_burst(&pb.meta[b * VS_BURST], VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_l2(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;
		struct vs_pkt *pkts = &pb.meta[b * VS_BURST];

		// The stage leaves a frame whose out_port is set alone: undo the last pass's.
		for (uint32_t i = 0; i < VS_BURST; i++)
			pkts[i].out_port = VS_PORT_NONE;
		vs_l2_burst(pb.pmd, pb.conf, pkts, VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_output(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		vs_output_burst(pb.pmd, pb.conf, &pb.meta[b * VS_BURST], VS_BURST);
		vs_output_flush(pb.pmd, pb.conf);
		tx_clear(r->topo);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

void run_bursts(struct row *r, uint32_t n)
{
	switch (r->kind) {
	case K_VX_ENCAP:
	case K_VX_DECAP:
	case K_VX_PLAIN:
		k_vxlan(r, n);
		break;
	case K_FULL:
		k_full(r, n);
		break;
	case K_PARSE:
		k_parse(r, n);
		break;
	case K_CSUM:
		k_csum(r, n);
		break;
	case K_L2:
		k_l2(r, n);
		break;
	case K_OUTPUT:
		k_output(r, n);
		break;
	case K_MV_FULL:
		k_mv_full(r, n);
		break;
	case K_SKIP:
		break;
	}
}
