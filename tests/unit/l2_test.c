// SPDX-License-Identifier: Apache-2.0
// Unit tests of the forwarding pipeline (parse -> l2 -> output) through the real control
// plane model (vswitch/cp/switch.c) and in-memory ports (pmd/mem.c). The PMD thread is not
// started: the test polls it with vs_pmd_poll_once() and applies learning with
// vs_switch_housekeeping().
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "l2fix.h"

static void test_flood(void **state)
{
	struct pb b;
	uint32_t len;

	(void)state;
	br0_3ports();
	pb_simple(&b, PB_BROADCAST, MAC_A, 80);
	inject("p1", &b, b.len);
	assert_int_equal(run(), 1);
	assert_tx3(0, 1, 1);
	// The copies are byte-identical to what was sent.
	assert_memory_equal(vs_mem_tx_frame(P("p2"), 0, &len), b.buf, b.len);
	assert_int_equal(len, 80);
	assert_memory_equal(vs_mem_tx_frame(P("p3"), 0, &len), b.buf, b.len);

	tx_frame("p2", MAC_C, MAC_B); // unknown unicast
	assert_tx3(1, 1, 2);
	assert_true(src_of("p1", 0) == MAC_B);
	tx_frame("p3", MCAST, MAC_C); // multicast
	assert_tx3(2, 2, 2);
	tx_frame("p3", PB_BROADCAST, MAC_C);
	assert_tx3(3, 3, 2);
	assert_int_equal(all_drops("p1") + all_drops("p2") + all_drops("p3"), 0);
}

static void test_known_unicast(void **state)
{
	(void)state;
	br0_3ports();
	tx_frame("p1", PB_BROADCAST, MAC_A);
	// Learning is asynchronous: until the control thread applied it, A is unknown.
	tx_frame("p2", MAC_A, MAC_B);
	assert_tx3(1, 1, 2);
	assert_int_equal(fdb_port("br0", MAC_A), -1);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A), P("p1")->id);
	assert_int_equal(fdb_port("br0", MAC_B), P("p2")->id);
	clear_tx();

	tx_frame("p2", MAC_A, MAC_B);
	assert_tx3(1, 0, 0);
	assert_true(src_of("p1", 0) == MAC_B);
	tx_frame("p3", MAC_B, MAC_C);
	assert_tx3(1, 1, 0);
	vs_switch_housekeeping(&sw);
	tx_frame("p1", MAC_C, MAC_A);
	assert_tx3(1, 1, 1);
	assert_int_equal(fdb_of("br0")->count, 3);
}

static void test_mac_move(void **state)
{
	(void)state;
	br0_3ports();
	tx_frame("p1", PB_BROADCAST, MAC_A);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A), P("p1")->id);
	tx_frame("p2", PB_BROADCAST, MAC_A); // A moved behind p2
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A), P("p2")->id);
	assert_int_equal(fdb_of("br0")->count, 1);
	clear_tx();
	tx_frame("p3", MAC_A, MAC_C);
	assert_tx3(0, 1, 0);
	tx_frame("p1", PB_BROADCAST, MAC_A); // and back
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A), P("p1")->id);
	clear_tx();
	tx_frame("p3", MAC_A, MAC_C);
	assert_tx3(1, 0, 0);
}

static void test_hairpin(void **state)
{
	(void)state;
	br0_3ports();
	tx_frame("p1", PB_BROADCAST, MAC_A);
	vs_switch_housekeeping(&sw);
	clear_tx();
	tx_frame("p1", MAC_A, MAC_B); // A is behind p1 already
	assert_tx3(0, 0, 0);
	assert_int_equal(drops("p1", VS_DROP_HAIRPIN), 1);
	assert_int_equal(ctr("p1").drops[VS_DROP_HAIRPIN],
			 P("p1")->ctr[pmd->id].drops[VS_DROP_HAIRPIN]);
	assert_int_equal(all_drops("p1"), 1);
	assert_int_equal(all_drops("p2"), 0);
	assert_int_equal(all_drops("p3"), 0);
	// The source of a hairpin frame is still learned.
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_B), P("p1")->id);
}

