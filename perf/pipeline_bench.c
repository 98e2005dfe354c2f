// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: in-memory microbenchmark of the datapath pipeline on one pinned core.
//
// No kernel device and no PMD thread. The switch is set up as in a unit test
// (bridges of "mem" ports, one PMD context that is never started) and every
// burst of VS_BURST pre-built frames goes through the same stage functions, in
// the same order, as vs_pmd_pipeline() in vswitch/dp/pmd.c. The mem driver's rx copy
// (vs_mem_inject) is bypassed: packets point straight at the pre-built frames,
// as they would at the buffers of a zero-copy driver. Its tx copy (a memcpy
// of each frame into the tx ring) is kept: every real port pays a copy or a
// descriptor write there. See perf/README.md for what each row means.
//
// Usage: pipeline_bench [--cpu N] [--seconds S] [--runs N]
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../pmd/mem.h"
#include "../pmd/port.h"
#include "../vswitch/cp/macvlan.h"
#include "../vswitch/cp/switch.h"
#include "../vswitch/dp/csum.h"
#include "../vswitch/dp/l2.h"
#include "../vswitch/dp/output.h"
#include "../vswitch/dp/parse.h"
#include "../vswitch/dp/pmd.h"
#include "svc_bench.h"
#include "mt_bench.h"
#include "../vswitch/cp/vxlan.h"
#include "../vswitch/dp/vxlan.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TICK_NAME "TSC"
static inline uint64_t ticks(void)
{
	return __rdtsc();
}
#elif defined(__aarch64__)
#define TICK_NAME "cntvct"
static inline uint64_t ticks(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
#else
#define TICK_NAME "ns"
static inline uint64_t ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#define FRAME_LEN 64	  // bytes in the buffer, Ethernet + IPv4 + UDP + 22 bytes payload
#define POOL_FRAMES 65536 // pre-built frames, walked in order: 4 MiB
#define POOL_BURSTS (POOL_FRAMES / VS_BURST)
#define SIDE_MACS (POOL_FRAMES / 2) // MACs per side of a unicast bridge, at most
#define CHUNK 64		    // bursts between two reads of the clock
#define MV_CHILDREN 100			// children of the macvlan row's bridge
#define MAX_TOPO_PORTS (MV_CHILDREN + 1) // the macvlan bridge: parent + children
#define MAX_RUNS 101
#define BROADCAST 0xffffffffffffULL
#define TX_RING "4096"
#define SIDE_MACS_MAX 65536		 // MACs per side for rows with more MACs than the pool has frames
#define UNKNOWN_MAC 0x02fffffffe01ULL // a unicast MAC no bridge ever learns

struct topo {
	const char *bridge;
	uint16_t n_ports;
	uint32_t table_size; // mac-table-size, 0 for the default
	uint16_t id[MAX_TOPO_PORTS];
	struct vs_port *port[MAX_TOPO_PORTS];
	bool macvlan; // a macvlan bridge: port 0 the parent, then one child per MAC of B.macs[1]
};

enum kind { K_FULL, K_PARSE, K_CSUM, K_L2, K_OUTPUT, K_MV_FULL, K_VX_ENCAP, K_VX_DECAP, K_SKIP };

struct row {
	const char *label;
	enum kind kind;
	struct topo *topo;
	uint32_t n_macs;   // MACs in the table of 'topo', half behind each port; 0: flood
	uint32_t copies;   // frames transmitted per packet (full and output rows)
	uint32_t pos;	   // next burst of the pool
	bool mv_runs;	   // macvlan rows: each burst to one child (else 32 children per burst)
	uint64_t csum_out; // sum of vs_csum_burst() results: frames changed (must stay 0)
	struct result {
		uint64_t packets;
		double ticks_per_pkt;
	} res[MAX_RUNS];
	double wall_ns, cpu_ns; // time of the timed runs, and how much of it this thread ran
	bool unknown_dst;	// flood rows: unicast to UNKNOWN_MAC instead of broadcast
	uint32_t mac_offset;	// rows with n_macs > POOL_FRAMES: first MAC of the next pool
	double med_ns;		// median ns/pkt, set by report()
	double cpu_pp[MAX_RUNS]; // per run: this thread's CPU time per packet (ns)
};

// The benchmark's state.
static struct {
	struct vs_switch sw;
	struct vs_pmd *pmd;
	const struct vs_conf *conf;
	uint8_t *frames;	       // POOL_FRAMES frames of FRAME_LEN bytes
	uint16_t in_port[POOL_BURSTS]; // ingress port id of each burst of the pool
	struct vs_pkt *meta;	       // POOL_FRAMES pre-computed packets for stage-only rows
	uint64_t macs[2][SIDE_MACS_MAX]; // unicast MACs: [side][i]
	uint32_t mac_offset;		 // first MAC of the pool fill_unicast() writes
	double tick_hz;
	double seconds;
	int runs;
	uint64_t bursts;       // --bursts: a fixed number of timed bursts per run (0: --seconds)
	const char *only_row;  // --row: measure this row only
	bool no_services;      // --no-services: skip the service rows (svc_bench.c)
	int cpu2;	       // --cpu2: the second thread's CPU of the two-thread rows
} B;

static void die(const char *fmt, ...) VS_PRINTF(1, 2);

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pipeline_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

// CPU time this thread has used.
static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// --- set-up ---------------------------------------------------------------

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

static uint32_t csum_acc(uint32_t sum, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--, mac >>= 8)
		p[i] = (uint8_t)mac;
}

