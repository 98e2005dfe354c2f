// SPDX-License-Identifier: Apache-2.0
// Unit tests of the service stage (vswitch/dp/svc.c) through the whole pipeline, the
// control plane (vswitch/cp/service.c) and in-memory ports: ARP for VIPs, backend MAC
// resolution, DNAT and reverse NAT compared byte for byte with frames built directly
// (so checksums are checked too), hairpin source NAT, RSTs, full table, backend removal.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "swfix.h"
#include "vswitch/cp/service.h"

#define MAC_C 0x02000000000cULL
#define MAC_B1 0x0200000000b1ULL
#define MAC_B2 0x0200000000b2ULL
#define IP_C 0xc6120501u  // 198.18.5.1
#define IP_B1 0xc612050bu // 198.18.5.11
#define IP_B2 0xc612050cu // 198.18.5.12
#define VIP 0xc6120564u	  // 198.18.5.100

static int setup(void **state)
{
	struct vs_bridge_opts o = {0};
	char err[256];

	(void)state;
	swfix_setup(VS_LOG_WARN);
	swfix_housekeeping = true;
	assert_int_equal(vs_switch_add_bridge(&sw, "br0", &o, err, sizeof(err)), 0);
	assert_int_equal(vs_switch_add_port(&sw, "br0", "c", "mem", NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(vs_switch_add_port(&sw, "br0", "b1", "mem", NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(vs_switch_add_port(&sw, "br0", "b2", "mem", NULL, 0, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

// Calls a service method with JSON 'params'; returns 0 or -1 ('msg' gets the error).
static int method(const char *name, const char *params, json_t **res, char *msg, size_t len)
{
	json_t *p = json_loads(params, 0, NULL), *r = json_object();
	const char *code = NULL;
	int ret;

	assert_non_null(p);
	ret = vs_service_method(&sw, name, p, r, &code, msg, len);
	json_decref(p);
	if (res)
		*res = r;
	else
		json_decref(r);
	return ret;
}

static void ok(const char *name, const char *params)
{
	char msg[256];

	if (method(name, params, NULL, msg, sizeof(msg)) != 0)
		fail_msg("%s %s: %s", name, params, msg);
}

static void inject(const char *port, const struct pb *b)
{
	assert_int_equal(vs_mem_inject(P(port), b->buf, b->len), 0);
	assert_int_equal(run(), 1);
}

static uint64_t drops(const char *port, enum vs_drop d)
{
	return port_drops(P(port), d);
}

static const uint8_t *tx(const char *port, uint32_t i, uint32_t *len)
{
	const uint8_t *f = vs_mem_tx_frame(P(port), i, len);

	assert_non_null(f);
	return f;
}

static uint64_t svc_mac(void)
{
	return vs_services_dp(vs_switch_bridge(&sw, "br0")->services)->mac;
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

static void arp(struct pb *b, uint64_t dst, uint64_t src, uint16_t op, uint64_t sha, uint32_t spa,
		uint64_t tha, uint32_t tpa)
{
	uint8_t *a;

	pb_init(b);
	pb_eth(b, dst, src, PB_ETH_P_ARP);
	a = b->buf + b->len;
	wr16(a, 1);
	wr16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, op);
	vs_mac_to_bytes(sha, a + 8);
	wr32(a + 14, spa);
	vs_mac_to_bytes(tha, a + 18);
	wr32(a + 24, tpa);
	b->len += 28;
}

// A TCP frame with 'flags' and 'len' payload bytes.
static void tcp(struct pb *b, uint64_t dst, uint64_t src, uint32_t sip, uint32_t dip,
		uint16_t sport, uint16_t dport, uint8_t flags, uint32_t len)
{
	pb_init(b);
	pb_eth(b, dst, src, PB_ETH_P_IPV4);
	pb_ipv4(b, sip, dip, PB_IPPROTO_TCP);
	pb_tcp(b, sport, dport);
	b->buf[b->tcp_off + 13] = flags;
	pb_payload(b, len);
	pb_finish(b);
}

static void udp(struct pb *b, uint64_t dst, uint64_t src, uint32_t sip, uint32_t dip,
		uint16_t sport, uint16_t dport, uint32_t len)
{
	pb_init(b);
	pb_eth(b, dst, src, PB_ETH_P_IPV4);
	pb_ipv4(b, sip, dip, PB_IPPROTO_UDP);
	pb_udp(b, sport, dport);
	pb_payload(b, len);
	pb_finish(b);
}

static void assert_frame(const char *port, uint32_t i, const struct pb *want)
{
	uint32_t len;
	const uint8_t *f = tx(port, i, &len);

	assert_int_equal(len, want->len);
	assert_memory_equal(f, want->buf, want->len);
}

// The backend answers the switch's ARP request for it.
static void resolve(const char *port, uint64_t mac, uint32_t ip)
{
	struct pb b;

	arp(&b, svc_mac(), mac, 2, mac, ip, svc_mac(), VIP);
	inject(port, &b);
	assert_int_equal(
		vs_mem_tx_count(P("c")) + vs_mem_tx_count(P("b1")) + vs_mem_tx_count(P("b2")), 0);
}

static uint32_t ct_count(void)
{
	json_t *res;
	char msg[256];
	uint32_t n;

	assert_int_equal(method("conntrack-show", "{\"bridge\":\"br0\"}", &res, msg, sizeof(msg)),
			 0);
	n = (uint32_t)json_integer_value(json_object_get(res, "count"));
	json_decref(res);
	return n;
}

static void test_arp_for_vip(void **state)
{
	struct pb b, want;
	uint32_t len;

	(void)state;
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"198.18.5.11:8080\"}}");
	arp(&b, PB_BROADCAST, MAC_C, 1, MAC_C, IP_C, 0, VIP);
	inject("c", &b);
	// Answered back out of the client's port only, from the switch's MAC.
	assert_int_equal(vs_mem_tx_count(P("c")), 1);
	assert_int_equal(vs_mem_tx_count(P("b1")), 0);
	assert_int_equal(vs_mem_tx_count(P("b2")), 0);
	arp(&want, MAC_C, svc_mac(), 2, svc_mac(), VIP, MAC_C, IP_C);
	assert_frame("c", 0, &want);
	// Requests for other addresses are flooded as usual.
	clear_tx();
	arp(&b, PB_BROADCAST, MAC_C, 1, MAC_C, IP_C, 0, IP_B2);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")), 1);
	assert_int_equal(vs_mem_tx_count(P("b2")), 1);
	(void)len;
}

static void test_dnat_and_reverse(void **state)
{
	struct pb b, want;
	uint32_t len;
	const uint8_t *f;

	(void)state;
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"198.18.5.11:8080\"}}");
	// Backend MAC unknown: the SYN becomes an ARP request for it, flooded.
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x02, 0);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("c")), 0);
	assert_int_equal(vs_mem_tx_count(P("b1")), 1);
	assert_int_equal(vs_mem_tx_count(P("b2")), 1);
	arp(&want, PB_BROADCAST, svc_mac(), 1, svc_mac(), VIP, 0, IP_B1);
	assert_frame("b1", 0, &want);
	assert_int_equal(ct_count(), 0);
	clear_tx();
	resolve("b1", MAC_B1, IP_B1);
	assert_int_equal(drops("b1", VS_DROP_SVC_ARP_LOCAL), 1);

	// The retransmitted SYN is DNATed: exactly the frame the client would have sent to
	// the backend itself (addresses, ports, MAC and both checksums).
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x02, 0);
	inject("c", &b);
	tcp(&want, MAC_B1, MAC_C, IP_C, IP_B1, 40000, 8080, 0x02, 0);
	assert_int_equal(vs_mem_tx_count(P("b1")), 1);
	assert_frame("b1", 0, &want);
	assert_int_equal(ct_count(), 1);

	// The backend's SYN+ACK reaches the client from the VIP.
	clear_tx();
	tcp(&b, MAC_C, MAC_B1, IP_B1, IP_C, 8080, 40000, 0x12, 0);
	inject("b1", &b);
	tcp(&want, MAC_C, MAC_B1, VIP, IP_C, 80, 40000, 0x12, 0);
	assert_int_equal(vs_mem_tx_count(P("c")), 1);
	assert_frame("c", 0, &want);

	// Data both ways, odd lengths.
	for (uint32_t n = 1; n < 200; n += 37) {
		clear_tx();
		tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x18, n);
		inject("c", &b);
		tcp(&want, MAC_B1, MAC_C, IP_C, IP_B1, 40000, 8080, 0x18, n);
		assert_frame("b1", 0, &want);
		tcp(&b, MAC_C, MAC_B1, IP_B1, IP_C, 8080, 40000, 0x18, n + 3);
		inject("b1", &b);
		tcp(&want, MAC_C, MAC_B1, VIP, IP_C, 80, 40000, 0x18, n + 3);
		assert_frame("c", 0, &want);
	}
	f = tx("c", 0, &len);
	assert_true(pb_ipv4_csum_ok(f + 14));

	// A run of one flow's packets in one burst: each translated (the stage remembers the
	// burst's last connection).
	clear_tx();
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x18, 10);
	for (int k = 0; k < 3; k++)
		assert_int_equal(vs_mem_inject(P("c"), b.buf, b.len), 0);
	assert_int_equal(run(), 3);
	tcp(&want, MAC_B1, MAC_C, IP_C, IP_B1, 40000, 8080, 0x18, 10);
	for (uint32_t k = 0; k < 3; k++)
		assert_frame("b1", k, &want);

	// UDP: a checksum is kept valid, a zero checksum stays zero.
	ok("add-service",
	   "{\"bridge\":\"br0\",\"service\":\"dns\",\"options\":{\"vip\":"
	   "\"198.18.5.100:53\",\"proto\":\"udp\",\"backends\":\"198.18.5.11:5353\"}}");
	clear_tx();
	udp(&b, svc_mac(), MAC_C, IP_C, VIP, 5000, 53, 33);
	inject("c", &b);
	udp(&want, MAC_B1, MAC_C, IP_C, IP_B1, 5000, 5353, 33);
	assert_frame("b1", 0, &want);
	clear_tx();
	udp(&b, svc_mac(), MAC_C, IP_C, VIP, 5001, 53, 20);
	b.buf[b.udp_off + 6] = b.buf[b.udp_off + 7] = 0;
	inject("c", &b);
	f = tx("b1", 0, &len);
	assert_int_equal(f[b.udp_off + 6] | f[b.udp_off + 7], 0);
	assert_true(pb_ipv4_csum_ok(f + 14));
	assert_int_equal(ct_count(), 3);
}

