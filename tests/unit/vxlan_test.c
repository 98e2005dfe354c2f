// SPDX-License-Identifier: Apache-2.0
// Unit tests of VXLAN ports: decapsulation, learning behind remote VTEPs, encapsulation,
// head-end replication, MTU and resolution drops, set-port, configuration errors. The
// pipeline runs as in l2_test.c (real control plane, PMD context polled by hand); the
// underlay is an in-memory port (underlay_type=mem) and next hops come from a stub
// resolver instead of the kernel.
#include "vxlanfix.h"

static void test_decap_learn(void **state)
{
	uint32_t len, vtep;
	uint16_t port;
	struct pb in;

	(void)state;
	topo();
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 80);
	assert_int_equal(run(), 1);
	// p1 gets the inner frame, byte for byte; nothing goes back to the underlay.
	assert_int_equal(vs_mem_tx_count(P("p1")), 1);
	pb_simple(&in, PB_BROADCAST, MAC_R, 80);
	assert_memory_equal(vs_mem_tx_frame(P("p1"), 0, &len), in.buf, in.len);
	assert_int_equal(len, 80);
	assert_int_equal(vs_mem_tx_count(UL()), 0);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_entry(MAC_R, &port, &vtep), 0);
	assert_int_equal(port, P("vx0")->id);
	assert_int_equal(vtep, R2);
	// Counters: the underlay received one frame, the vxlan port one inner frame.
	{
		struct vs_port_counters c;

		vs_port_counters_sum(P("vx0"), &c);
		assert_int_equal(c.rx_packets, 1);
		assert_int_equal(c.rx_bytes, 80);
		vs_port_counters_sum(UL(), &c);
		assert_int_equal(c.rx_packets, 1);
		assert_int_equal(c.rx_bytes, 130);
	}
	// The MAC moves to another VTEP of the same port.
	inject_vxlan(PB_BROADCAST, MAC_R, R3, 100, 0x08, 80);
	assert_int_equal(run(), 1);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_entry(MAC_R, &port, &vtep), 0);
	assert_int_equal(vtep, R3);
}

static void test_encap_unicast(void **state)
{
	struct pb in;
	const uint8_t *inner;

	(void)state;
	topo();
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_local(PB_BROADCAST, MAC_L, 64);
	run();
	vs_switch_housekeeping(&sw);
	vs_mem_tx_clear(UL());
	// A unicast to MAC_R goes to R2 only.
	inject_local(MAC_R, MAC_L, 100);
	assert_int_equal(run(), 1);
	assert_int_equal(vs_mem_tx_count(UL()), 1);
	inner = check_outer(0, R2, 100, 64);
	pb_simple(&in, MAC_R, MAC_L, 100);
	assert_memory_equal(inner, in.buf, in.len);
	assert_int_equal(rd16(vs_mem_tx_frame(UL(), 0, &(uint32_t){0}) + 40), 0); // no UDP csum
	// And the reply from R2 reaches p1 as a known unicast.
	vs_mem_tx_clear(P("p1"));
	inject_vxlan(MAC_L, MAC_R, R2, 100, 0x08, 64);
	assert_int_equal(run(), 1);
	assert_int_equal(vs_mem_tx_count(P("p1")), 1);
	assert_int_equal(vs_mem_tx_count(UL()), 1);
}

static void test_flood_replication(void **state)
{
	(void)state;
	topo();
	inject_local(PB_BROADCAST, MAC_L, 90);
	assert_int_equal(run(), 1);
	// Head-end replication: one copy per remote VTEP, in the order of the list.
	assert_int_equal(vs_mem_tx_count(UL()), 2);
	check_outer(0, R2, 90, 64);
	check_outer(1, R3, 90, 64);
	// Unknown unicast floods too.
	vs_mem_tx_clear(UL());
	inject_local(MAC_S, MAC_L, 90);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 2);
	// A frame from a VTEP is never flooded back to the VTEPs (split horizon).
	vs_mem_tx_clear(UL());
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 0);
	assert_int_equal(vs_mem_tx_count(P("p1")), 1);
}

