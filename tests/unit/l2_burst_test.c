// SPDX-License-Identifier: Apache-2.0
// Unit tests of the forwarding pipeline's fast path (the fused rx pass and
// vs_l2_fast_burst()) on bursts of mixed frames, and of every way out of it, through the
// real control plane model (vswitch/cp/switch.c) and in-memory ports (pmd/mem.c). The PMD
// thread is not started: the test polls it with vs_pmd_poll_once() and applies learning
// with vs_switch_housekeeping().
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

// --- bursts of mixed frames (the pipeline's fast path and its ways out) ---

// Length of the i-th frame 'port' sent since the last clear_tx() (the tests below tell
// frames apart by their length).
static uint32_t len_of(const char *port, uint32_t i)
{
	uint32_t len;

	assert_non_null(vs_mem_tx_frame(P(port), i, &len));
	return len;
}

static void inject_len(const char *port, uint64_t dst, uint64_t src, uint32_t len)
{
	struct pb b;

	pb_simple(&b, dst, src, len);
	inject(port, &b, b.len);
}

// br0 with p1, p2, p3 that learned A behind p1, B behind p2, C behind p3, and 'extra' more
// MACs behind p3 (more than 64: the pipeline's first pass prefetches the lookups).
static void br0_learned(uint32_t extra)
{
	br0_3ports();
	tx_frame("p1", PB_BROADCAST, MAC_A);
	tx_frame("p2", PB_BROADCAST, MAC_B);
	tx_frame("p3", PB_BROADCAST, MAC_C);
	for (uint32_t i = 0; i < extra; i++)
		tx_frame("p3", PB_BROADCAST, pb_mac(0x5000 + i));
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->count, 3 + extra);
	clear_tx();
}

// One burst from p1: known unicast to two ports (runs of each), a hairpin, a link-local
// destination, a zero source, a VLAN-tagged frame, a broadcast and an unknown unicast in the
// middle, with unicast after them. Every frame goes where it went one by one, in order on
// each port; drops are counted; nothing new is learned. 'malformed' adds a truncated frame,
// which takes the pipeline's general path for the whole burst.
static void mixed_burst(uint32_t extra, bool malformed)
{
	struct vs_port_counters c1, c2, c3;
	struct pb b;

	br0_learned(extra);
	c1 = ctr("p1");
	c2 = ctr("p2");
	c3 = ctr("p3");
	inject_len("p1", MAC_B, MAC_A, 64);
	inject_len("p1", MAC_C, MAC_A, 65);
	inject_len("p1", MAC_B, MAC_A, 66);
	inject_len("p1", MAC_A, MAC_B, 67);		  // B is behind p2: moved, hairpin
	inject_len("p1", 0x0180c2000003ULL, MAC_A, 68); // link-local
	inject_len("p1", MAC_B, 0, 69);			  // zero source
	pb_init(&b);
	pb_eth(&b, MAC_C, MAC_A, PB_ETH_P_IPV4);
	pb_vlan(&b, PB_ETH_P_8021Q, 10, PB_ETH_P_IPV4);
	pb_ipv4(&b, 1, 2, PB_IPPROTO_UDP);
	pb_udp(&b, 3, 4);
	pb_payload(&b, 70 - 46);
	pb_finish(&b);
	assert_int_equal(b.len, 70);
	inject("p1", &b, b.len);
	if (malformed)
		inject("p1", &b, 13);
	inject_len("p1", MAC_B, MAC_A, 71);
	inject_len("p1", PB_BROADCAST, MAC_A, 72);
	inject_len("p1", MAC_C, MAC_A, 73);
	inject_len("p1", MAC_B, MAC_A, 74);
	inject_len("p1", pb_mac(0x7777), MAC_A, 75); // unknown: flooded
	inject_len("p1", MAC_B, MAC_A, 76);
	assert_int_equal(run(), malformed ? 14 : 13);
	assert_int_equal(ntx("p1"), 0);
	{
		const uint32_t p2[] = {64, 66, 71, 72, 74, 75, 76}, p3[] = {65, 70, 72, 73, 75};

		assert_int_equal(ntx("p2"), VS_ARRAY_SIZE(p2));
		for (uint32_t i = 0; i < VS_ARRAY_SIZE(p2); i++)
			assert_int_equal(len_of("p2", i), p2[i]);
		assert_int_equal(ntx("p3"), VS_ARRAY_SIZE(p3));
		for (uint32_t i = 0; i < VS_ARRAY_SIZE(p3); i++)
			assert_int_equal(len_of("p3", i), p3[i]);
	}
	assert_int_equal(drops("p1", VS_DROP_INVALID_SRC_MAC), 1);
	assert_int_equal(drops("p1", VS_DROP_LINK_LOCAL), 1);
	assert_int_equal(drops("p1", VS_DROP_HAIRPIN), 1);
	assert_int_equal(drops("p1", VS_DROP_MALFORMED), malformed ? 1 : 0);
	assert_int_equal(all_drops("p1"), malformed ? 4 : 3);
	assert_int_equal(all_drops("p2") + all_drops("p3"), 0);
	assert_int_equal(ctr("p1").rx_packets - c1.rx_packets, malformed ? 14 : 13);
	assert_int_equal(ctr("p1").tx_packets - c1.tx_packets, 0);
	assert_int_equal(ctr("p2").tx_packets - c2.tx_packets, 7);
	assert_int_equal(ctr("p2").tx_bytes - c2.tx_bytes, 64 + 66 + 71 + 72 + 74 + 75 + 76);
	assert_int_equal(ctr("p3").tx_packets - c3.tx_packets, 5);
	assert_int_equal(ctr("p3").tx_bytes - c3.tx_bytes, 65 + 70 + 72 + 73 + 75);
	// B sent from p1 is a move, learned once the control thread runs.
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_B), P("p1")->id);
	assert_int_equal(fdb_of("br0")->count, 3 + extra);
}

