// SPDX-License-Identifier: Apache-2.0
// Service rows of pipeline_bench (perf/svc_bench.c).
#pragma once

struct vs_switch;
struct vs_pmd;

// Loads 10,000 services with 100,000 backends on a bridge of two mem ports and measures,
// through vs_pmd_pipeline(), established-connection DNAT and connection setup (DNAT +
// conntrack insert) next to plain L2 forwarding on the same frames. Prints its rows.
void svc_bench(struct vs_switch *sw, struct vs_pmd *pmd, double tick_hz, double seconds, int runs);
