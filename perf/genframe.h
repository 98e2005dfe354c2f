// SPDX-License-Identifier: Apache-2.0
// genframe: what the two traffic generators of perf/ share (vsgen on the project's AF_XDP
// port layer, dpdkgen on DPDK's ethdev): the frames they send, how the sink recognises
// them, option parsing and the one-line JSON result that perf/fwd_bench.sh reads.
//
// A generated frame is Ethernet/IPv4/UDP to 198.19.0.1:9 from 198.18.0.0/15. Its UDP
// payload starts with a magic, a per-run id and a phase byte (warmup or measurement), so
// the sink counts only frames of its own run and of the measurement phase.
#pragma once

#include <stdint.h>
#include <stdio.h>

#define GEN_MAGIC 0x76736765u	// "vsge": a generated frame
#define LEARN_MAGIC 0x76736c6eu // "vsln": a learning frame sent from the sink port
#define GEN_MIN_SIZE 60		// frame length without FCS: a 64-byte Ethernet frame
#define GEN_MAX_SIZE 1518
#define GEN_WIRE_OVERHEAD 24 // FCS (4) + preamble and delimiter (8) + inter-frame gap (12)
#define GEN_OFF_PHASE 50     // offset of the phase byte in a frame

enum gen_phase { GEN_WARMUP, GEN_MEASURE, GEN_DRAIN };

// Writes an Ethernet/IPv4/UDP frame of 'size' bytes from 'src' to 'dst' carrying 'magic',
// 'run' and the warmup phase, for flow 0.
void gen_build_frame(uint8_t *f, uint32_t size, uint64_t dst, uint64_t src, uint32_t magic,
		     uint32_t run);

// Sets the flow of frame 'f': UDP source port 1024 + flow % 60000 and IPv4 source
// 198.18.0.1 + flow / 60000, and fixes the IPv4 checksum.
void gen_set_flow(uint8_t *f, uint32_t flow);

// Sets the source MAC of frame 'f': 'base' for 'i' 0, else the first 3 bytes of 'base'
// followed by 0x800000 | 'i' (so at most 2^23 MACs).
void gen_set_src_mac(uint8_t *f, uint64_t base, uint32_t i);

// How frames vary: 'flows' UDP flows (gen_set_flow) and 'macs' source MACs from 'src_mac'
// on. Up to 'n_tmpl' of them are pre-built templates; beyond that the header of each frame
// is rewritten before it is sent (gen_vary_next).
struct gen_vary {
	uint32_t flows, macs, n_tmpl;
	uint64_t src_mac;
	uint32_t flow, mac; // next flow and MAC when rewriting
};

// Number of templates for 'flows' and 'macs': the larger of the two, at least 'min', at
// most 'max'.
uint32_t gen_n_templates(uint32_t flows, uint32_t macs, uint32_t min, uint32_t max);
// Sets flow and source MAC of template 'i'.
void gen_vary_template(const struct gen_vary *v, uint8_t *f, uint32_t i);
// Before template 'f' is sent: rewrites its flow and/or MAC when there are more than templates.
void gen_vary_next(struct gen_vary *v, uint8_t *f);
// 'n' frames given to gen_vary_next() were not sent: they will be offered again.
void gen_vary_unsend(struct gen_vary *v, uint32_t n);

// Which frame of ours 'data' is: 0 = measurement, 1 = warmup, -1 = not ours.
int gen_classify(const uint8_t *data, uint32_t len, uint32_t size, uint32_t run);

// Parses a number in [min, max]; 0 or -1.
int gen_parse_double(const char *s, double min, double max, double *out);
int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

uint64_t gen_now_ns(void);

// The result of one run, as both generators report it.
struct gen_result {
	const char *tx, *rx; // port names
	int cpu;
	uint32_t size, flows, macs;
	double rate, seconds;
	uint64_t sent, received, rx_bytes;     // measurement phase
	uint64_t warmup_sent, warmup_received; // warmup phase
	uint64_t stray, tx_short, tx_port_rx, learn_sent, loops;
	uint64_t sink_rx_ring_full, sink_rx_fill_empty; // the sink port's own drops
};

// Prints 'r' as one JSON object (json) or one line of text, ending in a newline.
void gen_print_result(FILE *f, const struct gen_result *r, int json);