static void test_link_local(void **state)
{
	(void)state;
	br0_3ports();
	for (uint64_t d = 0; d <= 0xf; d++)
		tx_frame("p1", 0x0180c2000000ULL | d, MAC_A);
	assert_tx3(0, 0, 0);
	assert_int_equal(drops("p1", VS_DROP_LINK_LOCAL), 16);
	assert_int_equal(all_drops("p1"), 16);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 0);
	// Just outside the reserved block: an ordinary multicast address.
	tx_frame("p1", 0x0180c2000010ULL, MAC_A);
	assert_tx3(0, 1, 1);
	assert_int_equal(drops("p1", VS_DROP_LINK_LOCAL), 16);
}

static void test_invalid_src(void **state)
{
	(void)state;
	br0_3ports();
	tx_frame("p1", PB_BROADCAST, MCAST);
	tx_frame("p1", MAC_B, PB_BROADCAST);
	tx_frame("p1", PB_BROADCAST, 0);
	tx_frame("p1", MAC_B, 0x030000000001ULL); // group bit set in a locally administered MAC
	assert_tx3(0, 0, 0);
	assert_int_equal(drops("p1", VS_DROP_INVALID_SRC_MAC), 4);
	assert_int_equal(all_drops("p1"), 4);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 0);
}

static void test_malformed(void **state)
{
	struct pb b;

	(void)state;
	br0_3ports();
	pb_simple(&b, PB_BROADCAST, MAC_A, 64);
	inject("p1", &b, 0);
	inject("p1", &b, 1);
	inject("p1", &b, 13);
	pb_init(&b);
	pb_eth(&b, PB_BROADCAST, MAC_A, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 5, PB_ETH_P_IPV4);
	inject("p1", &b, 16); // truncated tag
	pb_vlan(&b, PB_ETH_P_8021Q, 6, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 7, PB_ETH_P_IPV4);
	pb_payload(&b, 40);
	inject("p1", &b, b.len); // three tags
	assert_int_equal(run(), 5);
	assert_tx3(0, 0, 0);
	assert_int_equal(drops("p1", VS_DROP_MALFORMED), 5);
	assert_int_equal(all_drops("p1"), 5);
	assert_int_equal(ctr("p1").rx_packets, 5);
	assert_int_equal(ctr("p1").rx_bytes, 0 + 1 + 13 + 16 + b.len);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 0);
}

static void test_vlan_forwarded(void **state)
{
	struct pb b;
	uint32_t len;

	(void)state;
	br0_3ports();
	pb_init(&b);
	pb_eth(&b, MAC_B, MAC_A, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021AD, 100, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 200, PB_ETH_P_IPV4);
	pb_ipv4(&b, 1, 2, PB_IPPROTO_UDP);
	pb_udp(&b, 3, 4);
	pb_payload(&b, 50);
	pb_finish(&b);
	inject("p1", &b, b.len);
	assert_int_equal(run(), 1);
	assert_tx3(0, 1, 1);
	assert_memory_equal(vs_mem_tx_frame(P("p3"), 0, &len), b.buf, b.len);
	assert_int_equal(len, b.len);
}

static void test_no_destination(void **state)
{
	(void)state;
	add_br("br1");
	add_port("br1", "q1", NULL, NULL);
	tx_frame("q1", PB_BROADCAST, MAC_A);
	tx_frame("q1", MAC_B, MAC_A);
	assert_int_equal(ntx("q1"), 0);
	assert_int_equal(drops("q1", VS_DROP_NO_DESTINATION), 2);
	assert_int_equal(all_drops("q1"), 2);
	assert_int_equal(ctr("q1").tx_packets, 0);
}

static void test_oversized(void **state)
{
	(void)state;
	add_br("br0");
	add_port("br0", "p1", NULL, NULL);
	add_port("br0", "p2", "max-frame", "100");
	add_port("br0", "p3", NULL, NULL);
	assert_int_equal(P("p2")->max_frame, 100);
	tx_frame_len("p1", PB_BROADCAST, MAC_A, 200);
	assert_tx3(0, 0, 1);
	assert_int_equal(drops("p2", VS_DROP_OVERSIZED), 1);
	assert_int_equal(all_drops("p1"), 0);
	assert_int_equal(all_drops("p3"), 0);
	tx_frame_len("p1", PB_BROADCAST, MAC_A, 100); // exactly max-frame fits
	tx_frame_len("p1", PB_BROADCAST, MAC_A, 101);
	assert_tx3(0, 1, 3);
	assert_int_equal(drops("p2", VS_DROP_OVERSIZED), 2);
	// Known unicast too.
	tx_frame("p2", MAC_A, MAC_B);
	vs_switch_housekeeping(&sw);
	tx_frame_len("p1", MAC_B, MAC_A, 150);
	assert_int_equal(drops("p2", VS_DROP_OVERSIZED), 3);
	assert_int_equal(ctr("p2").tx_packets, 1);
	assert_int_equal(ctr("p2").tx_bytes, 100);
}

