// SPDX-License-Identifier: Apache-2.0
// VXLAN ports, control side: what vxlan.c (the port driver, snapshot, run time),
// vxlan_opts.c (add-port / set-port options) and vxlan_underlay.c (the underlay devices
// vxlan ports share) have in common. Internal to vswitch/cp/vxlan*.c; control thread only.
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vxlan.h"
#include "vxlan_arp.h"

// Sets the one-line message 'err' (of size 'errlen', both in scope) and gives -code.
#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

// An underlay device, shared by the vxlan ports that name it.
struct underlay {
	char name[IF_NAMESIZE];
	char type[16];
	struct vs_port *port;
	uint32_t local_ip;
	uint16_t dst_port;
	unsigned refs;
	uint16_t queues;  // as asked (0: the driver's default)
	uint8_t *scratch; // VS_MAX_PMDS x VS_BURST slots for encapsulated frames
	struct vs_vxlan_txq *txq; // [VS_MAX_PMDS]: the packets handed to the underlay
	uint32_t slot;
	// dpdk underlays (the kernel does not see them): vswitchd's own ARP, else NULL.
	struct vs_arp_table *arp;
	char devargs[256];
	uint32_t gw;
	uint32_t mtu; // the driver's MTU (dpdk), 0: unknown
};

// Options of add-port / set-port.
struct vx_opts {
	uint32_t vni, local_ip;
	uint16_t dst_port, n_remotes;
	uint32_t remotes[VS_VXLAN_MAX_REMOTES];
	uint8_t ttl;
	bool udp_csum;
	char underlay[IF_NAMESIZE];
	char type[16];
	uint16_t queues;   // underlay_queues, 0: the driver's default
	char devargs[256]; // underlay_devargs (dpdk underlays)
	uint32_t gw;	   // underlay_gw, host order, 0: remote VTEPs on-link
	bool has_vni, has_local, has_remote, has_underlay;
};

// --- vxlan_opts.c -------------------------------------------------------------------------

// Formats 'ip' (host order) as dotted quad into 'buf' ("?" if it does not fit).
void vs_vxlan_ip_str(uint32_t ip, char *buf, size_t len);
// Parses one option into 'o'. 'runtime': only what set-port may change. Returns 0 or -errno
// with a one-line message in 'err'.
int vs_vxlan_parse_opt(struct vx_opts *o, const struct vs_opt *opt, bool runtime, char *err,
		       size_t errlen);

// --- vxlan_underlay.c ---------------------------------------------------------------------

// The open underlays (NULL: a free slot).
extern struct underlay *vs_vxlan_underlays[VS_VXLAN_MAX_UNDERLAYS];

// The device that holds 'ip' (host order) in this network namespace: 0 or -errno.
int vs_vxlan_device_of(uint32_t ip, char *name, size_t len);
// The underlay 'o' names, opened on first use, else shared (one more reference) if 'o'
// agrees with how it is open. NULL with errno set and a message in 'err' on error.
struct underlay *vs_vxlan_underlay_get(const struct vx_opts *o, char *err, size_t errlen);
// Drops a reference; the last one closes the underlay. Call once no configuration snapshot
// in use lists the underlay's vxlan ports.
void vs_vxlan_underlay_put(struct underlay *ul);
