// SPDX-License-Identifier: Apache-2.0
// Unit tests of the XDP fast path's control side (vswitch/cp/fastpath.c): which ports take
// part, and how the MAC table of a fastpath=xdp bridge is mirrored into the kernel's on
// learn, move, flush, ageing and port deletion. The kernel side is a mock that records the
// BPF MAC table, the ports' program state and calls.
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <vs/log.h>

#include "swfix.h"
#include "vswitch/cp/fastpath.h"
#include "vswitch/dp/fdb.h"

#define MAC_A 0x02000000000aULL
#define MAC_B 0x02000000000bULL
#define MAC_C 0x02000000000cULL
#define MAX_ENT 64

// ---- the mock kernel --------------------------------------------------------
static struct {
	struct {
		bool used;
		uint16_t bridge, port;
		uint64_t mac;
		bool egress;
	} ent[MAX_ENT];
	bool ingress[VS_MAX_PORTS], egress[VS_MAX_PORTS]; // program state and devmap
	bool peer_napi[VS_MAX_PORTS];			  // what port_state reports
	bool capable[VS_MAX_PORTS];
	int64_t tx_dropped[VS_MAX_PORTS];
	int64_t idle_ns; // what fdb_idle_ns answers (-1: never seen)
	unsigned cleared[VS_MAX_PORTS];
	unsigned puts;
} k;

static int find(uint16_t bridge, uint64_t mac)
{
	for (int i = 0; i < MAX_ENT; i++)
		if (k.ent[i].used && k.ent[i].bridge == bridge && k.ent[i].mac == mac)
			return i;
	return -1;
}

static void m_port_state(struct vs_port *port, struct vs_fp_port_state *st)
{
	memset(st, 0, sizeof(*st));
	st->capable = k.capable[port->id];
	st->egress = st->capable && k.peer_napi[port->id];
	st->ifindex = 100u + port->id;
	st->max_len = st->egress ? 1514 : 0;
}

static int m_port_set(struct vs_port *port, uint16_t bridge, bool ingress, bool egress)
{
	(void)bridge;
	k.ingress[port->id] = ingress;
	k.egress[port->id] = egress;
	return 0;
}

static void m_port_clear(uint16_t id)
{
	k.cleared[id]++;
	k.egress[id] = false;
}

static int m_fdb_put(uint16_t bridge, uint64_t mac, uint16_t port,
		     const struct vs_fp_port_state *st)
{
	int i = find(bridge, mac);

	for (int j = 0; i < 0 && j < MAX_ENT; j++)
		if (!k.ent[j].used)
			i = j;
	assert_true(i >= 0);
	k.ent[i].used = true;
	k.ent[i].bridge = bridge;
	k.ent[i].mac = mac;
	k.ent[i].port = port;
	k.ent[i].egress = st->egress;
	k.puts++;
	return 0;
}

static int m_fdb_del(uint16_t bridge, uint64_t mac)
{
	int i = find(bridge, mac);

	if (i >= 0)
		k.ent[i].used = false;
	return 0;
}

static int64_t m_fdb_idle_ns(uint16_t bridge, uint64_t mac)
{
	return find(bridge, mac) >= 0 ? k.idle_ns : -1;
}

static void m_port_ctrs(uint16_t id, struct vs_fp_ctrs *out)
{
	memset(out, 0, sizeof(*out));
	out->rx_packets = id;
}

static int64_t m_tx_dropped(struct vs_port *port)
{
	return k.tx_dropped[port->id];
}

static const struct vs_fastpath_ops mock = {
	.port_state = m_port_state,
	.port_set = m_port_set,
	.port_clear = m_port_clear,
	.fdb_put = m_fdb_put,
	.fdb_del = m_fdb_del,
	.fdb_idle_ns = m_fdb_idle_ns,
	.port_ctrs = m_port_ctrs,
	.tx_dropped = m_tx_dropped,
};

// ---- fixture --------------------------------------------------------------------
static struct vs_bridge *br0;

static void add_port(const char *name)
{
	char err[256];

	if (vs_switch_add_port(&sw, "br0", name, "mem", NULL, 0, err, sizeof(err)) != 0)
		fail_msg("add-port %s: %s", name, err);
}

static uint16_t id_of(const char *name)
{
	return P(name)->id;
}

