// SPDX-License-Identifier: Apache-2.0
// Service load balancing stage (between checksum completion and L2).
//
// For a bridge with services it:
//  - answers ARP requests for the service addresses (VIPs) with the bridge's own MAC,
//    sending the reply back out of the ingress port;
//  - learns backend MAC addresses from the ARP packets it sees and, when a new
//    connection goes to a backend whose MAC is not known (or no longer in the MAC
//    table), turns that packet into an ARP request for the backend (the client's
//    retransmission then goes through);
//  - DNATs new TCP/UDP connections to a VIP:port to a backend picked by Maglev hashing of
//    the 5-tuple (or of the client address with affinity=client-ip), recording them in
//    the bridge's connection table (conntrack.h); rewrites the destination address, port
//    and MAC with incremental checksum updates (RFC 1624);
//  - reverse-NATs the backend's replies so that the client only sees the VIP;
//  - source-NATs hairpin connections (a backend that reaches its own service and is
//    picked for itself) to the VIP, so that the backend replies through the switch;
//  - answers connections to a service without backends, and packets of connections
//    whose backend was removed, with a TCP RST.
// Packets it answers itself leave with out_port set, and the L2 stage leaves them alone.
//
// Concurrency: 'snap' is immutable and replaced by the control thread (RCU); the
// neighbour table's MAC words are written by PMD threads (relaxed 64-bit stores) and its
// addresses by the control thread; the connection table is described in conntrack.h.
#pragma once

#include <stdint.h>

#include "conntrack.h"
#include "pkt.h"

struct vs_pmd;
struct vs_conf;

#define VS_SVC_AFFINITY_NONE 0
#define VS_SVC_AFFINITY_CLIENT_IP 1

struct vs_svc_backend {
	uint32_t ip;
	uint16_t port;
};

// One service, immutable once published.
struct vs_svc {
	uint32_t id; // unique on its bridge, kept by set-service
	uint32_t vip;
	uint16_t vport;
	uint8_t proto; // 6 or 17
	uint8_t affinity;
	uint32_t affinity_timeout; // seconds
	uint32_t n_backends;
	uint32_t m; // Maglev table size, 0 without backends
	struct vs_svc_backend *backends;
	uint16_t *table; // m backend indices
	char name[64];
};

// Services of a bridge as the datapath sees them.
struct vs_svc_snap {
	uint32_t n_svc;
	uint32_t vmask;		    // vtab size - 1
	const struct vs_svc **vtab; // by (vip, vport, proto), open addressing, NULL: empty
	uint32_t imask;		    // vips size - 1
	uint32_t *vips;		    // VIP addresses answered for in ARP, 0: empty
};

// Backend addresses and their MACs (0: not known yet).
struct vs_neigh {
	uint32_t ip; // cp: rw (before the table is published), dp: ro
	uint32_t pad;
	uint64_t mac; // dp: rw (relaxed), cp: ro
};

struct vs_neigh_tab {
	uint32_t mask;
	uint32_t count; // cp only
	struct vs_neigh ent[];
};

// Per-PMD counters of the stage, written by that PMD thread only.
struct vs_svc_ctr {
	uint64_t new_conns;    // connections DNATed
	uint64_t arp_replies;  // ARP requests for a VIP answered
	uint64_t arp_requests; // ARP requests sent to resolve a backend
	uint64_t resets;       // TCP RSTs sent
} VS_CACHE_ALIGNED;

// The service state of one bridge; lives as long as the bridge has services.
struct vs_svc_br {
	struct vs_svc_snap *snap;   // cp: rw (publish), dp: ro (acquire, once per burst)
	struct vs_neigh_tab *neigh; // cp: rw (swap), dp: ro (acquire)
	struct vs_ct *ct;	    // cp: rw (swap), dp: ro (acquire)
	uint64_t mac;		    // the switch's own MAC on this bridge
	struct vs_svc_ctr ctr[VS_MAX_PMDS];
};

static inline uint32_t vs_svc_vhash(uint32_t vip, uint16_t port, uint8_t proto)
{
	uint64_t h = ((uint64_t)vip << 24 | (uint64_t)port << 8 | proto) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32);
}

static inline uint32_t vs_svc_ihash(uint32_t ip)
{
	return (uint32_t)(((uint64_t)ip * 0x9e3779b97f4a7c15ULL) >> 32);
}

// The service at vip:port/proto in 'snap', or NULL.
static inline const struct vs_svc *vs_svc_find(const struct vs_svc_snap *snap, uint32_t vip,
					       uint16_t port, uint8_t proto)
{
	for (uint32_t i = vs_svc_vhash(vip, port, proto) & snap->vmask;;
	     i = (i + 1) & snap->vmask) {
		const struct vs_svc *s = snap->vtab[i];

		if (s == NULL)
			return NULL;
		if (s->vip == vip && s->vport == port && s->proto == proto)
			return s;
	}
}

// The neighbour entry of 'ip', or NULL.
static inline struct vs_neigh *vs_neigh_find(struct vs_neigh_tab *t, uint32_t ip)
{
	for (uint32_t i = vs_svc_ihash(ip) & t->mask;; i = (i + 1) & t->mask) {
		uint32_t e = __atomic_load_n(&t->ent[i].ip, __ATOMIC_ACQUIRE);

		if (e == 0)
			return NULL;
		if (e == ip)
			return &t->ent[i];
	}
}

// Runs the stage over a burst received on one port. Called from: PMD threads.
void vs_svc_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n);