static void test_decap_drops(void **state)
{
	struct pb in, out;
	struct vs_port *ul;

	(void)state;
	topo();
	ul = UL();
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 101, 0x08, 64); // unknown VNI
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x00, 64); // I flag clear
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x0c, 64); // extension flags
	inject_vxlan(PB_BROADCAST, MAC_R, R9, 100, 0x08, 64); // sender not a remote
	// Inner frame of 8 bytes.
	pb_simple(&in, PB_BROADCAST, MAC_R, 64);
	in.len = 8;
	wrap(&out, &in, R2, 100, 0x08);
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);
	// Truncated outer: cut in the VXLAN header, then in the IPv4 header.
	pb_simple(&in, PB_BROADCAST, MAC_R, 64);
	wrap(&out, &in, R2, 100, 0x08);
	assert_int_equal(vs_mem_inject(ul, out.buf, 46), 0);
	assert_int_equal(vs_mem_inject(ul, out.buf, 20), 0);
	assert_int_equal(vs_mem_inject(ul, out.buf, 10), 0);
	// A fragment.
	wrap(&out, &in, R2, 100, 0x08);
	wr16(out.buf + 20, 0x2000);
	wr16(out.buf + 24, 0);
	wr16(out.buf + 24, (uint16_t)~pb_csum_fold(out.buf + 14, 20, 0));
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);
	// A bad IPv4 checksum.
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[24] ^= 0xff;
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);
	// Not VXLAN: another UDP port, ARP.
	wrap(&out, &in, R2, 100, 0x08);
	wr16(out.buf + 36, 4790);
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);
	pb_init(&out);
	pb_eth(&out, PB_BROADCAST, MAC_R, PB_ETH_P_ARP);
	pb_payload(&out, 28);
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);

	assert_int_equal(run(), 12);
	assert_int_equal(vs_mem_tx_count(P("p1")), 0);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_UNKNOWN_VNI), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_BAD_FLAGS), 2);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_UNKNOWN_VTEP), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_INNER_TRUNCATED), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_TRUNCATED), 3);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_FRAGMENT), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_BAD_OUTER), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_NOT_VXLAN), 2);
	vs_switch_housekeeping(&sw);
	assert_int_equal(vs_switch_bridge(&sw, "br0")->fdb->count, 0);

	// Good and bad frames mixed in one burst: only the good ones go on.
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 101, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x00, 64);
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64);
	assert_int_equal(run(), 4);
	assert_int_equal(vs_mem_tx_count(P("p1")), 2);
}

static void test_mtu_and_unresolved(void **state)
{
	(void)state;
	topo();
	// 1500-byte underlay MTU: an inner frame of 1464 bytes fits, 1465 does not.
	inject_local(PB_BROADCAST, MAC_L, 1464);
	inject_local(PB_BROADCAST, MAC_L, 1465);
	assert_int_equal(run(), 2);
	assert_int_equal(vs_mem_tx_count(UL()), 2);
	assert_int_equal(drops(P("vx0"), VS_DROP_VXLAN_TOO_BIG), 1);

	// R3's next hop unresolved: its copies are dropped, R2's still leave.
	stub_unresolved = R3;
	{
		char err[256];
		struct vs_opt o = {.key = "remote_ip", .val = "198.18.10.2,198.18.10.3"};

		assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, &o, 1, err, sizeof(err)), 0);
	}
	vs_mem_tx_clear(UL());
	inject_local(PB_BROADCAST, MAC_L, 64);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 1);
	check_outer(0, R2, 64, 64);
	assert_int_equal(drops(P("vx0"), VS_DROP_VXLAN_UNRESOLVED), 1);
}

static void test_set_port(void **state)
{
	struct vs_opt o[2];
	char err[256];
	uint16_t port;
	uint32_t vtep, len;
	const uint8_t *f;

	(void)state;
	topo();
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64);
	run();
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_entry(MAC_S, &port, &vtep), 0);

	o[0] = (struct vs_opt){.key = "udp_csum", .val = "true"};
	o[1] = (struct vs_opt){.key = "ttl", .val = "9"};
	assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, o, 2, err, sizeof(err)), 0);
	vs_mem_tx_clear(UL());
	inject_local(MAC_S, MAC_L, 77);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 1);
	check_outer(0, R3, 77, 9);
	// The UDP checksum verifies: pseudo header + datagram sums to 0xffff.
	f = vs_mem_tx_frame(UL(), 0, &len);
	{
		uint32_t ps = (LOCAL_IP >> 16) + (LOCAL_IP & 0xffff) + (R3 >> 16) + (R3 & 0xffff) +
			      17 + (len - 34);

		assert_int_not_equal(rd16(f + 40), 0);
		assert_int_equal(pb_csum_fold(f + 34, len - 34, ps), 0xffff);
	}

	// Dropping R3 from the list forgets MAC_S.
	o[0] = (struct vs_opt){.key = "remote_ip", .val = "198.18.10.2"};
	assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, o, 1, err, sizeof(err)), 0);
	assert_int_equal(fdb_entry(MAC_S, &port, &vtep), -1);
	vs_mem_tx_clear(UL());
	inject_local(PB_BROADCAST, MAC_L, 64);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 1);

	// Refused, and nothing changes.
	o[0] = (struct vs_opt){.key = "vni", .val = "7"};
	assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, o, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "vni cannot change at run time"));
	o[0] = (struct vs_opt){.key = "remote_ip", .val = "198.18.10.1"};
	assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, o, 1, err, sizeof(err)), -EINVAL);
	o[0] = (struct vs_opt){.key = "ttl", .val = "0"};
	assert_int_equal(vs_vxlan_set_port(&sw, P("vx0")->id, o, 1, err, sizeof(err)), -EINVAL);
	vs_mem_tx_clear(UL());
	inject_local(PB_BROADCAST, MAC_L, 64);
	run();
	assert_int_equal(vs_mem_tx_count(UL()), 1);
	check_outer(0, R2, 64, 9);
}

