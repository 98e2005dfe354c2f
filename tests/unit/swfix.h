// SPDX-License-Identifier: Apache-2.0
// Shared cmocka fixture of the pipeline unit tests: one switch with the real control plane
// model (vswitch/cp/switch.c), in-memory ports (pmd/mem.c) and one PMD context that is not
// started but polled by hand. Each test executable links this once; the switch and the PMD
// are the globals 'sw' and 'pmd'.
#ifndef VS_TESTS_SWFIX_H
#define VS_TESTS_SWFIX_H

#include <stdbool.h>
#include <stdint.h>

#include <vs/drops.h>

#include "pktbuild.h"
#include "pmd/mem.h"
#include "vswitch/cp/switch.h"

extern struct vs_switch sw;
extern struct vs_pmd *pmd;

// Whether run() also applies learning (vs_switch_housekeeping()) after draining.
extern bool swfix_housekeeping;

// Sets the log level, initialises 'sw' with the mem driver and one PMD. Resets
// swfix_housekeeping to false. Fails the test on error.
void swfix_setup(int log_level);
// Clears 'sw' and destroys the PMD.
void swfix_teardown(void);

// Adds bridge 'name' with default options; fails the test on error.
void add_br(const char *name);
// The port called 'name'; fails the test when there is none.
struct vs_port *P(const char *name);
// Polls until every rx queue is empty. Returns the frames received.
uint32_t run(void);
// Sends one UDP frame of 'len' bytes on 'port' through the pipeline (exactly one received).
void tx_frame_len(const char *port, uint64_t dst, uint64_t src, uint32_t len);
// The same with 64 bytes.
void tx_frame(const char *port, uint64_t dst, uint64_t src);
// Frames sent out of 'port' since the last clear_tx().
uint32_t ntx(const char *port);
// Forgets the frames sent out of every port.
void clear_tx(void);
// Drops of reason 'd' counted on 'port' (every reason: vs_port_drops_total(), pmd/port.h).
uint64_t port_drops(struct vs_port *port, enum vs_drop d);

#endif
