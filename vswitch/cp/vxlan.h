// SPDX-License-Identifier: Apache-2.0
// VXLAN ports, control side: the "vxlan" port driver (options, underlays), the
// VNI table of configuration snapshots, next-hop resolution of remote VTEPs and
// run-time changes (set-port). Everything here runs on the control thread.
//
//   add-port BR PORT type=vxlan vni=N local_ip=A remote_ip=B[,C...] [dst_port=4789]
//            [underlay=DEV] [underlay_type=afxdp] [ttl=64] [udp_csum=false]
//            [underlay_type=dpdk underlay_devargs=DEVARGS [underlay_gw=IP]]
//
// The underlay DEV (default: the device that holds local_ip) is opened once, through
// the port driver 'underlay_type', for every vxlan port that names it; an AF_XDP
// underlay gets the XDP program that takes only VXLAN to local_ip:dst_port and
// leaves everything else to the kernel. A DPDK underlay is invisible to the kernel:
// vswitchd answers ARP for local_ip and resolves next hops itself (vxlan_arp.h). Underlays are not bridge ports: the
// configuration snapshot lists them (struct vs_vxlan_conf) and their rx queues.
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../../pmd/port.h"
#include "../dp/vxlan.h"
#include "switch.h"

extern const struct vs_port_ops vs_vxlan_ops;

// How the control thread learns facts about the underlay and the next hops of remote VTEPs.
// The default asks the kernel (netdev ioctls, rtnetlink); unit tests install their own.
struct vs_vxlan_resolver {
	// MAC address and MTU of underlay device 'dev'. 0 or -errno.
	int (*dev_mac)(const char *dev, uint64_t *mac);
	int (*dev_mtu)(const char *dev, int *mtu);
	// MAC of the next hop towards 'ip' (host order) through 'dev': 0 with '*mac' set, or
	// -errno (-EAGAIN: not resolved yet, the kernel was asked to resolve it).
	int (*neigh)(const char *dev, uint32_t ip, uint64_t *mac);
};

// Installs 'r' (NULL: the kernel resolver). Call before adding vxlan ports.
void vs_vxlan_set_resolver(const struct vs_vxlan_resolver *r);
// The kernel resolver (vswitch/cp/vxlan_neigh.c).
extern const struct vs_vxlan_resolver vs_vxlan_kernel_resolver;

// Adds the VNI table and the underlays' rx queues to snapshot 'conf' (built from 'sw');
// '*rr' is the round-robin position of rx queue assignment. Returns 0 or -ENOMEM.
int vs_vxlan_conf_build(const struct vs_switch *sw, struct vs_conf *conf, unsigned *rr);

// Re-resolves next hops, underlay MACs and MTUs (every second, every 100 ms while a remote
// VTEP is unresolved) and publishes the ports whose transmit state changed.
void vs_vxlan_housekeeping(struct vs_switch *sw);

// set-port: changes remote_ip, ttl or udp_csum of vxlan port 'id'. Returns 0 or -errno with
// a one-line message in 'err'; nothing changes on error.
int vs_vxlan_set_port(struct vs_switch *sw, uint16_t id, const struct vs_opt *opts, size_t n_opts,
		      char *err, size_t errlen);

// Whether 'name' is an underlay device of some vxlan port.
bool vs_vxlan_is_underlay(const char *name);
// Replaces the netdev facts of vxlan port 'port' in its "show" object 'p' (it has no netdev):
// inner MTU, the underlay's link state, and each remote VTEP with its next hop's MAC.
void vs_vxlan_query_port(const struct vs_port *port, json_t *p);
// Appends port-stats objects for the underlays ('name' NULL: all; else only that one) to 'a'.
void vs_vxlan_query_underlay_stats(json_t *a, const char *name);
