// SPDX-License-Identifier: Apache-2.0
// Unit tests of the VXLAN datapath's fast paths: encapsulation in the frame's headroom (and
// the copy when there is none), head-end replication to many VTEPs, the decap fast path
// against the slow one (each field that fails the fast compare), and encap bursts that leave
// and re-enter the unicast loop. Fixture: vxlanfix.h (as vxlan_test.c).
#include "vxlanfix.h"

static uint64_t enc_base[2];

static void enc_counters(uint64_t *copied, uint64_t *no_headroom)
{
	const struct vs_vxlan_port *vx = P("vx0")->priv;

	*copied = *no_headroom = 0;
	for (unsigned i = 0; i < VS_MAX_PMDS; i++) {
		*copied += vx->enc[i].copied;
		*no_headroom += vx->enc[i].no_headroom;
	}
	*copied -= enc_base[0];
	*no_headroom -= enc_base[1];
}

// br0 with a second local port p2, MAC_R learned behind R2 and MAC_L on p1.
static void topo_learned(void)
{
	char err[256];
	uint64_t c, n;

	topo();
	if (add_port_opts("br0", "p2", "mem", err, sizeof(err), 0) != 0)
		fail_msg("p2: %s", err);
	inject_vxlan(PB_BROADCAST, MAC_R, R2, 100, 0x08, 64);
	inject_local(PB_BROADCAST, MAC_L, 64);
	run();
	vs_switch_housekeeping(&sw);
	vs_mem_tx_clear(UL());
	vs_mem_tx_clear(P("p2"));
	enc_base[0] = enc_base[1] = 0;
	enc_counters(&c, &n);
	enc_base[0] = c;
	enc_base[1] = n;
}

// The mem port promises headroom, as AF_XDP and DPDK buffers have: a unicast to a VTEP is
// encapsulated in place (no scratch copy), its outer headers exact and the inner frame intact;
// a flood sends the same buffer's frame to p2 unchanged and to each VTEP, one copy in place.
static void test_encap_in_place(void **state)
{
	uint64_t copied, no_room;
	const uint8_t *inner;
	uint32_t len;
	struct pb in;

	(void)state;
	topo_learned();
	assert_true(P("p1")->rx_headroom >= VS_VXLAN_HLEN);
	for (uint32_t n = 60; n <= 1400; n += 670) {
		vs_mem_tx_clear(UL());
		inject_local(MAC_R, MAC_L, n);
		assert_int_equal(run(), 1);
		assert_int_equal(vs_mem_tx_count(UL()), 1);
		inner = check_outer(0, R2, n, 64);
		pb_simple(&in, MAC_R, MAC_L, n);
		assert_memory_equal(inner, in.buf, in.len);
	}
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 0);
	assert_int_equal(no_room, 0);

	// A broadcast: p2 gets the frame byte for byte, R2 and R3 one VXLAN frame each.
	vs_mem_tx_clear(UL());
	inject_local(PB_BROADCAST, MAC_L, 90);
	assert_int_equal(run(), 1);
	pb_simple(&in, PB_BROADCAST, MAC_L, 90);
	assert_int_equal(vs_mem_tx_count(P("p2")), 1);
	assert_memory_equal(vs_mem_tx_frame(P("p2"), 0, &len), in.buf, in.len);
	assert_int_equal(len, 90);
	assert_int_equal(vs_mem_tx_count(UL()), 2);
	assert_memory_equal(check_outer(0, R2, 90, 64), in.buf, in.len);
	assert_memory_equal(check_outer(1, R3, 90, 64), in.buf, in.len);
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 1); // the second VTEP's copy
	assert_int_equal(no_room, 0);
}

// A port without headroom (a driver that promises none): the frame is copied into the scratch
// area, with the same outer headers, and counted.
static void test_encap_no_headroom(void **state)
{
	uint64_t copied, no_room;
	struct pb in;

	(void)state;
	topo_learned();
	P("p1")->rx_headroom = 0;
	for (uint32_t i = 0; i < 3; i++)
		inject_local(MAC_R, MAC_L, 100 + i);
	assert_int_equal(run(), 3);
	assert_int_equal(vs_mem_tx_count(UL()), 3);
	for (uint32_t i = 0; i < 3; i++) {
		pb_simple(&in, MAC_R, MAC_L, 100 + i);
		assert_memory_equal(check_outer(i, R2, 100 + i, 64), in.buf, in.len);
	}
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 3);
	assert_int_equal(no_room, 3);
	// A broadcast: both copies in the scratch area, one of them for want of headroom.
	vs_mem_tx_clear(UL());
	inject_local(PB_BROADCAST, MAC_L, 90);
	assert_int_equal(run(), 1);
	pb_simple(&in, PB_BROADCAST, MAC_L, 90);
	assert_memory_equal(check_outer(0, R2, 90, 64), in.buf, in.len);
	assert_memory_equal(check_outer(1, R3, 90, 64), in.buf, in.len);
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 5);
	assert_int_equal(no_room, 4);
	assert_int_equal(vs_mem_tx_count(P("p2")), 1);
}

