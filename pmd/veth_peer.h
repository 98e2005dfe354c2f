// SPDX-License-Identifier: Apache-2.0
// Whether a veth's peer can take frames redirected by XDP (control thread only).
//
// XDP_REDIRECT into a veth hands the frame to the peer's NAPI ring (veth_xdp_xmit in
// drivers/net/veth.c). The peer has that ring only while it is up and has GRO on or an
// XDP program attached (which switches GRO on); otherwise the kernel drops the frame and
// counts it only in the veth's tx_dropped. The peer often sits in another network
// namespace (a container): vs_veth_peer() looks at it from inside that namespace.
#pragma once

#include <stdbool.h>

struct vs_veth_peer {
	bool is_veth; // the device is a veth with a peer
	bool napi;    // the peer is up and has GRO on (so NAPI and the XDP ring exist)
	int mtu;      // the peer's MTU
};

// Fills 'out' for device 'name'. Returns 0, or -errno when it cannot tell (then out->napi
// is false).
int vs_veth_peer(const char *name, struct vs_veth_peer *out);
