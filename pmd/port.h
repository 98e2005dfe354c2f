// SPDX-License-Identifier: Apache-2.0
// Ports: the only code that knows how frames enter and leave the switch.
//
// A port is opened by the control thread with a driver type ("afxdp", ...) and
// key=value options. After that its rx queues are polled and its tx queues fed
// by exactly one PMD thread each (a queue is never shared by two threads), so
// drivers need no locks on rx_burst/rx_done/tx_burst.
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vs/compiler.h>
#include <vs/drops.h>

#include "../vswitch/dp/pkt.h"

#define VS_MAX_PMDS 64
#define VS_MAX_PORTS 1024
#define VS_MAX_PORT_OPTS 8
#define VS_MAX_TXQ 64

// Counters of one port as seen by one PMD thread: written by that thread only.
struct vs_port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t rx_csum_completed; // partial TCP/UDP checksums completed (dp/csum.h)
	uint64_t drops[VS_DROP_MAX];
} VS_CACHE_ALIGNED;

struct vs_opt {
	const char *key;
	const char *val;
};

struct vs_port;

// Receives the facts a driver adds to "vsctl show" and "vsctl port-stats" (see show_info and
// stats_info below): string or counter values under a key.
struct vs_port_info {
	void (*str)(struct vs_port_info *info, const char *key, const char *val);
	void (*u64)(struct vs_port_info *info, const char *key, uint64_t val);
};

