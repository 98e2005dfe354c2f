// SPDX-License-Identifier: Apache-2.0
// The XDP features the kernel lists for a device (control thread only).
//
// A devmap redirect (XDP fast path) to a device needs VS_XDP_ACT_NDO_XMIT, and for
// multi-buffer frames VS_XDP_ACT_NDO_XMIT_SG too (kernel/bpf/devmap.c __xdp_enqueue);
// otherwise the kernel drops the frame. A veth lists both only while its peer has GRO on
// or an XDP program, and only as computed at the last change the kernel noticed: turning
// GRO on in a veth that is down does not update its peer's features.
#pragma once

#include <stdint.h>

#define VS_XDP_ACT_NDO_XMIT (1ull << 2)	   // NETDEV_XDP_ACT_NDO_XMIT
#define VS_XDP_ACT_NDO_XMIT_SG (1ull << 6) // NETDEV_XDP_ACT_NDO_XMIT_SG

// Reads the xdp-features of device 'ifindex' (this network namespace) into '*features'.
// Returns 0, or -errno (e.g. -ENOENT on kernels before 6.3, which lack the netdev family).
int vs_xdp_features(int ifindex, uint64_t *features);
