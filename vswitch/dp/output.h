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