static void test_burst_mixed(void **state)
{
	(void)state;
	mixed_burst(0, false);
}

static void test_burst_mixed_large_table(void **state)
{
	(void)state;
	mixed_burst(100, false);
}

static void test_burst_mixed_malformed(void **state)
{
	(void)state;
	mixed_burst(0, true);
}

// Hairpins in a burst of known unicast: dropped and counted, the frames around them sent. One
// from a source known on the ingress port (D), one from a source that moved there (C).
static void test_burst_hairpin(void **state)
{
	const uint64_t mac_d = pb_mac(0xd);

	(void)state;
	br0_learned(0);
	tx_frame("p1", PB_BROADCAST, mac_d);
	vs_switch_housekeeping(&sw);
	clear_tx();
	inject_len("p1", MAC_B, MAC_A, 64);
	inject_len("p1", MAC_A, mac_d, 65); // A and D behind p1
	inject_len("p1", MAC_B, MAC_A, 66);
	inject_len("p1", MAC_A, MAC_C, 67); // C behind p3 sent from p1: moved
	inject_len("p1", MAC_B, mac_d, 68);
	assert_int_equal(run(), 5);
	assert_tx3(0, 3, 0);
	assert_int_equal(len_of("p2", 0), 64);
	assert_int_equal(len_of("p2", 1), 66);
	assert_int_equal(len_of("p2", 2), 68);
	assert_int_equal(drops("p1", VS_DROP_HAIRPIN), 2);
	assert_int_equal(all_drops("p1"), 2);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_C), P("p1")->id);
	assert_int_equal(fdb_port("br0", mac_d), P("p1")->id);
}