// vs_vxlan_encap_in_place() writes exactly the frame vs_vxlan_encap() builds (with and without
// the UDP checksum), touches only the 50 bytes in front of the inner frame and not the frame.
static void test_encap_in_place_bytes(void **state)
{
	struct {
		struct vs_vxlan_tx tx;
		struct vs_vxlan_remote r;
	} t = {0};
	static uint8_t buf[64 + 50 + 1600 + 64], copy[50 + 1600];
	struct pb in;

	(void)state;
	t.tx = (struct vs_vxlan_tx){.vni = 0x123456,
				    .local_ip = LOCAL_IP,
				    .dst_port = 4789,
				    .ttl = 9,
				    .mtu = 1500,
				    .src_mac = UL_MAC,
				    .n_remotes = 1};
	t.r = (struct vs_vxlan_remote){.ip = R2, .mac = nh_mac(R2)};
	vs_vxlan_remote_prepare(&t.tx, &t.r);
	for (int csum = 0; csum < 2; csum++) {
		for (uint32_t n = 14; n <= 1514; n += 125) {
			uint8_t *inner = buf + 64 + 50;
			uint32_t a, b;

			t.tx.udp_csum = csum;
			pb_simple(&in, MAC_R, MAC_L, n < 60 ? 60 : n);
			memset(buf, 0xa5, sizeof(buf));
			memcpy(inner, in.buf, n);
			a = vs_vxlan_encap(&t.tx, &t.r, inner, n, copy);
			b = vs_vxlan_encap_in_place(&t.tx, &t.r, inner, n);
			assert_int_equal(a, 50 + n);
			assert_int_equal(b, 50 + n);
			assert_memory_equal(buf + 64, copy, a);
			assert_memory_equal(inner, in.buf, n); // the inner frame untouched
			for (uint32_t i = 0; i < 64; i++)      // nothing before the headroom
				assert_int_equal(buf[i], 0xa5);
			for (uint32_t i = 64 + 50 + n; i < sizeof(buf); i++) // nor after the frame
				assert_int_equal(buf[i], 0xa5);
			assert_true(pb_ipv4_csum_ok(buf + 64 + 14));
			assert_int_equal(rd32(buf + 64 + 46) >> 8, 0x123456);
			assert_int_equal(buf[64 + 22], 9);
			if (csum)
				assert_int_not_equal(rd16(buf + 64 + 40), 0);
			else
				assert_int_equal(rd16(buf + 64 + 40), 0);
		}
	}
}

// Head-end replication to 40 VTEPs: three broadcasts in one burst make 120 VXLAN frames, more
// than one batch for the underlay: all sent, in order, one copy of each frame in place.
static void test_flood_many_remotes(void **state)
{
	char err[256], list[40 * 16] = "";
	uint64_t copied, no_room;
	struct pb in;

	(void)state;
	for (int i = 0; i < 40; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s198.18.10.%d",
			 i ? "," : "", 2 + i);
	add_br("br0");
	if (add_port_opts("br0", "p1", "mem", err, sizeof(err), 0) != 0)
		fail_msg("p1: %s", err);
	if (add_port_opts("br0", "vx0", "vxlan", err, sizeof(err), 5, "vni", "100", "local_ip",
			  "198.18.10.1", "remote_ip", list, "underlay", "u0", "underlay_type",
			  "mem") != 0)
		fail_msg("vx0: %s", err);
	enc_base[0] = enc_base[1] = 0;
	for (uint32_t f = 0; f < 3; f++)
		inject_local(PB_BROADCAST, MAC_L, 70 + f);
	assert_int_equal(run(), 3);
	assert_int_equal(vs_mem_tx_count(UL()), 120);
	for (uint32_t f = 0; f < 3; f++) {
		pb_simple(&in, PB_BROADCAST, MAC_L, 70 + f);
		for (uint32_t r = 0; r < 40; r++)
			assert_memory_equal(check_outer(f * 40 + r, LOCAL_IP + 1 + r, 70 + f, 64),
					    in.buf, in.len);
	}
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 117);
	assert_int_equal(no_room, 0);
}

