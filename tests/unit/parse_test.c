// SPDX-License-Identifier: Apache-2.0
// Unit tests of the parse stage (vswitch/dp/parse.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vs/drops.h>

#include "pktbuild.h"
#include "vswitch/dp/parse.h"

#define DST 0x0200000000aaULL
#define SRC 0x0200000000bbULL

// Parses the first 'len' bytes of 'b' (from a copy of exactly that size, so that a read past
// the end is caught by the address sanitizer).
static uint8_t parse(const struct pb *b, uint32_t len, struct vs_pkt *pkt)
{
	static uint8_t copy[PB_MAX];
	uint8_t *data = len ? copy + PB_MAX - len : NULL;

	if (len)
		memcpy(data, b->buf, len);
	memset(pkt, 0xa5, sizeof(*pkt));
	pkt->data = data;
	pkt->len = len;
	pkt->drop = VS_DROP_NONE;
	return vs_parse_one(pkt);
}

static void test_untagged(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	pb_simple(&b, DST, SRC, 64);
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.drop, VS_DROP_NONE);
	assert_true(pkt.dst_mac == DST);
	assert_true(pkt.src_mac == SRC);
	assert_int_equal(pkt.ethertype, PB_ETH_P_IPV4);
	assert_int_equal(pkt.vlan, 0);
	assert_int_equal(pkt.n_vlans, 0);
	assert_int_equal(pkt.l3_off, 14);
	// l3_off points at the IPv4 header the builder wrote.
	assert_int_equal(pkt.data[pkt.l3_off], 0x45);
	assert_true(pb_ipv4_csum_ok(pkt.data + pkt.l3_off));
}

static void test_untagged_minimal(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	// A bare 14-byte Ethernet header is a complete (if empty) frame.
	pb_init(&b);
	pb_eth(&b, PB_BROADCAST, SRC, PB_ETH_P_ARP);
	assert_int_equal(b.len, 14);
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_true(pkt.dst_mac == PB_BROADCAST);
	assert_int_equal(pkt.ethertype, PB_ETH_P_ARP);
	assert_int_equal(pkt.l3_off, 14);
	assert_int_equal(pkt.n_vlans, 0);
}

static void test_single_vlan(void **state)
{
	static const uint16_t tpids[] = {PB_ETH_P_8021Q, PB_ETH_P_8021AD};
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	for (unsigned t = 0; t < 2; t++) {
		pb_init(&b);
		pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
		pb_vlan(&b, tpids[t], 100, PB_ETH_P_IPV4);
		pb_ipv4(&b, 0x0a000001, 0x0a000002, PB_IPPROTO_UDP);
		pb_udp(&b, 1, 2);
		pb_payload(&b, 10);
		pb_finish(&b);
		assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
		assert_int_equal(pkt.n_vlans, 1);
		assert_int_equal(pkt.vlan, 100);
		assert_int_equal(pkt.ethertype, PB_ETH_P_IPV4);
		assert_int_equal(pkt.l3_off, 18);
		assert_true(pb_ipv4_csum_ok(pkt.data + pkt.l3_off));
		assert_true(pkt.dst_mac == DST);
		assert_true(pkt.src_mac == SRC);
	}
}

static void test_vlan_vid_bits(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	// VID 4095 and a TCI with PCP/DEI bits set: only the low 12 bits are the VID.
	pb_init(&b);
	pb_eth(&b, DST, SRC, PB_ETH_P_IPV6);
	pb_vlan(&b, PB_ETH_P_8021Q, 4095, PB_ETH_P_IPV6);
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.vlan, 4095);
	assert_int_equal(pkt.ethertype, PB_ETH_P_IPV6);

	b.buf[14] |= 0xf0; // PCP 7, DEI 1
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.vlan, 4095);
	b.buf[14] = 0xe0;
	b.buf[15] = 0x05; // PCP 7, VID 5
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.vlan, 5);
}

