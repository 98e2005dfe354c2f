// SPDX-License-Identifier: Apache-2.0
// Unit tests of the checksum completion stage (vswitch/dp/csum.c).
//
// Frames are built with pktbuild (which writes correct checksums), parsed with vs_parse_one()
// and run through vs_csum_complete() / vs_csum_burst() from a copy of exactly their length
// placed at the end of a heap allocation, so that a read past the frame is caught by the
// address sanitizer. A "partial" frame is the correct frame with its checksum field replaced
// by what a Linux sender using checksum offload (CHECKSUM_PARTIAL) leaves there: the folded
// pseudo-header sum (addresses, protocol and L4 length as 16-bit big-endian words), not
// inverted. The reference sums here are computed independently of csum.c.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

// Reference ones-complement sum: 16-bit big-endian words (an odd last byte padded with zero)
// added to 'initial', folded to 16 bits, not inverted.
static uint16_t ref_sum(const uint8_t *p, uint32_t len, uint32_t initial)
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

static const char *describe(const struct spec *s)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s, %d tag(s), %u payload bytes%s",
		 s->proto == PB_IPPROTO_TCP ? "TCP" : "UDP", s->v6 ? "IPv6" : "IPv4", s->tags,
		 s->payload, s->random ? ", random" : "");
	return buf;
}

static uint32_t hdr_len(const struct spec *s)
{
	return 14 + 4 * (uint32_t)s->tags + (s->v6 ? 40 : 20) +
	       (s->proto == PB_IPPROTO_TCP ? 20 : 8);
}

// Ethernet and VLAN tags for an L3 'type'.
static void build_l2(struct pb *b, int tags, uint16_t type)
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
static uint32_t build(struct pb *b, const struct spec *s)
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
static uint32_t l4_off(const struct pb *b)
{
	return (uint32_t)(b->tcp_off >= 0 ? b->tcp_off : b->udp_off);
}

static uint32_t check_off(const struct pb *b)
{
	return l4_off(b) + (b->tcp_off >= 0 ? 16 : 6);
}

static uint16_t get_check(const struct pb *b)
{
	return rd16(b->buf + check_off(b));
}

// Pseudo-header sum of the frame in 'b' (not folded), from its IP header: addresses, the
// protocol the header names and the L4 length it implies.
static uint32_t pseudo_sum(const struct pb *b)
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
static uint16_t linux_partial(const struct pb *b)
{
	return ref_sum(NULL, 0, pseudo_sum(b));
}

static void make_partial(struct pb *b)
{
	wr16(b->buf + check_off(b), linux_partial(b));
}

// 1 if the L4 checksum of 'b' verifies (pseudo header + L4 bytes sum to 0xffff).
static int l4_csum_ok(const struct pb *b)
{
	uint32_t len = b->len - l4_off(b);

	return ref_sum(b->buf + l4_off(b), len, pseudo_sum(b)) == 0xffff;
}

// A frame copied to the end of its own allocation, after 'headroom' bytes.
struct frame {
	uint8_t *mem;
	struct vs_pkt pkt;
};

static void frame_load(struct frame *f, const uint8_t *bytes, uint32_t len, uint32_t headroom)
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

static void frame_free(struct frame *f)
{
	free(f->mem);
}

static uint8_t out[PB_MAX];

// Parses a copy of the first 'len' bytes of 'bytes' and runs vs_csum_complete() on it, or
// vs_csum_burst() if the parse stage dropped it. Returns the stage's result and leaves the
// frame's bytes afterwards in 'out'.
static int run(const uint8_t *bytes, uint32_t len, uint32_t headroom)
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
static void expect_untouched(const uint8_t *bytes, uint32_t len, uint32_t headroom,
			     const char *what)
{
	int r = run(bytes, len, headroom);

	if (r != 0)
		fail_msg("%s: returned %d for a frame it must leave alone", what, r);
	if (len && memcmp(out, bytes, len) != 0)
		fail_msg("%s: frame changed", what);
}

