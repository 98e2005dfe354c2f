// SPDX-License-Identifier: Apache-2.0
// vswitchd's own ARP on DPDK underlays: the datapath side (vswitch/dp/vxlan_arp.c and the
// underlay rx hook in vswitch/dp/vxlan.c) from crafted frames on an in-memory underlay,
// and the control thread's neighbour table (vswitch/cp/vxlan_arp.c).
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <vs/drops.h>

#include "pktbuild.h"
#include "pmd/mem.h"
#include "vswitch/cp/vxlan_arp.h"
#include "vswitch/dp/conf.h"
#include "vswitch/dp/pmd.h"
#include "vswitch/dp/vxlan.h"

#include <cmocka.h>

#define LOCAL 0xc6120a01u  // 198.18.10.1
#define REMOTE 0xc6120a02u // 198.18.10.2
#define OTHER 0xc6120a03u  // 198.18.10.3
#define GW 0xc6120afeu	   // 198.18.10.254
#define MY_MAC 0x020000aa0001ULL
#define R_MAC 0x020000aa0002ULL
#define GW_MAC 0x020000aa00feULL

static uint32_t arp_frame(struct pb *b, uint64_t dst, uint16_t op, uint64_t sha, uint32_t spa,
			  uint64_t tha, uint32_t tpa)
{
	pb_init(b);
	pb_eth(b, dst, sha, PB_ETH_P_ARP);
	pb_arp(b, op, sha, spa, tha, tpa);
	return b->len;
}

static struct vs_vxlan_arp *new_dp(void)
{
	struct vs_arp_table *t = vs_arp_table_create(MY_MAC, LOCAL, 0);
	struct vs_vxlan_arp *a;

	assert_non_null(t);
	// The test keeps only the datapath half.
	a = t->dp;
	free(t);
	return a;
}

static void test_request_for_local_ip_is_answered(void **state)
{
	struct vs_vxlan_arp *arp = new_dp();
	uint8_t reply[VS_ARP_FRAME], drop;
	struct vs_arp_learn_ev ev;
	struct pb b, want;
	struct vs_pkt pkt;

	(void)state;
	pkt.len = arp_frame(&b, PB_BROADCAST, 1, R_MAC, REMOTE, 0, LOCAL);
	pkt.data = b.buf;
	assert_true(vs_vxlan_is_arp(&pkt));
	assert_true(vs_vxlan_arp_input(arp, 3, &pkt, reply, &drop));
	assert_int_equal(drop, VS_DROP_NONE);
	arp_frame(&want, R_MAC, 2, MY_MAC, LOCAL, R_MAC, REMOTE);
	memset(want.buf + want.len, 0, VS_ARP_FRAME - want.len); // padded to 60 bytes
	assert_memory_equal(reply, want.buf, VS_ARP_FRAME);
	// The sender is passed to the control thread on this PMD thread's ring.
	assert_true(vs_vxlan_arp_learn_pop(arp, 3, &ev));
	assert_int_equal(ev.ip, REMOTE);
	assert_int_equal(ev.mac, R_MAC);
	assert_false(vs_vxlan_arp_learn_pop(arp, 3, &ev));
	assert_int_equal(arp->learn[3].rx, 1);
	free(arp);
}

static void test_other_arp(void **state)
{
	struct vs_vxlan_arp *arp = new_dp();
	uint8_t reply[VS_ARP_FRAME], drop;
	struct vs_arp_learn_ev ev;
	struct vs_pkt pkt;
	struct pb b;

	(void)state;
	// A request for another address: not answered, dropped like other non-VXLAN frames,
	// but its sender is still seen.
	pkt.len = arp_frame(&b, PB_BROADCAST, 1, R_MAC, REMOTE, 0, OTHER);
	pkt.data = b.buf;
	assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
	assert_int_equal(drop, VS_DROP_VXLAN_NOT_VXLAN);
	assert_true(vs_vxlan_arp_learn_pop(arp, 0, &ev));
	assert_int_equal(ev.ip, REMOTE);
	// A reply to us: taken (not a drop), learned, not answered.
	pkt.len = arp_frame(&b, MY_MAC, 2, GW_MAC, GW, MY_MAC, LOCAL);
	assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
	assert_int_equal(drop, VS_DROP_NONE);
	assert_true(vs_vxlan_arp_learn_pop(arp, 0, &ev));
	assert_int_equal(ev.ip, GW);
	assert_int_equal(ev.mac, GW_MAC);
	// A probe (sender 0.0.0.0) for local_ip teaches nothing and gets no reply to 0.0.0.0.
	pkt.len = arp_frame(&b, PB_BROADCAST, 1, R_MAC, 0, 0, LOCAL);
	assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
	assert_false(vs_vxlan_arp_learn_pop(arp, 0, &ev));
	// A multicast sender MAC is not learned.
	pkt.len = arp_frame(&b, PB_BROADCAST, 2, 0x010000000001ULL, REMOTE, 0, LOCAL);
	assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
	assert_false(vs_vxlan_arp_learn_pop(arp, 0, &ev));
	// Truncated ARP, or not Ethernet/IPv4: dropped, nothing read beyond the frame.
	for (uint32_t len = 14; len < 42; len++) {
		uint8_t *cut = malloc(len);

		arp_frame(&b, PB_BROADCAST, 1, R_MAC, REMOTE, 0, LOCAL);
		memcpy(cut, b.buf, len);
		pkt = (struct vs_pkt){.data = cut, .len = len};
		assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
		assert_int_equal(drop, VS_DROP_VXLAN_NOT_VXLAN);
		free(cut);
	}
	pkt = (struct vs_pkt){.data = b.buf, .len = b.len};
	b.buf[14 + 5] = 16; // protocol address length of IPv6
	assert_false(vs_vxlan_arp_input(arp, 0, &pkt, reply, &drop));
	assert_int_equal(drop, VS_DROP_VXLAN_NOT_VXLAN);
	assert_false(vs_vxlan_arp_learn_pop(arp, 0, &ev));
	free(arp);
}