static void set_fastpath(bool on)
{
	struct vs_bridge_opts o = {.fastpath = on ? VS_FASTPATH_XDP : VS_FASTPATH_OFF};
	char err[256];

	if (vs_switch_set_bridge(&sw, "br0", &o, err, sizeof(err)) != 0)
		fail_msg("set-bridge fastpath: %s", err);
}

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	k.idle_ns = -1;
	swfix_setup(VS_LOG_WARN);
	vs_fastpath_set_ops(&mock);
	add_br("br0");
	br0 = vs_switch_bridge(&sw, "br0");
	add_port("p1");
	add_port("p2");
	add_port("p3");
	for (uint16_t i = 0; i < VS_MAX_PORTS; i++)
		k.capable[i] = k.peer_napi[i] = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	vs_fastpath_set_ops(NULL);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int port_of(uint64_t mac)
{
	int i = find(br0->id, mac);

	return i < 0 ? -1 : k.ent[i].port;
}

// ---- tests ------------------------------------------------------------------------
static void test_off_by_default(void **state)
{
	(void)state;
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), vs_now_s());
	vs_fastpath_sync(&sw, true);
	assert_string_equal(vs_fastpath_mode(br0), "off");
	assert_int_equal(find(br0->id, MAC_A), -1);
	assert_false(k.ingress[id_of("p1")]);
	assert_null(vs_fastpath_port_role(&sw, id_of("p1")));
}

static void test_learn_move_flush(void **state)
{
	(void)state;
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), vs_now_s());
	set_fastpath(true);
	assert_string_equal(vs_fastpath_mode(br0), "xdp");
	// Existing entries and the ports' programs are set up at once.
	assert_int_equal(port_of(MAC_A), id_of("p1"));
	assert_true(k.ingress[id_of("p1")] && k.egress[id_of("p1")]);
	assert_true(k.ingress[id_of("p3")] && k.egress[id_of("p3")]);
	assert_string_equal(vs_fastpath_port_role(&sw, id_of("p2")), "rx+tx");
	// Learn, then a sync writes only what changed.
	vs_fdb_learn(br0->fdb, MAC_B, id_of("p2"), vs_now_s());
	k.puts = 0;
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_B), id_of("p2"));
	assert_int_equal(k.puts, 1);
	vs_fastpath_sync(&sw, true);
	assert_int_equal(k.puts, 1);
	// Move.
	vs_fdb_learn(br0->fdb, MAC_B, id_of("p3"), vs_now_s());
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_B), id_of("p3"));
	// Delete and flush.
	assert_int_equal(vs_fdb_del(br0->fdb, MAC_A), 0);
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_A), -1);
	assert_int_equal(port_of(MAC_B), id_of("p3"));
	vs_fdb_flush(br0->fdb, VS_FDB_PORT_ANY, false);
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_B), -1);
}

static void test_ageing_reads_xdp_last_seen(void **state)
{
	uint32_t now = vs_now_s() + 1000;
	struct vs_fdb_entry e;

	(void)state;
	set_fastpath(true);
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), now - 400); // older than mac-aging (300)
	vs_fdb_learn(br0->fdb, MAC_B, id_of("p2"), now - 400);
	vs_fastpath_sync(&sw, true);
	// XDP saw MAC_A (and MAC_B) 2 s ago: the entries are refreshed, not aged.
	k.idle_ns = 2000000000;
	vs_fastpath_refresh_seen(&sw, br0, now, false);
	assert_int_equal(vs_fdb_age(br0->fdb, now, br0->mac_aging), 0);
	assert_int_equal(vs_fdb_dump(br0->fdb, &e, 1), 2);
	assert_int_equal(e.seen, now - 2);
	// Never seen by XDP: they age as before.
	k.idle_ns = -1;
	vs_fastpath_refresh_seen(&sw, br0, now + 400, false);
	assert_int_equal(vs_fdb_age(br0->fdb, now + 400, br0->mac_aging), 2);
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_A), -1);
	assert_int_equal(port_of(MAC_B), -1);
}