static void test_hairpin(void **state)
{
	struct pb b;
	uint32_t len, snat_ip;
	uint16_t snat_port;
	const uint8_t *f;

	(void)state;
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"198.18.5.11:8080\"}}");
	resolve("b1", MAC_B1, IP_B1);
	// b1 reaches its own service: source NAT to the VIP, back out of its own port.
	tcp(&b, svc_mac(), MAC_B1, IP_B1, VIP, 41000, 80, 0x02, 0);
	inject("b1", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")), 1);
	f = tx("b1", 0, &len);
	assert_int_equal(vs_mac_from_bytes(f), MAC_B1);
	assert_int_equal(vs_mac_from_bytes(f + 6), svc_mac());
	snat_ip = (uint32_t)f[26] << 24 | (uint32_t)f[27] << 16 | (uint32_t)f[28] << 8 | f[29];
	snat_port = (uint16_t)(f[34] << 8 | f[35]);
	assert_int_equal(snat_ip, VIP);
	assert_true(pb_ipv4_csum_ok(f + 14));
	// Its answer to the VIP goes back to it as the client, from the VIP.
	clear_tx();
	tcp(&b, svc_mac(), MAC_B1, IP_B1, VIP, 8080, snat_port, 0x12, 0);
	inject("b1", &b);
	{
		struct pb want;

		tcp(&want, MAC_B1, svc_mac(), VIP, IP_B1, 80, 41000, 0x12, 0);
		assert_frame("b1", 0, &want);
	}
}