// The underlay rx hook and the control tx path on an in-memory underlay.
static void test_underlay_rx_and_ctl_tx(void **state)
{
	struct vs_arp_table *t = vs_arp_table_create(MY_MAC, LOCAL, 0);
	struct vs_vxlan_conf *vc = calloc(1, sizeof(*vc));
	struct vs_conf *conf = calloc(1, sizeof(*conf));
	struct vs_pmd *pmd = calloc(1, sizeof(*pmd));
	struct vs_port *ul;
	struct pb b, want;
	char err[256];
	uint32_t len;
	uint64_t mac;
	uint16_t n;

	(void)state;
	vs_port_driver_register(&vs_mem_ops);
	ul = vs_port_open("mem", "u0", NULL, 0, err, sizeof(err));
	assert_non_null(ul);
	assert_non_null(t);
	vc->n_underlays = 1;
	vc->underlay[0] = (struct vs_vxlan_underlay){
		.port = ul, .local_ip = LOCAL, .dst_port = 4789, .arp = t->dp};
	conf->vxlan = vc;
	pmd->id = 0;

	// The control thread resolves REMOTE: a broadcast request goes out the underlay when
	// the PMD thread polling rx queue 0 drains the control ring.
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 1000, &mac), -EAGAIN);
	assert_int_equal(vs_mem_tx_count(ul), 0);
	vs_vxlan_ctl_drain(pmd, conf, ul, 1); // not queue 0: nothing
	assert_int_equal(vs_mem_tx_count(ul), 0);
	vs_vxlan_ctl_drain(pmd, conf, ul, 0);
	assert_int_equal(vs_mem_tx_count(ul), 1);
	arp_frame(&want, PB_BROADCAST, 1, MY_MAC, LOCAL, 0, REMOTE);
	memset(want.buf + want.len, 0, VS_ARP_FRAME - want.len);
	assert_memory_equal(vs_mem_tx_frame(ul, 0, &len), want.buf, VS_ARP_FRAME);
	assert_int_equal(len, VS_ARP_FRAME);
	vs_mem_tx_clear(ul);

	// The remote answers and asks for us; a UDP frame that is not VXLAN comes along.
	arp_frame(&b, MY_MAC, 2, R_MAC, REMOTE, MY_MAC, LOCAL);
	assert_int_equal(vs_mem_inject(ul, b.buf, b.len), 0);
	arp_frame(&b, PB_BROADCAST, 1, R_MAC, REMOTE, 0, LOCAL);
	assert_int_equal(vs_mem_inject(ul, b.buf, b.len), 0);
	pb_init(&b);
	pb_simple(&b, MY_MAC, R_MAC, 60);
	assert_int_equal(vs_mem_inject(ul, b.buf, b.len), 0);
	n = ul->ops->rx_burst(ul, 0, pmd->pkts, VS_BURST);
	assert_int_equal(n, 3);
	assert_int_equal(vs_vxlan_rx_burst(pmd, conf, ul, pmd->pkts, n), 0);
	ul->ops->rx_done(ul, 0, pmd->pkts, n);
	assert_int_equal(ul->ctr[0].drops[VS_DROP_VXLAN_NOT_VXLAN], 1);
	assert_int_equal(t->dp->learn[0].replies, 1);
	assert_int_equal(t->dp->learn[0].rx, 2);
	assert_int_equal(vs_mem_tx_count(ul), 1);
	arp_frame(&want, R_MAC, 2, MY_MAC, LOCAL, R_MAC, REMOTE);
	memset(want.buf + want.len, 0, VS_ARP_FRAME - want.len);
	assert_memory_equal(vs_mem_tx_frame(ul, 0, &len), want.buf, VS_ARP_FRAME);

	// The control thread learns the answer.
	assert_true(vs_arp_table_poll(t, 1100));
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 1100, &mac), 0);
	assert_int_equal(mac, R_MAC);
	assert_false(vs_arp_table_poll(t, 1200));

	vs_port_close(ul);
	vs_arp_table_destroy(t);
	free(vc);
	free(conf);
	free(pmd);
}

