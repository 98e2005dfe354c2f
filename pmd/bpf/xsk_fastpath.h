// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Layout shared by the XDP fast path (pmd/bpf/xsk_redirect.bpf.c) and vswitchd
// (pmd/xdp_fastpath.c): map keys, values and the per-port configuration.
#pragma once

#include <linux/types.h>

#define VS_FP_MAX_PORTS 1024	// = VS_MAX_PORTS: devmap and counters are indexed by port id
#define VS_FP_FDB_ENTRIES 65536 // MAC entries of every fast-path bridge together
#define VS_FP_F_EGRESS 0x1	// the entry's port may be a fast-path egress
#define VS_FP_F_SG 0x2		// ... of multi-buffer frames too (xdp-features ndo-xmit-sg)

// The MAC table of fast-path bridges (BPF_MAP_TYPE_HASH).
struct vs_fp_key {
	__u16 bridge; // bridge id
	__u8 mac[6];
};

struct vs_fp_val {
	__u16 port;    // port id the MAC sits behind (and its devmap index)
	__u16 flags;   // VS_FP_F_*
	__u32 ifindex; // that port's device, checked against the devmap entry
	__u32 max_len; // largest frame the egress device and its peer accept
	__u32 pad;
	__u64 seen_ns; // bpf_ktime_get_ns() of the last fast-path frame from this MAC
};

// Per-port counters (BPF_MAP_TYPE_PERCPU_ARRAY, index: port id).
struct vs_fp_ctr {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 rx_csum; // partial TCP/UDP checksums the program completed (ingress port)
};

// The configuration of one port's program, in its .bss (written by vswitchd at run time).
struct vs_fp_port {
	__u32 enabled; // 0: every frame goes to the AF_XDP socket (the fast path is off)
	__u16 bridge;
	__u16 port;
};
