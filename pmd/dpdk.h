// SPDX-License-Identifier: Apache-2.0
// DPDK ports (type "dpdk") and the DPDK environment (EAL) they need.
//
// The EAL is initialised once, at start, and only when vswitchd is given --dpdk "EAL ARGS"
// (vs_dpdk_init()). After that "vsctl add-port BR NAME type=dpdk devargs=..." probes a PCI
// device or creates a virtual device (net_tap, net_af_packet, net_af_xdp, net_memif,
// net_vhost, ...) and del-port removes it again, at run time. See docs/dpdk.md.
//
// Built without DPDK (meson -Ddpdk=disabled, or libdpdk not found), the same functions exist
// (pmd/dpdk_off.c): --dpdk and type=dpdk then fail with "vswitchd was built without DPDK".
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

// The port driver of type "dpdk".
extern const struct vs_port_ops vs_dpdk_ops;

enum vs_dpdk_state {
	VS_DPDK_OFF,	   // not asked for (no --dpdk)
	VS_DPDK_RUNNING,   // EAL initialised
	VS_DPDK_FAILED,	   // --dpdk given, EAL initialisation failed
	VS_DPDK_NOT_BUILT, // --dpdk given, but vswitchd was built without DPDK
};

// Initialises the EAL with 'args' (a command line, split at blanks; quotes group) plus the
// defaults vswitchd adds when they are absent (see vs_dpdk_eal_argv()). Returns 0, or -errno
// with a one-line reason in 'err'; the state then stays VS_DPDK_FAILED (or NOT_BUILT) for the
// life of the process, and dpdk ports report it. Called from: main thread, once, before the
// PMD threads start.
int vs_dpdk_init(const char *args, char *err, size_t errlen);
// Closes nothing but the EAL: call after every dpdk port is closed. Called from: main thread.
void vs_dpdk_fini(void);

enum vs_dpdk_state vs_dpdk_state(void);
const char *vs_dpdk_state_name(enum vs_dpdk_state st);
// The EAL arguments used (with defaults), "" if none; the reason of a failure, "" if none;
// the DPDK version string, "" when built without DPDK.
const char *vs_dpdk_eal_args(void);
const char *vs_dpdk_error(void);
const char *vs_dpdk_version(void);

// One mbuf pool, as reported by "vsctl pmd-stats".
struct vs_dpdk_pool_info {
	char name[32];
	int socket;	    // NUMA node the pool's memory is on
	uint32_t size;	    // mbufs
	uint32_t in_use;    // mbufs not in the pool (in rings, in flight, in caches)
	uint32_t data_room; // bytes of frame data per mbuf
	uint32_t ports;	    // dpdk ports whose rx queues take mbufs from it
};
// Copies up to 'max' pool descriptions into 'out'; returns how many pools there are.
// Called from: control thread.
unsigned vs_dpdk_pools(struct vs_dpdk_pool_info *out, unsigned max);