// Counts the requests waiting on the control ring, and returns the last one's target.
static unsigned ctl_queued(struct vs_arp_table *t, uint32_t *tpa, uint64_t *dst)
{
	struct vs_arp_ctl_ring *c = &t->dp->ctl;
	unsigned n = 0;

	while (c->head != c->tail) {
		const uint8_t *f = c->frame[c->head % VS_ARP_CTL_RING];

		*tpa = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];
		*dst = 0;
		for (int i = 0; i < 6; i++)
			*dst = *dst << 8 | f[i];
		c->head++;
		n++;
	}
	return n;
}

static void learn(struct vs_arp_table *t, uint32_t ip, uint64_t mac)
{
	uint8_t reply[VS_ARP_FRAME], drop;
	struct vs_pkt pkt;
	struct pb b;

	pkt.len = arp_frame(&b, MY_MAC, 2, mac, ip, MY_MAC, LOCAL);
	pkt.data = b.buf;
	vs_vxlan_arp_input(t->dp, 1, &pkt, reply, &drop);
}

static void test_table_refresh_age_gateway(void **state)
{
	struct vs_arp_table *t = vs_arp_table_create(MY_MAC, LOCAL, GW);
	uint64_t mac, dst;
	uint32_t tpa;

	(void)state;
	assert_non_null(t);
	// Routed underlay: every remote VTEP's next hop is the gateway, asked for once.
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 0, &mac), -EAGAIN);
	assert_int_equal(vs_arp_table_resolve(t, OTHER, 0, &mac), -EAGAIN);
	assert_int_equal(ctl_queued(t, &tpa, &dst), 1);
	assert_int_equal(tpa, GW);
	assert_int_equal(dst, PB_BROADCAST);
	// No answer: asked again after VS_ARP_RETRY_MS, not before.
	assert_false(vs_arp_table_poll(t, VS_ARP_RETRY_MS - 1));
	assert_int_equal(ctl_queued(t, &tpa, &dst), 0);
	assert_false(vs_arp_table_poll(t, VS_ARP_RETRY_MS));
	assert_int_equal(ctl_queued(t, &tpa, &dst), 1);
	// A sender nobody asked for is not taken into the table.
	learn(t, REMOTE, R_MAC);
	learn(t, GW, GW_MAC);
	assert_true(vs_arp_table_poll(t, 1000));
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 1000, &mac), 0);
	assert_int_equal(mac, GW_MAC);
	json_t *o = json_object();
	vs_arp_table_query(t, o);
	assert_int_equal(json_array_size(json_object_get(o, "arp-neighbours")), 1);
	json_decref(o);
	// Refreshed by unicast after VS_ARP_REFRESH_MS while it is used.
	assert_false(vs_arp_table_poll(t, 1000 + VS_ARP_REFRESH_MS));
	assert_int_equal(ctl_queued(t, &tpa, &dst), 1);
	assert_int_equal(dst, GW_MAC);
	assert_int_equal(tpa, GW);
	// Still used, but never confirmed again: forgotten after VS_ARP_AGE_MS.
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 1000 + VS_ARP_AGE_MS, &mac), 0);
	assert_true(vs_arp_table_poll(t, 1001 + VS_ARP_AGE_MS));
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 1001 + VS_ARP_AGE_MS, &mac), -EAGAIN);
	// A new MAC for a known neighbour is taken over.
	learn(t, GW, GW_MAC + 1);
	assert_true(vs_arp_table_poll(t, 2000 + VS_ARP_AGE_MS));
	assert_int_equal(vs_arp_table_resolve(t, OTHER, 2000 + VS_ARP_AGE_MS, &mac), 0);
	assert_int_equal(mac, GW_MAC + 1);
	// Unused for VS_ARP_AGE_MS: the entry goes.
	assert_true(vs_arp_table_poll(t, 2001 + 2 * VS_ARP_AGE_MS));
	ctl_queued(t, &tpa, &dst);
	assert_int_equal(vs_arp_table_resolve(t, REMOTE, 2001 + 2 * VS_ARP_AGE_MS, &mac), -EAGAIN);
	assert_int_equal(ctl_queued(t, &tpa, &dst), 1);
	assert_int_equal(dst, PB_BROADCAST);
	vs_arp_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_for_local_ip_is_answered),
		cmocka_unit_test(test_other_arp),
		cmocka_unit_test(test_underlay_rx_and_ctl_tx),
		cmocka_unit_test(test_table_refresh_age_gateway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