static void test_tx_ring_full(void **state)
{
	struct pb b;

	(void)state;
	add_br("br0");
	add_port("br0", "p1", NULL, NULL);
	add_port("br0", "p2", "tx-ring", "2");
	add_port("br0", "p3", NULL, NULL);
	for (uint32_t i = 0; i < 5; i++) {
		pb_simple(&b, PB_BROADCAST, pb_mac(i + 1), 64);
		inject("p1", &b, b.len);
	}
	assert_int_equal(run(), 5);
	assert_tx3(0, 2, 5);
	assert_true(src_of("p2", 0) == pb_mac(1)); // the first ones are sent, in order
	assert_true(src_of("p2", 1) == pb_mac(2));
	assert_int_equal(drops("p2", VS_DROP_TX_RING_FULL), 3);
	assert_int_equal(ctr("p2").tx_packets, 2);
	assert_int_equal(ctr("p2").tx_bytes, 128);
	assert_int_equal(ctr("p3").tx_packets, 5);
	assert_int_equal(all_drops("p1"), 0);
	assert_int_equal(all_drops("p3"), 0);
}

static void test_bridge_isolation(void **state)
{
	static const char *const ports[] = {"p1", "p2", "p3", "q1", "q2"};
	const uint64_t shared = 0x0200000000ffULL;

	(void)state;
	br0_3ports();
	add_br("br1");
	add_port("br1", "q1", NULL, NULL);
	add_port("br1", "q2", NULL, NULL);
	// Every port floods (broadcast, multicast, unknown unicast) from its own MAC, index+1.
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < 5; i++) {
			tx_frame(ports[i], PB_BROADCAST, pb_mac(i + 1));
			tx_frame(ports[i], MCAST, pb_mac(i + 1));
			tx_frame(ports[i], pb_mac(0x777), pb_mac(i + 1));
			// Unicast to the MAC of every port, including those on the other bridge.
			for (uint32_t j = 0; j < 5; j++)
				if (j != i)
					tx_frame(ports[i], pb_mac(j + 1), pb_mac(i + 1));
		}
		vs_switch_housekeeping(&sw);
	}
	for (uint32_t i = 0; i < 5; i++) {
		bool on_br1 = ports[i][0] == 'q';

		assert_true(ntx(ports[i]) > 0);
		for (uint32_t f = 0; f < ntx(ports[i]); f++) {
			uint64_t src = src_of(ports[i], f);
			bool from_br1 = src == pb_mac(4) || src == pb_mac(5);

			if (on_br1 != from_br1)
				fail_msg("%s received a frame from %012llx", ports[i],
					 (unsigned long long)src);
		}
	}
	assert_int_equal(fdb_of("br0")->count, 3);
	assert_int_equal(fdb_of("br1")->count, 2);
	assert_int_equal(fdb_port("br0", pb_mac(4)), -1);
	assert_int_equal(fdb_port("br1", pb_mac(1)), -1);

	// The same MAC on both bridges is two independent entries.
	clear_tx();
	tx_frame("p1", PB_BROADCAST, shared);
	tx_frame("q1", PB_BROADCAST, shared);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", shared), P("p1")->id);
	assert_int_equal(fdb_port("br1", shared), P("q1")->id);
	clear_tx();
	tx_frame("p2", shared, pb_mac(2));
	tx_frame("q2", shared, pb_mac(5));
	assert_tx3(1, 0, 0);
	assert_int_equal(ntx("q1"), 1);
	assert_int_equal(ntx("q2"), 0);
	assert_true(src_of("q1", 0) == pb_mac(5));
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(all_drops(ports[i]), 0);

	// Even an entry of br0's table naming a port of br1 (or no port at all) cannot make a
	// frame cross: such a destination is flooded within br0.
	clear_tx();
	assert_int_equal(vs_fdb_add_static(fdb_of("br0"), MAC_A, P("q1")->id), 0);
	assert_int_equal(vs_fdb_add_static(fdb_of("br0"), MAC_B, VS_MAX_PORTS - 1), 0);
	tx_frame("p1", MAC_A, pb_mac(1));
	tx_frame("p1", MAC_B, pb_mac(1));
	assert_tx3(0, 2, 2);
	assert_int_equal(ntx("q1") + ntx("q2"), 0);
}