// Sets the IPv4 header checksum of VXLAN frame 'b' (outer IPv4 without options).
static void fix_csum(struct pb *b)
{
	wr16(b->buf + 24, 0);
	wr16(b->buf + 24, (uint16_t)~pb_csum_fold(b->buf + 14, 20, 0));
}

// The datapath's fast path (vxlan_rx.h) against the slow path, frame by frame: the fast path
// takes exactly the frames that are all VXLAN packet, with the shape VTEPs send; every other
// frame, valid or not, it leaves untouched to the slow path, which judges it as before.
static void test_decap_fast_split(void **state)
{
	static uint8_t big[65536 + 64];
	const struct vs_vxlan_conf *vc;
	const struct vs_vxlan_underlay *ul;
	struct vs_vxlan_rx rx;
	struct pb in, out;
	struct vs_pkt pkt, f;

	(void)state;
	topo();
	vc = vs_conf_current()->vxlan;
	ul = &vc->underlay[0];
	pb_simple(&in, PB_BROADCAST, MAC_R, 64);
#define FAST(o, n, want)                                                                           \
	do {                                                                                       \
		vs_vxlan_rx_init(&rx, vc, ul);                                                     \
		f = (struct vs_pkt){.data = (o).buf, .len = (n)};                                  \
		assert_int_equal(vs_vxlan_rx_fast(&rx, &f), (want));                               \
	} while (0)
#define SLOW(o, n, want)                                                                           \
	do {                                                                                       \
		pkt = (struct vs_pkt){.data = (o).buf, .len = (n)};                                \
		assert_int_equal(vs_vxlan_decap_one(vc, ul, &pkt), (want));                        \
	} while (0)

	// As VTEPs send it: fast, the inner frame behind 50 bytes.
	wrap(&out, &in, R2, 100, 0x08);
	FAST(out, out.len, VS_DROP_NONE);
	assert_ptr_equal(f.data, out.buf + 50);
	assert_int_equal(f.len, in.len);
	assert_int_equal(f.vtep, R2);
	assert_int_equal(f.in_port, P("vx0")->id);
	// Fields the fast path does not compare: TOS, identification, DF, TTL, UDP source port and
	// checksum, the reserved bytes of the VXLAN header. Still fast, and valid for both.
	out.buf[15] = 0xb8;
	wr16(out.buf + 18, 0x1234);
	wr16(out.buf + 20, 0x4000);
	out.buf[22] = 1;
	wr16(out.buf + 34, 61234);
	wr16(out.buf + 40, 0xbeef);
	out.buf[43] = out.buf[44] = out.buf[45] = out.buf[49] = 0xff;
	fix_csum(&out);
	FAST(out, out.len, VS_DROP_NONE);
	SLOW(out, out.len, VS_DROP_NONE);
	assert_int_equal(pkt.len, in.len);
	// Unknown VNI and VTEP: decided on the fast path, with the slow path's reasons.
	wrap(&out, &in, R2, 101, 0x08);
	FAST(out, out.len, VS_DROP_VXLAN_UNKNOWN_VNI);
	SLOW(out, out.len, VS_DROP_VXLAN_UNKNOWN_VNI);
	wrap(&out, &in, R9, 100, 0x08);
	FAST(out, out.len, VS_DROP_VXLAN_UNKNOWN_VTEP);
	SLOW(out, out.len, VS_DROP_VXLAN_UNKNOWN_VTEP);

	// Valid, not the fast path's: Ethernet padding (the IPv4 packet one byte shorter than the
	// frame), and a UDP datagram shorter than the IPv4 payload.
	wrap(&out, &in, R2, 100, 0x08);
	FAST(out, out.len + 1, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len + 1, VS_DROP_NONE);
	assert_int_equal(pkt.len, in.len);
	wr16(out.buf + 38, (uint16_t)(rd16(out.buf + 38) - 2));
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_NONE);
	assert_int_equal(pkt.len, in.len - 2);
	// Invalid, each failing one comparison of the fast path: the slow path names the reason.
	wrap(&out, &in, R2, 100, 0x08);
	FAST(out, out.len - 1, VS_VXLAN_RX_SLOW); // the IPv4 packet longer than the frame
	SLOW(out, out.len - 1, VS_DROP_VXLAN_TRUNCATED);
	wr16(out.buf + 38, (uint16_t)(rd16(out.buf + 38) + 1)); // UDP longer than IPv4's payload
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_TRUNCATED);
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[25] ^= 1; // IPv4 checksum
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_BAD_OUTER);
	wrap(&out, &in, R2, 100, 0x08);
	wr16(out.buf + 20, 0x0001); // a fragment (offset 8)
	fix_csum(&out);
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_FRAGMENT);
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[33] ^= 1; // another destination address
	fix_csum(&out);
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_NOT_VXLAN);
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[23] = 6; // TCP
	fix_csum(&out);
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_NOT_VXLAN);
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[37] ^= 1; // UDP destination port
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_NOT_VXLAN);
	wrap(&out, &in, R2, 100, 0x09); // flags
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_BAD_FLAGS);
	wrap(&out, &in, R2, 100, 0x08);
	out.buf[14] = 0x44; // header length 16
	fix_csum(&out);
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_BAD_OUTER);
	wrap(&out, &in, R2, 100, 0x08);
	wr16(out.buf + 12, 0x86dd); // IPv6
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_NOT_VXLAN);
	// 63 bytes: the VXLAN headers and an inner frame of 13 bytes.
	pb_simple(&in, PB_BROADCAST, MAC_R, 64);
	in.len = 13;
	wrap(&out, &in, R2, 100, 0x08);
	FAST(out, out.len, VS_VXLAN_RX_SLOW);
	SLOW(out, out.len, VS_DROP_VXLAN_INNER_TRUNCATED);
	// A frame of 65550 bytes: its IPv4 total length (16 bits) cannot say len - 14 = 65536.
	// The lengths in the header, modulo 2^16, are those of the frame's own length (0 and
	// 65516): the fast path must not take them for a match.
	pb_simple(&in, PB_BROADCAST, MAC_R, 64);
	wrap(&out, &in, R2, 100, 0x08);
	memcpy(big, out.buf, out.len);
	wr16(big + 16, 0);
	wr16(big + 38, (uint16_t)(65550 - 34));
	wr16(big + 24, 0);
	wr16(big + 24, (uint16_t)~pb_csum_fold(big + 14, 20, 0));
	vs_vxlan_rx_init(&rx, vc, ul);
	f = (struct vs_pkt){.data = big, .len = 65550};
	assert_int_equal(vs_vxlan_rx_fast(&rx, &f), VS_VXLAN_RX_SLOW);
	pkt = (struct vs_pkt){.data = big, .len = 65550};
	assert_int_equal(vs_vxlan_decap_one(vc, ul, &pkt), VS_DROP_VXLAN_BAD_OUTER);