// The stage must return 1 and turn 'partial' into exactly 'correct'.
static void expect_completed(const uint8_t *partial, const uint8_t *correct, uint32_t len,
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

// Builds 's' and checks both halves: the correct frame is left alone and its partial
// version is completed into it.
static void check_spec(const struct spec *s, uint32_t headroom)
{
	static struct pb good, partial;
	const char *what = describe(s);

	build(&good, s);
	if (good.len != hdr_len(s) + s->payload || !l4_csum_ok(&good))
		fail_msg("%s: builder produced a bad frame", what);
	expect_untouched(good.buf, good.len, headroom, what);
	partial = good;
	make_partial(&partial);
	if (get_check(&partial) == get_check(&good))
		return; // the partial value happens to be the right one: nothing to complete
	expect_completed(partial.buf, good.buf, good.len, check_off(&good), headroom, what);
}

static const uint8_t protos[2] = {PB_IPPROTO_TCP, PB_IPPROTO_UDP};

// The builder's new frames: lengths, and checksums verified by the reference here.
static void test_pktbuild(void **state)
{
	static const uint8_t opts[8] = {1, 1, 1, 1, 1, 1, 1, 0};
	struct spec s = {.payload = 11};
	struct pb b;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++) {
		for (int p = 0; p < 2; p++) {
			s.proto = protos[p];
			assert_int_equal(build(&b, &s), hdr_len(&s) + 11);
			assert_true(l4_csum_ok(&b));
			if (s.v6) {
				assert_int_equal(b.buf[14] >> 4, 6);
				assert_int_equal(rd16(b.buf + 18),
						 b.len - 14 - 40); // payload length
				assert_int_equal(b.buf[20], s.proto);
				assert_memory_equal(b.buf + 22, ip6_src, 16);
				assert_memory_equal(b.buf + 38, ip6_dst, 16);
			} else {
				assert_int_equal(rd16(b.buf + 16), b.len - 14);
				assert_true(pb_ipv4_csum_ok(b.buf + 14));
			}
			if (s.proto == PB_IPPROTO_UDP)
				assert_int_equal(rd16(b.buf + b.udp_off + 4), b.len - b.udp_off);
			else
				assert_int_equal(b.buf[b.tcp_off + 12], 0x50);
			// A corrupted payload byte no longer verifies.
			b.buf[b.len - 1] ^= 1;
			assert_false(l4_csum_ok(&b));
		}
	}

	// IPv4 options raise the IHL and are covered by the header checksum.
	pb_init(&b);
	pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
	pb_ipv4(&b, IP4_SRC, IP4_DST, PB_IPPROTO_TCP);
	pb_ipv4_options(&b, opts, sizeof(opts));
	pb_tcp(&b, 1, 2);
	pb_payload(&b, 5);
	pb_finish(&b);
	assert_int_equal(b.len, 14 + 28 + 20 + 5);
	assert_int_equal(b.buf[14], 0x47);
	assert_int_equal(b.tcp_off, 14 + 28);
	assert_true(pb_ipv4_csum_ok(b.buf + 14));
	assert_true(l4_csum_ok(&b));

	// The existing shorthand still builds the same frame as before (UDP over IPv4).
	pb_simple(&b, DST, SRC, 100);
	assert_int_equal(b.ip6_off, -1);
	assert_int_equal(b.tcp_off, -1);
	assert_true(l4_csum_ok(&b));
}

// (1) and (2): TCP and UDP over IPv4 and IPv6, untagged, one tag and two tags, small payloads.
static void test_matrix(void **state)
{
	static const uint32_t lens[] = {0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 64, 255, 1001, 1460};
	struct spec s = {0};

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++)
				for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					s.proto = protos[p];
					s.payload = lens[l];
					check_spec(&s, 0);
				}
}

// (3) Large payloads up to the builder's largest frame (jumbo frames).
static void test_large(void **state)
{
	static const uint32_t lens[] = {1999, 4096, 8000, 8001, 8940, 8953, 9000, 12345};
	struct spec s = {0};

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++) {
				s.proto = protos[p];
				for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					s.payload = lens[l];
					check_spec(&s, 0);
				}
				s.payload = PB_MAX - hdr_len(&s); // largest frame
				check_spec(&s, 0);
				s.payload--;
				check_spec(&s, 0);
				s.random = 1; // and one with random bytes
				s.payload = PB_MAX - hdr_len(&s);
				check_spec(&s, 0);
				s.random = 0;
			}
}

// Frames at every alignment 0..7 of the buffer, odd and even lengths.
static void test_alignment(void **state)
{
	static const uint32_t lens[] = {0, 1, 3, 6, 9, 13, 33, 1001};
	struct spec s = {0};

	(void)state;
	for (uint32_t headroom = 0; headroom < 8; headroom++)
		for (s.v6 = 0; s.v6 < 2; s.v6++)
			for (int p = 0; p < 2; p++)
				for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					s.proto = protos[p];
					s.tags = (int)(headroom % 3);
					s.payload = lens[l];
					s.random = 1;
					check_spec(&s, headroom);
				}
}

// Many random frames: random addresses, ports, payload bytes and lengths.
static void test_random(void **state)
{
	struct spec s;

	(void)state;
	for (int i = 0; i < 4000; i++) {
		s.v6 = (int)(rnd() & 1);
		s.proto = protos[rnd() & 1];
		s.tags = (int)(rnd() % 3);
		s.payload = (uint32_t)(i < 3000 ? rnd() % 1600 : rnd() % (PB_MAX - 82));
		s.random = 1;
		check_spec(&s, (uint32_t)(rnd() % 8));
	}
}