// A 64-byte IPv4/UDP frame, 10.0.0.1:1024 -> 10.0.0.2:1025, valid IPv4 and UDP checksums
// (so the checksum-completion stage takes its common path and leaves it alone).
static void build_template(uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t ip_len = FRAME_LEN - 14, udp_len = ip_len - 20, c;
	uint32_t sum;

	memset(f, 0, FRAME_LEN);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, ip_len);
	put16(ip + 6, 0x4000); // DF
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	put16(ip + 10, csum_finish(csum_acc(0, ip, 20)));
	put16(udp, 1024);
	put16(udp + 2, 1025);
	put16(udp + 4, udp_len);
	for (uint16_t i = 8; i < udp_len; i++)
		udp[i] = (uint8_t)i;
	sum = csum_acc(0, ip + 12, 8) + 17 + udp_len;
	c = csum_finish(csum_acc(sum, udp, udp_len));
	put16(udp + 6, c ? c : 0xffff);
}

static void add_topo(struct topo *t)
{
	struct vs_bridge_opts o = {.mac_table_size = t->table_size};
	struct vs_opt opt = {.key = "tx-ring", .val = TX_RING};
	char err[256], name[VS_NAME_MAX + 1];

	if (vs_switch_add_bridge(&B.sw, t->bridge, &o, err, sizeof(err)) < 0)
		die("add bridge %s: %s", t->bridge, err);
	for (uint16_t p = 0; p < t->n_ports; p++) {
		int id;

		snprintf(name, sizeof(name), "%s-%u", t->bridge, p);
		if (vs_switch_add_port(&B.sw, t->bridge, name, "mem", &opt, 1, err, sizeof(err)) <
		    0)
			die("add port %s: %s", name, err);
		id = vs_switch_port_id(&B.sw, name);
		t->id[p] = (uint16_t)id;
		t->port[p] = B.sw.ports[id];
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

		B.in_port[b] = t->id[side];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint8_t *f = B.frames + (size_t)(b * VS_BURST + j) * FRAME_LEN;
			uint32_t m = B.mac_offset + (b >> 1) * VS_BURST + j;

			put_mac(f, B.macs[!side][m % half]);
			put_mac(f + 6, B.macs[side][m % half]);
		}
	}
}

// A macvlan bridge: port 0 the parent, port 1 + i the child with MAC B.macs[1][i].
static void add_mv_topo(struct topo *t)
{
	struct vs_opt opt[2] = {{.key = "tx-ring", .val = TX_RING}, {.key = "mac"}};
	struct vs_macvlan_opts mo = {.parent_type = "mem", .mode = -1, .n_parent_opts = 1};
	char err[256], name[VS_MAC_STRLEN], mac[VS_MAC_STRLEN];

	snprintf(name, sizeof(name), "%s-0", t->bridge);
	mo.parent = name;
	mo.parent_opts[0] = opt[0];
	if (vs_macvlan_add_bridge(&B.sw, t->bridge, &mo, err, sizeof(err)) < 0)
		die("add macvlan bridge %s: %s", t->bridge, err);
	for (uint16_t p = 0; p < t->n_ports; p++) {
		snprintf(name, sizeof(name), "%s-%u", t->bridge, p);
		vs_mac_format(B.macs[1][p ? p - 1 : 0], mac);
		opt[1].val = mac;
		if (p > 0 &&
		    vs_switch_add_port(&B.sw, t->bridge, name, "mem", opt, 2, err, sizeof(err)) < 0)
			die("add port %s: %s", name, err);
		t->id[p] = (uint16_t)vs_switch_port_id(&B.sw, name);
		t->port[p] = B.sw.ports[t->id[p]];
	}
}

static uint8_t mv_child[POOL_FRAMES]; // macvlan rows: the child each frame of the pool is for

// Writes the pool for a macvlan row: every frame enters on the parent (port 0 of 't'), from
// one of 512 hosts of the parent's LAN, to child m % MV_CHILDREN (frame m of the pool), or
// with 'runs' to child b % MV_CHILDREN (every frame of burst b).
static void fill_macvlan(const struct topo *t, bool runs)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		B.in_port[b] = t->id[0];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint32_t m = b * VS_BURST + j;
			uint8_t *f = B.frames + (size_t)m * FRAME_LEN;

			mv_child[m] = (uint8_t)((runs ? b : m) % MV_CHILDREN);
			put_mac(f, B.macs[1][mv_child[m]]);
			put_mac(f + 6, B.macs[0][m % 512]);
		}
	}
}

// Writes the pool for a broadcast row: every frame enters on port 0 of 't', from one MAC.
static void fill_flood(const struct topo *t)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		B.in_port[b] = t->id[0];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint8_t *f = B.frames + (size_t)(b * VS_BURST + j) * FRAME_LEN;

			put_mac(f, BROADCAST);
			put_mac(f + 6, B.macs[0][0]);
		}
	}
}