static void test_static_entry(void **state)
{
	char err[256];

	(void)state;
	br0_3ports();
	if (vs_switch_fdb_add(&sw, "br0", "02:00:00:00:00:99", "p2", err, sizeof(err)) != 0)
		fail_msg("fdb-add: %s", err);
	tx_frame("p1", 0x020000000099ULL, MAC_A);
	assert_tx3(0, 1, 0);
	// A frame from the static MAC on another port does not move it.
	tx_frame("p3", PB_BROADCAST, 0x020000000099ULL);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", 0x020000000099ULL), P("p2")->id);
	clear_tx();
	tx_frame("p1", 0x020000000099ULL, MAC_A);
	assert_tx3(0, 1, 0);
	// Flushing keeps static entries.
	assert_int_equal(vs_switch_fdb_flush(&sw, "br0", err, sizeof(err)), 1); // MAC_A
	clear_tx();
	tx_frame("p3", 0x020000000099ULL, MAC_C);
	assert_tx3(0, 1, 0);
}

static void test_table_full(void **state)
{
	struct vs_bridge_opts o = {.mac_table_size = 16};
	char err[256];
	struct pb b;

	(void)state;
	br0_3ports();
	if (vs_switch_set_bridge(&sw, "br0", &o, err, sizeof(err)) != 0)
		fail_msg("set-bridge: %s", err);
	assert_int_equal(fdb_of("br0")->limit, 16);
	for (uint32_t i = 0; i < 20; i++) {
		pb_simple(&b, PB_BROADCAST, pb_mac(0x100 + i), 64);
		inject("p1", &b, b.len);
	}
	assert_int_equal(run(), 20);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 16);
	assert_int_equal(fdb_of("br0")->learn_full, 4);
	assert_tx3(0, 20, 20);
	clear_tx();
	// Every MAC, learned or not, is still reachable: learned ones by unicast, others by flood.
	for (uint32_t i = 0; i < 20; i++) {
		bool learned = fdb_port("br0", pb_mac(0x100 + i)) >= 0;

		tx_frame("p2", pb_mac(0x100 + i), MAC_B);
		assert_int_equal(ntx("p1"), 1);
		assert_int_equal(ntx("p3"), learned ? 0 : 1);
		clear_tx();
	}
	vs_switch_housekeeping(&sw); // MAC_B does not fit either
	assert_int_equal(fdb_of("br0")->count, 16);
	assert_int_equal(fdb_port("br0", MAC_B), -1);
	assert_true(fdb_of("br0")->learn_full > 4);
}

static void test_del_port(void **state)
{
	struct vs_fdb_entry ents[8];
	char err[256];
	int p2;

	(void)state;
	br0_3ports();
	tx_frame("p2", PB_BROADCAST, MAC_A);
	tx_frame("p3", PB_BROADCAST, MAC_B);
	vs_switch_housekeeping(&sw);
	if (vs_switch_fdb_add(&sw, "br0", "02:00:00:00:00:99", "p2", err, sizeof(err)) != 0)
		fail_msg("fdb-add: %s", err);
	tx_frame("p2", PB_BROADCAST, MAC_C); // pending learning request for p2
	p2 = P("p2")->id;
	if (vs_switch_del_port(&sw, "br0", "p2", err, sizeof(err)) != 0)
		fail_msg("del-port: %s", err);
	assert_int_equal(vs_switch_port_id(&sw, "p2"), -1);
	vs_switch_housekeeping(&sw);
	// Only B (on p3) is left: A, the static entry and the pending C are gone.
	assert_int_equal(vs_fdb_dump(fdb_of("br0"), ents, 8), 1);
	assert_true(ents[0].mac == MAC_B);
	for (uint32_t i = 0; i < 8 && i < fdb_of("br0")->count; i++)
		assert_int_not_equal(ents[i].port, p2);
	clear_tx();
	tx_frame("p1", MAC_A, MAC_C);
	tx_frame("p1", PB_BROADCAST, MAC_C);
	tx_frame("p1", 0x020000000099ULL, MAC_C);
	assert_int_equal(ntx("p1"), 0);
	assert_int_equal(ntx("p3"), 3);
	assert_int_equal(all_drops("p1"), 0);
	// A new port may take the freed id without inheriting anything.
	add_port("br0", "p4", NULL, NULL);
	assert_int_equal(P("p4")->id, p2);
	tx_frame("p1", MAC_A, MAC_C);
	assert_int_equal(ntx("p4"), 1);
	assert_int_equal(ntx("p3"), 4);
}