// A correct frame whose checksum field is not the partial value, and a plainly wrong
// checksum: neither is the stage's business.
static void test_wrong_checksum_untouched(void **state)
{
	struct spec s = {.payload = 100, .random = 1};
	struct pb b;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (int i = 0; i < 50; i++) {
				s.proto = protos[p];
				build(&b, &s);
				wr16(b.buf + check_off(&b), (uint16_t)(get_check(&b) + 1 + i));
				if (get_check(&b) == linux_partial(&b))
					continue;
				expect_untouched(b.buf, b.len, 0, "wrong checksum");
				// The partial value plus or minus one is not partial either.
				wr16(b.buf + check_off(&b), (uint16_t)(linux_partial(&b) + 1));
				expect_untouched(b.buf, b.len, 0, "partial + 1");
				wr16(b.buf + check_off(&b), (uint16_t)(linux_partial(&b) - 1));
				expect_untouched(b.buf, b.len, 0, "partial - 1");
			}
}

// (4) UDP over IPv4 with checksum 0 means "no checksum": left alone.
static void test_udp4_no_checksum(void **state)
{
	struct spec s = {.proto = PB_IPPROTO_UDP};
	struct pb b;

	(void)state;
	for (s.tags = 0; s.tags < 3; s.tags++)
		for (s.payload = 0; s.payload < 40; s.payload++) {
			s.random = (int)(s.payload & 1);
			build(&b, &s);
			wr16(b.buf + check_off(&b), 0);
			expect_untouched(b.buf, b.len, 0, "UDP/IPv4 without checksum");
		}
}

// Sets the 16-bit word at payload offset 0 so that the frame's L4 sum, with its checksum
// field holding 'check', plus the pseudo header folds to 0xffff (the sum is 0 in ones
// complement arithmetic).
static void force_sum_zero(struct pb *b, uint16_t check)
{
	uint32_t pl = l4_off(b) + (b->tcp_off >= 0 ? 20 : 8);
	uint16_t t;

	wr16(b->buf + pl, 0);
	wr16(b->buf + check_off(b), check);
	t = ref_sum(b->buf + l4_off(b), b->len - l4_off(b), pseudo_sum(b));
	wr16(b->buf + pl, (uint16_t)(0xffff - t));
	assert_int_equal(ref_sum(b->buf + l4_off(b), b->len - l4_off(b), pseudo_sum(b)), 0xffff);
}

// (5) A UDP checksum that computes to 0 is sent as 0xffff; TCP sends it as 0.
static void test_completes_to_zero(void **state)
{
	struct spec s = {.payload = 21};
	struct pb good, partial;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++) {
				s.proto = protos[p];
				build(&good, &s);
				// Payload chosen so that the data (checksum field 0) sums to 0.
				force_sum_zero(&good, 0);
				pb_finish(&good);
				assert_true(l4_csum_ok(&good));
				assert_int_equal(get_check(&good),
						 s.proto == PB_IPPROTO_UDP ? 0xffff : 0);
				partial = good;
				make_partial(&partial);
				// The stage's shortcut would leave a pseudo-header sum of 0xffff
				// alone.
				assert_int_not_equal(linux_partial(&partial), 0xffff);
				expect_completed(partial.buf, good.buf, good.len, check_off(&good),
						 0, describe(&s));
			}
}

