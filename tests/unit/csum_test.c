// SPDX-License-Identifier: Apache-2.0
// Unit tests of the checksum completion stage (vswitch/dp/csum.c): partial frames that must be
// completed. TCP and UDP over IPv4 and IPv6 with 0, 1 or 2 VLAN tags, odd and jumbo payloads,
// every buffer alignment, random frames, checksums that complete to zero, Ethernet padding,
// IPv4 options, bursts, and vs_csum_add() against a reference sum. The frames the stage must
// leave alone or refuse are in csum_reject_test.c; the shared helpers in csum_helpers.h.
#include <stdio.h>

#include "csum_helpers.h"
#include "vswitch/dp/fdb.h"
#include "vswitch/dp/parse.h"

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

// (9) vs_parse_csum_burst(), the pipeline's one pass, against vs_parse_burst() then
// vs_csum_burst() on copies of the same random bursts (partial, valid, truncated frames):
// the same count, the same bytes, the same metadata.
static void test_parse_csum_burst(void **state)
{
	static struct pb good[VS_BURST], in[VS_BURST];
	struct frame f[VS_BURST], g[VS_BURST];
	struct spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int round = 0; round < 200; round++) {
		static struct vs_pkt a[VS_BURST], b[VS_BURST];
		uint16_t n = (uint16_t)(rnd() % (VS_BURST + 1));

		for (uint16_t i = 0; i < n; i++) {
			uint32_t len;

			s.v6 = (int)(rnd() & 1);
			s.proto = protos[rnd() & 1];
			s.tags = (int)(rnd() % 3);
			s.payload = (uint32_t)(rnd() % 300);
			s.random = 1;
			build(&good[i], &s);
			in[i] = good[i];
			if (rnd() % 3 != 0)
				make_partial(&in[i]);
			// One in eight cut anywhere (the parse stage or the test must refuse it).
			len = rnd() % 8 == 0 ? (uint32_t)(rnd() % in[i].len) : in[i].len;
			frame_load(&f[i], in[i].buf, len, (uint32_t)(rnd() % 8));
			frame_load(&g[i], in[i].buf, len, 0);
			a[i] = (struct vs_pkt){.data = f[i].pkt.data, .len = len};
			b[i] = (struct vs_pkt){.data = g[i].pkt.data, .len = len};
		}
		vs_parse_burst(b, n);
		assert_int_equal(vs_parse_csum_burst(a, n), vs_csum_burst(b, n));
		assert_int_equal(vs_parse_csum_burst(a, 0), 0);
		for (uint16_t i = 0; i < n; i++) {
			assert_int_equal(a[i].drop, b[i].drop);
			assert_int_equal(a[i].ethertype, b[i].ethertype);
			assert_int_equal(a[i].l3_off, b[i].l3_off);
			assert_int_equal(a[i].vlan, b[i].vlan);
			assert_int_equal(a[i].n_vlans, b[i].n_vlans);
			assert_true(a[i].dst_mac == b[i].dst_mac && a[i].src_mac == b[i].src_mac);
			if (memcmp(a[i].data, b[i].data, a[i].len) != 0)
				fail_msg("round %d frame %u: bytes differ", round, i);
			if (a[i].len == in[i].len &&
			    memcmp(a[i].data, get_check(&in[i]) != get_check(&good[i]) ? good[i].buf
										     : in[i].buf,
				   a[i].len) != 0)
				fail_msg("round %d frame %u: wrong bytes", round, i);
			frame_free(&f[i]);
			frame_free(&g[i]);
		}
	}
}

