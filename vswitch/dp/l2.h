// SPDX-License-Identifier: Apache-2.0
// L2 bridge stage: MAC learning on the source, forwarding decision on the destination.
//
// For each live packet: refuse a multicast or zero source (invalid-src-mac) and
// 802.1D link-local destinations (link-local); ask the control thread to learn
// the source MAC on the ingress port when it is new or moved; set out_port to
// the learned port of a known unicast destination (hairpin if that is the
// ingress port), or VS_PORT_FLOOD for broadcast, multicast and unknown unicast.
#pragma once

#include "conf.h"
#include "pmd.h"

void vs_l2_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts, uint16_t n);
