// SPDX-License-Identifier: Apache-2.0
// The configuration snapshot PMD threads forward with.
//
// A snapshot is immutable once published: the control thread builds a new one
// for every change, publishes it with vs_conf_publish() and frees the old one
// after vs_rcu_synchronize(). A PMD thread loads the current snapshot once per
// poll loop iteration, so one burst never sees two configurations. The MAC
// tables it points to are the one piece of shared state that changes in place
// (single writer, see fdb.h).
#pragma once

#include <stdint.h>

#include "../../pmd/port.h"
#include "fdb.h"

enum vs_bridge_type {
	VS_BRIDGE_LEARNING, // MAC learning bridge (dp/l2.c)
	VS_BRIDGE_MACVLAN,  // parent port demultiplexed into child ports (dp/macvlan.c)
};

struct vs_macvlan_dp;
struct vs_svc_br;

struct vs_dp_bridge {
	uint16_t id;
	struct vs_fdb *fdb;
	uint8_t type;			 // enum vs_bridge_type
	struct vs_macvlan_dp *mv;	 // VS_BRIDGE_MACVLAN: its table, owned by the snapshot
	struct vs_svc_br *svc; // services (dp/svc.h), NULL if the bridge never had one
	uint16_t n_ports;
	uint16_t ports[]; // port ids: the flood list
};

struct vs_rxq {
	struct vs_port *port;
	uint16_t qid;
};

// What one PMD thread polls and flushes.
struct vs_pmd_conf {
	uint16_t n_rxq;
	uint16_t n_txport;
	struct vs_rxq *rxq;
	struct vs_port **txport; // ports whose tx queue this thread owns
};

struct vs_vxlan_conf;

struct vs_conf {
	uint64_t gen;
	struct vs_port *ports[VS_MAX_PORTS];		     // by port id, NULL if free
	const struct vs_dp_bridge *bridge_of[VS_MAX_PORTS]; // by port id
	uint8_t tx_shared[VS_MAX_PORTS]; // by port id: PMD threads share its tx queues (lock)
	uint16_t n_pmds;
	uint16_t n_bridges;
	struct vs_dp_bridge **bridges;
	struct vs_pmd_conf pmd[VS_MAX_PMDS];
	struct vs_vxlan_conf *vxlan; // VXLAN underlays and VNIs (dp/vxlan.h), NULL if none; one
				     // allocation, freed with the snapshot
	bool any_svc; // some bridge has a service table (svc != NULL): the pipeline runs dp/svc
};

// The tx queue PMD thread 'pmd' uses on 'port'.
static inline uint16_t vs_conf_txq(const struct vs_port *port, unsigned pmd)
{
	return (uint16_t)(pmd % port->n_txq);
}

// Called from: PMD threads (once per loop iteration).
const struct vs_conf *vs_conf_current(void);
// Publishes 'conf' and returns the previous snapshot, to be freed after
// vs_rcu_synchronize(). Called from: control thread.
struct vs_conf *vs_conf_publish(struct vs_conf *conf);
// Frees a snapshot (not the ports or MAC tables it points to).
void vs_conf_free(struct vs_conf *conf);