// (5), nearest case: the pseudo-header sum itself folds to 0xffff. The partial checksum
// field then holds 0xffff, so a UDP frame whose checksum computes to 0 arrives already
// carrying its correct value (0xffff), verifies as it is and is left alone (returning 0
// is right: nothing needs changing). Any other payload is completed.
//
// The TCP counterpart is the one partial frame the stage cannot tell from a valid one: the
// correct value is 0x0000, the partial one 0xffff, and 0xffff is the other ones-complement
// zero, so the frame already verifies (a receiver accepts it) and the stage leaves it as
// it is, as csum.h documents for candidates that verify. It does not end up byte-identical
// to what checksum hardware would write (0x0000). It takes a pseudo-header sum of 0xffff
// (1 flow in 65535) and a segment summing to 0 (1 in 65535 of its segments).
static void test_pseudo_ffff(void **state)
{
	struct spec s = {.payload = 31};
	struct pb good, partial;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++) {
			uint8_t *lo;
			uint16_t f;

			s.proto = protos[p];
			build(&good, &s);
			// Choose the low 16 bits of the destination address to make the
			// pseudo-header sum fold to 0xffff.
			lo = s.v6 ? good.buf + good.ip6_off + 38 : good.buf + good.ip_off + 18;
			wr16(lo, 0);
			f = linux_partial(&good);
			wr16(lo, (uint16_t)(0xffff - f));
			pb_finish(&good);
			assert_int_equal(linux_partial(&good), 0xffff);
			assert_true(l4_csum_ok(&good));

			// Ordinary payload: completed.
			partial = good;
			make_partial(&partial);
			assert_int_equal(get_check(&partial), 0xffff);
			expect_untouched(good.buf, good.len, 0, "pseudo 0xffff, valid");
			expect_completed(partial.buf, good.buf, good.len, check_off(&good), 0,
					 "pseudo 0xffff, partial");

			// Data summing to 0: UDP's correct value is 0xffff, which is also the
			// partial value; TCP's is 0, but the partial 0xffff already verifies.
			force_sum_zero(&good, 0);
			pb_finish(&good);
			partial = good;
			make_partial(&partial);
			if (s.proto == PB_IPPROTO_UDP) {
				assert_int_equal(get_check(&good), 0xffff);
				assert_memory_equal(partial.buf, good.buf, good.len);
				expect_untouched(partial.buf, partial.len, 0,
						 "UDP, pseudo 0xffff, sum 0");
			} else {
				assert_int_equal(get_check(&good), 0);
				assert_int_equal(get_check(&partial), 0xffff);
				assert_true(l4_csum_ok(&partial));
				expect_untouched(partial.buf, partial.len, 0,
						 "TCP, pseudo 0xffff, sum 0");
			}
		}
}

// A valid frame whose correct checksum happens to equal the partial value is a candidate
// that already verifies: left alone.
static void test_valid_candidate(void **state)
{
	struct spec s = {.payload = 50, .random = 1};
	struct pb b;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++) {
				uint16_t partial;

				s.proto = protos[p];
				build(&b, &s);
				partial = linux_partial(&b);
				force_sum_zero(&b, partial);
				assert_true(l4_csum_ok(&b));
				pb_finish(&b); // the builder agrees that this is the right value
				assert_int_equal(get_check(&b), partial);
				expect_untouched(b.buf, b.len, 0, "valid candidate");
			}
}

// Ethernet padding after the IP datagram is not part of the checksum and is not changed.
static void test_padding(void **state)
{
	struct spec s = {0};
	struct pb good, partial;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++)
				for (uint32_t pad = 1; pad < 24; pad += 3) {
					s.proto = protos[p];
					s.payload = pad & 3;
					build(&good, &s);
					for (uint32_t i = 0; i < pad; i++)
						good.buf[good.len++] = (uint8_t)(0xe1 + i);
					expect_untouched(good.buf, good.len, 0, "padded, valid");
					partial = good;
					make_partial(&partial);
					expect_completed(partial.buf, good.buf, good.len,
							 check_off(&good), 0, "padded, partial");
				}
}

static void set_ipv4_hdr_csum(uint8_t *ip)
{
	wr16(ip + 10, 0);
	wr16(ip + 10, (uint16_t)~ref_sum(ip, (uint32_t)(ip[0] & 0xf) * 4, 0));
}

// (6) IPv4 fragments cannot be checksummed: MF set or a fragment offset.
static void test_ipv4_fragments(void **state)
{
	static const uint16_t frag[] = {0x2000, 0x2001, 0x0001, 0x0100, 0x1fff,
					0x3fff, 0x6000, 0x4001, 0xe000, 0x8001};
	struct spec s = {.payload = 64};
	struct pb good, b;

	(void)state;
	for (int p = 0; p < 2; p++)
		for (s.tags = 0; s.tags < 3; s.tags++) {
			s.proto = protos[p];
			build(&good, &s);
			for (unsigned i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
				b = good;
				make_partial(&b);
				wr16(b.buf + b.ip_off + 6, frag[i]);
				set_ipv4_hdr_csum(b.buf + b.ip_off);
				expect_untouched(b.buf, b.len, 0, "IPv4 fragment");
			}
			// DF alone (the builder's default) or no flags: not a fragment.
			for (uint16_t flags = 0; flags <= 0x4000; flags += 0x4000) {
				struct pb fixed = good;

				wr16(fixed.buf + fixed.ip_off + 6, flags);
				set_ipv4_hdr_csum(fixed.buf + fixed.ip_off);
				b = fixed;
				make_partial(&b);
				expect_completed(b.buf, fixed.buf, b.len, check_off(&b), 0,
						 "IPv4 DF");
			}
		}
}

