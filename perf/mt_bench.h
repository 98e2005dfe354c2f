// SPDX-License-Identifier: Apache-2.0
// Two-thread rows of pipeline_bench (perf/mt_bench.c).
#pragma once

struct vs_switch;

// Adds a bridge of four mem ports and measures known unicast with 1k MACs per thread through
// vs_pmd_pipeline(): one thread on 'cpu' alone, then two threads at once on 'cpu' and 'cpu2',
// each with its own PMD context, frame pool and ports (the MAC table is the bridge's, shared
// read-only). Prints both rows, the aggregate rate and its ratio to one thread. 'cpu2' < 0:
// prints that the rows were skipped.
void mt_bench(struct vs_switch *sw, double seconds, int runs, int cpu, int cpu2);