struct vs_port_ops {
	const char *type;
	// Opens 'port' (its 'name' is set) with 'opts'. On failure returns -errno and writes a
	// one-line reason into 'err' (e.g. "veth1: cannot attach XDP program: ..."). Sets
	// n_rxq, n_txq, max_frame and the effective options (port_set_opt()).
	// Called from: control thread.
	int (*open)(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		    size_t errlen);
	// Releases everything open() acquired and leaves the device as it was found.
	// Called from: control thread, once no PMD thread can touch the port any more.
	void (*close)(struct vs_port *port);
	// Receives up to 'n' frames from rx queue 'q' into pkts[].data/len/buf. The buffers stay
	// valid until rx_done() is called for them. Called from: the PMD thread polling 'q'.
	uint16_t (*rx_burst)(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
	// Gives back the buffers of the 'n' packets last received on 'q'.
	void (*rx_done)(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
	// Transmits copies of pkts[0..n) on tx queue 'q' (every packet fits max_frame).
	// Returns how many were queued: the first ones, in order. The caller still owns pkts.
	// A driver may send a received buffer itself instead of a copy when the frame goes
	// to this port only (out_port == port->id; DPDK mbufs), and a vxlan port re-describes
	// (data, len, out_port) the unicast frames it encapsulates into their headroom before
	// handing them to its underlay: nothing reads a frame's fields after tx_burst() but
	// rx_done() and a caller counting the bytes of frames that were not queued.
	// Called from: the one PMD thread that owns tx queue 'q'.
	uint16_t (*tx_burst)(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts,
			     uint16_t n);
	// Transmits on tx queue 'q' the whole burst that rx_burst() of a port with the same
	// ops just returned, as it returned it: pkts[0..n) in order, no stage having changed a
	// frame's data, len or buf, this port their only destination, each fitting max_frame.
	// Returns how many were queued (the first ones); the others stay with that port's
	// rx_done(), as do the rest of the frames' fields. Optional: without it, such a burst
	// goes through tx_burst(). Called from: the one PMD thread that owns tx queue 'q', between
	// the other port's rx_burst() and rx_done().
	uint16_t (*tx_rx_burst)(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n);
	// Flushes anything tx_burst() left pending (e.g. completions). Optional.
	void (*tx_flush)(struct vs_port *port, uint16_t q);
	// A file descriptor that poll() reports readable when rx queue 'q' has frames, for PMD
	// threads that sleep while idle; -1 if there is none. Optional.
	int (*rx_fd)(struct vs_port *port, uint16_t q);
	// Adds drops counted by the driver or the kernel into 'drops'. Optional.
	// Called from: control thread.
	void (*driver_drops)(struct vs_port *port, uint64_t drops[VS_DROP_MAX]);
	// Adds facts about the device to "vsctl show" (e.g. link, mac, mtu); they replace the
	// generic netdev facts of the same key. Optional. Called from: control thread.
	void (*show_info)(struct vs_port *port, struct vs_port_info *info);
	// Adds the device's own statistics to "vsctl port-stats" (under "device"). Optional.
	// Called from: control thread.
	void (*stats_info)(struct vs_port *port, struct vs_port_info *info);
	// Called by every PMD thread of the driver's process when it starts and before it ends,
	// e.g. to register the thread with the driver's library. Optional.
	void (*thread_init)(void);
	void (*thread_exit)(void);
};

struct vs_port {
	char name[IF_NAMESIZE];
	uint16_t id;	    // index in the config snapshot's port table, set by the control thread
	uint16_t n_rxq;	    // set by open()
	uint16_t n_txq;	    // set by open()
	uint32_t max_frame; // largest frame tx_burst() accepts, set by open()
	const struct vs_port_ops *ops;
	void *priv; // driver state
	// Effective options, as shown by "vsctl show" (e.g. xdp-mode=native, not auto).
	uint16_t n_opts;
	char opt_key[VS_MAX_PORT_OPTS][32];
	char opt_val[VS_MAX_PORT_OPTS][64];
	int numa_node; // NUMA node of the device, -1 if unknown (may be set by open())
	struct vs_port_counters ctr[VS_MAX_PMDS]; // [pmd id]
	// Taken per burst by PMD threads that share a tx queue (more threads than queues).
	struct {
		uint32_t locked;
	} VS_CACHE_ALIGNED txlock[VS_MAX_TXQ];
	// Set by open() when no frame can arrive with a partial TCP/UDP checksum (the device
	// has no way to say so, e.g. memif): the pipeline skips checksum completion.
	bool rx_csum_full;
	// Set by open(): bytes in front of the data of every frame rx_burst() returns that are
	// the frame's own and that the pipeline may overwrite until rx_done() (e.g. a VXLAN
	// encapsulation writes its outer headers there instead of copying the frame). 0: none.
	// A driver that finds it cannot keep the promise any more may lower it (relaxed store).
	uint16_t rx_headroom;
};

static inline void vs_port_tx_lock(struct vs_port *port, uint16_t q)
{
	while (__atomic_test_and_set(&port->txlock[q].locked, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&port->txlock[q].locked, __ATOMIC_RELAXED))
			vs_cpu_relax();
}

static inline void vs_port_tx_unlock(struct vs_port *port, uint16_t q)
{
	__atomic_clear(&port->txlock[q].locked, __ATOMIC_RELEASE);
}

// Registers a driver; drivers are looked up by their type name.
void vs_port_driver_register(const struct vs_port_ops *ops);
const struct vs_port_ops *vs_port_driver_find(const char *type);

// Runs every registered driver's thread_init / thread_exit. Called from: PMD threads.
void vs_port_drivers_thread_init(void);
void vs_port_drivers_thread_exit(void);

// Opens a port of 'type' named 'name'. Returns NULL with errno set and 'err' filled.
struct vs_port *vs_port_open(const char *type, const char *name, const struct vs_opt *opts,
			     size_t n_opts, char *err, size_t errlen);
void vs_port_close(struct vs_port *port);

// Records an effective option for display. Called from: a driver's open().
void vs_port_set_opt(struct vs_port *port, const char *key, const char *fmt, ...) VS_PRINTF(3, 4);

// Sums counters over PMD threads (plus kernel drops) into 'out'.
void vs_port_counters_sum(struct vs_port *port, struct vs_port_counters *out);

// All drops of 'port' (every reason, kernel drops included), summed over PMD threads.
uint64_t vs_port_drops_total(struct vs_port *port);