// (6) IPv4 with options (IHL > 5): handled like any other.
static void test_ipv4_options(void **state)
{
	uint8_t opts[40];
	struct pb good, partial;

	(void)state;
	for (unsigned i = 0; i < sizeof(opts); i++)
		opts[i] = 1; // NOP
	opts[39] = 0;	     // EOL
	for (int p = 0; p < 2; p++)
		for (int tags = 0; tags < 3; tags++)
			for (uint32_t olen = 4; olen <= 40; olen += 4)
				for (uint32_t pl = 0; pl < 4; pl++) {
					build_l2(&good, tags, PB_ETH_P_IPV4);
					pb_ipv4(&good, IP4_SRC, IP4_DST, protos[p]);
					pb_ipv4_options(&good, opts + 40 - olen, olen);
					if (protos[p] == PB_IPPROTO_TCP)
						pb_tcp(&good, 1234, 80);
					else
						pb_udp(&good, 1234, 53);
					pb_payload(&good, pl * 333);
					pb_finish(&good);
					assert_int_equal(good.buf[good.ip_off] & 0xf, 5 + olen / 4);
					assert_true(l4_csum_ok(&good));
					expect_untouched(good.buf, good.len, 0,
							 "IPv4 options, valid");
					partial = good;
					make_partial(&partial);
					expect_completed(partial.buf, good.buf, good.len,
							 check_off(&good), 0,
							 "IPv4 options, partial");
				}
}

// (6) Bad IPv4 headers: IHL below 5 or beyond the datagram, wrong version nibble.
static void test_ipv4_bad_header(void **state)
{
	struct spec s = {.payload = 0};
	struct pb good, b;

	(void)state;
	for (int p = 0; p < 2; p++) {
		s.proto = protos[p];
		build(&good, &s);
		make_partial(&good);
		for (uint8_t ihl = 0; ihl < 16; ihl++) {
			if (ihl == 5)
				continue;
			// IHL 0-4 is invalid; 6-15 runs the header into (or past) the L4
			// header, leaving too little L4, or a header longer than the datagram.
			b = good;
			b.buf[b.ip_off] = (uint8_t)(0x40 | ihl);
			expect_untouched(b.buf, b.len, 0, "bad IHL");
		}
		// IHL 1-4 with the bytes where that IHL would put the checksum field holding
		// the partial value for the L4 length it implies (where those bytes are not
		// the addresses themselves).
		for (uint8_t ihl = 1; ihl < 5; ihl++) {
			uint32_t at = 4u * ihl + (s.proto == PB_IPPROTO_TCP ? 16 : 6);

			if (at < 20)
				continue;
			b = good;
			b.buf[b.ip_off] = (uint8_t)(0x40 | ihl);
			wr16(b.buf + b.ip_off + at, linux_partial(&b));
			expect_untouched(b.buf, b.len, 0, "IHL < 5, partial-looking");
		}
		for (uint8_t v = 0; v < 16; v++) {
			if (v == 4)
				continue;
			b = good;
			b.buf[b.ip_off] = (uint8_t)(v << 4 | 5);
			expect_untouched(b.buf, b.len, 0, "IPv4 ethertype, other version");
		}
	}
	// TCP with IHL 6-9 over a 20-byte TCP header: L4 of 16..4 bytes, too short.
	s.proto = PB_IPPROTO_TCP;
	build(&good, &s);
	for (uint8_t ihl = 6; ihl < 10; ihl++) {
		b = good;
		b.buf[b.ip_off] = (uint8_t)(0x40 | ihl);
		make_partial(&b);
		expect_untouched(b.buf, b.len, 0, "TCP, IHL eats the header");
	}
	// IPv6 ethertype with another version.
	s.v6 = 1;
	for (int p = 0; p < 2; p++) {
		s.proto = protos[p];
		build(&good, &s);
		make_partial(&good);
		for (uint8_t v = 0; v < 16; v++) {
			if (v == 6)
				continue;
			b = good;
			b.buf[b.ip6_off] = (uint8_t)(v << 4);
			expect_untouched(b.buf, b.len, 0, "IPv6 ethertype, other version");
		}
	}
}

// (6) Truncated frames: a partial frame cut at every length, so that the IP header is
// truncated or the IP length runs past the end of the frame. None may be touched or
// read past its end.
static void test_truncated(void **state)
{
	struct spec s = {.payload = 13};
	struct pb b;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++) {
				s.proto = protos[p];
				build(&b, &s);
				make_partial(&b);
				for (uint32_t len = 0; len < b.len; len++)
					expect_untouched(b.buf, len, 0, "truncated");
				// The whole frame is completed.
				assert_int_equal(run(b.buf, b.len, 0), 1);
			}
}