static void test_counters(void **state)
{
	static const uint32_t lens[] = {60, 64, 100, 1514, 9000, 42, 333};
	uint64_t bytes = 0, tx_bytes[3] = {0};
	const char *names[] = {"p1", "p2", "p3"};
	struct pb b;

	(void)state;
	br0_3ports();
	for (unsigned i = 0; i < VS_ARRAY_SIZE(lens); i++) {
		pb_simple(&b, PB_BROADCAST, MAC_A, lens[i]);
		inject("p1", &b, b.len);
		bytes += lens[i];
	}
	assert_int_equal(run(), VS_ARRAY_SIZE(lens));
	vs_switch_housekeeping(&sw);
	tx_frame_len("p2", MAC_A, MAC_B, 700); // known unicast to p1
	tx_frame_len("p3", MAC_C, MAC_B, 80);  // unknown unicast: p1 and p2

	assert_int_equal(ctr("p1").rx_packets, VS_ARRAY_SIZE(lens));
	assert_int_equal(ctr("p1").rx_bytes, bytes);
	assert_int_equal(ctr("p2").rx_packets, 1);
	assert_int_equal(ctr("p2").rx_bytes, 700);
	assert_int_equal(ctr("p3").rx_packets, 1);
	assert_int_equal(ctr("p3").rx_bytes, 80);
	for (unsigned p = 0; p < 3; p++) {
		uint32_t len;

		for (uint32_t f = 0; f < ntx(names[p]); f++) {
			assert_non_null(vs_mem_tx_frame(P(names[p]), f, &len));
			tx_bytes[p] += len;
		}
		assert_int_equal(ctr(names[p]).tx_packets, ntx(names[p]));
		assert_int_equal(ctr(names[p]).tx_bytes, tx_bytes[p]);
		assert_int_equal(all_drops(names[p]), 0);
	}
	assert_int_equal(ntx("p1"), 2);
	assert_int_equal(tx_bytes[0], 780);
	assert_int_equal(tx_bytes[1], bytes + 80);
	assert_int_equal(tx_bytes[2], bytes);
}

static void test_many_bursts(void **state)
{
	struct pb b;

	(void)state;
	br0_3ports();
	// More than one burst (VS_BURST) waiting on the same queue.
	for (uint32_t i = 0; i < 200; i++) {
		pb_simple(&b, PB_BROADCAST, pb_mac(0x1000 + i), 64 + i);
		inject("p1", &b, b.len);
	}
	assert_int_equal(run(), 200);
	assert_tx3(0, 200, 200);
	for (uint32_t i = 0; i < 200; i++)
		assert_true(src_of("p3", i) == pb_mac(0x1000 + i));
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 200);
	assert_int_equal(ctr("p1").rx_packets, 200);
}

// A group destination (multicast, broadcast, just outside the link-local block) passes the
// L2 stage's one-test group check: flooded, and its valid source still learned.
static void test_group_dst_learns_src(void **state)
{
	(void)state;
	br0_3ports();
	tx_frame("p1", MCAST, MAC_A);
	tx_frame("p2", PB_BROADCAST, MAC_B);
	tx_frame("p3", 0x0180c2000010ULL, MAC_C);
	assert_tx3(2, 2, 2);
	assert_int_equal(all_drops("p1") + all_drops("p2") + all_drops("p3"), 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A), P("p1")->id);
	assert_int_equal(fdb_port("br0", MAC_B), P("p2")->id);
	assert_int_equal(fdb_port("br0", MAC_C), P("p3")->id);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_flood),
		T(test_known_unicast),
		T(test_mac_move),
		T(test_hairpin),
		T(test_link_local),
		T(test_invalid_src),
		T(test_malformed),
		T(test_vlan_forwarded),
		T(test_no_destination),
		T(test_oversized),
		T(test_tx_ring_full),
		T(test_bridge_isolation),
		T(test_static_entry),
		T(test_table_full),
		T(test_del_port),
		T(test_counters),
		T(test_many_bursts),
		T(test_group_dst_learns_src),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
