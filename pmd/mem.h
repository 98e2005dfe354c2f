// SPDX-License-Identifier: Apache-2.0
// In-memory port driver, type "mem": frames are injected into its rx queue and
// collected from its tx queue by the caller. It lets unit tests and benchmarks
// run the real pipeline without a kernel device. Not registered in vswitchd.
// Options: tx-ring=N (frames held before tx reports a full ring, default 1024),
// max-frame=N (default 9216), rx-csum-full=0|1 (1: its frames need no checksum completion,
// as over memif; default 0).
#pragma once

#include <stdint.h>

#include "port.h"

extern const struct vs_port_ops vs_mem_ops;

// Queues a copy of a frame for the next rx_burst. Returns 0 or -ENOSPC.
int vs_mem_inject(struct vs_port *port, const void *data, uint32_t len);
// Frames transmitted so far (not yet cleared) and access to them.
uint32_t vs_mem_tx_count(const struct vs_port *port);
// Bursts sent whole (tx_rx_burst, pmd/port.h).
uint32_t vs_mem_tx_whole(const struct vs_port *port);
const uint8_t *vs_mem_tx_frame(const struct vs_port *port, uint32_t i, uint32_t *len);
void vs_mem_tx_clear(struct vs_port *port);