// (10) vs_parse_rx_burst(), the pipeline's first pass on a port that is not a VXLAN underlay,
// against vs_parse_burst() then vs_csum_burst() on copies of the same random bursts: frames
// with 0-2 VLAN tags, IPv4 or IPv6, partial or valid, some cut anywhere (around the fast
// path's minimum length too), some with the bytes the fast path keys on (ethertype, version
// and header length, protocol) changed. The same metadata, drops, completed count and bytes;
// the receive fields set on every frame (stale values before); the bytes summed; with and
// without the checksum stage; and with 'hashed', the first FDB slot of each MAC.
static void test_parse_rx_burst(void **state)
{
	static struct pb good[VS_BURST], in[VS_BURST];
	static struct vs_fdb_slot slots[256];
	static struct vs_rx_prep prep;
	struct frame f[VS_BURST], g[VS_BURST];
	struct vs_port *const rx_port = (struct vs_port *)(uintptr_t)0x1000;
	struct spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int round = 0; round < 400; round++) {
		static struct vs_pkt a[VS_BURST], b[VS_BURST];
		uint16_t n = (uint16_t)(rnd() % (VS_BURST + 1)), want_fixed, want_dropped = 0;
		bool csum = round & 1, hashed = round & 2;
		uint64_t want_bytes = 0;

		for (uint16_t i = 0; i < n; i++) {
			uint32_t len, l3;

			s.v6 = (int)(rnd() % 4 == 0);
			s.proto = protos[rnd() & 1];
			s.tags = rnd() % 2 ? 0 : (int)(rnd() % 3);
			s.payload = (uint32_t)(rnd() % 300);
			s.random = 1;
			build(&good[i], &s);
			in[i] = good[i];
			if (rnd() % 3 != 0)
				make_partial(&in[i]);
			l3 = 14 + 4 * (uint32_t)s.tags;
			switch (rnd() % 10) {
			case 0: // IPv4 options, or a version that is not 4
				in[i].buf[l3] = (uint8_t)(rnd() % 2 ? 0x46 : 0x55);
				break;
			case 1: // another protocol
				in[i].buf[l3 + (s.v6 ? 6 : 9)] = (uint8_t)rnd();
				break;
			case 2: // another ethertype (ARP, or random)
				in[i].buf[12] = rnd() % 2 ? 0x08 : (uint8_t)rnd();
				in[i].buf[13] = rnd() % 2 ? 0x06 : (uint8_t)rnd();
				break;
			default:
				break;
			}
			switch (rnd() % 8) {
			case 0: // cut anywhere
				len = (uint32_t)(rnd() % in[i].len);
				break;
			case 1: // around VS_CSUM_FAST_MIN
				len = (uint32_t)(VS_CSUM_FAST_MIN - 3 + rnd() % 6);
				len = len < in[i].len ? len : in[i].len;
				break;
			default:
				len = in[i].len;
				break;
			}
			frame_load(&f[i], in[i].buf, len, (uint32_t)(rnd() % 8));
			frame_load(&g[i], in[i].buf, len, 0);
			// Stale values from a previous burst in the receive fields.
			a[i] = (struct vs_pkt){.data = f[i].pkt.data,
					       .len = len,
					       .in_port = 7,
					       .out_port = 9,
					       .drop = VS_DROP_HAIRPIN,
					       .vtep = 0x01020304,
					       .n_vlans = 3,
					       .vlan = 77};
			b[i] = (struct vs_pkt){.data = g[i].pkt.data, .len = len};
			want_bytes += len;
		}
		vs_parse_burst(b, n);
		want_fixed = csum ? vs_csum_burst(b, n) : 0;
		prep = (struct vs_rx_prep){.slots = slots, .mask = 255, .hashed = hashed};
		vs_parse_rx_burst(a, n, 42, rx_port, csum, &prep);
		assert_int_equal(prep.fixed, want_fixed);
		assert_int_equal(prep.bytes, want_bytes);
		for (uint16_t i = 0; i < n; i++) {
			assert_int_equal(a[i].drop, b[i].drop);
			want_dropped += b[i].drop != VS_DROP_NONE;
			assert_int_equal(a[i].in_port, 42);
			assert_int_equal(a[i].out_port, VS_PORT_NONE);
			assert_ptr_equal(a[i].rx_port, rx_port);
			assert_int_equal(a[i].vtep, 0);
			if (b[i].drop == VS_DROP_NONE) {
				assert_int_equal(a[i].ethertype, b[i].ethertype);
				assert_int_equal(a[i].l3_off, b[i].l3_off);
				assert_int_equal(a[i].vlan, b[i].vlan);
				assert_int_equal(a[i].n_vlans, b[i].n_vlans);
				assert_true(a[i].dst_mac == b[i].dst_mac &&
					    a[i].src_mac == b[i].src_mac);
				if (hashed) {
					assert_ptr_equal(prep.src[i],
							 &slots[vs_fdb_hash(b[i].src_mac) & 255]);
					assert_ptr_equal(prep.dst[i],
							 &slots[vs_fdb_hash(b[i].dst_mac) & 255]);
				}
			}
			if (memcmp(a[i].data, b[i].data, a[i].len) != 0)
				fail_msg("round %d frame %u: bytes differ", round, i);
			frame_free(&f[i]);
			frame_free(&g[i]);
		}
		assert_int_equal(prep.dropped, want_dropped);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pktbuild),     cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_large),	     cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_random),	     cmocka_unit_test(test_completes_to_zero),
		cmocka_unit_test(test_pseudo_ffff),  cmocka_unit_test(test_padding),
		cmocka_unit_test(test_ipv4_options), cmocka_unit_test(test_burst_mixed),
		cmocka_unit_test(test_burst_random), cmocka_unit_test(test_csum_add),
		cmocka_unit_test(test_parse_csum_burst), cmocka_unit_test(test_parse_rx_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
