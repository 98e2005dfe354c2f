// SPDX-License-Identifier: Apache-2.0
// What the parts of pipeline_bench share (pipeline_*.c, mt_bench.c, svc_bench.c): writing
// frames, the Internet checksum, clocks and medians. (The traffic generators vsgen and
// dpdkgen have their own frames, with a magic and a run id: perf/genframe.[ch].)
#pragma once

#include <stdint.h>
#include <time.h>

// Big-endian 16-bit 'v' at 'p'.
void bench_put16(uint8_t *p, uint16_t v);
// The 48-bit MAC 'mac' at 'p', most significant byte first.
void bench_put_mac(uint8_t *p, uint64_t mac);

// Adds 'len' bytes at 'p' to the one's-complement sum 'sum' as 16-bit big-endian words (an
// odd last byte padded with zero).
uint32_t bench_csum_acc(uint32_t sum, const uint8_t *p, uint32_t len);
// Folds 'sum' to 16 bits and complements it.
uint16_t bench_csum_finish(uint32_t sum);

// Writes a 'len'-byte IPv4/UDP frame 'dst' <- 'src', 10.0.0.1:1024 -> 10.0.0.2:1025, DF, TTL
// 64, payload bytes equal to their offset in the UDP datagram, valid IPv4 and UDP checksums
// (so the checksum-completion stage takes its common path and leaves it alone).
void bench_udp_frame(uint8_t *f, uint16_t len, uint64_t dst, uint64_t src);

// Clock 'clk' in ns (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...).
uint64_t bench_ns(clockid_t clk);

// The median of the 'n' values of 'v' (sorts 'v').
double bench_median(double *v, int n);
