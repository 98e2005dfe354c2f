// SPDX-License-Identifier: Apache-2.0
// Unit tests of macvlan bridges: the demux stage (vswitch/dp/macvlan.c) from crafted frames
// through the real pipeline and in-memory ports, in each mode, and the control plane
// (vswitch/cp/macvlan*.c) through vs_switch_* and the control protocol.
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "swfix.h"
#include "vswitch/cp/handlers.h"
#include "vswitch/cp/macvlan.h"
#include "vswitch/dp/macvlan.h"

#define MAC_1 0x020000000001ULL // child c1
#define MAC_2 0x020000000002ULL // child c2
#define MAC_3 0x020000000003ULL // child c3 (when it has one)
#define EXT_A 0x0200000000a0ULL // hosts on the parent's LAN
#define EXT_B 0x0200000000b0ULL
#define MCAST 0x01005e000001ULL

static int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_ERR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

static int add_mv(const char *name, const char *parent, int mode, char *err, size_t len)
{
	struct vs_macvlan_opts o = {.parent = parent, .parent_type = "mem", .mode = mode};

	return vs_macvlan_add_bridge(&sw, name, &o, err, len);
}

// Adds mem port 'name' to 'br', with mac=MAC when 'mac' is not 0.
static int add_port(const char *br, const char *name, uint64_t mac, char *err, size_t len)
{
	char s[VS_MAC_STRLEN];
	struct vs_opt opt = {.key = "mac", .val = s};

	vs_mac_format(mac, s);
	return vs_switch_add_port(&sw, br, name, "mem", &opt, mac ? 1 : 0, err, len);
}

static void must(int ret, const char *what, const char *err)
{
	if (ret != 0)
		fail_msg("%s: %s", what, err);
}

// mv0 on parent "up" in 'mode', children c1 (MAC_1) and c2 (MAC_2).
static void mv0(int mode)
{
	char err[256];

	must(add_mv("mv0", "up", mode, err, sizeof(err)), "add mv0", err);
	must(add_port("mv0", "c1", MAC_1, err, sizeof(err)), "add c1", err);
	must(add_port("mv0", "c2", MAC_2, err, sizeof(err)), "add c2", err);
}

// Sends one 64-byte frame on 'port' through the pipeline.
static void tx(const char *port, uint64_t dst, uint64_t src)
{
	tx_frame(port, dst, src);
}

// Frames sent out of up, c1, c2 since the last clear_tx(), then clears.
static void expect(uint32_t up, uint32_t c1, uint32_t c2)
{
	assert_int_equal(ntx("up"), up);
	assert_int_equal(ntx("c1"), c1);
	assert_int_equal(ntx("c2"), c2);
	clear_tx();
}

static uint64_t drops(const char *port, enum vs_drop d)
{
	return port_drops(P(port), d);
}

static uint64_t all_drops(const char *port)
{
	return vs_port_drops_total(P(port));
}

// --- from the parent ----------------------------------------------------------

static void test_parent_unicast_demux(void **state)
{
	struct pb b;
	uint32_t len;

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	pb_simple(&b, MAC_2, EXT_A, 90);
	assert_int_equal(vs_mem_inject(P("up"), b.buf, b.len), 0);
	assert_int_equal(run(), 1);
	assert_int_equal(ntx("c2"), 1);
	assert_memory_equal(vs_mem_tx_frame(P("c2"), 0, &len), b.buf, b.len);
	assert_int_equal(len, 90);
	expect(0, 0, 1);
	tx("up", MAC_1, EXT_B);
	expect(0, 1, 0);
	// No learning and no flooding: unknown unicast is dropped and counted.
	tx("up", EXT_B, EXT_A);
	tx("up", MAC_3, EXT_A);
	expect(0, 0, 0);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_UNKNOWN_DST), 2);
	assert_int_equal(all_drops("up"), 2);
	assert_int_equal(vs_switch_bridge(&sw, "mv0")->fdb->count, 0);
}