static void test_two_vnis(void **state)
{
	char err[256];

	(void)state;
	topo();
	topo_vni200();
	// One underlay, two VNIs.
	assert_int_equal(vs_conf_current()->vxlan->n_vni, 2);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 200, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_S, R2, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 200, 0x08, 64);
	assert_int_equal(run(), 3);
	assert_int_equal(vs_mem_tx_count(P("p2")), 2);
	assert_int_equal(vs_mem_tx_count(P("p1")), 1);
	// From br1, only VNI 200 leaves.
	vs_mem_tx_clear(UL());
	{
		struct pb b;
		uint32_t len;

		pb_simple(&b, PB_BROADCAST, MAC_L, 64);
		assert_int_equal(vs_mem_inject(P("p2"), b.buf, b.len), 0);
		run();
		assert_int_equal(vs_mem_tx_count(UL()), 1);
		assert_int_equal(rd32(vs_mem_tx_frame(UL(), 0, &len) + 46) >> 8, 200);
	}
	// Removing vx0 keeps the underlay for vx1.
	assert_int_equal(vs_switch_del_port(&sw, "br0", "vx0", err, sizeof(err)), 0);
	assert_int_equal(vs_conf_current()->vxlan->n_vni, 1);
	inject_vxlan(PB_BROADCAST, MAC_S, R2, 100, 0x08, 64);
	run();
	assert_int_equal(drops(UL(), VS_DROP_VXLAN_UNKNOWN_VNI), 1);
	assert_int_equal(vs_switch_del_port(&sw, "br1", "vx1", err, sizeof(err)), 0);
	assert_null(vs_conf_current()->vxlan);
}