// A burst to more than one egress port, alternating, with an oversized frame for one port:
// every port gets its frames in order, the oversized one is counted on its egress port.
static void test_burst_runs(void **state)
{
	(void)state;
	add_br("br0");
	add_port("br0", "p1", NULL, NULL);
	add_port("br0", "p2", "max-frame", "100");
	add_port("br0", "p3", NULL, NULL);
	tx_frame("p1", PB_BROADCAST, MAC_A);
	tx_frame("p2", PB_BROADCAST, MAC_B);
	tx_frame("p3", PB_BROADCAST, MAC_C);
	vs_switch_housekeeping(&sw);
	clear_tx();
	for (uint32_t i = 0; i < VS_BURST; i++)
		inject_len("p1", i % 3 == 0 ? MAC_C : MAC_B, MAC_A, i == 7 ? 101 : 64 + i);
	assert_int_equal(run(), VS_BURST);
	assert_int_equal(ntx("p2") + ntx("p3"), VS_BURST - 1);
	for (uint32_t i = 0, k2 = 0, k3 = 0; i < VS_BURST; i++) {
		if (i == 7)
			continue;
		if (i % 3 == 0)
			assert_int_equal(len_of("p3", k3++), 64 + i);
		else
			assert_int_equal(len_of("p2", k2++), 64 + i);
	}
	assert_int_equal(drops("p2", VS_DROP_OVERSIZED), 1);
	assert_int_equal(all_drops("p1") + all_drops("p3"), 0);
}

// The first MAC pb_mac(i), i >= 'from', whose lookup in br0's MAC table begins at the same
// slot as the lookup of 'mac'.
static uint64_t collider(uint64_t mac, uint32_t from)
{
	const struct vs_fdb_table *t = vs_fdb_table_get(fdb_of("br0"));

	for (uint32_t i = from;; i++)
		if ((vs_fdb_hash(pb_mac(i)) & t->mask) == (vs_fdb_hash(mac) & t->mask))
			return pb_mac(i);
}

// Two MACs whose lookups begin at the same slot: the second one sits further down the probe
// sequence. Both are switched and refreshed (last-seen time) as sources, found as
// destinations, and never learned again. 'extra' as in br0_learned().
static void colliding(uint32_t extra)
{
	struct vs_fdb_entry e[512];
	struct vs_fdb_table *t;
	uint64_t x = pb_mac(0x100), y;
	uint32_t n, now;

	br0_learned(extra);
	t = vs_fdb_table_get(fdb_of("br0"));
	y = collider(x, 0x101);
	tx_frame("p1", PB_BROADCAST, x);
	vs_switch_housekeeping(&sw);
	tx_frame("p2", PB_BROADCAST, y);
	vs_switch_housekeeping(&sw);
	assert_ptr_equal(vs_fdb_table_get(fdb_of("br0")), t);
	assert_int_equal(fdb_port("br0", x), P("p1")->id);
	assert_int_equal(fdb_port("br0", y), P("p2")->id);
	clear_tx();
	now = pmd->now_s += 1000;
	for (int i = 0; i < 4; i++) {
		inject_len("p1", y, x, 64);
		inject_len("p2", x, y, 65);
	}
	assert_int_equal(run(), 8);
	assert_tx3(4, 4, 0);
	assert_int_equal(len_of("p1", 0), 65);
	assert_int_equal(len_of("p2", 0), 64);
	assert_int_equal(all_drops("p1") + all_drops("p2"), 0);
	assert_int_equal(fdb_of("br0")->count, 5 + extra);
	n = vs_fdb_dump(fdb_of("br0"), e, 512);
	assert_true(n <= 512);
	for (uint32_t i = 0; i < n; i++)
		if (e[i].mac == x || e[i].mac == y)
			assert_int_equal(e[i].seen, now);
		else
			assert_true(e[i].seen != now);
	// Nothing to learn: the control thread changes nothing.
	{
		uint64_t gen = fdb_of("br0")->gen;

		vs_switch_housekeeping(&sw);
		assert_int_equal(fdb_of("br0")->gen, gen);
	}
}