static void test_rst_and_reject(void **state)
{
	struct pb b;
	uint32_t len;
	const uint8_t *f;

	(void)state;
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"\"}}");
	// No backends: a SYN is answered with RST+ACK from the VIP, seq 0, ack = seq + 1.
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x02, 0);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("c")), 1);
	f = tx("c", 0, &len);
	assert_int_equal(len, 54);
	{
		struct pb want;

		pb_init(&want);
		pb_eth(&want, MAC_C, svc_mac(), PB_ETH_P_IPV4);
		pb_ipv4(&want, VIP, IP_C, PB_IPPROTO_TCP);
		pb_tcp(&want, 80, 40000);
		wr32(want.buf + want.tcp_off + 4, 0);
		wr32(want.buf + want.tcp_off + 8, 0x01020305);
		want.buf[want.tcp_off + 13] = 0x14;
		wr16(want.buf + want.tcp_off + 14, 0);
		wr16(want.buf + want.ip_off + 4, 0);
		wr16(want.buf + want.ip_off + 6, 0x4000);
		pb_finish(&want);
		assert_memory_equal(f, want.buf, want.len);
	}
	// UDP without backends: dropped and counted.
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"dns\",\"options\":{\"vip\":"
			  "\"198.18.5.100:53\",\"proto\":\"udp\",\"backends\":\"\"}}");
	udp(&b, svc_mac(), MAC_C, IP_C, VIP, 5000, 53, 10);
	inject("c", &b);
	assert_int_equal(drops("c", VS_DROP_SVC_NO_BACKEND), 1);

	// A backend removed under an established connection: the next segment gets RST.
	ok("set-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"backends\":"
			  "\"198.18.5.11:8080,198.18.5.12:8080\"}}");
	clear_tx();
	resolve("b1", MAC_B1, IP_B1);
	resolve("b2", MAC_B2, IP_B2);
	clear_tx();
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40001, 80, 0x02, 0);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")) + vs_mem_tx_count(P("b2")), 1);
	{
		const char *gone =
			vs_mem_tx_count(P("b1")) ? "198.18.5.12:8080" : "198.18.5.11:8080";
		char params[256];

		snprintf(params, sizeof(params),
			 "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"backends\":\"%s\"}"
			 "}",
			 gone);
		ok("set-service", params);
	}
	clear_tx();
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40001, 80, 0x10, 5);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("c")), 1);
	f = tx("c", 0, &len);
	assert_int_equal(f[14 + 20 + 13], 0x04); // RST, seq = the segment's ack
}

