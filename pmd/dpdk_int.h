// SPDX-License-Identifier: Apache-2.0
// Internals of the DPDK port driver, shared by its files:
//   pmd/dpdk_eal.c    the EAL (init, fini, its log), the state reported, the mbuf pools
//   pmd/dpdk_gate.c   the memif burst gates, munmap() interposition, PMD thread set-up
//   pmd/dpdk.c        port open (probe, configure, start) and close, the ops table
//   pmd/dpdk_rxtx.c   the rx/tx bursts and the mbuf hand-over between ports
//   pmd/dpdk_stats.c  show and stats info (link, xstats)
// The design (buffers, transmit without copies) is described at the top of pmd/dpdk.c.
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dpdk.h"
#include "dpdk_opts.h"
#include "port.h"

#include <rte_ethdev.h>
#include <rte_mempool.h>

#define L2_OVERHEAD 22	// Ethernet header and two VLAN tags: max_frame = mtu + 22
#define POOL_MIN 8191	// mbufs in a pool at least (2^n - 1 suits the ring)
#define POOL_CACHE 256	// per-lcore mempool cache
#define POOL_SLACK 2048 // mbufs of a pool kept for caches and frames in flight
#define MAX_POOLS 32
#define RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

struct dpdk_pool {
	struct rte_mempool *mp;
	int socket;
	uint32_t data_room; // frame bytes per mbuf (headroom not counted)
	uint32_t size;
	uint32_t reserved; // mbufs promised to the rings of its ports
	uint32_t ports;
};

struct dpdk_port {
	uint16_t port_id;
	bool gate; // bursts pass through the thread's burst gate (net_memif, see munmap())
	struct rte_device *dev;
	struct dpdk_pool *pool;
	uint32_t need; // mbufs reserved in 'pool'
	bool rss;
	struct vs_dpdk_opts o;
	char driver[32];
	struct {
		uint64_t too_big; // PMD: rw, cp: ro (relaxed)
	} VS_CACHE_ALIGNED rxq[VS_DPDK_MAX_QUEUES];
	struct {
		uint64_t shared; // frames sent in their ingress mbuf (PMD owning the queue: rw)
		uint64_t copied; // frames sent in a copy
	} VS_CACHE_ALIGNED txq[VS_DPDK_MAX_QUEUES];
};

struct vs_dpdk_global {
	enum vs_dpdk_state state;
	char args[1024];
	char error[256];
	struct dpdk_pool pools[MAX_POOLS];
	unsigned n_pools;		     // cp: rw (release), PMD threads: ro (acquire)
	struct vs_port *ports[VS_MAX_PORTS]; // open dpdk ports (control thread)
	FILE *log;			     // DPDK's log stream, into vswitchd's log
	bool capture;			     // keep error messages in 'captured' (control thread)
	pthread_t control;		     // the thread that initialised the EAL
	char captured[512];
};
extern struct vs_dpdk_global vs_dpdk_g;

// Burst gates. DPDK 22.11's memif driver tears a connection down in the EAL interrupt thread
// (memif_disconnect(): clears its "connected" flag, then unmaps the shared memory) without
// waiting for a data-path thread that is inside rx/tx burst on that connection: when the
// peer goes away under traffic, a PMD thread may write into the unmapped ring and crash
// (reproduced here: vswitchd, and testpmd, die of SIGSEGV in librte_net_memif). Each PMD
// thread has a gate whose sequence number is odd while it is inside a burst on a memif port;
// munmap() called from the EAL interrupt thread first waits until every thread that was
// inside such a burst has left it. A burst that starts later sees the cleared flag and
// returns nothing (the fences order the flag against the sequence number both ways).
#define MAX_GATES 128
struct burst_gate {
	uint64_t seq;	// odd: inside a burst
	bool owned;	// claimed by a thread
} VS_CACHE_ALIGNED;
// Initial-exec TLS: a burst reads it in two instructions, as when it was static in one file.
extern __thread struct burst_gate *vs_dpdk_my_gate __attribute__((tls_model("initial-exec")));

static inline struct burst_gate *gate_enter(const struct dpdk_port *dp)
{
	struct burst_gate *gt = dp->gate ? vs_dpdk_my_gate : NULL;

	// A locked exchange is the store and the full fence in one instruction (cheaper than a
	// store followed by mfence, once per burst).
	if (gt != NULL)
		__atomic_exchange_n(&gt->seq, gt->seq + 1, __ATOMIC_SEQ_CST);
	return gt;
}

static inline void gate_exit(struct burst_gate *gt)
{
	if (gt != NULL)
		__atomic_store_n(&gt->seq, gt->seq + 1, __ATOMIC_RELEASE);
}

// pmd/dpdk_eal.c
struct dpdk_pool *vs_dpdk_pool_get(int socket, uint32_t data_room, uint32_t need, char *err,
				   size_t errlen);

// pmd/dpdk_gate.c
void vs_dpdk_thread_init(void);
void vs_dpdk_thread_exit(void);

// pmd/dpdk_rxtx.c
uint16_t vs_dpdk_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
void vs_dpdk_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
uint16_t vs_dpdk_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts, uint16_t n);
uint16_t vs_dpdk_tx_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
void vs_dpdk_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX]);

// pmd/dpdk_stats.c
void vs_dpdk_show_info(struct vs_port *port, struct vs_port_info *info);
void vs_dpdk_stats_info(struct vs_port *port, struct vs_port_info *info);