static void test_colliding_macs(void **state)
{
	(void)state;
	colliding(0);
}

static void test_colliding_macs_large_table(void **state)
{
	(void)state;
	colliding(100);
}

// Known unicast refreshes the last-seen time of its source (what ageing reads), in a table
// of few MACs and in a larger one.
static void test_refresh_seen(void **state)
{
	struct vs_fdb_entry e[256];

	(void)state;
	for (uint32_t extra = 0; extra <= 100; extra += 100) {
		uint32_t now, n;

		br0_learned(extra);
		now = pmd->now_s += 500;
		for (int i = 0; i < 3; i++)
			inject_len("p1", MAC_B, MAC_A, 64);
		assert_int_equal(run(), 3);
		assert_int_equal(ntx("p2"), 3);
		n = vs_fdb_dump(fdb_of("br0"), e, 256);
		for (uint32_t i = 0; i < n; i++)
			if (e[i].mac == MAC_A)
				assert_int_equal(e[i].seen, now);
			else if (e[i].mac == MAC_B)
				assert_true(e[i].seen != now);
		swfix_teardown();
		swfix_setup(VS_LOG_WARN);
	}
}

// An entry whose port is not (or no longer) on the bridge, e.g. between a port's removal and
// the control thread's flush of its entries: frames to it are flooded in the bridge, never
// sent to that port.
static void test_entry_of_other_bridge(void **state)
{
	(void)state;
	br0_learned(0);
	add_br("br1");
	add_port("br1", "q1", NULL, NULL);
	assert_int_equal(vs_fdb_add_static(fdb_of("br0"), pb_mac(0xe), P("q1")->id), 0);
	for (int i = 0; i < 3; i++)
		inject_len("p1", i == 1 ? MAC_B : pb_mac(0xe), MAC_A, 64 + i);
	assert_int_equal(run(), 3);
	assert_int_equal(ntx("q1"), 0);
	assert_tx3(0, 3, 2);
	assert_int_equal(len_of("p2", 1), 65);
	assert_int_equal(all_drops("p1") + all_drops("q1"), 0);
}

// A source known on its ingress port but behind a remote VTEP (as if learned on a vxlan
// port) is asked to be learned again without one; a known source is not.
static void test_src_vtep_relearned(void **state)
{
	struct vs_learn_ev ev;

	(void)state;
	br0_learned(0);
	tx_frame("p1", MAC_B, MAC_A);
	assert_false(vs_learn_pop(pmd->learn, &ev));
	assert_int_equal(vs_fdb_learn_vtep(fdb_of("br0"), MAC_A, P("p1")->id, 0xc6120001, 1), 1);
	pmd->now_ms += 1000; // past the PMD's dedup of the first request to learn A
	tx_frame("p1", MAC_B, MAC_A);
	assert_tx3(0, 2, 0);
	assert_true(vs_learn_pop(pmd->learn, &ev));
	assert_true(ev.mac == MAC_A);
	assert_int_equal(ev.port, P("p1")->id);
	assert_int_equal(ev.vtep, 0);
	assert_false(vs_learn_pop(pmd->learn, &ev));
}

// --- bursts of one MAC pair: sent whole between ports of one driver ---

// Bursts sent whole (tx_rx_burst) out of p1, p2, p3.
static void assert_whole3(uint32_t n1, uint32_t n2, uint32_t n3)
{
	assert_int_equal(vs_mem_tx_whole(P("p1")), n1);
	assert_int_equal(vs_mem_tx_whole(P("p2")), n2);
	assert_int_equal(vs_mem_tx_whole(P("p3")), n3);
}

