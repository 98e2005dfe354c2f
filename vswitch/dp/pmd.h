// SPDX-License-Identifier: Apache-2.0
// A PMD (poll-mode driver) thread: pinned to one CPU, it busy-polls the rx
// queues its configuration assigns it and runs the pipeline on each burst.
// Everything in struct vs_pmd is private to that thread except where noted.
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "learn.h"
#include "pkt.h"

#define VS_LEARN_CACHE 256 // recently requested learn events, to send each once

struct vs_pmd {
	uint16_t id;
	int cpu;
	pthread_t thread;
	bool running; // cp: rw (start/stop), dp: ro
	bool stop;    // cp: rw, dp: ro (relaxed)
	// Idle policy, set before the thread starts: 0 = busy-poll always; otherwise sleep in
	// poll() on the rx queues after this many microseconds without a frame.
	uint32_t idle_us;
	int numa_node; // NUMA node of 'cpu' (libnuma), -1 if unknown

	uint32_t now_s;	 // monotonic seconds, refreshed each loop iteration
	uint64_t now_ms; // monotonic milliseconds

	struct vs_learn_ring *learn; // to the control thread

	// Activity, written by this thread only (relaxed), read by the control thread.
	struct {
		uint64_t loops;	      // poll loop iterations
		uint64_t rx_packets;  // frames received
		uint64_t rx_bursts;   // non-empty rx bursts
		uint64_t cycles_busy; // in iterations that received frames
		uint64_t cycles_idle; // in iterations that received nothing
		uint64_t sleeps;      // times it slept in poll() (adaptive idle)
	} stats;

	struct vs_pkt pkts[VS_BURST] VS_CACHE_ALIGNED;

	// Output staging, per egress port, filled by vs_output_burst, emptied by vs_output_flush.
	uint16_t n_touched;
	uint16_t touched[VS_MAX_PORTS];
	uint16_t tx_n[VS_MAX_PORTS];
	struct vs_pkt *tx_pkts[VS_MAX_PORTS][VS_BURST];
	uint32_t tx_bytes[VS_MAX_PORTS]; // bytes of the tx_n[] staged packets

	struct {
		uint64_t mac;
		uint16_t bridge;
		uint16_t port;
		uint32_t when_ms;
		uint32_t vtep; // remote VTEP (vxlan ports)
	} learn_cache[VS_LEARN_CACHE];
};

// Allocates a PMD context for thread 'id' pinned to 'cpu' (not started). NULL + errno on error.
struct vs_pmd *vs_pmd_create(uint16_t id, int cpu);
void vs_pmd_destroy(struct vs_pmd *pmd);
// Starts/stops the thread. Called from: control thread.
int vs_pmd_start(struct vs_pmd *pmd);
void vs_pmd_stop(struct vs_pmd *pmd);
// Refreshes now_s/now_ms.
void vs_pmd_clock(struct vs_pmd *pmd);
// Runs the pipeline (parse, csum, l2, output, tx) on the 'n' frames in pmd->pkts that were
// received on 'port'. Called from: the PMD thread (and benchmarks).
void vs_pmd_pipeline(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
		     uint16_t n);
// Polls every rx queue of 'conf' assigned to this thread once. Returns packets received.
uint32_t vs_pmd_poll_once(struct vs_pmd *pmd, const struct vs_conf *conf);
// Monotonic clock in seconds, shared by PMD and control threads for MAC ageing.
uint32_t vs_now_s(void);