// (6) IP length larger than the frame (by one byte, or by much), full headers present.
static void test_ip_length_too_large(void **state)
{
	static const uint16_t extra[] = {1, 2, 7, 1000, 0xffff};
	struct spec s = {.payload = 40};
	struct pb good, b;

	(void)state;
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++) {
				s.proto = protos[p];
				build(&good, &s);
				for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
					uint8_t *lenf;
					uint32_t v;

					b = good;
					lenf = s.v6 ? b.buf + b.ip6_off + 4 : b.buf + b.ip_off + 2;
					v = rd16(lenf) + extra[i];
					wr16(lenf, (uint16_t)(v > 0xffff ? 0xffff : v));
					if (!s.v6)
						set_ipv4_hdr_csum(b.buf + b.ip_off);
					make_partial(&b); // partial value for the claimed length
					expect_untouched(b.buf, b.len, 0, "IP length past frame");
				}
			}
}

// (6) L4 shorter than the TCP or UDP header, with the bytes where the checksum would be
// holding the partial value when they exist.
static void test_l4_too_short(void **state)
{
	struct pb b;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++)
		for (int p = 0; p < 2; p++)
			for (int tags = 0; tags < 3; tags++) {
				uint32_t hlen = protos[p] == PB_IPPROTO_TCP ? 20 : 8;
				uint32_t coff = protos[p] == PB_IPPROTO_TCP ? 16 : 6;

				for (uint32_t l4 = 0; l4 < hlen; l4++) {
					build_l2(&b, tags, v6 ? PB_ETH_P_IPV6 : PB_ETH_P_IPV4);
					if (v6)
						pb_ipv6(&b, ip6_src, ip6_dst, protos[p]);
					else
						pb_ipv4(&b, IP4_SRC, IP4_DST, protos[p]);
					pb_payload(&b, l4);
					pb_finish(&b);
					if (l4 >= coff + 2) {
						uint32_t at = b.len - l4 + coff;

						wr16(b.buf + at, ref_sum(NULL, 0, pseudo_sum(&b)));
					}
					expect_untouched(b.buf, b.len, 0, "L4 too short");
				}
			}
}

// (6) Frames that are not TCP/UDP over IPv4/IPv6: ARP, other ethertypes carrying an IP-like
// packet, IPv4 and IPv6 with other protocols (ICMPv6, extension headers).
static void test_not_tcp_udp(void **state)
{
	static const uint16_t types[] = {PB_ETH_P_ARP, 0x88cc, 0x8847, 0x86dc, 0x0801, 0x0000};
	static const uint8_t v6next[] = {PB_IPPROTO_HOPOPTS, PB_IPPROTO_ICMPV6, 43, 44, 50, 59, 1};
	static const uint8_t v4proto[] = {1, 2, 47, 50, 58, 132, 136, 0};
	struct spec s = {.payload = 32};
	struct pb b;

	(void)state;
	// ARP with a body.
	for (int tags = 0; tags < 3; tags++) {
		build_l2(&b, tags, PB_ETH_P_ARP);
		pb_payload(&b, 28);
		pb_finish(&b);
		expect_untouched(b.buf, b.len, 0, "ARP");
	}
	// A partial TCP/UDP frame under a non-IP ethertype.
	for (s.v6 = 0; s.v6 < 2; s.v6++)
		for (int p = 0; p < 2; p++)
			for (s.tags = 0; s.tags < 3; s.tags++)
				for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
					s.proto = protos[p];
					build(&b, &s);
					make_partial(&b);
					wr16(b.buf + b.type_off, types[t]);
					expect_untouched(b.buf, b.len, 0, "non-IP ethertype");
					// And IPv4 under the IPv6 ethertype, and vice versa.
					wr16(b.buf + b.type_off,
					     s.v6 ? PB_ETH_P_IPV4 : PB_ETH_P_IPV6);
					expect_untouched(b.buf, b.len, 0, "IP version mismatch");
				}
	// TCP/UDP-shaped L4 behind another IPv6 next header or IPv4 protocol, its checksum
	// field holding the partial value for that protocol.
	for (int p = 0; p < 2; p++)
		for (int tags = 0; tags < 3; tags++) {
			for (unsigned n = 0; n < sizeof(v6next); n++) {
				build_l2(&b, tags, PB_ETH_P_IPV6);
				pb_ipv6(&b, ip6_src, ip6_dst, v6next[n]);
				if (protos[p] == PB_IPPROTO_TCP)
					pb_tcp(&b, 1, 2);
				else
					pb_udp(&b, 1, 2);
				pb_payload(&b, 40);
				pb_finish(&b);
				make_partial(&b);
				expect_untouched(b.buf, b.len, 0, "IPv6 other next header");
			}
			for (unsigned n = 0; n < sizeof(v4proto); n++) {
				build_l2(&b, tags, PB_ETH_P_IPV4);
				pb_ipv4(&b, IP4_SRC, IP4_DST, v4proto[n]);
				if (protos[p] == PB_IPPROTO_TCP)
					pb_tcp(&b, 1, 2);
				else
					pb_udp(&b, 1, 2);
				pb_payload(&b, 40);
				pb_finish(&b);
				make_partial(&b);
				expect_untouched(b.buf, b.len, 0, "IPv4 other protocol");
			}
		}
	// IPv6 jumbogram-style payload length 0 with a TCP/UDP next header.
	s.v6 = 1;
	for (int p = 0; p < 2; p++) {
		s.proto = protos[p];
		build(&b, &s);
		wr16(b.buf + b.ip6_off + 4, 0);
		make_partial(&b);
		expect_untouched(b.buf, b.len, 0, "IPv6 payload length 0");
	}
}

