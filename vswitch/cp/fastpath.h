// SPDX-License-Identifier: Apache-2.0
// The XDP fast path of a bridge (fastpath=xdp, docs/xdp-fastpath.md), control side.
//
// The control thread mirrors the MAC table of each fast-path bridge into the kernel's
// BPF MAC table (pmd/xdp_fastpath.h), so the XDP program of an AF_XDP port can forward
// known unicast to another AF_XDP port of the bridge without the PMD threads. A shadow
// table remembers what the BPF table holds, so a sync writes only differences; it runs
// from housekeeping (at most every 10 ms) and at once on port removal. PMD threads are
// not involved at all. Everything here runs on the control thread.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../pmd/xdp_fastpath.h"

struct vs_switch;
struct vs_bridge;
struct vs_fp_bridge;

#define VS_FASTPATH_OFF 1 // struct vs_bridge_opts.fastpath (0: unchanged)
#define VS_FASTPATH_XDP 2

// The kernel operations in use: vs_xdp_fastpath_ops in vswitchd, a mock in unit tests.
// Without them fastpath=xdp is refused.
void vs_fastpath_set_ops(const struct vs_fastpath_ops *ops);

// Turns the fast path of 'br' on or off. Returns 0 or -errno with a message in 'err'.
int vs_fastpath_set(struct vs_switch *sw, struct vs_bridge *br, bool on, char *err, size_t errlen);
// Turns it off and frees its state (bridge deletion).
void vs_fastpath_bridge_free(struct vs_switch *sw, struct vs_bridge *br);
// Port 'id' is about to leave its bridge: no XDP program may forward to or from it any
// more once this returns, and its fast-path counters are reset.
void vs_fastpath_port_removing(struct vs_switch *sw, uint16_t id);
// Mirrors MAC table changes into the kernel: at most every 10 ms unless 'force'.
void vs_fastpath_sync(struct vs_switch *sw, bool force);
// Copies the last-seen times XDP keeps into the MAC table of 'br' (seconds, vs_now_s()):
// of every entry if 'all', else only of entries older than the ageing time (before ageing).
void vs_fastpath_refresh_seen(struct vs_switch *sw, struct vs_bridge *br, uint32_t now, bool all);
// "xdp" or "off".
const char *vs_fastpath_mode(const struct vs_bridge *br);
// Why the fast path of 'br' is not forwarding ("" when it is, or when it is off).
const char *vs_fastpath_inactive_reason(const struct vs_switch *sw, const struct vs_bridge *br);
// What the fast path does with port 'id' ("rx+tx", "rx", ...), NULL if its bridge has it off.
const char *vs_fastpath_port_role(const struct vs_switch *sw, uint16_t id);
// Fast-path counters of port 'id' (zero when there are none).
void vs_fastpath_port_ctrs(const struct vs_switch *sw, uint16_t id, struct vs_fp_ctrs *out);
