// SPDX-License-Identifier: Apache-2.0
// The kernel side of the XDP fast path (docs/xdp-fastpath.md), as the control thread
// drives it: the shared BPF maps (MAC table, devmap, counters) and each AF_XDP port's
// program configuration. vswitch/cp/fastpath.c decides what goes in; this only writes.
// Everything here runs on the control thread; PMD threads never call it.
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct vs_port;
struct bpf_object;

// What the fast path can do with one port.
struct vs_fp_port_state {
	bool capable;	  // an AF_XDP port whose XDP program has the fast path (ingress)
	bool egress;	  // frames may be redirected to it: a veth whose peer has NAPI
	bool sg;	  // multi-buffer frames too
	uint32_t ifindex; // its device
	uint32_t max_len; // largest frame its device and the device's peer accept
};

struct vs_fp_ctrs {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_csum; // partial checksums the XDP program completed
};

// The operations vswitch/cp/fastpath.c needs. vswitchd uses vs_xdp_fastpath_ops; unit
// tests put their own in.
struct vs_fastpath_ops {
	void (*port_state)(struct vs_port *port, struct vs_fp_port_state *st);
	// Turns the fast path of 'port''s program on (frames of 'bridge' from it may be
	// forwarded by XDP) or off, and puts 'port' in the devmap or takes it out.
	int (*port_set)(struct vs_port *port, uint16_t bridge, bool ingress, bool egress);
	// Forgets port id 'id': its devmap slot and counters (before the id is reused).
	void (*port_clear)(uint16_t id);
	int (*fdb_put)(uint16_t bridge, uint64_t mac, uint16_t port,
		       const struct vs_fp_port_state *st);
	int (*fdb_del)(uint16_t bridge, uint64_t mac);
	// Nanoseconds since XDP last forwarded a frame from 'mac', or -1 if it never did.
	int64_t (*fdb_idle_ns)(uint16_t bridge, uint64_t mac);
	// Fast-path counters of port id 'id', summed over CPUs.
	void (*port_ctrs)(uint16_t id, struct vs_fp_ctrs *out);
	// The device's tx_dropped counter (where veth counts frames redirected to it that its
	// peer could not take), or -1.
	int64_t (*tx_dropped)(struct vs_port *port);
};

extern const struct vs_fastpath_ops vs_xdp_fastpath_ops;

// Called by the AF_XDP driver between opening and loading an object of
// xsk_redirect.bpf.c: makes it use the shared maps. If they cannot be created the
// object keeps its own, and the fast path stays unavailable (ports work as before).
void vs_xdp_fastpath_prepare(struct bpf_object *obj);