// (6), (7) A mixed burst: returns the number of frames changed; dropped frames are skipped.
static void test_burst_mixed(void **state)
{
	static struct pb good[12], in[12];
	static const int expect_changed[12] = {1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1};
	struct vs_pkt pkts[12];
	struct frame f[12];
	struct spec s;
	uint16_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.payload = 100;
	s.proto = PB_IPPROTO_UDP;
	build(&good[0], &s); // 0: UDP/IPv4 partial
	s.v6 = 1;
	s.proto = PB_IPPROTO_TCP;
	s.tags = 1;
	build(&good[1], &s); // 1: TCP/IPv6, 1 tag, partial
	s.v6 = 0;
	s.tags = 0;
	build(&good[2], &s); // 2: TCP/IPv4 valid
	build_l2(&good[3], 0, PB_ETH_P_ARP);
	pb_payload(&good[3], 28);
	pb_finish(&good[3]); // 3: ARP
	s.proto = PB_IPPROTO_UDP;
	build(&good[4], &s); // 4: UDP/IPv4 partial, marked dropped
	s.v6 = 1;
	s.tags = 2;
	s.payload = 1001;
	build(&good[5], &s); // 5: UDP/IPv6, 2 tags, partial
	s.v6 = 0;
	s.tags = 0;
	s.payload = 64;
	build(&good[6], &s); // 6: UDP/IPv4 fragment, partial
	build(&good[7], &s); // 7: UDP/IPv4, no checksum
	build(&good[8], &s); // 8: truncated partial (parse drops it)
	s.proto = PB_IPPROTO_TCP;
	s.payload = 8000;
	build(&good[9], &s); // 9: TCP/IPv4 jumbo partial
	s.v6 = 1;
	build(&good[10], &s); // 10: TCP/IPv6 valid jumbo
	s.payload = 3;
	s.tags = 2;
	s.proto = PB_IPPROTO_UDP;
	build(&good[11], &s); // 11: UDP/IPv6 partial, odd length

	for (int i = 0; i < 12; i++)
		in[i] = good[i];
	for (int i = 0; i < 12; i++)
		if (expect_changed[i] || i == 4 || i == 6 || i == 8)
			make_partial(&in[i]);
	wr16(in[6].buf + in[6].ip_off + 6, 0x2000);
	wr16(in[7].buf + check_off(&in[7]), 0);
	in[8].len = 14 + 2;
	in[8].buf[12] = 0x81; // a VLAN tag cut short
	in[8].buf[13] = 0x00;

	for (int i = 0; i < 12; i++) {
		frame_load(&f[i], in[i].buf, in[i].len, (uint32_t)i % 8);
		pkts[i] = f[i].pkt;
	}
	assert_int_equal(pkts[8].drop, VS_DROP_MALFORMED);
	pkts[4].drop = VS_DROP_HAIRPIN;
	n = vs_csum_burst(pkts, 12);
	assert_int_equal(n, 5);
	for (int i = 0; i < 12; i++) {
		const struct pb *want = expect_changed[i] ? &good[i] : &in[i];

		assert_int_equal(pkts[i].len, want->len);
		if (memcmp(pkts[i].data, want->buf, want->len) != 0)
			fail_msg("burst frame %d: wrong bytes", i);
	}
	// Once completed, nothing is left to do.
	assert_int_equal(vs_csum_burst(pkts, 12), 0);
	assert_int_equal(vs_csum_burst(pkts, 0), 0);
	for (int i = 0; i < 12; i++)
		frame_free(&f[i]);
}