// br0 with p1 (its frames need no checksum completion when 'csum_full': it may pass bursts
// through), p2 (frames up to 'max2' bytes), p3; A, B, C learned behind them, 'extra' more
// MACs behind p3.
static void br0_pass(bool csum_full, const char *max2, uint32_t extra)
{
	add_br("br0");
	add_port("br0", "p1", "rx-csum-full", csum_full ? "1" : "0");
	add_port("br0", "p2", "max-frame", max2);
	add_port("br0", "p3", NULL, NULL);
	tx_frame("p1", PB_BROADCAST, MAC_A);
	tx_frame("p2", PB_BROADCAST, MAC_B);
	tx_frame("p3", PB_BROADCAST, MAC_C);
	for (uint32_t i = 0; i < extra; i++)
		tx_frame("p3", PB_BROADCAST, pb_mac(0x5000 + i));
	vs_switch_housekeeping(&sw);
	clear_tx();
}

// A burst of 'n' frames to dst from src on p1, 64, 65, ... bytes long ('big': frame 5 is
// 101 bytes), run through the pipeline.
static void pair_burst(uint64_t dst, uint64_t src, uint32_t n, bool big)
{
	clear_tx();
	for (uint32_t i = 0; i < n; i++)
		inject_len("p1", dst, src, big && i == 5 ? 101 : 64 + i);
	assert_int_equal(run(), n);
}

// Known unicast in bursts of one pair: every frame arrives on the destination's port in
// order, counted on both ports, the source's last-seen time refreshed, nothing learned.
// From a port whose frames need no checksum completion, to a port that takes every frame,
// the burst is sent whole; one with a frame too big for p2 is staged instead (that frame
// counted as dropped), as is every burst of a port that completes checksums.
static void uniform_known(bool csum_full)
{
	struct vs_port_counters c1, c2;
	struct vs_fdb_entry e[8];
	uint64_t bytes = 0, gen;
	uint32_t now, n;

	br0_pass(csum_full, "100", 0);
	c1 = ctr("p1");
	c2 = ctr("p2");
	gen = fdb_of("br0")->gen;
	now = pmd->now_s += 300;
	pair_burst(MAC_B, MAC_A, VS_BURST, false);
	assert_tx3(0, VS_BURST, 0);
	assert_whole3(0, csum_full ? 1 : 0, 0);
	for (uint32_t i = 0; i < VS_BURST; i++) {
		assert_int_equal(len_of("p2", i), 64 + i);
		bytes += 64 + i;
	}
	assert_int_equal(ctr("p1").rx_packets - c1.rx_packets, VS_BURST);
	assert_int_equal(ctr("p1").rx_bytes - c1.rx_bytes, bytes);
	assert_int_equal(ctr("p2").tx_packets - c2.tx_packets, VS_BURST);
	assert_int_equal(ctr("p2").tx_bytes - c2.tx_bytes, bytes);
	n = vs_fdb_dump(fdb_of("br0"), e, 8);
	assert_int_equal(n, 3);
	for (uint32_t i = 0; i < n; i++)
		if (e[i].mac == MAC_A)
			assert_int_equal(e[i].seen, now);
		else
			assert_true(e[i].seen != now);

	pair_burst(MAC_B, MAC_A, VS_BURST, true);
	assert_tx3(0, VS_BURST - 1, 0);
	assert_whole3(0, csum_full ? 1 : 0, 0);
	for (uint32_t i = 0, k = 0; i < VS_BURST; i++)
		if (i != 5)
			assert_int_equal(len_of("p2", k++), 64 + i);
	assert_int_equal(drops("p2", VS_DROP_OVERSIZED), 1);
	assert_int_equal(all_drops("p1") + all_drops("p3"), 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_of("br0")->gen, gen);
}

static void test_uniform_known(void **state)
{
	(void)state;
	uniform_known(true);
}

static void test_uniform_known_csum(void **state)
{
	(void)state;
	uniform_known(false);
}

