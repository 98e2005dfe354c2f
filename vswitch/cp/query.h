// SPDX-License-Identifier: Apache-2.0
// Read-only views of the switch for the control protocol (show, fdb-show, port-stats).
#pragma once

#include <jansson.h>

#include "switch.h"

json_t *vs_query_bridge_names(const struct vs_switch *sw);
json_t *vs_query_port_names(const struct vs_switch *sw, const struct vs_bridge *br);
void vs_query_show(struct vs_switch *sw, json_t *res);
// Fills 'res' with the MAC table of 'br'. Returns 0 or -ENOMEM.
int vs_query_fdb(struct vs_switch *sw, struct vs_bridge *br, json_t *res);
// Activity of every PMD thread and the rx queues it polls.
json_t *vs_query_pmd_stats(struct vs_switch *sw);
// Counters of port 'name', or of every port if NULL.
json_t *vs_query_port_stats(struct vs_switch *sw, const char *name);
// The DPDK mbuf pools (name, NUMA node, size, in use...); empty without DPDK.
json_t *vs_query_dpdk_pools(void);