// (7) Random full bursts: the count matches, every frame ends up as expected.
static void test_burst_random(void **state)
{
	static struct pb good[VS_BURST], in[VS_BURST];
	struct frame f[VS_BURST];
	struct spec s;

	(void)state;
	for (int round = 0; round < 200; round++) {
		static struct vs_pkt pkts[VS_BURST];
		int changed[VS_BURST], want = 0;
		uint16_t n = (uint16_t)(rnd() % (VS_BURST + 1));

		for (uint16_t i = 0; i < n; i++) {
			int partial = (int)(rnd() % 3 != 0), dropped = (int)(rnd() % 5 == 0);

			s.v6 = (int)(rnd() & 1);
			s.proto = protos[rnd() & 1];
			s.tags = (int)(rnd() % 3);
			s.payload = (uint32_t)(rnd() % 1500);
			s.random = 1;
			build(&good[i], &s);
			in[i] = good[i];
			if (partial)
				make_partial(&in[i]);
			changed[i] =
				partial && !dropped && get_check(&in[i]) != get_check(&good[i]);
			want += changed[i];
			frame_load(&f[i], in[i].buf, in[i].len, (uint32_t)(rnd() % 8));
			pkts[i] = f[i].pkt;
			if (dropped)
				pkts[i].drop = (uint8_t)(1 + rnd() % (VS_DROP_MAX - 1));
		}
		assert_int_equal(vs_csum_burst(pkts, n), want);
		for (uint16_t i = 0; i < n; i++) {
			const struct pb *w = changed[i] ? &good[i] : &in[i];

			if (memcmp(pkts[i].data, w->buf, w->len) != 0)
				fail_msg("round %d frame %u: wrong bytes", round, i);
			frame_free(&f[i]);
		}
	}
}

// (8) vs_csum_add() against the reference, for every length 0..2048 at every alignment
// 0..7, each buffer ending at the end of its allocation.
static void test_csum_add(void **state)
{
	static const uint8_t fills[] = {0x00, 0xff, 0x80, 0x01};

	(void)state;
	for (uint32_t len = 0; len <= 2048; len++)
		for (uint32_t off = 0; off < 8; off++) {
			// malloc() aligns to 16 bytes: 'p' is 'off' bytes past an aligned address.
			uint8_t *m = malloc(off + len ? off + len : 1);
			uint8_t *p = m + off;
			uint32_t init = (uint32_t)(rnd() & 0xffff);

			assert_non_null(m);
			for (uint32_t i = 0; i < len; i++)
				p[i] = (uint8_t)rnd();
			if (vs_csum_fold(vs_csum_add(0, p, len)) != ref_sum(p, len, 0))
				fail_msg("len %u off %u: %04x, reference %04x", len, off,
					 vs_csum_fold(vs_csum_add(0, p, len)), ref_sum(p, len, 0));
			assert_int_equal(vs_csum_fold(vs_csum_add(init, p, len)),
					 ref_sum(p, len, init));
			// The result is 'sum' plus a 16-bit value.
			assert_true(vs_csum_add(init, p, len) - init <= 0xffff);
			// Chaining at an even split point gives the same sum.
			if (len) {
				uint32_t k = (uint32_t)(rnd() % (len + 1)) & ~1u;

				assert_int_equal(vs_csum_fold(vs_csum_add(vs_csum_add(init, p, k),
									  p + k, len - k)),
						 ref_sum(p, len, init));
			}
			// Carry-heavy and degenerate contents.
			for (unsigned fi = 0; fi < sizeof(fills); fi++) {
				memset(p, fills[fi], len);
				assert_int_equal(vs_csum_fold(vs_csum_add(0, p, len)),
						 ref_sum(p, len, 0));
			}
			free(m);
		}
	// All zero is 0; anything non-zero that sums to a multiple of 0xffff is 0xffff.
	{
		uint8_t z[4] = {0, 0, 0, 0}, ff[4] = {0xff, 0xff, 0, 0},
			x[4] = {0x12, 0x34, 0xed, 0xcb};

		assert_int_equal(vs_csum_fold(vs_csum_add(0, z, 4)), 0);
		assert_int_equal(vs_csum_fold(vs_csum_add(0, ff, 4)), 0xffff);
		assert_int_equal(vs_csum_fold(vs_csum_add(0, x, 4)), 0xffff);
		assert_int_equal(vs_csum_add(7, z, 0), 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pktbuild),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_wrong_checksum_untouched),
		cmocka_unit_test(test_udp4_no_checksum),
		cmocka_unit_test(test_completes_to_zero),
		cmocka_unit_test(test_pseudo_ffff),
		cmocka_unit_test(test_valid_candidate),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_bad_header),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_ip_length_too_large),
		cmocka_unit_test(test_l4_too_short),
		cmocka_unit_test(test_not_tcp_udp),
		cmocka_unit_test(test_burst_mixed),
		cmocka_unit_test(test_burst_random),
		cmocka_unit_test(test_csum_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
