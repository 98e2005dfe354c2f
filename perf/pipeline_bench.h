// SPDX-License-Identifier: Apache-2.0
// Internal header of pipeline_bench (single-thread rows). The sources:
//   pipeline_bench.c    options, CPU pinning, set-up order, main()
//   pipeline_pool.c     the frame pool: MACs, bridges of mem ports, writing frames, learning
//   pipeline_rows.c     the row table and the kernels that run a row's bursts
//   pipeline_vxlan.c    the VXLAN rows (bridge "vx") and their summary
//   pipeline_macvlan.c  the macvlan rows (bridge "mv")
//   pipeline_measure.c  timing a run, checking the path it took, printing the row
// svc_bench.c and mt_bench.c add the service and two-thread rows; bench_common.[ch] holds
// what all of them share.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <vs/compiler.h>

#include "../vswitch/cp/switch.h"
#include "../vswitch/dp/pmd.h"

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
#define SIDE_MACS (POOL_FRAMES / 2)	 // MACs per side of a unicast bridge, at most
#define CHUNK 64			 // bursts between two reads of the clock
#define MV_CHILDREN 100			 // children of the macvlan row's bridge
#define MAX_TOPO_PORTS (MV_CHILDREN + 1) // the macvlan bridge: parent + children
#define MAX_RUNS 101
#define BROADCAST 0xffffffffffffULL
#define TX_RING "4096"
#define SIDE_MACS_MAX 65536 // MACs per side for rows with more MACs than the pool has frames
#define UNKNOWN_MAC 0x02fffffffe01ULL // a unicast MAC no bridge ever learns

struct topo {
	const char *bridge;
	uint16_t n_ports;
	uint32_t table_size; // mac-table-size, 0 for the default
	uint16_t id[MAX_TOPO_PORTS];
	struct vs_port *port[MAX_TOPO_PORTS];
	bool macvlan; // a macvlan bridge: port 0 the parent, then one child per MAC of pb.macs[1]
	bool whole;   // mem ports with rx-csum-full=1: bursts of one MAC pair are sent whole
};

enum kind { K_FULL, K_PARSE, K_CSUM, K_L2, K_OUTPUT, K_MV_FULL, K_VX_ENCAP, K_VX_DECAP, K_SKIP,
	    K_VX_PLAIN };

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
	double wall_ns, cpu_ns;	 // time of the timed runs, and how much of it this thread ran
	bool unknown_dst;	 // flood rows: unicast to UNKNOWN_MAC instead of broadcast
	uint32_t mac_offset;	 // rows with n_macs > POOL_FRAMES: first MAC of the next pool
	double med_ns;		 // median ns/pkt, set by report()
	double cpu_pp[MAX_RUNS]; // per run: this thread's CPU time per packet (ns)
	double tpp[MAX_RUNS];	 // per run: ticks per packet, in run order (res[] gets sorted)
	bool vx_copy; // vxlan encap rows: as if the ingress port had no headroom (scratch copy)
};

// The benchmark's state (pipeline_bench.c).
struct pipeline_bench {
	struct vs_switch sw;
	struct vs_pmd *pmd;
	const struct vs_conf *conf;
	uint8_t *frames;		 // POOL_FRAMES frames of FRAME_LEN bytes
	uint16_t in_port[POOL_BURSTS];	 // ingress port id of each burst of the pool
	struct vs_pkt *meta;		 // POOL_FRAMES pre-computed packets for stage-only rows
	uint64_t macs[2][SIDE_MACS_MAX]; // unicast MACs: [side][i]
	uint32_t mac_offset;		 // first MAC of the pool fill_unicast() writes
	double tick_hz;
	double seconds;
	int runs;
	uint64_t bursts;      // --bursts: a fixed number of timed bursts per run (0: --seconds)
	const char *only_row; // --row: measure this row only
	bool no_services;     // --no-services: skip the service rows (svc_bench.c)
	int cpu2;	      // --cpu2: the second thread's CPU of the two-thread rows
};

extern struct pipeline_bench pb;

// "pipeline_bench: <message>" on stderr, exit 1 (pipeline_bench.c).
void die(const char *fmt, ...) VS_PRINTF(1, 2);

// What a zero-copy driver's rx_burst does: point the packets at the frames of burst 'b'.
static inline void rx(uint32_t b)
{
	struct vs_pkt *pkts = pb.pmd->pkts;

	for (uint32_t i = 0; i < VS_BURST; i++) {
		pkts[i].data = pb.frames + (size_t)(b * VS_BURST + i) * FRAME_LEN;
		pkts[i].len = FRAME_LEN;
		pkts[i].buf = b * VS_BURST + i;
	}
}

// --- pipeline_pool.c ---
// Allocates the pool and the packets of stage-only rows, writes the frame template into every
// frame of the pool and sets pb.macs.
void pool_init(void);
void pool_free(void);
// A bridge of 't->n_ports' mem ports named "<bridge>-<i>".
void add_topo(struct topo *t);
// Writes the frames (and for stage-only rows the packets) that row 'r' works on.
void prepare(struct row *r);
// Sends the pool through the pipeline once, applying learning after every burst, so that
// every source MAC of the pool is in the table. Checks the table holds 'expect' entries
// (unless 'expect' is 0).
void learn(struct topo *t, uint32_t expect);

// --- pipeline_rows.c ---
extern struct row pb_rows[];
extern const size_t pb_n_rows;
// Adds the bridges of the rows but the macvlan one (whose children's MACs are pb.macs[1]).
void rows_add_topos(void);
// After pool_init(): adds the macvlan bridge and learns the VXLAN bridge's MACs.
void rows_add_late_topos(void);
// Runs 'n' bursts of row 'r', from r->pos on: the measured work (perf/callgrind.sh counts
// the instructions inside this function, by its name).
void run_bursts(struct row *r, uint32_t n);

// --- pipeline_vxlan.c ---
extern struct topo vxt;
void add_vxlan_topo(struct topo *t);
// MACs of side 0 on port 0, of side 1 behind the remote VTEP (as learned from its frames).
void learn_vxlan(struct topo *t, uint32_t n_macs);
void fill_vxlan(const struct row *r);
void k_vxlan(struct row *r, uint32_t n);
// VXLAN against plain L2 from this run's medians, if those rows were measured.
void vxlan_summary(const struct row *rows, size_t n);
void vxlan_free(void);

// --- pipeline_macvlan.c ---
// A macvlan bridge: port 0 the parent, port 1 + i the child with MAC pb.macs[1][i].
void add_mv_topo(struct topo *t);
void fill_macvlan(const struct topo *t, bool runs);
void k_mv_full(struct row *r, uint32_t n);
// Checks the L2 stage sent every packet of pb.meta to its child (the macvlan-only row).
void mv_check_l2(const struct row *r);

// --- pipeline_measure.c ---
// Ticks per second of ticks(), against CLOCK_MONOTONIC over ~200 ms.
double calibrate(void);
// Measures run 'i' of row 'r': bursts for pb.seconds, after one untimed pass over the pool.
void measure(struct row *r, int i);
// Prints the median of the runs of 'r'.
void report(struct row *r);
// ns per vs_pmd_clock() call: the PMD loop pays it once per iteration, outside vs_pmd_pipeline().
double clock_cost_ns(void);
// Whether row 'r' is measured (--row).
bool row_selected(const struct row *r);
// The row labelled 'label' if it was measured, else NULL.
const struct row *measured_row(const struct row *rows, size_t n, const char *label);
// Median of the per-run CPU time per packet of 'r'.
double median_cpu_pp(const struct row *r);
