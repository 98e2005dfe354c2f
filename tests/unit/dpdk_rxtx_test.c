// SPDX-License-Identifier: Apache-2.0
// The DPDK port driver's rx/tx bursts and the hand-over of ingress mbufs (pmd/dpdk_rxtx.c),
// on net_null devices in an EAL of its own (no hugepages, no PCI): whatever a burst's frames
// go through (all to one port, split over two, flooded, dropped, changed, partly sent), every
// mbuf goes back to its pool exactly once (the pool's mbufs in use, as "vsctl pmd-stats"
// shows them, return to where they were), and the port counts the frames it sent in their
// own mbuf and in a copy (tx-mbuf-shared, tx-mbuf-copied in "vsctl port-stats").
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "pmd/dpdk.h"
#include "pmd/port.h"
#include "vswitch/dp/pkt.h"

#define SIZE 60 // net_null's frames

static struct vs_port *p0, *p1, *p2; // p0 receives; p1 and p2 are egress ports
static struct vs_port *big;	     // receives frames longer than its largest frame
static struct vs_pkt pkts[VS_BURST];

static uint32_t in_use(void)
{
	struct vs_dpdk_pool_info pi[4];
	unsigned n = vs_dpdk_pools(pi, 4);
	uint32_t total = 0;

	for (unsigned i = 0; i < n && i < 4; i++)
		total += pi[i].in_use;
	return total;
}

struct counters {
	struct vs_port_info info;
	uint64_t shared, copied;
};

static void info_str(struct vs_port_info *info, const char *key, const char *val)
{
	(void)info;
	(void)key;
	(void)val;
}

static void info_u64(struct vs_port_info *info, const char *key, uint64_t val)
{
	struct counters *c = (struct counters *)info;

	if (strcmp(key, "tx-mbuf-shared") == 0)
		c->shared = val;
	else if (strcmp(key, "tx-mbuf-copied") == 0)
		c->copied = val;
}

static struct counters stats(struct vs_port *port)
{
	struct counters c = {.info = {.str = info_str, .u64 = info_u64}};

	port->ops->stats_info(port, &c.info);
	return c;
}

static struct vs_port *open_null(const char *name, const char *devargs, uint16_t id)
{
	struct vs_opt o[] = {{"devargs", devargs}, {"rxq_size", "256"}, {"txq_size", "256"}};
	char err[256];
	struct vs_port *p = vs_port_open("dpdk", name, o, 3, err, sizeof(err));

	if (p == NULL)
		fail_msg("%s: %s", name, err);
	p->id = id;
	return p;
}

static int setup(void **state)
{
	char err[256], args[256];

	(void)state;
	snprintf(args, sizeof(args), "--no-huge -m 128 --no-pci --file-prefix vsut%d --log-level=error",
		 (int)getpid());
	if (vs_dpdk_init(args, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	vs_port_driver_register(&vs_dpdk_ops);
	p0 = open_null("n0", "net_null0,size=60", 0);
	p1 = open_null("n1", "net_null1", 1);
	p2 = open_null("n2", "net_null2", 2);
	big = open_null("n3", "net_null3,size=1600", 3); // MTU 1500: frames up to 1522 bytes
	vs_dpdk_ops.thread_init();
	return 0;
}

// The EAL's runtime directory (config, memory maps of this --file-prefix) goes with it.
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX + sizeof(e->d_name) + 1];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	vs_dpdk_ops.thread_exit();
	vs_port_close(p0);
	vs_port_close(p1);
	vs_port_close(p2);
	vs_port_close(big);
	vs_dpdk_fini();
	remove_runtime_dir(dir);
	return 0;
}

// One received burst of 32 frames, as the pipeline sees them after parsing.
static uint16_t rx(void)
{
	uint16_t n = p0->ops->rx_burst(p0, 0, pkts, VS_BURST);

	assert_int_equal(n, VS_BURST);
	for (uint16_t i = 0; i < n; i++) {
		assert_int_equal(pkts[i].len, SIZE);
		assert_non_null(pkts[i].data);
		pkts[i].in_port = p0->id;
		pkts[i].rx_port = p0;
		pkts[i].out_port = VS_PORT_NONE;
	}
	return n;
}