static void test_double_vlan(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	pb_init(&b);
	pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021AD, 300, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 20, PB_ETH_P_IPV4);
	pb_ipv4(&b, 0x0a000001, 0x0a000002, PB_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_payload(&b, 30);
	pb_finish(&b);
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.n_vlans, 2);
	assert_int_equal(pkt.vlan, 300); // the outer tag
	assert_int_equal(pkt.ethertype, PB_ETH_P_IPV4);
	assert_int_equal(pkt.l3_off, 22);
	assert_true(pb_ipv4_csum_ok(pkt.data + pkt.l3_off));

	// Two 802.1Q tags (non-standard QinQ) are accepted as well.
	pb_init(&b);
	pb_eth(&b, DST, SRC, PB_ETH_P_ARP);
	pb_vlan(&b, PB_ETH_P_8021Q, 1, PB_ETH_P_ARP);
	pb_vlan(&b, PB_ETH_P_8021Q, 2, PB_ETH_P_ARP);
	assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.n_vlans, 2);
	assert_int_equal(pkt.vlan, 1);
	assert_int_equal(pkt.ethertype, PB_ETH_P_ARP);
	assert_int_equal(pkt.l3_off, 22);
}

static void test_truncated_ethernet(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	pb_simple(&b, DST, SRC, 64);
	for (uint32_t len = 0; len < 14; len++) {
		assert_int_equal(parse(&b, len, &pkt), VS_DROP_MALFORMED);
		assert_int_equal(pkt.drop, VS_DROP_MALFORMED);
		assert_int_equal(pkt.n_vlans, 0);
		assert_int_equal(pkt.vlan, 0);
	}
	assert_int_equal(parse(&b, 14, &pkt), VS_DROP_NONE);
}

static void test_truncated_vlan(void **state)
{
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	// One tag: 14 + 4 bytes are needed.
	pb_init(&b);
	pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 7, PB_ETH_P_IPV4);
	for (uint32_t len = 14; len < 18; len++)
		assert_int_equal(parse(&b, len, &pkt), VS_DROP_MALFORMED);
	assert_int_equal(parse(&b, 18, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.l3_off, 18);

	// Two tags: the second one truncated.
	pb_vlan(&b, PB_ETH_P_8021Q, 8, PB_ETH_P_IPV4);
	for (uint32_t len = 18; len < 22; len++)
		assert_int_equal(parse(&b, len, &pkt), VS_DROP_MALFORMED);
	assert_int_equal(parse(&b, 22, &pkt), VS_DROP_NONE);
	assert_int_equal(pkt.n_vlans, 2);
	assert_int_equal(pkt.vlan, 7);
}

static void test_three_tags_refused(void **state)
{
	static const uint16_t tpids[] = {PB_ETH_P_8021Q, PB_ETH_P_8021AD};
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	for (unsigned t = 0; t < 2; t++) {
		pb_init(&b);
		pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
		pb_vlan(&b, PB_ETH_P_8021AD, 1, PB_ETH_P_IPV4);
		pb_vlan(&b, PB_ETH_P_8021Q, 2, PB_ETH_P_IPV4);
		pb_vlan(&b, tpids[t], 3, PB_ETH_P_IPV4);
		pb_ipv4(&b, 1, 2, PB_IPPROTO_UDP);
		pb_finish(&b);
		assert_int_equal(parse(&b, b.len, &pkt), VS_DROP_MALFORMED);
		assert_int_equal(pkt.drop, VS_DROP_MALFORMED);
	}
}

