// SPDX-License-Identifier: Apache-2.0
// Output stage: stages each live packet on its egress port(s), replicating
// floods to every other port of the bridge, then transmits one batch per port.
// Counts rx drops against the ingress port and tx drops (oversized,
// tx-ring-full) against the egress port.
#pragma once

#include "conf.h"
#include "pmd.h"

// Stages the burst; counts every dropped packet under its reason.
void vs_output_burst(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_pkt *pkts,
		     uint16_t n);
// Transmits everything staged. Called from: PMD threads, once per burst.
void vs_output_flush(struct vs_pmd *pmd, const struct vs_conf *conf);
// Sends a whole burst of 'n' frames received on 'rx_port', as rx_burst() returned them, to
// port 'out' only, if that port's driver can (tx_rx_burst, pmd/port.h: the same driver as
// 'rx_port'), every frame fits (len_or: their lengths ORed) and nothing is staged on 'out'
// yet: counts what was sent ('bytes': the frames' total) and drops, and returns true.
// False, having done nothing, otherwise. Called from: PMD threads.
bool vs_output_pass(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *rx_port,
		    struct vs_pkt *pkts, uint16_t n, uint16_t out, uint64_t bytes, uint32_t len_or);
