// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: VXLAN decapsulation (vswitch/dp/vxlan_decap.c) on arbitrary frames
// received on an underlay with VTEP 198.18.10.1:4789, VNIs 100 and 200, remote VTEP
// 198.18.10.2. Each input is copied into an allocation of exactly its size, so that
// AddressSanitizer sees any read past the frame. When the input decapsulates, the inner
// frame must lie inside the input, and encapsulating it again (vs_vxlan_encap) and
// decapsulating the result must give back the same inner frame, VNI and VTEP. The fast path
// of the datapath (vswitch/dp/vxlan_rx.h) and the slow path (vs_vxlan_decap_slow) must
// agree on the verdict and on the inner frame of every input.
//
// The first byte's low bit (the outer destination MAC's group bit, which the parser
// ignores) decides whether the harness repairs the outer IPv4 header checksum, so that
// the fuzzer gets past it half of the time.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vs/drops.h>

#include "vswitch/dp/vxlan.h"
#include "vswitch/dp/vxlan_arp.h"
#include "vswitch/dp/vxlan_rx.h"

#define LOCAL 0xc6120a01u
#define REMOTE 0xc6120a02u

static struct vs_port ports[2];
static struct vs_vxlan_port vxp[2];
static struct vs_vxlan_tx *txs[2];  // one remote each
static struct vs_vxlan_tx *peer[2]; // the remote VTEP's view: frames from it to us
static struct vs_vxlan_conf *conf;  // two VNIs
static uint8_t out[65536 + 64];
static struct vs_vxlan_arp arp = {.local_ip = LOCAL, .mac = 0x020000aa0001ULL};

static void init(void)
{
	if (conf != NULL)
		return;
	conf = calloc(1, sizeof(*conf) + 2 * sizeof(conf->vni[0]));
	for (int i = 0; i < 2; i++) {
		txs[i] = calloc(1, sizeof(*txs[i]) + sizeof(txs[i]->remotes[0]));
		if (conf == NULL || txs[i] == NULL)
			abort();
		*txs[i] = (struct vs_vxlan_tx){.vni = i ? 200 : 100,
					       .local_ip = LOCAL,
					       .dst_port = 4789,
					       .ttl = 64,
					       .udp_csum = i,
					       .mtu = 65535,
					       .src_mac = 0x020000aa0001ULL,
					       .n_remotes = 1};
		txs[i]->remotes[0] =
			(struct vs_vxlan_remote){.ip = REMOTE, .mac = 0x020000aa0002ULL};
		peer[i] = calloc(1, sizeof(*peer[i]) + sizeof(peer[i]->remotes[0]));
		if (peer[i] == NULL)
			abort();
		*peer[i] = *txs[i];
		peer[i]->local_ip = REMOTE;
		peer[i]->remotes[0] =
			(struct vs_vxlan_remote){.ip = LOCAL, .mac = 0x020000aa0001ULL};
		vs_vxlan_remote_prepare(peer[i], &peer[i]->remotes[0]);
		vxp[i].tx = txs[i];
		ports[i].priv = &vxp[i];
		ports[i].id = (uint16_t)(i + 1);
		conf->vni[i] = (struct vs_vxlan_vni){
			.vni = txs[i]->vni, .port_id = ports[i].id, .port = &ports[i]};
	}
	conf->n_underlays = 1;
	conf->n_vni = 2;
	conf->underlay[0] = (struct vs_vxlan_underlay){
		.local_ip = LOCAL, .dst_port = 4789, .first_vni = 0, .n_vni = 2};
}

