// SPDX-License-Identifier: Apache-2.0
// Unit tests of decapsulated bursts on the pipeline's fast path: the frames of one underlay
// burst that all belong to one vxlan port go through the same receive pass and L2 fast path
// as the frames of a local port (vs_pmd_pipeline(), dp/pmd.c), with each frame's source
// checked against the VTEP it came from; bursts of several vxlan ports go stage by stage.
// Known unicast, MACs moving between VTEPs inside one burst, hairpins, unknown destinations,
// counters. Fixture: vxlanfix.h.
#include "vxlanfix.h"

#define MAC_L2 0x02000000000dULL // behind p1 (local), too

// Forgets the frames sent out of the mem ports (clear_tx() would take vx0 for one).
static void clear_mem_tx(void)
{
	vs_mem_tx_clear(P("p1"));
	vs_mem_tx_clear(UL());
	if (vs_switch_port_id(&sw, "p2") >= 0)
		vs_mem_tx_clear(P("p2"));
}

// p1 knows MAC_L and MAC_L2; vx0 knows MAC_R behind R2 and MAC_S behind R3.
static void learn_all(void)
{
	inject_local(PB_BROADCAST, MAC_L, 64);
	inject_local(PB_BROADCAST, MAC_L2, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64);
	run();
	vs_switch_housekeeping(&sw);
	clear_mem_tx();
}

static uint32_t vtep_of(uint64_t mac)
{
	uint32_t vtep = 0;
	uint16_t port = VS_PORT_NONE;

	assert_int_equal(fdb_entry(mac, &port, &vtep), 0);
	assert_int_equal(port, P("vx0")->id);
	return vtep;
}

static void rx_counters(const char *port, uint64_t *pk, uint64_t *by)
{
	struct vs_port_counters c;

	vs_port_counters_sum(strcmp(port, "u0") ? P(port) : UL(), &c);
	*pk = c.rx_packets;
	*by = c.rx_bytes;
}

// A burst of known unicasts from two VTEPs to two local MACs: every inner frame reaches p1
// byte for byte, in order; counters as for frames decapsulated one by one; nothing learned.
static void test_known_unicast_burst(void **state)
{
	uint64_t vp, vb, up, ub;
	uint32_t len, tail;
	struct pb in;

	(void)state;
	topo();
	learn_all();
	tail = pmd->learn->tail;
	for (uint32_t i = 0; i < 12; i++)
		inject_vxlan(i & 1 ? MAC_L2 : MAC_L, i < 6 ? MAC_R : MAC_S, i < 6 ? R2 : R3, 100,
			     0x08, 64 + i);
	assert_int_equal(run(), 12);
	assert_int_equal(vs_mem_tx_count(P("p1")), 12);
	for (uint32_t i = 0; i < 12; i++) {
		pb_simple(&in, i & 1 ? MAC_L2 : MAC_L, i < 6 ? MAC_R : MAC_S, 64 + i);
		assert_memory_equal(vs_mem_tx_frame(P("p1"), i, &len), in.buf, in.len);
		assert_int_equal(len, 64 + i);
	}
	assert_int_equal(vs_mem_tx_count(UL()), 0);
	assert_int_equal(pmd->learn->tail, tail);
	rx_counters("vx0", &vp, &vb);
	rx_counters("u0", &up, &ub);
	// learn_all(): 2 frames of 64 bytes decapsulated (114 on the underlay).
	assert_int_equal(vp, 2 + 12);
	assert_int_equal(vb, 2 * 64 + 12 * 64 + 66);
	assert_int_equal(up, 2 + 12);
	assert_int_equal(ub, 2 * 114 + 12 * 114 + 66);
	assert_int_equal(vtep_of(MAC_R), R2);
	assert_int_equal(vtep_of(MAC_S), R3);
}

