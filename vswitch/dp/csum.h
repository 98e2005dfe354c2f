// SPDX-License-Identifier: Apache-2.0
// Checksum completion stage.
//
// A Linux sender with checksum offload (a container's veth at its defaults)
// hands over TCP/UDP frames whose checksum field holds only the folded
// pseudo-header sum, leaving the rest to "the hardware" (CHECKSUM_PARTIAL).
// That state is lost across XDP/AF_XDP, so such frames would reach their
// receiver with a wrong checksum and be dropped there. This stage finds them
// and completes the checksum; frames with a valid checksum are left alone.
//
// Cost: per IPv4/IPv6 frame, a pseudo-header sum compared with the checksum
// field, before any other check of the headers (no loop, no call); only frames
// that pass are checked in full. The payload is read only for candidates, whose
// checksum field equals that sum, in one pass (four add-with-carry chains of
// 8-byte words). A candidate whose full checksum already verifies (1 in 65536
// valid frames) is left as it is.
#pragma once

#include <stdint.h>

#include "pkt.h"

// Completes a partial TCP/UDP checksum over IPv4 or IPv6 (no extension headers,
// no fragments). Returns 1 if the frame was changed, 0 otherwise.
int vs_csum_complete(struct vs_pkt *pkt);
// Runs vs_csum_complete() over the live packets of a burst; returns how many changed.
uint16_t vs_csum_burst(struct vs_pkt *pkts, uint16_t n);

// Ones-complement sum of 'len' bytes (big-endian 16-bit words) added to 'sum'.
uint32_t vs_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
// Folds a 32-bit sum into 16 bits.
static inline uint16_t vs_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