static void fix_ipv4_csum(uint8_t *d, size_t len)
{
	uint32_t ihl, sum = 0;

	if (len < 34 || d[12] != 0x08 || d[13] != 0x00)
		return;
	ihl = (uint32_t)(d[14] & 0x0f) * 4;
	if (ihl < 20 || len < 14 + ihl)
		return;
	d[24] = d[25] = 0;
	for (uint32_t i = 0; i < ihl; i += 2)
		sum += (uint32_t)(d[14 + i] << 8 | d[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	d[24] = (uint8_t)(~sum >> 8);
	d[25] = (uint8_t)~sum;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_pkt pkt = {0}, again = {0}, slow, fast;
	struct vs_vxlan_rx rx;
	uint8_t *buf, drop, fdrop;
	uint32_t sum = 0, n;

	init();
	if (size > 65535)
		return 0;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (size > 0 && !(buf[0] & 1))
		fix_ipv4_csum(buf, size);
	pkt.data = buf;
	pkt.len = (uint32_t)size;
	// ARP frames on an underlay with vswitchd's own ARP (vswitch/dp/vxlan_arp.c).
	if (vs_vxlan_is_arp(&pkt)) {
		struct vs_arp_learn_ev ev;
		bool reply = vs_vxlan_arp_input(&arp, 0, &pkt, out, &drop);

		if ((drop != VS_DROP_NONE && drop != VS_DROP_VXLAN_NOT_VXLAN) ||
		    (reply && (drop != VS_DROP_NONE || out[12] != 0x08 || out[13] != 0x06)))
			abort();
		while (vs_vxlan_arp_learn_pop(&arp, 0, &ev))
			if (ev.ip == 0 || ev.ip == LOCAL || ev.mac == 0)
				abort();
		free(buf);
		return 0;
	}
	slow = pkt;
	fast = pkt;
	drop = vs_vxlan_decap_one(conf, &conf->underlay[0], &pkt);
	// The fast path (vxlan_rx.h) and the slow path agree on every frame.
	if (vs_vxlan_decap_slow(conf, &conf->underlay[0], &slow) != drop ||
	    (drop == VS_DROP_NONE && (slow.data != pkt.data || slow.len != pkt.len ||
				      slow.in_port != pkt.in_port || slow.vtep != pkt.vtep)))
		abort();
	// The fast path alone: it leaves a frame to the slow path untouched, or decides as it
	// does; and it takes every frame of the common shape (IPv4 without options, the IPv4
	// and UDP lengths those of the whole frame) that decapsulates or names its VNI or VTEP
	// unknown.
	vs_vxlan_rx_init(&rx, conf, &conf->underlay[0]);
	fdrop = vs_vxlan_rx_fast(&rx, &fast);
	if (fdrop == VS_VXLAN_RX_SLOW
		    ? fast.data != buf || fast.len != size
		    : fdrop != drop || fast.data != pkt.data || fast.len != pkt.len ||
			      (drop == VS_DROP_NONE &&
			       (fast.in_port != pkt.in_port || fast.vtep != pkt.vtep)))
		abort();
	if (size >= 64 && buf[14] == 0x45 && be16(buf + 16) == size - 14 &&
	    be16(buf + 38) == size - 34 &&
	    (drop == VS_DROP_NONE || drop == VS_DROP_VXLAN_UNKNOWN_VNI ||
	     drop == VS_DROP_VXLAN_UNKNOWN_VTEP) &&
	    fdrop == VS_VXLAN_RX_SLOW)
		abort();
	if (drop != VS_DROP_NONE) {
		if (drop < VS_DROP_VXLAN_TRUNCATED || drop > VS_DROP_VXLAN_INNER_TRUNCATED)
			abort(); // decap only uses its own reasons
		free(buf);
		return 0;
	}
	if (pkt.data < buf || pkt.len < 14 || pkt.data + pkt.len > buf + size ||
	    pkt.vtep != REMOTE || (pkt.in_port != 1 && pkt.in_port != 2))
		abort();
	for (uint32_t i = 0; i < pkt.len; i++)
		sum += pkt.data[i];
	// Round trip: the remote VTEP encapsulates the same inner frame on the same VNI.
	n = vs_vxlan_encap(peer[pkt.in_port - 1], &peer[pkt.in_port - 1]->remotes[0], pkt.data,
			   pkt.len, out);
	again.data = out;
	again.len = n;
	// A frame as VTEPs send it: the fast path's own.
	fast = again;
	vs_vxlan_rx_init(&rx, conf, &conf->underlay[0]);
	if (vs_vxlan_rx_fast(&rx, &fast) != VS_DROP_NONE)
		abort();
	if (vs_vxlan_decap_one(conf, &conf->underlay[0], &again) != VS_DROP_NONE ||
	    again.len != pkt.len || again.in_port != pkt.in_port || again.vtep != REMOTE ||
	    memcmp(again.data, pkt.data, pkt.len) != 0)
		abort();
	free(buf);
	return (int)(sum & 0);
}