// Sends pkts[from, to) to 'port' as the output stage would.
static uint16_t tx(struct vs_port *port, uint16_t from, uint16_t to)
{
	struct vs_pkt *ptrs[VS_BURST];

	for (uint16_t i = from; i < to; i++)
		ptrs[i - from] = &pkts[i];
	return port->ops->tx_burst(port, 0, ptrs, (uint16_t)(to - from));
}

static void unicast_all_to_one_port(void **state)
{
	uint32_t base = in_use();
	struct counters c0 = stats(p1);

	(void)state;
	for (int round = 0; round < 100; round++) {
		uint16_t n = rx();

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = p1->id;
		assert_int_equal(tx(p1, 0, n), n);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
	assert_int_equal(stats(p1).shared - c0.shared, 100 * VS_BURST);
	assert_int_equal(stats(p1).copied - c0.copied, 0);
}

// Whole received bursts passed to another port as they are (tx_rx_burst): every mbuf is
// handed to the device, none copied, none left for rx_done() to free, none leaked.
static void whole_bursts(void **state)
{
	uint32_t base = in_use();
	struct counters c0 = stats(p1);

	(void)state;
	assert_non_null(p1->ops->tx_rx_burst);
	for (int round = 0; round < 100; round++) {
		uint16_t n = p0->ops->rx_burst(p0, 0, pkts, VS_BURST);

		assert_int_equal(n, VS_BURST);
		assert_int_equal(p1->ops->tx_rx_burst(p1, 0, pkts, n), n);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
	assert_int_equal(stats(p1).shared - c0.shared, 100 * VS_BURST);
	assert_int_equal(stats(p1).copied - c0.copied, 0);
}

// Half to p1, half to p2, in two tx bursts: the second completes the hand-over.
static void unicast_split_over_two_ports(void **state)
{
	uint32_t base = in_use();

	(void)state;
	for (int round = 0; round < 100; round++) {
		uint16_t n = rx();

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = i < n / 2 ? p1->id : p2->id;
		assert_int_equal(tx(p1, 0, n / 2), n / 2);
		assert_int_equal(tx(p2, n / 2, n), n - n / 2);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
}

// Some frames dropped by the pipeline (never sent): rx_done frees them, and only them.
static void some_dropped(void **state)
{
	uint32_t base = in_use();

	(void)state;
	for (int round = 0; round < 100; round++) {
		uint16_t n = rx();

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = p1->id;
		assert_int_equal(tx(p1, 0, 20), 20);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
}

// Flooded frames (out_port is not the egress port) share the mbuf with a new reference.
static void flooded(void **state)
{
	uint32_t base = in_use();
	struct counters c1 = stats(p1), c2 = stats(p2);

	(void)state;
	for (int round = 0; round < 100; round++) {
		uint16_t n = rx();

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = VS_PORT_FLOOD;
		assert_int_equal(tx(p1, 0, n), n);
		assert_int_equal(tx(p2, 0, n), n);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
	assert_int_equal(stats(p1).shared - c1.shared, 100 * VS_BURST);
	assert_int_equal(stats(p2).shared - c2.shared, 100 * VS_BURST);
}

// Unicast and flooded frames in one tx burst, then the flood's second port.
static void mixed_unicast_and_flood(void **state)
{
	uint32_t base = in_use();

	(void)state;
	for (int round = 0; round < 100; round++) {
		uint16_t n = rx();

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = i % 3 == 0 ? VS_PORT_FLOOD : p1->id;
		assert_int_equal(tx(p1, 0, n), n);
		p0->ops->rx_done(p0, 0, pkts, n);
	}
	assert_int_equal(in_use(), base);
}

// A frame the pipeline changed (its start moved, its length changed) whose only destination
// is this port leaves in its own mbuf, re-described (VXLAN decapsulation and encapsulation
// move frames within their buffers); a changed frame that also goes elsewhere (a flood: the
// mbuf is shared) is sent in a copy.
static void changed_frames(void **state)
{
	uint32_t base = in_use();
	struct counters c1 = stats(p1);

	(void)state;
	for (int round = 0; round < 10; round++) {
		uint16_t n = rx();
		struct rte_mbuf *m3, *m9;

		for (uint16_t i = 0; i < n; i++)
			pkts[i].out_port = p1->id;
		m3 = (struct rte_mbuf *)(uintptr_t)pkts[3].buf;
		m9 = (struct rte_mbuf *)(uintptr_t)pkts[9].buf;
		rte_mbuf_refcnt_update(m9, 1); // held elsewhere too: not re-described
		pkts[3].len -= 4;  // e.g. a VLAN tag removed
		pkts[7].data += 0; // unchanged
		pkts[9].data += 2, pkts[9].len -= 2;
		pkts[12].data -= 50, pkts[12].len += 50; // headers written into the headroom
		pkts[20].data += 50, pkts[20].len -= 50, pkts[20].out_port = VS_PORT_FLOOD;
		assert_int_equal(tx(p1, 0, n), n);
		assert_int_equal(m3->data_len, SIZE - 4);
		assert_int_equal(m3->pkt_len, SIZE - 4);
		assert_int_equal(m9->data_len, SIZE); // untouched
		p0->ops->rx_done(p0, 0, pkts, n);
		rte_pktmbuf_free(m9);
	}
	assert_int_equal(in_use(), base);
	assert_int_equal(stats(p1).copied - c1.copied, 10 * 2);
	assert_int_equal(stats(p1).shared - c1.shared, 10 * (VS_BURST - 2));
}

// A frame from another driver (its buf is not an mbuf) in the middle of a burst: copied.
static void frame_of_another_driver(void **state)
{
	static uint8_t frame[SIZE];
	struct vs_port other = {.ops = NULL};
	uint32_t base = in_use();
	struct counters c1 = stats(p1);
	uint16_t n = rx();
	uint64_t buf5 = pkts[5].buf;

	(void)state;
	for (uint16_t i = 0; i < n; i++)
		pkts[i].out_port = p1->id;
	pkts[5].rx_port = &other;
	pkts[5].buf = 0x1234; // a UMEM offset, say
	pkts[5].data = frame;
	assert_int_equal(tx(p1, 0, n), n);
	pkts[5].buf = buf5; // its mbuf is still ours: rx_done frees it
	p0->ops->rx_done(p0, 0, pkts, n);
	assert_int_equal(in_use(), base);
	assert_int_equal(stats(p1).copied - c1.copied, 1);
	assert_int_equal(stats(p1).shared - c1.shared, VS_BURST - 1);
}

// Frames longer than the port's largest frame are dropped on receive and counted as
// rx-too-big; their mbufs go back to the pool.
static void too_big_frames_dropped(void **state)
{
	uint64_t d0[VS_DROP_MAX] = {0}, d1[VS_DROP_MAX] = {0};
	uint32_t base = in_use();

	(void)state;
	big->ops->driver_drops(big, d0);
	for (int round = 0; round < 10; round++) {
		uint16_t n = big->ops->rx_burst(big, 0, pkts, VS_BURST);

		assert_int_equal(n, 0);
		big->ops->rx_done(big, 0, pkts, n);
	}
	big->ops->driver_drops(big, d1);
	assert_int_equal(d1[VS_DROP_RX_TOO_BIG] - d0[VS_DROP_RX_TOO_BIG], 10 * VS_BURST);
	assert_int_equal(in_use(), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unicast_all_to_one_port),
		cmocka_unit_test(unicast_split_over_two_ports),
		cmocka_unit_test(whole_bursts),
		cmocka_unit_test(some_dropped),
		cmocka_unit_test(flooded),
		cmocka_unit_test(mixed_unicast_and_flood),
		cmocka_unit_test(changed_frames),
		cmocka_unit_test(frame_of_another_driver),
		cmocka_unit_test(too_big_frames_dropped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
