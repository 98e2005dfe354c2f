// SPDX-License-Identifier: Apache-2.0
// Fixture shared by the VXLAN unit tests (vxlan_test.c, vxlan_fast_test.c): bridge br0 with a
// local mem port p1 and vxlan port vx0 on an in-memory underlay, a stub next-hop resolver,
// and helpers that wrap frames in VXLAN, inject them and check what the underlay sent.
#ifndef VS_TESTS_VXLANFIX_H
#define VS_TESTS_VXLANFIX_H

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
#include "vswitch/dp/netbytes.h"
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

static inline uint64_t nh_mac(uint32_t ip)
{
	return 0x02bb00000000ULL | ip;
}

static inline int stub_dev_mac(const char *dev, uint64_t *mac)
{
	(void)dev;
	*mac = UL_MAC;
	return 0;
}

static inline int stub_dev_mtu(const char *dev, int *mtu)
{
	(void)dev;
	*mtu = stub_mtu;
	return 0;
}

static inline int stub_neigh(const char *dev, uint32_t ip, uint64_t *mac)
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

static inline int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_ERR);
	vs_port_driver_register(&vs_vxlan_ops);
	vs_vxlan_set_resolver(&stub);
	stub_mtu = 1500;
	stub_unresolved = 0;
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

// Adds a port with 'n' options given as "key", "value" pairs; returns the result.
static inline int add_port_opts(const char *br, const char *name, const char *type, char *err,
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
static inline void topo(void)
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

// br1: mem port p2 and vx1 (VNI 200 to R2), on topo()'s underlay u0.
static inline void topo_vni200(void)
{
	char err[256];

	add_br("br1");
	if (add_port_opts("br1", "p2", "mem", err, sizeof(err), 0) != 0)
		fail_msg("p2: %s", err);
	if (add_port_opts("br1", "vx1", "vxlan", err, sizeof(err), 5, "vni", "200", "local_ip",
			  "198.18.10.1", "remote_ip", "198.18.10.2", "underlay", "u0",
			  "underlay_type", "mem") != 0)
		fail_msg("vx1: %s", err);
}

// The underlay port of the current snapshot.
static inline struct vs_port *UL(void)
{
	const struct vs_conf *conf = vs_conf_current();

	assert_non_null(conf->vxlan);
	assert_int_equal(conf->vxlan->n_underlays, 1);
	return conf->vxlan->underlay[0].port;
}

static inline uint64_t drops(struct vs_port *port, enum vs_drop d)
{
	return port_drops(port, d);
}

// Wraps the inner frame in 'in' into a VXLAN frame from VTEP 'src' to LOCAL_IP in 'out'.
static inline uint32_t wrap(struct pb *out, const struct pb *in, uint32_t src, uint32_t vni, uint8_t flags)
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

static inline void inject_vxlan(uint64_t dst, uint64_t src_mac, uint32_t vtep, uint32_t vni, uint8_t flags,
			 uint32_t inner_len)
{
	struct pb in, out;

	pb_simple(&in, dst, src_mac, inner_len);
	wrap(&out, &in, vtep, vni, flags);
	assert_int_equal(vs_mem_inject(UL(), out.buf, out.len), 0);
}

static inline void inject_local(uint64_t dst, uint64_t src, uint32_t len)
{
	struct pb b;

	pb_simple(&b, dst, src, len);
	assert_int_equal(vs_mem_inject(P("p1"), b.buf, b.len), 0);
}

static inline int fdb_entry(uint64_t mac, uint16_t *port, uint32_t *vtep)
{
	struct vs_fdb_table *t = vs_fdb_table_get(vs_switch_bridge(&sw, "br0")->fdb);
	int32_t slot = vs_fdb_lookup(t, mac, port);

	if (slot < 0)
		return -1;
	*vtep = vs_fdb_vtep(t, (uint32_t)slot);
	return 0;
}

// Checks the outer headers of VXLAN frame 'i' sent on the underlay; returns its inner frame.
static inline const uint8_t *check_outer(uint32_t i, uint32_t dst_ip, uint32_t inner_len, uint8_t ttl)
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

#endif