static void test_burst(void **state)
{
	struct vs_pkt pkts[5];
	struct pb b[5];

	(void)state;
	pb_simple(&b[0], DST, SRC, 60);
	pb_init(&b[1]);
	pb_eth(&b[1], DST, SRC, PB_ETH_P_IPV4);
	pb_vlan(&b[1], PB_ETH_P_8021Q, 42, PB_ETH_P_IPV4);
	pb_simple(&b[2], DST, SRC, 60);
	pb_simple(&b[3], SRC, DST, 100);
	pb_simple(&b[4], DST, SRC, 60);
	for (unsigned i = 0; i < 5; i++) {
		memset(&pkts[i], 0, sizeof(pkts[i]));
		pkts[i].data = b[i].buf;
		pkts[i].len = b[i].len;
	}
	pkts[2].len = 13; // truncated
	vs_parse_burst(pkts, 5);
	assert_int_equal(pkts[0].drop, VS_DROP_NONE);
	assert_int_equal(pkts[1].drop, VS_DROP_NONE);
	assert_int_equal(pkts[1].vlan, 42);
	assert_int_equal(pkts[2].drop, VS_DROP_MALFORMED);
	assert_int_equal(pkts[3].drop, VS_DROP_NONE);
	assert_true(pkts[3].dst_mac == SRC);
	assert_int_equal(pkts[4].drop, VS_DROP_NONE);
	assert_int_equal(pkts[4].l3_off, 14);
}

static void test_pktbuild_checksums(void **state)
{
	struct pb b;
	uint16_t ulen;
	uint32_t pseudo;

	(void)state;
	assert_int_equal(pb_simple(&b, DST, SRC, 100), 100);
	assert_int_equal(b.buf[16] << 8 | b.buf[17], 100 - 14); // IPv4 total length
	assert_true(pb_ipv4_csum_ok(b.buf + 14));
	ulen = (uint16_t)(b.buf[38] << 8 | b.buf[39]);
	assert_int_equal(ulen, 100 - 34);
	pseudo = pb_csum_fold(b.buf + 26, 8, 0) + PB_IPPROTO_UDP + ulen;
	assert_int_equal(pb_csum_fold(b.buf + 34, ulen, pseudo), 0xffff);
	// Corrupting a header byte breaks the checksum.
	b.buf[22]++;
	assert_false(pb_ipv4_csum_ok(b.buf + 14));
}
// vs_parse_pair(): one MAC pair over the burst, its bytes and ORed lengths; any frame with
// another destination or source (in any of the 12 bytes), or shorter than an Ethernet
// header, and the answer is no.
static void test_pair(void **state)
{
	static const uint32_t lens[4] = {60, 100, 1514, 64};
	struct vs_pkt pkts[4];
	struct vs_pair p;
	struct pb b[4];

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		pb_simple(&b[i], DST, SRC, lens[i]);
		memset(&pkts[i], 0, sizeof(pkts[i]));
		pkts[i].data = b[i].buf;
		pkts[i].len = b[i].len;
	}
	assert_true(vs_parse_pair(pkts, 4, &p));
	assert_true(p.dst == DST);
	assert_true(p.src == SRC);
	assert_int_equal(p.bytes, 60 + 100 + 1514 + 64);
	assert_int_equal(p.len_or, 60 | 100 | 1514 | 64);
	assert_true(vs_parse_pair(pkts + 3, 1, &p));
	assert_int_equal(p.bytes, 64);
	for (unsigned byte = 0; byte < 12; byte++) {
		b[2].buf[byte] ^= 0x40;
		assert_false(vs_parse_pair(pkts, 4, &p));
		b[2].buf[byte] ^= 0x40;
	}
	pkts[1].len = 13;
	assert_false(vs_parse_pair(pkts, 4, &p));
	pkts[1].len = 100;
	pkts[0].len = 13;
	assert_false(vs_parse_pair(pkts, 4, &p));
	pkts[0].len = 60;
	assert_true(vs_parse_pair(pkts, 4, &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untagged),       cmocka_unit_test(test_untagged_minimal),
		cmocka_unit_test(test_single_vlan),    cmocka_unit_test(test_vlan_vid_bits),
		cmocka_unit_test(test_double_vlan),    cmocka_unit_test(test_truncated_ethernet),
		cmocka_unit_test(test_truncated_vlan), cmocka_unit_test(test_three_tags_refused),
		cmocka_unit_test(test_burst),	       cmocka_unit_test(test_pktbuild_checksums),
		cmocka_unit_test(test_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