// Every other burst of one pair goes the way its frames go one by one, never whole: an
// unknown source is learned, a source that moved is learned again, a hairpin is dropped, an
// unknown (also one whose lookup begins at a slot another MAC holds), broadcast or stale
// destination (its port in another bridge) is flooded; a burst of several pairs is switched
// frame by frame.
static void uniform_ways_out(uint32_t extra)
{
	const uint64_t mac_d = pb_mac(0xd), mac_e = pb_mac(0xe), mac_f = pb_mac(0xf);

	br0_pass(true, "9000", extra);
	pair_burst(MAC_B, mac_d, 4, false); // unknown source
	assert_tx3(0, 4, 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", mac_d), P("p1")->id);
	pair_burst(MAC_B, MAC_C, 4, false); // C moved from p3 to p1
	assert_tx3(0, 4, 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_C), P("p1")->id);
	pair_burst(mac_d, MAC_A, 4, false); // D is behind p1 too: hairpin
	assert_tx3(0, 0, 0);
	assert_int_equal(drops("p1", VS_DROP_HAIRPIN), 4);
	pair_burst(mac_e, MAC_A, 4, false); // unknown destination
	assert_tx3(0, 4, 4);
	assert_int_equal(len_of("p2", 3), 67);
	pair_burst(collider(MAC_B, 0x200), MAC_A, 4, false); // unknown, its first slot holding B
	assert_tx3(0, 4, 4);
	pair_burst(PB_BROADCAST, MAC_A, 4, false);
	assert_tx3(0, 4, 4);
	add_br("br1");
	add_port("br1", "q1", NULL, NULL);
	assert_int_equal(vs_fdb_add_static(fdb_of("br0"), mac_f, P("q1")->id), 0);
	pair_burst(mac_f, MAC_A, 4, false); // an entry of a port that is not on br0
	assert_tx3(0, 4, 4);
	assert_int_equal(ntx("q1"), 0);
	clear_tx();
	inject_len("p1", MAC_B, MAC_A, 64);
	inject_len("p1", MAC_C, MAC_A, 65); // C is behind p1 now: hairpin
	inject_len("p1", MAC_B, MAC_A, 66);
	assert_int_equal(run(), 3);
	assert_tx3(0, 2, 0);
	assert_int_equal(len_of("p2", 1), 66);
	assert_whole3(0, 0, 0);
	assert_int_equal(all_drops("p1"), 5);
	assert_int_equal(all_drops("p2") + all_drops("p3"), 0);
	// Sources that differ in their last byte only: the new one is learned.
	clear_tx();
	for (uint32_t i = 0; i < 8; i++)
		inject_len("p1", MAC_B, i == 6 ? MAC_A + 0x100 : MAC_A, 64 + i);
	assert_int_equal(run(), 8);
	assert_tx3(0, 8, 0);
	assert_int_equal(len_of("p2", 6), 70);
	assert_whole3(0, 0, 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_port("br0", MAC_A + 0x100), P("p1")->id);
	// Destinations that differ in their first bytes only: the unknown one is flooded.
	clear_tx();
	for (uint32_t i = 0; i < 8; i++)
		inject_len("p1", i == 2 ? MAC_B ^ 0x040000000000ULL : MAC_B, MAC_A, 64 + i);
	assert_int_equal(run(), 8);
	assert_tx3(0, 8, 1);
	assert_int_equal(len_of("p3", 0), 66);
	assert_whole3(0, 0, 0);
}

static void test_uniform_ways_out(void **state)
{
	(void)state;
	uniform_ways_out(0);
}

static void test_uniform_ways_out_large_table(void **state)
{
	(void)state;
	uniform_ways_out(100);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_burst_mixed),
		T(test_burst_mixed_large_table),
		T(test_burst_mixed_malformed),
		T(test_burst_hairpin),
		T(test_burst_runs),
		T(test_colliding_macs),
		T(test_colliding_macs_large_table),
		T(test_refresh_seen),
		T(test_entry_of_other_bridge),
		T(test_src_vtep_relearned),
		T(test_uniform_known),
		T(test_uniform_known_csum),
		T(test_uniform_ways_out),
		T(test_uniform_ways_out_large_table),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