static void test_config_errors(void **state)
{
	char err[256];

	(void)state;
	topo();
#define BAD(want, n, ...)                                                                          \
	do {                                                                                       \
		assert_true(add_port_opts("br0", "vxb", "vxlan", err, sizeof(err), n,              \
					  __VA_ARGS__) < 0);                                       \
		if (strstr(err, want) == NULL)                                                     \
			fail_msg("error '%s' lacks '%s'", err, want);                              \
	} while (0)
	BAD("needs vni, local_ip and remote_ip", 2, "vni", "1", "underlay_type", "mem");
	BAD("invalid vni", 5, "vni", "x", "local_ip", "198.18.10.1", "remote_ip", "198.18.10.2",
	    "underlay", "u0", "underlay_type", "mem");
	BAD("invalid local_ip", 5, "vni", "1", "local_ip", "224.0.0.1", "remote_ip", "198.18.10.2",
	    "underlay", "u0", "underlay_type", "mem");
	BAD("listed twice", 5, "vni", "1", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2,198.18.10.2", "underlay", "u0", "underlay_type", "mem");
	BAD("must not include local_ip", 5, "vni", "1", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.1", "underlay", "u0", "underlay_type", "mem");
	BAD("already used by vx0", 5, "vni", "100", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2", "underlay", "u0", "underlay_type", "mem");
	BAD("share local_ip and dst_port", 6, "vni", "5", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2", "underlay", "u0", "underlay_type", "mem", "dst_port", "8472");
	BAD("invalid underlay_type", 5, "vni", "5", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2", "underlay", "u0", "underlay_type", "vxlan");
	BAD("invalid udp_csum", 6, "vni", "5", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2", "underlay", "u0", "underlay_type", "mem", "udp_csum", "maybe");
	BAD("unknown option for vxlan port", 6, "vni", "5", "local_ip", "198.18.10.1", "remote_ip",
	    "198.18.10.2", "underlay", "u0", "underlay_type", "mem", "foo", "1");
#undef BAD
	assert_int_equal(vs_switch_port_id(&sw, "vxb"), -1);
	assert_int_equal(vs_conf_current()->vxlan->n_vni, 1);
}

// Sets the IPv4 total length of VXLAN frame 'o' to 'tot' and fixes its header checksum.
static void set_tot(struct pb *o, uint32_t tot)
{
	uint32_t ihl = (uint32_t)(o->buf[14] & 0x0f) * 4;

	wr16(o->buf + 16, (uint16_t)tot);
	wr16(o->buf + 24, 0);
	wr16(o->buf + 24, (uint16_t)~pb_csum_fold(o->buf + 14, ihl, 0));
}

// Valid frames the datapath's fast path leaves to the slow path (vswitch/dp/vxlan_rx.h)
// decapsulate all the same, and a burst switching VNIs and VTEPs (the fast path's one-entry
// cache) sends every frame where it belongs.
static void test_decap_shapes(void **state)
{
	struct pb in, out, o;
	struct vs_port *ul;
	uint32_t len, vtep;
	uint16_t port;

	(void)state;
	topo();
	ul = UL();
	pb_simple(&in, PB_BROADCAST, MAC_R, 70);
	// Ethernet padding behind the IPv4 packet.
	wrap(&out, &in, R2, 100, 0x08);
	memset(out.buf + out.len, 0xee, 6);
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len + 6), 0);
	// IPv4 options (IHL 6: four NOPs).
	wrap(&out, &in, R2, 100, 0x08);
	pb_init(&o);
	memcpy(o.buf, out.buf, 34);
	memset(o.buf + 34, 0x01, 4);
	memcpy(o.buf + 38, out.buf + 34, out.len - 34);
	o.len = out.len + 4;
	o.buf[14] = 0x46;
	set_tot(&o, o.len - 14);
	assert_int_equal(vs_mem_inject(ul, o.buf, o.len), 0);
	// The UDP datagram shorter than the IPv4 payload: two bytes after it.
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[out.len] = out.buf[out.len + 1] = 0;
	out.len += 2;
	set_tot(&out, out.len - 14);
	assert_int_equal(vs_mem_inject(ul, out.buf, out.len), 0);
	assert_int_equal(run(), 3);
	assert_int_equal(vs_mem_tx_count(P("p1")), 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_memory_equal(vs_mem_tx_frame(P("p1"), i, &len), in.buf, in.len);
		assert_int_equal(len, in.len);
	}
	assert_int_equal(port_drops(ul, VS_DROP_VXLAN_TRUNCATED), 0);

	// One burst: R2, R3, an unknown VTEP, R2 again, an unknown VNI, R3 again.
	vs_mem_tx_clear(P("p1"));
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_L, R9, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 102, 0x08, 64);
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64);
	assert_int_equal(run(), 6);
	assert_int_equal(vs_mem_tx_count(P("p1")), 4);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_UNKNOWN_VTEP), 1);
	assert_int_equal(drops(ul, VS_DROP_VXLAN_UNKNOWN_VNI), 1);
	vs_switch_housekeeping(&sw);
	assert_int_equal(fdb_entry(MAC_R, &port, &vtep), 0);
	assert_int_equal(vtep, R2);
	assert_int_equal(fdb_entry(MAC_S, &port, &vtep), 0);
	assert_int_equal(vtep, R3);
	assert_int_equal(port, P("vx0")->id);
	assert_int_equal(fdb_entry(MAC_L, &port, &vtep), -1);
}

static void test_src_port(void **state)
{
	struct pb a, b;
	uint16_t pa, pb_;
	int differ = 0;

	(void)state;
	// The same flow always gets the same port; different flows spread.
	pb_simple(&a, MAC_R, MAC_L, 100);
	pb_simple(&b, MAC_R, MAC_L, 100);
	assert_int_equal(vs_vxlan_src_port(a.buf, a.len), vs_vxlan_src_port(b.buf, b.len));
	pa = vs_vxlan_src_port(a.buf, a.len);
	for (uint16_t p = 1; p <= 16; p++) {
		wr16(b.buf + 34, (uint16_t)(1000 + p)); // inner UDP source port
		pb_ = vs_vxlan_src_port(b.buf, b.len);
		assert_true(pb_ >= 49152);
		differ += pb_ != pa;
	}
	assert_true(differ >= 14);
	// Short or odd frames do not crash it.
	assert_true(vs_vxlan_src_port(a.buf, 3) >= 49152);
	assert_true(vs_vxlan_src_port(a.buf, 20) >= 49152);
}

// Encapsulation counters of vx0 summed over PMD threads since topo_learned(): frames built in
// the scratch area, and of those the ones whose frame had no headroom.

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_decap_learn),
		T(test_encap_unicast),
		T(test_flood_replication),
		T(test_decap_drops),
		T(test_mtu_and_unresolved),
		T(test_set_port),
		T(test_two_vnis),
		T(test_config_errors),
		T(test_src_port),
		T(test_decap_shapes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
