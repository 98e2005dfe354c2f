// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the checksum completion unit tests (csum_test.c, csum_reject_test.c).
//
// Frames are built with pktbuild (which writes correct checksums), parsed with vs_parse_one()
// and run through vs_csum_complete() / vs_csum_burst() from a copy of exactly their length
// placed at the end of a heap allocation, so that a read past the frame is caught by the
// address sanitizer. A "partial" frame is the correct frame with its checksum field replaced
// by what a Linux sender using checksum offload (CHECKSUM_PARTIAL) leaves there: the folded
// pseudo-header sum (addresses, protocol and L4 length as 16-bit big-endian words), not
// inverted. The reference sums here are computed independently of csum.c.
//
// Everything is static: each test executable gets its own copy (and its own random stream).
#ifndef VS_TESTS_CSUM_HELPERS_H
#define VS_TESTS_CSUM_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vs/drops.h>

#include "pktbuild.h"
#include "vswitch/dp/csum.h"
#include "vswitch/dp/parse.h"

#define DST 0x0200000000aaULL
#define SRC 0x0200000000bbULL
#define IP4_SRC 0x0a000001
#define IP4_DST 0x0a000002

static const uint8_t ip6_src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// Deterministic pseudo-random numbers (xorshift64*).
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static inline uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

// Reference ones-complement sum: 16-bit big-endian words (an odd last byte padded with zero)
// added to 'initial', folded to 16 bits, not inverted.
static inline uint16_t ref_sum(const uint8_t *p, uint32_t len, uint32_t initial)
{
	uint64_t s = initial;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += rd16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

// What one frame looks like.
struct spec {
	int v6;		  // IPv6 instead of IPv4
	uint8_t proto;	  // PB_IPPROTO_TCP or PB_IPPROTO_UDP
	int tags;	  // 0, 1 (802.1Q) or 2 (802.1ad outer + 802.1Q inner)
	uint32_t payload; // L4 payload bytes
	int random;	  // random addresses, ports and payload bytes (else fixed ones)
};

// The L4 protocols under test.
static const uint8_t protos[2] = {PB_IPPROTO_TCP, PB_IPPROTO_UDP};

// Ethernet and VLAN tags for an L3 'type'.
static inline void build_l2(struct pb *b, int tags, uint16_t type)
{
	pb_init(b);
	pb_eth(b, DST, SRC, type);
	if (tags == 1) {
		pb_vlan(b, PB_ETH_P_8021Q, 10, type);
	} else if (tags == 2) {
		pb_vlan(b, PB_ETH_P_8021AD, 100, type);
		pb_vlan(b, PB_ETH_P_8021Q, 10, type);
	}
}

// Builds the frame 's' with correct checksums. Returns its length.
static inline uint32_t build(struct pb *b, const struct spec *s)
{
	uint16_t sport = 40000, dport = 80;
	uint8_t src6[16], dst6[16];
	uint32_t src4 = IP4_SRC, dst4 = IP4_DST;

	memcpy(src6, ip6_src, 16);
	memcpy(dst6, ip6_dst, 16);
	if (s->random) {
		for (int i = 0; i < 16; i++) {
			src6[i] = (uint8_t)rnd();
			dst6[i] = (uint8_t)rnd();
		}
		src4 = (uint32_t)rnd();
		dst4 = (uint32_t)rnd();
		sport = (uint16_t)rnd();
		dport = (uint16_t)rnd();
	}
	build_l2(b, s->tags, s->v6 ? PB_ETH_P_IPV6 : PB_ETH_P_IPV4);
	if (s->v6)
		pb_ipv6(b, src6, dst6, s->proto);
	else
		pb_ipv4(b, src4, dst4, s->proto);
	if (s->proto == PB_IPPROTO_TCP)
		pb_tcp(b, sport, dport);
	else
		pb_udp(b, sport, dport);
	pb_payload(b, s->payload);
	if (s->random)
		for (uint32_t i = b->len - s->payload; i < b->len; i++)
			b->buf[i] = (uint8_t)rnd();
	return pb_finish(b);
}

// Offset of the L4 header and of its checksum field.
static inline uint32_t l4_off(const struct pb *b)
{
	return (uint32_t)(b->tcp_off >= 0 ? b->tcp_off : b->udp_off);
}

static inline uint32_t check_off(const struct pb *b)
{
	return l4_off(b) + (b->tcp_off >= 0 ? 16 : 6);
}

static inline uint16_t get_check(const struct pb *b)
{
	return rd16(b->buf + check_off(b));
}

// Pseudo-header sum of the frame in 'b' (not folded), from its IP header: addresses, the
// protocol the header names and the L4 length it implies.
static inline uint32_t pseudo_sum(const struct pb *b)
{
	uint32_t s = 0;

	if (b->ip6_off > b->ip_off) {
		const uint8_t *ip = b->buf + b->ip6_off;

		for (int i = 8; i < 40; i += 2)
			s += rd16(ip + i);
		return s + ip[6] + rd16(ip + 4);
	} else {
		const uint8_t *ip = b->buf + b->ip_off;
		uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;

		for (int i = 12; i < 20; i += 2)
			s += rd16(ip + i);
		return s + ip[9] + rd16(ip + 2) - ihl;
	}
}

// The checksum field a Linux sender leaves under CHECKSUM_PARTIAL.
static inline uint16_t linux_partial(const struct pb *b)
{
	return ref_sum(NULL, 0, pseudo_sum(b));
}

static inline void make_partial(struct pb *b)
{
	wr16(b->buf + check_off(b), linux_partial(b));
}

// 1 if the L4 checksum of 'b' verifies (pseudo header + L4 bytes sum to 0xffff).
static inline int l4_csum_ok(const struct pb *b)
{
	uint32_t len = b->len - l4_off(b);

	return ref_sum(b->buf + l4_off(b), len, pseudo_sum(b)) == 0xffff;
}

// Sets the 16-bit word at payload offset 0 so that the frame's L4 sum, with its checksum
// field holding 'check', plus the pseudo header folds to 0xffff (the sum is 0 in ones
// complement arithmetic).
static inline void force_sum_zero(struct pb *b, uint16_t check)
{
	uint32_t pl = l4_off(b) + (b->tcp_off >= 0 ? 20 : 8);
	uint16_t t;

	wr16(b->buf + pl, 0);
	wr16(b->buf + check_off(b), check);
	t = ref_sum(b->buf + l4_off(b), b->len - l4_off(b), pseudo_sum(b));
	wr16(b->buf + pl, (uint16_t)(0xffff - t));
	assert_int_equal(ref_sum(b->buf + l4_off(b), b->len - l4_off(b), pseudo_sum(b)), 0xffff);
}

// A frame copied to the end of its own allocation, after 'headroom' bytes.
struct frame {
	uint8_t *mem;
	struct vs_pkt pkt;
};

static inline void frame_load(struct frame *f, const uint8_t *bytes, uint32_t len,
			      uint32_t headroom)
{
	// malloc() aligns to 16 bytes: the frame starts 'headroom' bytes past an aligned address.
	f->mem = malloc(headroom + len ? headroom + len : 1);
	assert_non_null(f->mem);
	memset(&f->pkt, 0, sizeof(f->pkt));
	f->pkt.data = f->mem + headroom;
	f->pkt.len = len;
	if (len)
		memcpy(f->pkt.data, bytes, len);
	vs_parse_one(&f->pkt);
}

static inline void frame_free(struct frame *f)
{
	free(f->mem);
}

static uint8_t out[PB_MAX];

// Parses a copy of the first 'len' bytes of 'bytes' and runs vs_csum_complete() on it, or
// vs_csum_burst() if the parse stage dropped it. Returns the stage's result and leaves the
// frame's bytes afterwards in 'out'.
static inline int run(const uint8_t *bytes, uint32_t len, uint32_t headroom)
{
	struct frame f;
	int r;

	frame_load(&f, bytes, len, headroom);
	if (f.pkt.drop == VS_DROP_NONE)
		r = vs_csum_complete(&f.pkt);
	else
		r = vs_csum_burst(&f.pkt, 1);
	if (len)
		memcpy(out, f.pkt.data, len);
	frame_free(&f);
	return r;
}

// The stage must return 0 and leave the frame byte-identical.
static inline void expect_untouched(const uint8_t *bytes, uint32_t len, uint32_t headroom,
				    const char *what)
{
	int r = run(bytes, len, headroom);

	if (r != 0)
		fail_msg("%s: returned %d for a frame it must leave alone", what, r);
	if (len && memcmp(out, bytes, len) != 0)
		fail_msg("%s: frame changed", what);
}

// The stage must return 1 and turn 'partial' into exactly 'correct'.
static inline void expect_completed(const uint8_t *partial, const uint8_t *correct, uint32_t len,
				    uint32_t coff, uint32_t headroom, const char *what)
{
	int r = run(partial, len, headroom);

	if (r != 1)
		fail_msg("%s: returned %d for a partial frame (checksum field %04x)", what, r,
			 rd16(partial + coff));
	if (memcmp(out, correct, len) != 0)
		fail_msg("%s: checksum %04x, expected %04x%s", what, rd16(out + coff),
			 rd16(correct + coff),
			 rd16(out + coff) == rd16(correct + coff) ? " (other bytes differ)" : "");
}

#endif
