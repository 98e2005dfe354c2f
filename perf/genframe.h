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

// The traffic options both generators take, with the same defaults: -s/--size, -R/--rate,
// -S/--seconds, -n/--count, -w/--warmup, -f/--flows, --macs, --src-mac, --dst-mac, -j/--json,
// -q/--quiet. A generator adds GEN_OPTS_SHORT to its getopt_long() short options and
// GEN_OPTS_LONG to its long ones, and hands what it does not know itself to gen_opts_parse().
struct gen_opts {
	uint32_t size;
	double rate; // pps, 0: as fast as possible
	double seconds, warmup;
	uint64_t count; // 0: no limit
	uint32_t flows, macs;
	uint64_t src_mac, dst_mac;
	int json, quiet;
};

#define GEN_OPTS_SHORT "s:R:S:n:w:f:jq"
#define GEN_OPTS_LONG                                                                              \
	{"size", required_argument, NULL, 's'}, {"rate", required_argument, NULL, 'R'},            \
		{"seconds", required_argument, NULL, 'S'},                                         \
		{"count", required_argument, NULL, 'n'},                                           \
		{"warmup", required_argument, NULL, 'w'},                                          \
		{"flows", required_argument, NULL, 'f'}, {"macs", required_argument, NULL, 'A'},   \
		{"src-mac", required_argument, NULL, 'M'},                                         \
		{"dst-mac", required_argument, NULL, 'D'}, {"json", no_argument, NULL, 'j'},       \
		{"quiet", no_argument, NULL, 'q'}

// Sets the defaults: 60-byte frames, 10 s after 1 s of warmup, 1 flow, 1 MAC, source MAC
// 02:76:73:00:00:01 to 02:76:73:00:00:02, as fast as possible.
void gen_opts_init(struct gen_opts *o);
// Applies option 'c' (a getopt_long() result) with argument 'arg': 1 when applied, 0 when
// 'c' is not one of GEN_OPTS_LONG, -1 when 'arg' is not a valid value.
int gen_opts_parse(struct gen_opts *o, int c, const char *arg);
// Unless o->quiet: "<prog>: <tx> -> <rx>, <size>-byte frames, ... , <where>" on stderr, the
// line both generators print before they start.
void gen_print_start(const char *prog, const char *tx, const char *rx, const struct gen_opts *o,
		     const char *where);

// What the send/receive loop of a generator counts.
struct gen_stats {
	uint64_t sent[2];     // [phase] frames accepted by tx_burst
	uint64_t received[2]; // [phase] our frames back on the rx port
	uint64_t rx_bytes;    // measurement phase
	uint64_t stray;	      // frames on the rx port that are not ours
	uint64_t tx_short;    // tx bursts that took fewer frames than offered
	uint64_t tx_port_rx;  // frames arriving on the tx port (e.g. flooded learning frames)
	uint64_t learn_sent;
	uint64_t loops;
};

// Parses a number in [min, max]; 0 or -1.
int gen_parse_double(const char *s, double min, double max, double *out);
int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

uint64_t gen_now_ns(void);

// The result of one run, as both generators report it.
#define GEN_SCHED_GEN 1
#define GEN_SCHED_DUT 2

struct gen_result {
	const char *tx, *rx; // port names
	int cpu;
	uint32_t size, flows, macs;
	double rate, seconds;
	uint64_t sent, received, rx_bytes;     // measurement phase
	uint64_t warmup_sent, warmup_received; // warmup phase
	uint64_t stray, tx_short, tx_port_rx, learn_sent, loops;
	uint64_t sink_rx_ring_full, sink_rx_fill_empty; // the sink port's own drops
	// Scheduling over the measurement phase (/proc/.../schedstat), printed in JSON only:
	// ns the generator's thread ran and waited runnable for its CPU (sched & GEN_SCHED_GEN),
	// the same summed over the threads of the device under test (GEN_SCHED_DUT, dpdkgen
	// --dut-pid).
	int sched;
	uint64_t gen_run_ns, gen_wait_ns, dut_run_ns, dut_wait_ns;
};

// Sets the fields of 'r' that come from the options, the counters and the measurement
// phase from 't_start' to 't_end' (ns); tx, rx, cpu and the sink's drops are left alone.
void gen_result_fill(struct gen_result *r, const struct gen_opts *o, const struct gen_stats *st,
		     uint64_t t_start, uint64_t t_end);

// Prints 'r' as one JSON object (json) or one line of text, ending in a newline.
void gen_print_result(FILE *f, const struct gen_result *r, int json);
