// SPDX-License-Identifier: Apache-2.0
// Unit tests of VXLAN ports: decapsulation, learning behind remote VTEPs, encapsulation,
// head-end replication, MTU and resolution drops, set-port, configuration errors. The
// pipeline runs as in l2_test.c (real control plane, PMD context polled by hand); the
// underlay is an in-memory port (underlay_type=mem) and next hops come from a stub
// resolver instead of the kernel.
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "swfix.h"
#include "vswitch/cp/vxlan.h"
#include "vswitch/dp/vxlan_rx.h"

#define LOCAL_IP 0xc6120a01u // 198.18.10.1
#define R2 0xc6120a02u	     // 198.18.10.2
#define R3 0xc6120a03u	     // 198.18.10.3
#define R9 0xc6120a09u	     // 198.18.10.9: in no list
#define UL_MAC 0x02000000aa01ULL
#define MAC_L 0x02000000000aULL // behind p1 (local)
#define MAC_R 0x02000000000bULL // behind VTEP R2
#define MAC_S 0x02000000000cULL // behind VTEP R3

static int stub_mtu = 1500;
static uint32_t stub_unresolved; // this IP has no next hop MAC

static uint64_t nh_mac(uint32_t ip)
{
	return 0x02bb00000000ULL | ip;
}

static int stub_dev_mac(const char *dev, uint64_t *mac)
{
	(void)dev;
	*mac = UL_MAC;
	return 0;
}

static int stub_dev_mtu(const char *dev, int *mtu)
{
	(void)dev;
	*mtu = stub_mtu;
	return 0;
}

static int stub_neigh(const char *dev, uint32_t ip, uint64_t *mac)
{
	(void)dev;
	if (ip == stub_unresolved)
		return -EAGAIN;
	*mac = nh_mac(ip);
	return 0;
}

static const struct vs_vxlan_resolver stub = {
	.dev_mac = stub_dev_mac,
	.dev_mtu = stub_dev_mtu,
	.neigh = stub_neigh,
};

static int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_ERR);
	vs_port_driver_register(&vs_vxlan_ops);
	vs_vxlan_set_resolver(&stub);
	stub_mtu = 1500;
	stub_unresolved = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

// Adds a port with 'n' options given as "key", "value" pairs; returns the result.
static int add_port_opts(const char *br, const char *name, const char *type, char *err,
			 size_t errlen, int n, ...)
{
	struct vs_opt opts[VS_MAX_PORT_OPTS];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		opts[i].key = va_arg(ap, const char *);
		opts[i].val = va_arg(ap, const char *);
	}
	va_end(ap);
	return vs_switch_add_port(&sw, br, name, type, opts, (size_t)n, err, errlen);
}

// br0: mem port p1 and vx0 (VNI 100 to R2 and R3 over mem underlay u0).
static void topo(void)
{
	char err[256];

	add_br("br0");
	if (add_port_opts("br0", "p1", "mem", err, sizeof(err), 0) != 0)
		fail_msg("p1: %s", err);
	if (add_port_opts("br0", "vx0", "vxlan", err, sizeof(err), 5, "vni", "100", "local_ip",
			  "198.18.10.1", "remote_ip", "198.18.10.2,198.18.10.3", "underlay", "u0",
			  "underlay_type", "mem") != 0)
		fail_msg("vx0: %s", err);
}

// The underlay port of the current snapshot.
static struct vs_port *UL(void)
{
	const struct vs_conf *conf = vs_conf_current();

	assert_non_null(conf->vxlan);
	assert_int_equal(conf->vxlan->n_underlays, 1);
	return conf->vxlan->underlay[0].port;
}