#undef FAST
#undef SLOW
}

// One burst the encapsulation's unicast loop leaves midway (a flood, a frame too big), then
// takes up again: every frame goes where it belongs, in order, with its own outer headers.
static void test_encap_burst_mix(void **state)
{
	static const struct {
		uint64_t dst;
		uint32_t len;
	} burst[] = {
		{MAC_R, 64}, {MAC_R, 65},   {MAC_S, 66}, {PB_BROADCAST, 67},
		{MAC_R, 68}, {MAC_S, 1480}, {MAC_R, 69}, {MAC_S, 70},
	};
	// The VXLAN frames expected on the underlay: (VTEP, inner frame of burst[i]).
	static const struct {
		uint32_t vtep;
		unsigned i;
	} want[] = {{R2, 0}, {R2, 1}, {R3, 2}, {R2, 3}, {R3, 3}, {R2, 4}, {R2, 6}, {R3, 7}};
	uint64_t copied, no_room;
	struct pb in;

	(void)state;
	topo_learned();
	inject_vxlan(PB_BROADCAST, MAC_S, R3, 100, 0x08, 64); // MAC_S behind R3
	run();
	vs_switch_housekeeping(&sw);
	vs_mem_tx_clear(UL());
	vs_mem_tx_clear(P("p1"));
	vs_mem_tx_clear(P("p2"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(burst); i++)
		inject_local(burst[i].dst, MAC_L, burst[i].len);
	assert_int_equal(run(), VS_ARRAY_SIZE(burst));
	assert_int_equal(vs_mem_tx_count(UL()), VS_ARRAY_SIZE(want));
	for (unsigned k = 0; k < VS_ARRAY_SIZE(want); k++) {
		unsigned i = want[k].i;

		pb_simple(&in, burst[i].dst, MAC_L, burst[i].len);
		assert_memory_equal(check_outer(k, want[k].vtep, burst[i].len, 64), in.buf, in.len);
	}
	assert_int_equal(drops(P("vx0"), VS_DROP_VXLAN_TOO_BIG), 1);
	assert_int_equal(vs_mem_tx_count(P("p2")), 1); // the broadcast
	enc_counters(&copied, &no_room);
	assert_int_equal(copied, 1); // the broadcast's second copy
	assert_int_equal(no_room, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_encap_in_place),
		T(test_encap_no_headroom),
		T(test_encap_in_place_bytes),
		T(test_flood_many_remotes),
		T(test_decap_fast_split),
		T(test_encap_burst_mix),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