static void test_port_removal(void **state)
{
	char err[256];
	uint16_t p2 = id_of("p2");

	(void)state;
	set_fastpath(true);
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), vs_now_s());
	vs_fdb_learn(br0->fdb, MAC_B, p2, vs_now_s());
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_B), p2);
	assert_int_equal(vs_switch_del_port(&sw, "br0", "p2", err, sizeof(err)), 0);
	// At once, not at the next sync: the entry, the devmap slot and the counters are gone.
	assert_int_equal(port_of(MAC_B), -1);
	assert_false(k.ingress[p2] || k.egress[p2]);
	assert_int_equal(k.cleared[p2], 1);
	assert_int_equal(port_of(MAC_A), id_of("p1"));
}

static void test_peer_without_napi_is_no_target(void **state)
{
	uint16_t p3 = id_of("p3");
	int i;

	(void)state;
	k.peer_napi[p3] = false;
	set_fastpath(true);
	vs_fdb_learn(br0->fdb, MAC_C, p3, vs_now_s());
	vs_fastpath_sync(&sw, true);
	// Mirrored (its frames may come in through XDP) but not a target.
	i = find(br0->id, MAC_C);
	assert_true(i >= 0);
	assert_false(k.ent[i].egress);
	assert_true(k.ingress[p3]);
	assert_false(k.egress[p3]);
	assert_non_null(strstr(vs_fastpath_port_role(&sw, p3), "rx (not a tx target"));
	// The peer gets NAPI; its tx_dropped grows (as a veth does when a redirect fails):
	// the port is probed again before the periodic probe is due.
	k.peer_napi[p3] = true;
	sleep_ms(1100);
	vs_fastpath_sync(&sw, true);
	assert_true(k.egress[p3]);
	assert_true(k.ent[find(br0->id, MAC_C)].egress);
	k.peer_napi[p3] = false;
	k.tx_dropped[p3] += 5;
	sleep_ms(60);
	vs_fastpath_sync(&sw, true);
	assert_false(k.egress[p3]);
	assert_false(k.ent[find(br0->id, MAC_C)].egress);
}

static void test_not_capable_port_not_mirrored(void **state)
{
	(void)state;
	k.capable[id_of("p2")] = false; // e.g. not an AF_XDP port
	set_fastpath(true);
	vs_fdb_learn(br0->fdb, MAC_B, id_of("p2"), vs_now_s());
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), vs_now_s());
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_B), -1);
	assert_int_equal(port_of(MAC_A), id_of("p1"));
	assert_false(k.ingress[id_of("p2")]);
}

static void test_off_removes_everything(void **state)
{
	(void)state;
	set_fastpath(true);
	vs_fdb_learn(br0->fdb, MAC_A, id_of("p1"), vs_now_s());
	vs_fastpath_sync(&sw, true);
	assert_int_equal(port_of(MAC_A), id_of("p1"));
	set_fastpath(false);
	assert_string_equal(vs_fastpath_mode(br0), "off");
	assert_int_equal(port_of(MAC_A), -1);
	for (uint16_t i = 0; i < VS_MAX_PORTS; i++)
		assert_false(k.ingress[i] || k.egress[i]);
	// And bridge deletion with it on leaves nothing behind either.
	set_fastpath(true);
	assert_true(k.ingress[id_of("p1")]);
	vs_switch_clear(&sw);
	for (uint16_t i = 0; i < VS_MAX_PORTS; i++)
		assert_false(k.ingress[i] || k.egress[i]);
	for (int i = 0; i < MAX_ENT; i++)
		assert_false(k.ent[i].used);
}

static void test_blocked_by_services_and_unavailable(void **state)
{
	struct vs_bridge_opts o = {.fastpath = VS_FASTPATH_XDP};
	char err[256];

	(void)state;
	// Without kernel operations fastpath=xdp is refused with a reason.
	vs_fastpath_set_ops(NULL);
	assert_int_equal(vs_switch_add_bridge(&sw, "br1", &o, err, sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "fastpath=xdp is not available"));
	assert_null(vs_switch_bridge(&sw, "br1"));
	vs_fastpath_set_ops(&mock);
	assert_int_equal(vs_switch_add_bridge(&sw, "br1", &o, err, sizeof(err)), 0);
	assert_string_equal(vs_fastpath_mode(vs_switch_bridge(&sw, "br1")), "xdp");
	assert_string_equal(vs_fastpath_inactive_reason(&sw, vs_switch_bridge(&sw, "br1")), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_off_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_move_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ageing_reads_xdp_last_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_without_napi_is_no_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_capable_port_not_mirrored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_off_removes_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_by_services_and_unavailable, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