static uint64_t drops(struct vs_port *port, enum vs_drop d)
{
	return port_drops(port, d);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

// Wraps the inner frame in 'in' into a VXLAN frame from VTEP 'src' to LOCAL_IP in 'out'.
static uint32_t wrap(struct pb *out, const struct pb *in, uint32_t src, uint32_t vni, uint8_t flags)
{
	struct pb o;

	pb_init(&o);
	pb_eth(&o, UL_MAC, nh_mac(src), PB_ETH_P_IPV4);
	pb_ipv4(&o, src, LOCAL_IP, PB_IPPROTO_UDP);
	pb_udp(&o, 50000, 4789);
	pb_payload(&o, 8 + in->len);
	pb_finish(&o);
	memset(o.buf + 42, 0, 8);
	o.buf[42] = flags;
	wr32(o.buf + 46, vni << 8);
	memcpy(o.buf + 50, in->buf, in->len);
	wr16(o.buf + 40, 0); // UDP checksum 0, as VTEPs send it
	*out = o;
	return o.len;
}

static void inject_vxlan(uint64_t dst, uint64_t src_mac, uint32_t vtep, uint32_t vni, uint8_t flags,
			 uint32_t inner_len)
{
	struct pb in, out;

	pb_simple(&in, dst, src_mac, inner_len);
	wrap(&out, &in, vtep, vni, flags);
	assert_int_equal(vs_mem_inject(UL(), out.buf, out.len), 0);
}

static void inject_local(uint64_t dst, uint64_t src, uint32_t len)
{
	struct pb b;

	pb_simple(&b, dst, src, len);
	assert_int_equal(vs_mem_inject(P("p1"), b.buf, b.len), 0);
}

static int fdb_entry(uint64_t mac, uint16_t *port, uint32_t *vtep)
{
	struct vs_fdb_table *t = vs_fdb_table_get(vs_switch_bridge(&sw, "br0")->fdb);
	int32_t slot = vs_fdb_lookup(t, mac, port);

	if (slot < 0)
		return -1;
	*vtep = vs_fdb_vtep(t, (uint32_t)slot);
	return 0;
}

// Checks the outer headers of VXLAN frame 'i' sent on the underlay; returns its inner frame.
static const uint8_t *check_outer(uint32_t i, uint32_t dst_ip, uint32_t inner_len, uint8_t ttl)
{
	uint32_t len;
	const uint8_t *f = vs_mem_tx_frame(UL(), i, &len);
	const uint8_t *ip = f + 14, *udp = f + 34, *vx = f + 42;

	assert_non_null(f);
	assert_int_equal(len, 50 + inner_len);
	assert_true(vs_mac_from_bytes(f) == nh_mac(dst_ip));
	assert_true(vs_mac_from_bytes(f + 6) == UL_MAC);
	assert_int_equal(rd16(f + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(rd16(ip + 2), 36 + inner_len);
	assert_int_equal(rd16(ip + 6), 0x4000); // DF
	assert_int_equal(ip[8], ttl);
	assert_int_equal(ip[9], 17);
	assert_true(pb_ipv4_csum_ok(ip));
	assert_int_equal(rd32(ip + 12), LOCAL_IP);
	assert_int_equal(rd32(ip + 16), dst_ip);
	assert_true(rd16(udp) >= 49152);
	assert_int_equal(rd16(udp + 2), 4789);
	assert_int_equal(rd16(udp + 4), 16 + inner_len);
	assert_int_equal(vx[0], 0x08);
	assert_int_equal(vx[1] | vx[2] | vx[3] | vx[7], 0);
	assert_int_equal(rd32(vx + 4) >> 8, 100);
	return f + 50;
}

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
	add_br("br1");
	if (add_port_opts("br1", "p2", "mem", err, sizeof(err), 0) != 0)
		fail_msg("p2: %s", err);
	if (add_port_opts("br1", "vx1", "vxlan", err, sizeof(err), 5, "vni", "200", "local_ip",
			  "198.18.10.1", "remote_ip", "198.18.10.2", "underlay", "u0",
			  "underlay_type", "mem") != 0)
		fail_msg("vx1: %s", err);
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