static void test_parent_broadcast(void **state)
{
	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	tx("up", PB_BROADCAST, EXT_A);
	expect(0, 1, 1);
	tx("up", MCAST, EXT_A);
	expect(0, 1, 1);
	tx("up", 0x0180c2000000ULL, EXT_A); // 802.1D link-local: never forwarded
	tx("up", PB_BROADCAST, 0);	    // invalid source
	expect(0, 0, 0);
	assert_int_equal(drops("up", VS_DROP_LINK_LOCAL), 1);
	assert_int_equal(drops("up", VS_DROP_INVALID_SRC_MAC), 1);
}

// A child's own multicast coming back through the parent (a hairpinning LAN), per mode.
static void test_reflected_multicast(void **state)
{
	char err[256];

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	// Bridge: c2 already got it inside the switch.
	tx("up", PB_BROADCAST, MAC_1);
	expect(0, 0, 0);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_REFLECTED), 1);
	// VEPA: every child but the sender.
	must(vs_macvlan_set_mode(&sw, vs_switch_bridge(&sw, "mv0"), VS_MACVLAN_VEPA, err,
				 sizeof(err)),
	     "vepa", err);
	tx("up", PB_BROADCAST, MAC_1);
	expect(0, 0, 1);
	tx("up", MCAST, MAC_2);
	expect(0, 1, 0);
	// Private: back to the sender only, as the kernel's macvlan does.
	must(vs_macvlan_set_mode(&sw, vs_switch_bridge(&sw, "mv0"), VS_MACVLAN_PRIVATE, err,
				 sizeof(err)),
	     "private", err);
	tx("up", PB_BROADCAST, MAC_1);
	expect(0, 1, 0);
	assert_int_equal(all_drops("up"), 1);
}

// --- from a child ---------------------------------------------------------------

static void test_child_to_parent_and_spoofing(void **state)
{
	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	tx("c1", EXT_A, MAC_1);
	expect(1, 0, 0);
	tx("c1", EXT_A, MAC_2); // another child's MAC
	tx("c1", EXT_A, EXT_B); // anyone else's
	tx("c1", PB_BROADCAST, EXT_B);
	expect(0, 0, 0);
	assert_int_equal(drops("c1", VS_DROP_MACVLAN_SPOOFED), 3);
	tx("c1", EXT_A, MCAST);
	assert_int_equal(drops("c1", VS_DROP_INVALID_SRC_MAC), 1);
	assert_int_equal(all_drops("c1"), 4);
	assert_int_equal(all_drops("up") + all_drops("c2"), 0);
}

static void test_bridge_mode(void **state)
{
	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	tx("c1", MAC_2, MAC_1); // directly, not out the parent
	expect(0, 0, 1);
	tx("c1", PB_BROADCAST, MAC_1); // the parent and the other children
	expect(1, 0, 1);
	tx("c1", MAC_1, MAC_1); // to itself
	expect(0, 0, 0);
	assert_int_equal(drops("c1", VS_DROP_HAIRPIN), 1);
}

static void test_private_mode(void **state)
{
	(void)state;
	mv0(VS_MACVLAN_PRIVATE);
	tx("c1", MAC_2, MAC_1);
	expect(0, 0, 0);
	assert_int_equal(drops("c1", VS_DROP_MACVLAN_PRIVATE), 1);
	tx("c1", PB_BROADCAST, MAC_1); // the parent only
	expect(1, 0, 0);
	tx("c1", EXT_A, MAC_1);
	expect(1, 0, 0);
	// Not even when the LAN hairpins it back.
	tx("up", MAC_2, MAC_1);
	expect(0, 0, 0);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_PRIVATE), 1);
	tx("up", MAC_2, EXT_A);
	expect(0, 0, 1);
}

static void test_vepa_mode(void **state)
{
	(void)state;
	mv0(VS_MACVLAN_VEPA);
	tx("c1", MAC_2, MAC_1); // out the parent: the external switch hairpins it
	expect(1, 0, 0);
	tx("c1", PB_BROADCAST, MAC_1);
	expect(1, 0, 0);
	tx("up", MAC_2, MAC_1); // and back, by the parent's demux
	expect(0, 0, 1);
	tx("up", PB_BROADCAST, MAC_1);
	expect(0, 0, 1);
	assert_int_equal(all_drops("up") + all_drops("c1") + all_drops("c2"), 0);
	// With a third child: a reflected multicast skips exactly the sender (and the parent).
	{
		char err[256];

		must(add_port("mv0", "c3", MAC_3, err, sizeof(err)), "add c3", err);
	}
	tx("up", MCAST, MAC_2);
	assert_int_equal(ntx("c3"), 1);
	expect(0, 1, 0);
	tx("up", PB_BROADCAST, EXT_A); // from the LAN: every child
	assert_int_equal(ntx("c3"), 1);
	expect(0, 1, 1);
}