static void test_full(void **state)
{
	struct pb b;
	char msg[256];
	struct vs_bridge_opts o = {.conntrack_size = 2};

	(void)state;
	assert_int_equal(vs_switch_set_bridge(&sw, "br0", &o, msg, sizeof(msg)), 0);
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"198.18.5.11:8080\"}}");
	resolve("b1", MAC_B1, IP_B1);
	for (uint16_t p = 0; p < 3; p++) {
		tcp(&b, svc_mac(), MAC_C, IP_C, VIP, (uint16_t)(40000 + p), 80, 0x02, 0);
		inject("c", &b);
	}
	assert_int_equal(vs_mem_tx_count(P("b1")), 2);
	assert_int_equal(drops("c", VS_DROP_CONNTRACK_FULL), 1);
	// Existing connections go on.
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40000, 80, 0x10, 0);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")), 3);
	// Flushed, there is room again.
	ok("conntrack-flush", "{\"bridge\":\"br0\"}");
	tcp(&b, svc_mac(), MAC_C, IP_C, VIP, 40002, 80, 0x02, 0);
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")), 4);
}

static void test_bad_input(void **state)
{
	char msg[256];
	json_t *res;

	(void)state;
	ok("add-service", "{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
			  "\"198.18.5.100:80\",\"backends\":\"198.18.5.11:8080\"}}");
	assert_int_equal(method("add-service",
				"{\"bridge\":\"br0\",\"service\":\"x\",\"options\":{\"vip\":"
				"\"198.18.5.11:80\",\"backends\":\"198.18.5.12:80\"}}",
				NULL, msg, sizeof(msg)),
			 -1);
	assert_non_null(strstr(msg, "is a backend address"));
	assert_int_equal(method("add-service",
				"{\"bridge\":\"br0\",\"service\":\"web\",\"options\":{\"vip\":"
				"\"198.18.5.101:80\",\"backends\":\"\"}}",
				NULL, msg, sizeof(msg)),
			 -1);
	assert_non_null(strstr(msg, "already exists"));
	assert_int_equal(method("add-service",
				"{\"bridge\":\"br0\",\"service\":\"x\",\"options\":{\"vip\":"
				"\"198.18.5.101:80\",\"backends\":\"1.2.3.4:99999\"}}",
				NULL, msg, sizeof(msg)),
			 -1);
	assert_non_null(strstr(msg, "invalid backend"));
	assert_int_equal(method("list-services", "{}", &res, msg, sizeof(msg)), 0);
	assert_int_equal(json_array_size(json_object_get(res, "services")), 1);
	json_decref(res);
}