// Writes the pool for an unknown-unicast row: every frame enters on port 0 of 't', from one
// known MAC to a MAC the bridge does not know, so it is flooded.
static void fill_unknown(const struct topo *t)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		B.in_port[b] = t->id[0];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint8_t *f = B.frames + (size_t)(b * VS_BURST + j) * FRAME_LEN;

			put_mac(f, UNKNOWN_MAC);
			put_mac(f + 6, B.macs[0][0]);
		}
	}
}

// --- the measured work ------------------------------------------------------

// What a zero-copy driver's rx_burst does: point the packets at the frames of burst 'b'.
static inline void rx(uint32_t b)
{
	struct vs_pkt *pkts = B.pmd->pkts;

	for (uint32_t i = 0; i < VS_BURST; i++) {
		pkts[i].data = B.frames + (size_t)(b * VS_BURST + i) * FRAME_LEN;
		pkts[i].len = FRAME_LEN;
		pkts[i].buf = b * VS_BURST + i;
	}
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
		vs_pmd_pipeline(B.pmd, B.conf, B.conf->ports[B.in_port[b]], VS_BURST);
		tx_clear(r->topo);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

// As k_full, on a macvlan bridge; only the tx rings of the children the burst went to are
// emptied (the other rows empty every port of their bridge).
static void k_mv_full(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;
		int last = -1;

		rx(b);
		vs_pmd_pipeline(B.pmd, B.conf, B.conf->ports[B.in_port[b]], VS_BURST);
		for (uint32_t j = 0; j < VS_BURST; j++) {
			if (mv_child[b * VS_BURST + j] != last)
				vs_mem_tx_clear(r->topo->port[1 + mv_child[b * VS_BURST + j]]);
			last = mv_child[b * VS_BURST + j];
		}
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_parse(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		rx(b);
		vs_parse_burst(B.pmd->pkts, VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_csum(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		r->csum_out += vs_csum_burst(&B.meta[b * VS_BURST], VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_l2(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;
		struct vs_pkt *pkts = &B.meta[b * VS_BURST];

		// The stage leaves a frame whose out_port is set alone: undo the last pass's.
		for (uint32_t i = 0; i < VS_BURST; i++)
			pkts[i].out_port = VS_PORT_NONE;
		vs_l2_burst(B.pmd, B.conf, pkts, VS_BURST);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void k_output(struct row *r, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		vs_output_burst(B.pmd, B.conf, &B.meta[b * VS_BURST], VS_BURST);
		vs_output_flush(B.pmd, B.conf);
		tx_clear(r->topo);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

// --- VXLAN rows -------------------------------------------------------------
// Bridge "vx": mem port 0 and vxlan port 1 (VNI 100, one remote VTEP) over a mem underlay.
// Encap: frames from port 0 to MACs learned behind the VTEP leave the underlay encapsulated
// (50 more bytes, copied into the underlay's tx ring). Decap: VXLAN frames from the VTEP
// arrive on the underlay and leave port 0 decapsulated. Next hops come from a stub resolver.
#define VX_STRIDE 128 // bytes per frame of the VXLAN pool (FRAME_LEN + 50, rounded up)
#define VX_LOCAL 0xc6120001u // 198.18.0.1
#define VX_REMOTE 0xc6120002u // 198.18.0.2

static struct topo vxt = {.bridge = "vx", .n_ports = 2};
static struct vs_port *vx_ul;	  // the underlay
static uint8_t *vx_frames;	  // POOL_FRAMES VXLAN frames for the decap row
static struct vs_vxlan_tx *vx_peer; // the remote VTEP's view, to build those frames

static int vx_dev_mac(const char *dev, uint64_t *mac)
{
	(void)dev;
	*mac = 0x02000000ee01ULL;
	return 0;
}

static int vx_dev_mtu(const char *dev, int *mtu)
{
	(void)dev;
	*mtu = 1500;
	return 0;
}

static int vx_neigh(const char *dev, uint32_t ip, uint64_t *mac)
{
	(void)dev;
	(void)ip;
	*mac = 0x02000000ee02ULL;
	return 0;
}

static const struct vs_vxlan_resolver vx_resolver = {
	.dev_mac = vx_dev_mac, .dev_mtu = vx_dev_mtu, .neigh = vx_neigh};

static void add_vxlan_topo(struct topo *t)
{
	struct vs_opt mopt = {.key = "tx-ring", .val = TX_RING};
	struct vs_opt vopt[] = {{"vni", "100"},	    {"local_ip", "198.18.0.1"},
				{"remote_ip", "198.18.0.2"}, {"underlay", "vx-ul"},
				{"underlay_type", "mem"}};
	struct vs_bridge_opts o = {0};
	char err[256];

	vs_port_driver_register(&vs_vxlan_ops);
	vs_vxlan_set_resolver(&vx_resolver);
	if (vs_switch_add_bridge(&B.sw, t->bridge, &o, err, sizeof(err)) < 0 ||
	    vs_switch_add_port(&B.sw, t->bridge, "vx-0", "mem", &mopt, 1, err, sizeof(err)) < 0 ||
	    vs_switch_add_port(&B.sw, t->bridge, "vx-1", "vxlan", vopt, VS_ARRAY_SIZE(vopt), err,
			       sizeof(err)) < 0)
		die("vxlan topology: %s", err);
	for (uint16_t p = 0; p < 2; p++) {
		t->id[p] = (uint16_t)vs_switch_port_id(&B.sw, p ? "vx-1" : "vx-0");
		t->port[p] = B.sw.ports[t->id[p]];
	}
	vx_ul = vs_conf_current()->vxlan->underlay[0].port;
	vx_frames = aligned_alloc(VS_CACHE_LINE, (size_t)POOL_FRAMES * VX_STRIDE);
	vx_peer = calloc(1, sizeof(*vx_peer) + sizeof(vx_peer->remotes[0]));
	if (vx_frames == NULL || vx_peer == NULL)
		die("out of memory");
	*vx_peer = (struct vs_vxlan_tx){.vni = 100, .local_ip = VX_REMOTE, .dst_port = 4789,
					.ttl = 64, .mtu = 1500, .src_mac = 0x02000000ee02ULL,
					.n_remotes = 1};
	vx_peer->remotes[0] = (struct vs_vxlan_remote){.ip = VX_LOCAL, .mac = 0x02000000ee01ULL};
	vs_vxlan_remote_prepare(vx_peer, &vx_peer->remotes[0]);
}

// MACs of side 0 on port 0, of side 1 behind the remote VTEP (as learned from its frames).
static void learn_vxlan(struct topo *t, uint32_t n_macs)
{
	struct vs_fdb *fdb = vs_switch_bridge(&B.sw, t->bridge)->fdb;

	for (uint32_t i = 0; i < n_macs / 2; i++)
		if (vs_fdb_learn(fdb, B.macs[0][i], t->id[0], vs_now_s()) < 0 ||
		    vs_fdb_learn_vtep(fdb, B.macs[1][i], t->id[1], VX_REMOTE, vs_now_s()) < 0)
			die("vx: cannot learn MACs");
}

static void fill_vxlan(const struct row *r)
{
	uint32_t half = r->n_macs / 2;

	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		B.in_port[b] = r->topo->id[r->kind == K_VX_DECAP];
		for (uint32_t j = 0; j < VS_BURST; j++) {
			size_t i = (size_t)b * VS_BURST + j;
			uint8_t *f = B.frames + i * FRAME_LEN;
			uint32_t m = (uint32_t)i % half;
			unsigned side = r->kind == K_VX_DECAP;

			put_mac(f, B.macs[!side][m]);
			put_mac(f + 6, B.macs[side][m]);
			if (r->kind == K_VX_DECAP)
				vs_vxlan_encap(vx_peer, &vx_peer->remotes[0], f, FRAME_LEN,
					       vx_frames + i * VX_STRIDE);
		}
	}
}

static void k_vxlan(struct row *r, uint32_t n)
{
	bool decap = r->kind == K_VX_DECAP;
	struct vs_port *in = decap ? vx_ul : r->topo->port[0];
	struct vs_pkt *pkts = B.pmd->pkts;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = r->pos;

		for (uint32_t i = 0; i < VS_BURST; i++) {
			size_t f = (size_t)b * VS_BURST + i;

			pkts[i].data = decap ? vx_frames + f * VX_STRIDE : B.frames + f * FRAME_LEN;
			pkts[i].len = decap ? FRAME_LEN + VS_VXLAN_HLEN : FRAME_LEN;
			pkts[i].buf = f;
		}
		vs_pmd_pipeline(B.pmd, B.conf, in, VS_BURST);
		vs_mem_tx_clear(r->topo->port[0]);
		vs_mem_tx_clear(vx_ul);
		r->pos = (b + 1) % POOL_BURSTS;
	}
}

static void run_bursts(struct row *r, uint32_t n)
{
	switch (r->kind) {
	case K_VX_ENCAP:
	case K_VX_DECAP:
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

// --- preparing rows ----------------------------------------------------------

// Sends the pool through the pipeline once, applying learning after every burst, so that
// every source MAC of the pool is in the table. Checks the table holds 'expect' entries
// (unless 'expect' is 0).
static void learn(struct topo *t, uint32_t expect)
{
	struct row r = {.kind = K_FULL, .topo = t};
	const struct vs_bridge *br = vs_switch_bridge(&B.sw, t->bridge);

	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		vs_pmd_clock(B.pmd);
		run_bursts(&r, 1);
		vs_switch_housekeeping(&B.sw);
	}
	if (expect && br->fdb->count != expect)
		die("%s: %u MACs learned, expected %u", t->bridge, br->fdb->count, expect);
}

// Fills B.meta with the pool's packets as the pipeline would have them after parse and
// csum (for the csum and L2 rows) or after L2 too (for the output row).
static void prepare_meta(bool through_l2)
{
	for (uint32_t b = 0; b < POOL_BURSTS; b++) {
		struct vs_pkt *pkts = &B.meta[b * VS_BURST];

		for (uint32_t i = 0; i < VS_BURST; i++) {
			pkts[i] = (struct vs_pkt){
				.data = B.frames + (size_t)(b * VS_BURST + i) * FRAME_LEN,
				.len = FRAME_LEN,
				.buf = b * VS_BURST + i,
				.in_port = B.in_port[b],
				.out_port = VS_PORT_NONE,
			};
		}
		vs_parse_burst(pkts, VS_BURST);
		vs_csum_burst(pkts, VS_BURST);
		if (through_l2)
			vs_l2_burst(B.pmd, B.conf, pkts, VS_BURST);
	}
}

// Sums the counters of the ports of 't'.
static void topo_counters(const struct topo *t, uint64_t *rx, uint64_t *tx, uint64_t *drops)
{
	*rx = *tx = *drops = 0;
	for (uint16_t p = 0; p < t->n_ports; p++) {
		struct vs_port_counters c;

		vs_port_counters_sum(t->port[p], &c);
		*rx += c.rx_packets;
		*tx += c.tx_packets;
		for (int d = 0; d < VS_DROP_MAX; d++)
			*drops += c.drops[d];
	}
}

// Checks that the measured work took the path the row is about.
static void check_row(const struct row *r, const uint64_t before[3], uint32_t learn_tail)
{
	uint64_t now[3];

	if (B.pmd->learn->tail != learn_tail)
		die("%s: %u learning requests during the run: some MAC was not known", r->label,
		    B.pmd->learn->tail - learn_tail);
	if (r->csum_out)
		die("%s: the checksum stage changed %llu frames", r->label,
		    (unsigned long long)r->csum_out);
	if (r->kind == K_L2 && r->topo->macvlan) {
		for (uint32_t i = 0; i < POOL_FRAMES; i++) {
			const struct vs_pkt *p = &B.meta[i];
			uint16_t want = r->topo->id[1 + mv_child[i]];

			if (p->drop != VS_DROP_NONE || p->out_port != want)
				die("%s: packet %u: drop %u, out_port %u (expected %u)", r->label,
				    i, p->drop, p->out_port, want);
		}
	} else if (r->kind == K_L2) {
		for (uint32_t i = 0; i < POOL_FRAMES; i++) {
			const struct vs_pkt *p = &B.meta[i];
			uint16_t want =
				p->in_port == r->topo->id[0] ? r->topo->id[1] : r->topo->id[0];

			if (p->drop != VS_DROP_NONE || p->out_port != want)
				die("%s: packet %u: drop %u, out_port %u (expected %u)", r->label,
				    i, p->drop, p->out_port, want);
		}
	}
	if (r->kind != K_FULL && r->kind != K_OUTPUT && r->kind != K_MV_FULL &&
	    r->kind != K_VX_ENCAP && r->kind != K_VX_DECAP)
		return;
	topo_counters(r->topo, &now[0], &now[1], &now[2]);
	if (now[2] != before[2])
		die("%s: %llu packets dropped", r->label, (unsigned long long)(now[2] - before[2]));
	if ((r->kind == K_FULL || r->kind == K_MV_FULL || r->kind == K_VX_ENCAP ||
	     r->kind == K_VX_DECAP) &&
	    now[1] - before[1] != (now[0] - before[0]) * r->copies)
		die("%s: %llu packets in, %llu out, expected %u out per packet", r->label,
		    (unsigned long long)(now[0] - before[0]),
		    (unsigned long long)(now[1] - before[1]), r->copies);
}

// --- measuring ---------------------------------------------------------------

// Writes the frames (and for stage-only rows the packets) that row 'r' works on.
static void prepare(struct row *r)
{
	if (r->n_macs > POOL_FRAMES) {
		// More MACs than frames: each run walks the next POOL_FRAMES / 2 MACs of each side.
		B.mac_offset = r->mac_offset;
		r->mac_offset = (r->mac_offset + POOL_FRAMES / 2) % (r->n_macs / 2);
	}
	if (r->topo->macvlan)
		fill_macvlan(r->topo, r->mv_runs);
	else if (r->kind == K_VX_ENCAP || r->kind == K_VX_DECAP)
		fill_vxlan(r);
	else if (r->n_macs)
		fill_unicast(r->topo, r->n_macs);
	else if (r->unknown_dst)
		fill_unknown(r->topo);
	else
		fill_flood(r->topo);
	B.mac_offset = 0;
	if (r->kind == K_CSUM || r->kind == K_L2 || r->kind == K_OUTPUT)
		prepare_meta(r->kind == K_OUTPUT);
}

// Measures run 'i' of row 'r': bursts for B.seconds, after one untimed pass over the pool.
static void measure(struct row *r, int i)
{
	uint64_t budget = (uint64_t)(B.seconds * B.tick_hz), before[3], t0, t1, n = 0;
	uint64_t c0, c1;
	uint32_t learn_tail;

	prepare(r);
	topo_counters(r->topo, &before[0], &before[1], &before[2]);
	learn_tail = B.pmd->learn->tail;
	vs_pmd_clock(B.pmd);
	run_bursts(r, POOL_BURSTS);
	c0 = thread_ns();
	t0 = ticks();
	if (B.bursts) { // a fixed amount of work, e.g. for instruction counts (perf/callgrind.sh)
		for (uint64_t k = 0; k < B.bursts; k += CHUNK)
			run_bursts(r, (uint32_t)(B.bursts - k < CHUNK ? B.bursts - k : CHUNK));
		n = B.bursts * VS_BURST;
		t1 = ticks();
	} else {
		do {
			run_bursts(r, CHUNK);
			n += CHUNK * VS_BURST;
			t1 = ticks();
		} while (t1 - t0 < budget);
	}
	c1 = thread_ns();
	r->wall_ns += (double)(t1 - t0) / B.tick_hz * 1e9;
	r->cpu_ns += (double)(c1 - c0);
	r->cpu_pp[i] = (double)(c1 - c0) / (double)n;
	r->res[i].packets = n;
	r->res[i].ticks_per_pkt = (double)(t1 - t0) / (double)n;
	check_row(r, before, learn_tail);
}

static int cmp_result(const void *a, const void *b)
{
	const struct result *x = a, *y = b;

	return (x->ticks_per_pkt > y->ticks_per_pkt) - (x->ticks_per_pkt < y->ticks_per_pkt);
}

// Prints the median of the runs of 'r'.
static void report(struct row *r)
{
	struct result *res = r->res, *mid;
	double med, ns, spread;

	qsort(res, (size_t)B.runs, sizeof(res[0]), cmp_result);
	mid = &res[(B.runs - 1) / 2];
	med = B.runs % 2 ? mid->ticks_per_pkt : (mid[0].ticks_per_pkt + mid[1].ticks_per_pkt) / 2;
	ns = med / B.tick_hz * 1e9;
	r->med_ns = ns;
	spread = (res[B.runs - 1].ticks_per_pkt - res[0].ticks_per_pkt) / med * 100;
	printf("%-24s %11llu %8.2f %10.1f %8.2f %7.1f%% %6.1f%%\n", r->label,
	       (unsigned long long)mid->packets, ns, med, 1e3 / ns, spread,
	       r->cpu_ns / r->wall_ns * 100);
}

// Ticks per second of ticks(), against CLOCK_MONOTONIC over ~200 ms.
static double calibrate(void)
{
	uint64_t n0, n1, t0, t1;

	n0 = mono_ns();
	t0 = ticks();
	do
		n1 = mono_ns();
	while (n1 - n0 < 200000000u);
	t1 = ticks();
	n1 = mono_ns();
	return (double)(t1 - t0) / ((double)(n1 - n0) / 1e9);
}

// ns per vs_pmd_clock() call: the PMD loop pays it once per iteration, outside vs_pmd_pipeline().
static double clock_cost_ns(void)
{
	uint64_t t0 = ticks();
	const int n = 1000000;

	for (int i = 0; i < n; i++)
		vs_pmd_clock(B.pmd);
	return (double)(ticks() - t0) / n / B.tick_hz * 1e9;
}

// Whether row 'r' is measured (--row).
static bool row_selected(const struct row *r)
{
	return B.only_row == NULL || strcmp(r->label, B.only_row) == 0;
}

// The row labelled 'label' if it was measured, else NULL.
static const struct row *measured_row(const struct row *rows, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].label, label) == 0 && rows[i].kind != K_SKIP && row_selected(&rows[i]))
			return &rows[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

// Median of the per-run CPU time per packet of 'r'.
static double median_cpu_pp(const struct row *r)
{
	double v[MAX_RUNS];

	memcpy(v, r->cpu_pp, sizeof(v[0]) * (size_t)B.runs);
	qsort(v, (size_t)B.runs, sizeof(v[0]), cmp_double);
	return B.runs % 2 ? v[B.runs / 2] : (v[B.runs / 2 - 1] + v[B.runs / 2]) / 2;
}

// VXLAN against plain L2 in this run (issue 4's target: >= 80%). A frame crossing the
// overlay passes host A's pipeline with encapsulation and host B's with decapsulation;
// across two plain switches, two plain pipelines: encap + decap = 2 x plain / (encap + decap).
// Also from the thread's CPU time, which time descheduled on a shared machine does not inflate.
static void vxlan_summary(const struct row *rows, size_t n)
{
	double pc, ec, dc;

	const struct row *p = measured_row(rows, n, "unicast, 2 MACs");
	const struct row *e = measured_row(rows, n, "vxlan encap, 2 MACs");
	const struct row *d = measured_row(rows, n, "vxlan decap, 2 MACs");

	if (p == NULL || e == NULL || d == NULL)
		return;
	printf("\nvxlan vs plain L2 (\"unicast, 2 MACs\", %.2f ns/pkt), rates from this run's medians:\n"
	       "  encap %.0f%%, decap %.0f%%, encap + decap (2 x plain / (encap + decap)) %.0f%%\n",
	       p->med_ns, p->med_ns / e->med_ns * 100, p->med_ns / d->med_ns * 100,
	       2 * p->med_ns / (e->med_ns + d->med_ns) * 100);
	pc = median_cpu_pp(p), ec = median_cpu_pp(e), dc = median_cpu_pp(d);
	printf("  the same from on-CPU time (median CPU ns/pkt: plain %.2f, encap %.2f, decap %.2f):\n"
	       "  encap %.0f%%, decap %.0f%%, encap + decap %.0f%%\n",
	       pc, ec, dc, pc / ec * 100, pc / dc * 100, 2 * pc / (ec + dc) * 100);
}

// --- CPU ---------------------------------------------------------------------

static int last_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity: %s", strerror(errno));
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (CPU_ISSET(c, &set))
			return c;
	die("no CPU in the affinity mask");
	return -1;
}

// The first CPU this process may use other than 'cpu', -1 if none.
static int other_allowed_cpu(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (c != cpu && CPU_ISSET(c, &set))
			return c;
	return -1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

// The model name of 'cpu' from /proc/cpuinfo (the first one listed if 'cpu' is not found).
static void cpu_model(int cpu, char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	int cur = -1;

	snprintf(out, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (v == NULL)
			continue;
		v++;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (strncmp(line, "processor", 9) == 0) {
			cur = atoi(v);
		} else if (strncmp(line, "model name", 10) == 0 &&
			   (cur == cpu || strcmp(out, "unknown") == 0)) {
			snprintf(out, len, "%s", v);
			if (cur == cpu)
				break;
		}
	}
	fclose(f);
}

// --- main --------------------------------------------------------------------

static void usage(FILE *f)
{
	fprintf(f, "usage: pipeline_bench [--cpu N] [--seconds S] [--runs N]\n"
		   "  --cpu N      pin to CPU N (default: the last CPU this process may use)\n"
		   "  --seconds S  length of one run of a row (default 0.5)\n"
		   "  --runs N     runs per row, the median is printed (default 5)\n"
		   "  --row LABEL  measure only the row named LABEL (as printed)\n"
		   "  --bursts N   time N bursts per run instead of --seconds (fixed work)\n"
		   "  --no-services  skip the service rows (loading them takes seconds)\n"
		   "  --cpu2 N     CPU of the second thread of the two-thread rows (default: the\n"
		   "               first other CPU this process may use)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"cpu", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, 'r'},
		{"row", required_argument, NULL, 'o'},
		{"bursts", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"no-services", no_argument, NULL, 'n'},
		{"cpu2", required_argument, NULL, '2'},
		{NULL, 0, NULL, 0},
	};
	static struct topo uc2 = {.bridge = "uc2", .n_ports = 2};
	static struct topo uc1k = {.bridge = "uc1k", .n_ports = 2};
	static struct topo uc64k = {.bridge = "uc64k", .n_ports = 2, .table_size = 65536};
	static struct topo fl3 = {.bridge = "fl3", .n_ports = 4};
	static struct topo fl8 = {.bridge = "fl8", .n_ports = 9};
	static struct topo mv = {.bridge = "mv", .n_ports = MV_CHILDREN + 1, .macvlan = true};
	static struct topo uc100k = {.bridge = "uc100k", .n_ports = 2, .table_size = 131072};
	static struct topo fl4 = {.bridge = "fl4", .n_ports = 5};
	static struct row rows[] = {
		// (a) known unicast between two ports.
		{.label = "unicast, 2 MACs",
		 .kind = K_FULL,
		 .topo = &uc2,
		 .n_macs = 2,
		 .copies = 1},
		{.label = "unicast, 1k MACs",
		 .kind = K_FULL,
		 .topo = &uc1k,
		 .n_macs = 1024,
		 .copies = 1},
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
		// (e) VXLAN: known unicast into and out of a vxlan port (compare with "unicast,
		// 2 MACs").
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
	};
	char model[256], *end;
	int cpu = -1, opt;

	B.seconds = 0.5;
	B.runs = 5;
	B.cpu2 = -1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cpu = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || cpu < 0 || cpu >= CPU_SETSIZE)
				die("invalid --cpu: %s", optarg);
			break;
		case 's':
			B.seconds = strtod(optarg, &end);
			if (*end || end == optarg || !(B.seconds > 0 && B.seconds <= 3600))
				die("invalid --seconds: %s", optarg);
			break;
		case 'r':
			B.runs = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || B.runs < 1 || B.runs > MAX_RUNS)
				die("invalid --runs: %s (1-%d)", optarg, MAX_RUNS);
			break;
		case 'o':
			B.only_row = optarg;
			break;
		case 'b':
			B.bursts = strtoull(optarg, &end, 10);
			if (*end || end == optarg || B.bursts == 0 || B.bursts > (1ull << 40))
				die("invalid --bursts: %s", optarg);
			break;
		case 'n':
			B.no_services = true;
			break;
		case '2':
			B.cpu2 = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || B.cpu2 < 0 || B.cpu2 >= CPU_SETSIZE)
				die("invalid --cpu2: %s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cpu < 0)
		cpu = last_allowed_cpu();
	if (B.cpu2 < 0)
		B.cpu2 = other_allowed_cpu(cpu);
	else if (B.cpu2 == cpu)
		die("--cpu2 must differ from --cpu (%d)", cpu);
	pin(cpu);
	cpu_model(cpu, model, sizeof(model));

	vs_log_level = VS_LOG_WARN;
	vs_switch_init(&B.sw);
	vs_port_driver_register(&vs_mem_ops);
	B.pmd = vs_pmd_create(0, -1);
	if (B.pmd == NULL)
		die("vs_pmd_create: %s", strerror(errno));
	B.sw.pmds[0] = B.pmd;
	B.sw.n_pmds = 1;
	add_topo(&uc2);
	add_topo(&uc1k);
	add_topo(&uc64k);
	add_topo(&fl3);
	add_topo(&fl8);
	add_topo(&uc100k);
	add_topo(&fl4);
	add_vxlan_topo(&vxt);

	B.frames = aligned_alloc(VS_CACHE_LINE, (size_t)POOL_FRAMES * FRAME_LEN);
	B.meta = aligned_alloc(VS_CACHE_LINE, (size_t)POOL_FRAMES * sizeof(*B.meta));
	if (B.frames == NULL || B.meta == NULL)
		die("out of memory");
	for (uint32_t i = 0; i < POOL_FRAMES; i++)
		build_template(B.frames + (size_t)i * FRAME_LEN);
	for (uint32_t s = 0; s < 2; s++)
		for (uint32_t i = 0; i < SIDE_MACS_MAX; i++)
			B.macs[s][i] = 0x020000000000ULL |
				       mix32(i < SIDE_MACS ? s * SIDE_MACS + i + 1
							   : 0x40000000u + s * SIDE_MACS_MAX + i);
	add_mv_topo(&mv); // its children's MACs are B.macs[1][0..MV_CHILDREN)
	learn_vxlan(&vxt, 2);
	B.conf = vs_conf_current();
	B.tick_hz = calibrate();

	printf("vswitch pipeline_bench: datapath pipeline in memory, one core, no kernel I/O\n");
	printf("cpu %d: %s\n", cpu, model);
	printf("%s %.1f MHz (calibrated against CLOCK_MONOTONIC); cycles below are %s ticks\n",
	       TICK_NAME, B.tick_hz / 1e6, TICK_NAME);
	printf("%d-byte IPv4/UDP frames, bursts of %d, a pool of %d frames (%d KiB) walked in "
	       "order\n",
	       FRAME_LEN, VS_BURST, POOL_FRAMES, POOL_FRAMES * FRAME_LEN / 1024);
	printf("median of %d runs of %.2f s per row, the rows taking turns; spread = (slowest - "
	       "fastest) / median;\non-cpu = share of the runs' time this thread got the CPU "
	       "(below ~99%%: the CPU was shared, numbers are inflated)\n\n",
	       B.runs, B.seconds);
	printf("%-24s %11s %8s %10s %8s %8s %7s\n", "row", "packets", "ns/pkt", "cycles/pkt",
	       "Mpps", "spread", "on-cpu");

	if (B.only_row) { // the row must exist; only its bridge is learned and only it is measured
		struct topo *t = NULL;

		for (size_t i = 0; i < VS_ARRAY_SIZE(rows); i++)
			if (strcmp(rows[i].label, B.only_row) == 0)
				t = rows[i].topo;
		if (t == NULL)
			die("no row named '%s'", B.only_row);
		for (size_t i = 0; i < VS_ARRAY_SIZE(rows); i++)
			if (rows[i].topo != t)
				rows[i].kind = K_SKIP;
	}
	// Learn the MACs of each bridge from the frames of its first row.
	for (size_t i = 0; i < VS_ARRAY_SIZE(rows); i++) {
		if (rows[i].kind != K_FULL)
			continue;
		// A table larger than the pool is learned in several pools, the last one checked.
		for (uint32_t m = POOL_FRAMES; m < rows[i].n_macs; m += POOL_FRAMES) {
			prepare(&rows[i]);
			learn(rows[i].topo, 0);
		}
		prepare(&rows[i]);
		learn(rows[i].topo, rows[i].n_macs ? rows[i].n_macs : 1);
	}
	// Run i of every row, then run i + 1: noise lasting seconds spreads over all rows.
	for (int i = 0; i < B.runs; i++)
		for (size_t r = 0; r < VS_ARRAY_SIZE(rows); r++)
			if (row_selected(&rows[r]))
				measure(&rows[r], i);
	for (size_t r = 0; r < VS_ARRAY_SIZE(rows); r++)
		if (row_selected(&rows[r]))
			report(&rows[r]);
	vxlan_summary(rows, VS_ARRAY_SIZE(rows));
	printf("\nvs_pmd_clock(), paid once per PMD loop iteration outside these rows: %.1f ns\n",
	       clock_cost_ns());
	if (!B.no_services)
		svc_bench(&B.sw, B.pmd, B.tick_hz, B.seconds, B.runs);
	if (B.only_row == NULL)
		mt_bench(&B.sw, B.seconds, B.runs, cpu, B.cpu2);

	vs_switch_clear(&B.sw);
	vs_conf_free(vs_conf_publish(NULL));
	vs_pmd_destroy(B.pmd);
	free(B.frames);
	free(B.meta);
	free(vx_frames);
	free(vx_peer);
	return 0;
}