static void test_passthru_mode(void **state)
{
	char err[256];

	(void)state;
	must(add_mv("mv0", "up", VS_MACVLAN_PASSTHRU, err, sizeof(err)), "add mv0", err);
	// No child yet: nothing to deliver to.
	tx("up", MAC_1, EXT_A);
	assert_int_equal(drops("up", VS_DROP_NO_DESTINATION), 1);
	must(add_port("mv0", "c1", MAC_1, err, sizeof(err)), "add c1", err);
	assert_int_equal(add_port("mv0", "c2", MAC_2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "passthru"));
	assert_int_equal(vs_switch_port_id(&sw, "c2"), -1);
	// The child has taken the parent over: it gets everything.
	tx("up", MAC_1, EXT_A);
	tx("up", EXT_B, EXT_A);
	tx("up", PB_BROADCAST, EXT_A);
	tx("up", PB_BROADCAST, MAC_1);
	assert_int_equal(ntx("c1"), 4);
	assert_int_equal(ntx("up"), 0);
	tx("c1", EXT_A, MAC_1);
	tx("c1", PB_BROADCAST, MAC_1);
	assert_int_equal(ntx("up"), 2);
	tx("c1", EXT_A, EXT_B);
	assert_int_equal(drops("c1", VS_DROP_MACVLAN_SPOOFED), 1);
	// Only with at most one child can a bridge become passthru.
	must(vs_macvlan_set_mode(&sw, vs_switch_bridge(&sw, "mv0"), VS_MACVLAN_BRIDGE, err,
				 sizeof(err)),
	     "bridge", err);
	must(add_port("mv0", "c2", MAC_2, err, sizeof(err)), "add c2", err);
	assert_int_equal(vs_macvlan_set_mode(&sw, vs_switch_bridge(&sw, "mv0"), VS_MACVLAN_PASSTHRU,
					     err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vs_switch_bridge(&sw, "mv0")->mv->mode, VS_MACVLAN_BRIDGE);
}

// --- child MACs -------------------------------------------------------------------

static void test_mac_from_first_frame(void **state)
{
	char err[256];
	struct vs_bridge *br;
	int id;

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	must(add_port("mv0", "c3", 0, err, sizeof(err)), "add c3", err);
	br = vs_switch_bridge(&sw, "mv0");
	id = P("c3")->id;
	assert_true(br->mv->mac[id] == 0);
	// Broadcasts reach a child without a MAC; unicast cannot name it yet.
	tx("up", PB_BROADCAST, EXT_A);
	assert_int_equal(ntx("c3"), 1);
	clear_tx();
	// A pending child cannot take another child's MAC.
	tx("c3", EXT_A, MAC_1);
	assert_int_equal(drops("c3", VS_DROP_MACVLAN_SPOOFED), 1);
	vs_switch_housekeeping(&sw);
	assert_true(br->mv->mac[id] == 0);
	// Its first frame is forwarded and its source becomes the child's MAC.
	tx("c3", EXT_A, MAC_3);
	expect(1, 0, 0);
	vs_switch_housekeeping(&sw);
	assert_true(br->mv->mac[id] == MAC_3);
	assert_int_equal(br->mv->source[id], VS_MV_MAC_FIRST_FRAME);
	tx("up", MAC_3, EXT_A);
	assert_int_equal(ntx("c3"), 1);
	// From then on it is fixed.
	tx("c3", EXT_A, 0x020000000033ULL);
	assert_int_equal(drops("c3", VS_DROP_MACVLAN_SPOOFED), 2);
	assert_int_equal(ntx("up"), 0);
}

static void test_set_port_mac(void **state)
{
	char err[256];
	struct vs_opt o = {.key = "mac", .val = "02:00:00:00:00:09"};
	struct vs_opt dup = {.key = "mac", .val = "02:00:00:00:00:02"};
	struct vs_opt bad = {.key = "mac", .val = "01:00:00:00:00:09"};
	struct vs_opt unk = {.key = "color", .val = "red"};

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	must(vs_switch_set_port(&sw, "mv0", "c1", &o, 1, err, sizeof(err)), "set-port", err);
	tx("up", MAC_1, EXT_A);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_UNKNOWN_DST), 1);
	tx("up", 0x020000000009ULL, EXT_A);
	assert_int_equal(ntx("c1"), 1);
	tx("c1", EXT_A, MAC_1); // the old MAC is now a spoofed one
	assert_int_equal(drops("c1", VS_DROP_MACVLAN_SPOOFED), 1);
	assert_int_equal(vs_switch_set_port(&sw, "mv0", "c1", &dup, 1, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already the MAC of c2"));
	assert_int_equal(vs_switch_set_port(&sw, "mv0", "c1", &bad, 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(vs_switch_set_port(&sw, "mv0", "c1", &unk, 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(vs_switch_set_port(&sw, "mv0", "up", &o, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "parent"));
	assert_int_equal(vs_switch_set_port(&sw, "mv0", "c9", &o, 1, err, sizeof(err)), -ENOENT);
	assert_true(vs_switch_bridge(&sw, "mv0")->mv->mac[P("c1")->id] == 0x020000000009ULL);
}

static void test_refusals(void **state)
{
	char err[256];
	struct vs_opt mac = {.key = "mac", .val = "02:00:00:00:00:05"};

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	assert_int_equal(add_port("mv0", "c3", MAC_1, err, sizeof(err)), -EEXIST);
	assert_int_equal(vs_switch_port_id(&sw, "c3"), -1);
	assert_int_equal(vs_switch_fdb_add(&sw, "mv0", "02:00:00:00:00:07", "c1", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "macvlan bridge"));
	assert_int_equal(vs_switch_fdb_flush(&sw, "mv0", err, sizeof(err)), -EINVAL);
	assert_int_equal(vs_switch_fdb_del(&sw, "mv0", "02:00:00:00:00:01", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vs_switch_del_port(&sw, "mv0", "up", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "2 children"));
	assert_int_equal(vs_switch_port_id(&sw, "up") >= 0, 1);
	// A parent already in use, and one that cannot be opened: nothing is created.
	assert_int_equal(add_mv("mv1", "c1", -1, err, sizeof(err)), -EEXIST);
	assert_null(vs_switch_bridge(&sw, "mv1"));
	{
		struct vs_macvlan_opts o = {.parent = "up2", .parent_type = "nosuch", .mode = -1};

		assert_true(vs_macvlan_add_bridge(&sw, "mv1", &o, err, sizeof(err)) < 0);
		assert_null(vs_switch_bridge(&sw, "mv1"));
	}
	// set-port on a learning bridge has nothing to change.
	{
		struct vs_bridge_opts bo = {0};

		must(vs_switch_add_bridge(&sw, "br0", &bo, err, sizeof(err)), "br0", err);
		must(vs_switch_add_port(&sw, "br0", "p1", "mem", NULL, 0, err, sizeof(err)), "p1",
		     err);
		assert_int_equal(vs_switch_set_port(&sw, "br0", "p1", &mac, 1, err, sizeof(err)),
				 -EINVAL);
	}
	// Children can go; the parent goes with the bridge.
	must(vs_switch_del_port(&sw, "mv0", "c1", err, sizeof(err)), "del c1", err);
	must(vs_switch_del_port(&sw, "mv0", "c2", err, sizeof(err)), "del c2", err);
	assert_int_equal(vs_switch_del_port(&sw, "mv0", "up", err, sizeof(err)), -EINVAL);
	must(vs_switch_del_bridge(&sw, "mv0", err, sizeof(err)), "del-br", err);
	assert_int_equal(vs_switch_port_id(&sw, "up"), -1);
}

// Removing a child: its MAC is unknown at once; a new port may take the id and the MAC.
static void test_remove_and_readd(void **state)
{
	char err[256];

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	must(vs_switch_del_port(&sw, "mv0", "c1", err, sizeof(err)), "del c1", err);
	tx("up", MAC_1, EXT_A);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_UNKNOWN_DST), 1);
	must(add_port("mv0", "c3", 0, err, sizeof(err)), "add c3", err);
	assert_true(vs_switch_bridge(&sw, "mv0")->mv->mac[P("c3")->id] == 0);
	must(add_port("mv0", "c1", MAC_1, err, sizeof(err)), "re-add c1", err);
	tx("up", MAC_1, EXT_A);
	assert_int_equal(ntx("c1"), 1);
}

// A macvlan bridge and a learning bridge side by side: no frame crosses.
static void test_isolation(void **state)
{
	char err[256];
	struct vs_bridge_opts bo = {0};

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	must(vs_switch_add_bridge(&sw, "br0", &bo, err, sizeof(err)), "br0", err);
	must(vs_switch_add_port(&sw, "br0", "p1", "mem", NULL, 0, err, sizeof(err)), "p1", err);
	must(vs_switch_add_port(&sw, "br0", "p2", "mem", NULL, 0, err, sizeof(err)), "p2", err);
	must(add_mv("mv1", "up1", VS_MACVLAN_BRIDGE, err, sizeof(err)), "mv1", err);
	must(add_port("mv1", "d1", MAC_3, err, sizeof(err)), "d1", err);
	tx("p1", PB_BROADCAST, EXT_A);
	tx("p1", MAC_1, EXT_A);
	tx("up", PB_BROADCAST, EXT_B);
	tx("c1", PB_BROADCAST, MAC_1);
	tx("up1", PB_BROADCAST, EXT_B);
	assert_int_equal(ntx("p2"), 2);
	assert_int_equal(ntx("p1"), 0);
	assert_int_equal(ntx("up"), 1);
	assert_int_equal(ntx("c1"), 1);
	assert_int_equal(ntx("c2"), 2);
	assert_int_equal(ntx("d1"), 1);
	assert_int_equal(ntx("up1"), 0);
	// Learning went on in br0 only.
	vs_switch_housekeeping(&sw);
	assert_int_equal(vs_switch_bridge(&sw, "br0")->fdb->count, 1);
	assert_int_equal(vs_switch_bridge(&sw, "mv0")->fdb->count, 0);
}

// A burst mixing children, unknown MACs and broadcasts from the parent.
static void test_burst(void **state)
{
	uint64_t dst[] = {MAC_1, MAC_2, EXT_A, MAC_1, PB_BROADCAST, MAC_2, MAC_2, MCAST};
	struct pb b;

	(void)state;
	mv0(VS_MACVLAN_BRIDGE);
	for (size_t i = 0; i < VS_ARRAY_SIZE(dst); i++) {
		pb_simple(&b, dst[i], EXT_B, 64);
		assert_int_equal(vs_mem_inject(P("up"), b.buf, b.len), 0);
	}
	assert_int_equal(run(), VS_ARRAY_SIZE(dst));
	expect(0, 4, 5);
	assert_int_equal(drops("up", VS_DROP_MACVLAN_UNKNOWN_DST), 1);
}

// --- the control protocol -------------------------------------------------------------

static json_t *last;

static json_t *call(const char *text)
{
	json_decref(last);
	last = vs_ctl_handle(&sw, text, strlen(text));
	assert_non_null(last);
	return last;
}

static const char *error_of(json_t *r)
{
	json_t *e = json_object_get(json_object_get(r, "error"), "message");

	return e ? json_string_value(e) : NULL;
}

static void expect_error(const char *req, const char *code, const char *text)
{
	json_t *r = call(req), *e = json_object_get(r, "error");

	if (e == NULL)
		fail_msg("%s: succeeded", req);
	assert_string_equal(json_string_value(json_object_get(e, "code")), code);
	if (strstr(error_of(r), text) == NULL)
		fail_msg("%s: '%s' lacks '%s'", req, error_of(r), text);
}

static void expect_ok(const char *req)
{
	json_t *r = call(req);

	if (json_object_get(r, "result") == NULL)
		fail_msg("%s: %s", req, error_of(r));
}

static void test_protocol(void **state)
{
	json_t *r, *br, *e;

	(void)state;
	expect_error("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"type\":\"macvlan\"}}}",
		     "invalid-params", "needs a parent");
	expect_error("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"type\":\"macvlan\",\"parent\":\"up\",\"mode\":\"open\"}}}",
		     "invalid-params", "invalid macvlan mode 'open'");
	expect_error("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"type\":\"macvlan\",\"parent\":\"up\",\"mac-aging\":60}}}",
		     "invalid-params", "learns no MACs");
	expect_error("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"type\":\"vxlan-ish\"}}}",
		     "invalid-params", "unknown bridge type");
	expect_error("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"type\":\"macvlan\",\"parent\":\"up\",\"parent-type\":\"mem\","
		     "\"parent-tx-ring\":\"x\"}}}",
		     "invalid-params", "tx-ring");
	r = call("{\"method\":\"list-br\"}");
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "result"), "bridges")),
			 0);
	expect_ok("{\"method\":\"add-br\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		  "{\"type\":\"macvlan\",\"parent\":\"up\",\"parent-type\":\"mem\","
		  "\"parent-tx-ring\":64,\"mode\":\"vepa\"}}}");
	expect_ok("{\"method\":\"add-br\",\"params\":{\"bridge\":\"br0\",\"options\":"
		  "{\"type\":\"learning\"}}}");
	expect_ok("{\"method\":\"add-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"c1\","
		  "\"type\":\"mem\",\"options\":{\"mac\":\"02:00:00:00:00:01\"}}}");
	expect_ok("{\"method\":\"add-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"c2\","
		  "\"type\":\"mem\"}}");
	expect_error("{\"method\":\"add-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"c3\","
		     "\"type\":\"mem\",\"options\":{\"mac\":\"02:00:00:00:00:01\"}}}",
		     "exists", "already the MAC of c1");
	expect_error("{\"method\":\"fdb-add\",\"params\":{\"bridge\":\"mv0\",\"mac\":"
		     "\"02:00:00:00:00:07\",\"port\":\"c1\"}}",
		     "invalid-params", "no MAC table");
	expect_error("{\"method\":\"set-bridge\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"mac-table-size\":64}}}",
		     "invalid-params", "learns no MACs");
	expect_error("{\"method\":\"set-bridge\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		     "{\"mode\":\"passthru\"}}}",
		     "invalid-params", "one child only");
	expect_error("{\"method\":\"set-bridge\",\"params\":{\"bridge\":\"br0\",\"options\":"
		     "{\"mode\":\"vepa\"}}}",
		     "invalid-params", "unknown bridge option: mode");
	expect_error("{\"method\":\"del-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"up\"}}",
		     "invalid-params", "parent of macvlan bridge mv0");
	expect_ok("{\"method\":\"set-bridge\",\"params\":{\"bridge\":\"mv0\",\"options\":"
		  "{\"mode\":\"private\"}}}");
	expect_ok("{\"method\":\"set-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"c2\","
		  "\"options\":{\"mac\":\"02:00:00:00:00:02\"}}}");
	expect_error("{\"method\":\"set-port\",\"params\":{\"bridge\":\"mv0\",\"port\":\"c2\"}}",
		     "invalid-params", "at least one option");

	r = json_object_get(call("{\"method\":\"show\"}"), "result");
	br = json_array_get(json_object_get(r, "bridges"), 1);
	assert_string_equal(json_string_value(json_object_get(br, "name")), "mv0");
	assert_string_equal(json_string_value(json_object_get(br, "type")), "macvlan");
	assert_string_equal(json_string_value(json_object_get(br, "mode")), "private");
	assert_string_equal(json_string_value(json_object_get(br, "parent")), "up");
	assert_int_equal(json_integer_value(json_object_get(br, "children")), 2);
	assert_null(json_object_get(br, "mac-aging"));
	e = json_object_get(br, "ports");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "child-mac")),
			    "02:00:00:00:00:01");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 2), "role")),
			    "parent");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r, "bridges"), 0), "type")),
			    "learning");

	r = json_object_get(call("{\"method\":\"fdb-show\",\"params\":{\"bridge\":\"mv0\"}}"),
			    "result");
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "parent")), "up");
	e = json_object_get(r, "entries");
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "port")), "c2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "mac")),
			    "02:00:00:00:00:02");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "type")),
			    "configured");
	json_decref(last);
	last = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parent_unicast_demux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflected_multicast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_to_parent_and_spoofing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vepa_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passthru_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_from_first_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_port_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_readd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