// 10,000 services with 100,000 backends load at once (load-services), and a packet to
// the last VIP is DNATed to one of its backends.
static void test_scale(void **state)
{
	char path[] = "/tmp/svc_test.XXXXXX", params[256], msg[256];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	json_t *res;
	struct pb b;
	uint32_t len, dst;
	const uint8_t *fr;

	(void)state;
	assert_non_null(f);
	for (uint32_t i = 0; i < 10000; i++) {
		fprintf(f, "s%u vip=198.19.%u.%u:80 backends=", i, i / 250, i % 250 + 1);
		for (uint32_t j = 0; j < 10; j++) {
			uint32_t n = i * 10 + j;

			fprintf(f, "%s10.%u.%u.%u:8080", j ? "," : "", n >> 16, (n >> 8) & 255,
				n & 255);
		}
		fputc('\n', f);
	}
	fclose(f);
	snprintf(params, sizeof(params), "{\"bridge\":\"br0\",\"file\":\"%s\"}", path);
	if (method("load-services", params, &res, msg, sizeof(msg)) != 0)
		fail_msg("load-services: %s", msg);
	unlink(path);
	assert_int_equal(json_integer_value(json_object_get(res, "added")), 10000);
	json_decref(res);
	assert_int_equal(method("list-services", "{\"bridge\":\"br0\"}", &res, msg, sizeof(msg)),
			 0);
	assert_int_equal(json_array_size(json_object_get(res, "services")), 10000);
	json_decref(res);
	// A duplicate in a second file: nothing is added.
	strcpy(path, "/tmp/svc_test.XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "extra vip=198.18.9.1:80 backends=10.200.0.1:80\ns5 vip=198.18.9.2:80 "
		   "backends=\n");
	fclose(f);
	snprintf(params, sizeof(params), "{\"bridge\":\"br0\",\"file\":\"%s\"}", path);
	assert_int_equal(method("load-services", params, NULL, msg, sizeof(msg)), -1);
	unlink(path);
	assert_non_null(strstr(msg, ":2: service s5 already exists"));
	assert_int_equal(method("list-services", "{\"bridge\":\"br0\"}", &res, msg, sizeof(msg)),
			 0);
	assert_int_equal(json_array_size(json_object_get(res, "services")), 10000);
	json_decref(res);
	// The last service: backends 10.1.134.246-255 (99990-99999), MACs learned from ARP.
	for (uint32_t j = 0; j < 10; j++) {
		uint32_t n = 99990 + j, ip = 0x0a000000u | n;

		arp(&b, svc_mac(), MAC_B1, 2, MAC_B1, ip, svc_mac(), 0xc61327fau);
		inject("b1", &b);
	}
	tcp(&b, svc_mac(), MAC_C, IP_C, 0xc61327fau, 40000, 80, 0x02, 0); // 198.19.39.250
	inject("c", &b);
	assert_int_equal(vs_mem_tx_count(P("b1")), 1);
	fr = tx("b1", 0, &len);
	dst = (uint32_t)fr[30] << 24 | (uint32_t)fr[31] << 16 | (uint32_t)fr[32] << 8 | fr[33];
	assert_true(dst >= (0x0a000000u | 99990) && dst <= (0x0a000000u | 99999));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arp_for_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dnat_and_reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hairpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_and_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
