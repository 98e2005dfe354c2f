// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the L2 pipeline unit tests (l2_test.c, l2_burst_test.c): bridge br0 with
// mem ports, frame injection, counters and FDB lookups, on top of the switch fixture (swfix.h).
#ifndef VS_TESTS_L2FIX_H
#define VS_TESTS_L2FIX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <vs/drops.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "swfix.h"
#define MAC_A 0x02000000000aULL
#define MAC_B 0x02000000000bULL
#define MAC_C 0x02000000000cULL
#define MCAST 0x01005e000001ULL

static inline int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_WARN);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

// Adds mem port 'name' to 'br' with at most one option.
static inline void add_port(const char *br, const char *name, const char *key, const char *val)
{
	struct vs_opt opt = {.key = key, .val = val};
	char err[256];

	if (vs_switch_add_port(&sw, br, name, "mem", &opt, key ? 1 : 0, err, sizeof(err)) != 0)
		fail_msg("add-port %s %s: %s", br, name, err);
}

// br0 with mem ports p1, p2, p3.
static inline void br0_3ports(void)
{
	add_br("br0");
	add_port("br0", "p1", NULL, NULL);
	add_port("br0", "p2", NULL, NULL);
	add_port("br0", "p3", NULL, NULL);
}

static inline void inject(const char *port, const struct pb *b, uint32_t len)
{
	assert_int_equal(vs_mem_inject(P(port), b->buf, len), 0);
}

static inline uint64_t src_of(const char *port, uint32_t i)
{
	uint32_t len;
	const uint8_t *f = vs_mem_tx_frame(P(port), i, &len);

	assert_non_null(f);
	return vs_mac_from_bytes(f + 6);
}

static inline struct vs_port_counters ctr(const char *port)
{
	struct vs_port_counters c;

	vs_port_counters_sum(P(port), &c);
	return c;
}

static inline uint64_t drops(const char *port, enum vs_drop d)
{
	return port_drops(P(port), d);
}

static inline uint64_t all_drops(const char *port)
{
	return vs_port_drops_total(P(port));
}

static inline void assert_tx3(uint32_t n1, uint32_t n2, uint32_t n3)
{
	assert_int_equal(ntx("p1"), n1);
	assert_int_equal(ntx("p2"), n2);
	assert_int_equal(ntx("p3"), n3);
}

// Port id 'mac' is learned on in 'br', or -1.
static inline int fdb_port(const char *br, uint64_t mac)
{
	struct vs_bridge *b = vs_switch_bridge(&sw, br);
	uint16_t port;

	assert_non_null(b);
	if (vs_fdb_lookup(vs_fdb_table_get(b->fdb), mac, &port) < 0)
		return -1;
	return port;
}

static inline struct vs_fdb *fdb_of(const char *br)
{
	return vs_switch_bridge(&sw, br)->fdb;
}

#endif
