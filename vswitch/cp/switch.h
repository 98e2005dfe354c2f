// SPDX-License-Identifier: Apache-2.0
// The switch as the control thread sees it: bridges, ports, PMD threads.
//
// Every change goes the same way: validate, change this model, then
// vs_switch_publish() builds a new immutable snapshot for the PMD threads,
// publishes it and frees the old one after an RCU grace period. A change that
// fails validation leaves the model untouched. All functions here run on the
// control thread only.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../pmd/port.h"
#include "../dp/conf.h"
#include "../dp/pmd.h"

#define VS_MAX_BRIDGES 256
#define VS_NAME_MAX 15
#define VS_DEFAULT_MAC_AGING 300
#define VS_DEFAULT_MAC_TABLE_SIZE 8192
#define VS_MIN_MAC_AGING 10
#define VS_MAX_MAC_AGING 1000000
#define VS_MIN_MAC_TABLE_SIZE 16
#define VS_MAX_MAC_TABLE_SIZE (1u << 20)

struct vs_bridge {
	char name[VS_NAME_MAX + 1];
	uint16_t id;
	uint32_t mac_aging;	 // seconds
	uint32_t mac_table_size; // limit of the MAC table
	struct vs_fdb *fdb;
	uint16_t n_ports;
	uint16_t *ports; // port ids, in the order they were added
	struct vs_macvlan *mv; // NULL: a learning bridge; else a macvlan bridge (cp/macvlan.h)
	struct vs_services *services; // cp/service.h
	struct vs_fp_bridge *fp;      // fastpath=xdp state (cp/fastpath.h), NULL: off
};

struct vs_switch {
	struct vs_bridge *bridges[VS_MAX_BRIDGES]; // by bridge id
	struct vs_port *ports[VS_MAX_PORTS];	    // by port id
	uint16_t port_bridge[VS_MAX_PORTS];	    // bridge id of each port
	// pmd-rxq-affinity of each port: the CPU whose PMD thread polls each rx queue, or -1.
	int16_t *rxq_cpu[VS_MAX_PORTS];
	uint16_t n_pmds;
	struct vs_pmd *pmds[VS_MAX_PMDS];
	bool pmd_adaptive;	// --pmd-idle adaptive
	uint32_t pmd_idle_us;	// idle time before an adaptive PMD thread sleeps
	uint64_t gen;		// snapshots published
	uint32_t last_age_s;	// last ageing pass
};

// Bridge options as given by a client; a zero field means "unchanged/default".
struct vs_bridge_opts {
	uint32_t mac_aging;
	uint32_t mac_table_size;
	uint32_t conntrack_size;	// cp/service.h
	uint32_t conntrack_tcp_timeout;
	uint32_t conntrack_udp_timeout;
	uint32_t fastpath; // VS_FASTPATH_OFF or VS_FASTPATH_XDP (cp/fastpath.h)
};

void vs_switch_init(struct vs_switch *sw);
// Removes every bridge and port (closing ports, detaching XDP). Stops nothing else.
void vs_switch_clear(struct vs_switch *sw);

struct vs_bridge *vs_switch_bridge(struct vs_switch *sw, const char *name);
// Returns the port id of 'name', or -1.
int vs_switch_port_id(const struct vs_switch *sw, const char *name);

// Each returns 0, or -errno with a one-line message in 'err'.
int vs_switch_add_bridge(struct vs_switch *sw, const char *name, const struct vs_bridge_opts *o,
			 char *err, size_t errlen);
int vs_switch_del_bridge(struct vs_switch *sw, const char *name, char *err, size_t errlen);
int vs_switch_set_bridge(struct vs_switch *sw, const char *name, const struct vs_bridge_opts *o,
			 char *err, size_t errlen);
int vs_switch_add_port(struct vs_switch *sw, const char *bridge, const char *name, const char *type,
		       const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen);
int vs_switch_del_port(struct vs_switch *sw, const char *bridge, const char *name, char *err,
		       size_t errlen);
int vs_switch_fdb_add(struct vs_switch *sw, const char *bridge, const char *mac, const char *port,
		      char *err, size_t errlen);
int vs_switch_fdb_del(struct vs_switch *sw, const char *bridge, const char *mac, char *err,
		      size_t errlen);
// Returns the number of entries removed, or -errno.
int vs_switch_fdb_flush(struct vs_switch *sw, const char *bridge, char *err, size_t errlen);

// Applies pending learning requests, ages MAC tables once a second. Call often.
void vs_switch_housekeeping(struct vs_switch *sw);
// Publishes a snapshot of the model to the PMD threads and frees the previous one.
int vs_switch_publish(struct vs_switch *sw);

// Parses a CPU list such as "1", "0,2" or "0-3" into 'cpus' (at most VS_MAX_PMDS): CPUs
// must be available to this process and listed once. Returns the count or -EINVAL.
int vs_cpu_list_parse(const char *s, int *cpus, char *err, size_t errlen);
// Runs one PMD thread per CPU in 'cpus', with the idle policy of sw->pmd_adaptive and
// sw->pmd_idle_us: stops the current threads (traffic pauses for a moment), starts the new
// ones and reassigns the rx queues. Returns 0 or -errno with a message in 'err'.
int vs_switch_set_pmds(struct vs_switch *sw, const int *cpus, int n, char *err, size_t errlen);
// Stops and frees every PMD thread.
void vs_switch_stop_pmds(struct vs_switch *sw);

// Validates a bridge name: 1-15 characters of [A-Za-z0-9_.-].
bool vs_switch_valid_name(const char *name);

// Changes options of port 'name' of 'bridge' at run time (macvlan child: mac=MAC).
// Returns 0, or -errno with a one-line message in 'err' (cp/set_port.c).
int vs_switch_set_port(struct vs_switch *sw, const char *bridge, const char *name,
		       const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen);

// Validates a name of 1-'max' characters of [A-Za-z0-9_.-] (bridges, ports, services).
bool vs_switch_valid_name_max(const char *name, size_t max);
