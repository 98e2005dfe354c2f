// SPDX-License-Identifier: Apache-2.0
// Unit tests of the checksum completion stage (vswitch/dp/csum.c): frames it must leave alone
// or refuse. Wrong checksums, UDP/IPv4 without a checksum, valid frames that look partial,
// IPv4 fragments, bad IPv4 headers, truncated frames, IP lengths past the frame, L4 shorter
// than its header, and frames that are not TCP/UDP over IPv4/IPv6. Each must come back
// byte-identical without being read past its end. The completion cases are in csum_test.c;
// the shared helpers in csum_helpers.h.
#include "csum_helpers.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_checksum_untouched),
		cmocka_unit_test(test_udp4_no_checksum),
		cmocka_unit_test(test_valid_candidate),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_bad_header),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_ip_length_too_large),
		cmocka_unit_test(test_l4_too_short),
		cmocka_unit_test(test_not_tcp_udp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