// A MAC that moves to another VTEP of the same port in the middle of a burst of unicasts is
// re-learned behind the new VTEP (the frames before the move still come from the old one).
static void test_move_between_vteps_in_burst(void **state)
{
	(void)state;
	topo();
	learn_all();
	for (uint32_t i = 0; i < 8; i++)
		inject_vxlan(MAC_L, MAC_R, i < 3 ? R2 : R3, 100, 0x08, 64);
	assert_int_equal(run(), 8);
	assert_int_equal(vs_mem_tx_count(P("p1")), 8);
	vs_switch_housekeeping(&sw);
	assert_int_equal(vtep_of(MAC_R), R3);
	// And back, in a burst of its own.
	clear_mem_tx();
	for (uint32_t i = 0; i < 4; i++)
		inject_vxlan(MAC_L2, MAC_R, R2, 100, 0x08, 64);
	assert_int_equal(run(), 4);
	assert_int_equal(vs_mem_tx_count(P("p1")), 4);
	vs_switch_housekeeping(&sw);
	assert_int_equal(vtep_of(MAC_R), R2);
}

// A unicast from a VTEP to a MAC behind the same vxlan port is a hairpin: dropped, counted,
// never sent back to the underlay; the frames around it are delivered. An unknown
// destination floods: to p1, not back to the VTEPs.
static void test_hairpin_and_unknown(void **state)
{
	(void)state;
	topo();
	learn_all();
	inject_vxlan(MAC_L, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(MAC_S, MAC_R, R2, 100, 0x08, 64); // MAC_S is behind vx0 (R3)
	inject_vxlan(MAC_L2, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(0x02000000ff01ULL, MAC_R, R2, 100, 0x08, 64); // unknown
	inject_vxlan(MAC_L, MAC_R, R2, 100, 0x08, 64);
	assert_int_equal(run(), 5);
	assert_int_equal(vs_mem_tx_count(P("p1")), 4);
	assert_int_equal(vs_mem_tx_count(UL()), 0);
	assert_int_equal(drops(P("vx0"), VS_DROP_HAIRPIN), 1);
}

// One underlay burst carrying frames of two VNIs (two vxlan ports on two bridges): each inner
// frame reaches its own bridge's port, counted on its own vxlan port.
static void test_two_ports_one_burst(void **state)
{
	uint64_t p0, b0, p1, b1;

	(void)state;
	topo();
	topo_vni200();
	learn_all();
	tx_frame("p2", PB_BROADCAST, MAC_L2);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 200, 0x08, 64);
	run();
	vs_switch_housekeeping(&sw);
	clear_mem_tx();
	for (uint32_t i = 0; i < 10; i++) {
		if (i % 3 == 0)
			inject_vxlan(MAC_L2, MAC_R, R2, 200, 0x08, 70);
		else
			inject_vxlan(MAC_L, MAC_R, R2, 100, 0x08, 64);
	}
	rx_counters("vx0", &p0, &b0);
	rx_counters("vx1", &p1, &b1);
	assert_int_equal(run(), 10);
	assert_int_equal(vs_mem_tx_count(P("p1")), 6);
	assert_int_equal(vs_mem_tx_count(P("p2")), 4);
	assert_int_equal(vs_mem_tx_count(UL()), 0);
	{
		uint64_t q0, c0, q1, c1;

		rx_counters("vx0", &q0, &c0);
		rx_counters("vx1", &q1, &c1);
		assert_int_equal(q0 - p0, 6);
		assert_int_equal(c0 - b0, 6 * 64);
		assert_int_equal(q1 - p1, 4);
		assert_int_equal(c1 - b1, 4 * 70);
	}
}

// A burst whose last frame is not VXLAN (dropped and counted on the underlay) and whose
// first is an unknown VNI: the frames between still go through.
static void test_drops_around_a_burst(void **state)
{
	struct pb b;

	(void)state;
	topo();
	learn_all();
	inject_vxlan(MAC_L, MAC_R, R2, 999, 0x08, 64);
	for (uint32_t i = 0; i < 5; i++)
		inject_vxlan(MAC_L, MAC_R, R2, 100, 0x08, 64);
	pb_simple(&b, UL_MAC, 0x02000000ff02ULL, 60);
	assert_int_equal(vs_mem_inject(UL(), b.buf, b.len), 0);
	assert_int_equal(run(), 7);
	assert_int_equal(vs_mem_tx_count(P("p1")), 5);
	assert_int_equal(drops(UL(), VS_DROP_VXLAN_UNKNOWN_VNI), 1);
	assert_int_equal(drops(UL(), VS_DROP_VXLAN_NOT_VXLAN), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_known_unicast_burst),
		T(test_move_between_vteps_in_burst),
		T(test_hairpin_and_unknown),
		T(test_two_ports_one_burst),
		T(test_drops_around_a_burst),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
