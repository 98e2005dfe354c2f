// SPDX-License-Identifier: Apache-2.0
// ARP on underlays the kernel does not see (see vxlan_arp.h).
#include "vxlan_arp.h"

#include <string.h>
#include <vs/drops.h>

#include "netbytes.h"

#define ARP_LEN 28 // Ethernet/IPv4 ARP payload
#define ARP_REQUEST 1
#define ARP_REPLY 2

void vs_vxlan_arp_build(uint8_t *out, uint16_t op, uint64_t dst, uint64_t sha, uint32_t spa,
			uint64_t tha, uint32_t tpa)
{
	uint8_t *a = out + 14;

	memset(out, 0, VS_ARP_FRAME);
	wrmac(out, dst);
	wrmac(out + 6, sha);
	wr16(out + 12, 0x0806);
	wr16(a, 1);	     // Ethernet
	wr16(a + 2, 0x0800); // IPv4
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, op);
	wrmac(a + 8, sha);
	wr32(a + 14, spa);
	wrmac(a + 18, tha);
	wr32(a + 24, tpa);
}

static void learn_push(struct vs_arp_learn_ring *r, uint32_t ip, uint64_t mac)
{
	uint32_t tail = r->tail, head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (tail - head >= VS_ARP_LEARN_RING) {
		vs_ctr_add(&r->lost, 1);
		return;
	}
	r->ev[tail & (VS_ARP_LEARN_RING - 1)] = (struct vs_arp_learn_ev){.ip = ip, .mac = mac};
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
}

bool vs_vxlan_arp_input(struct vs_vxlan_arp *arp, uint16_t pmd_id, const struct vs_pkt *pkt,
			uint8_t *reply, uint8_t *drop)
{
	struct vs_arp_learn_ring *r = &arp->learn[pmd_id];
	const uint8_t *a = pkt->data + 14;
	uint64_t sha;
	uint32_t spa, tpa;
	uint16_t op;

	*drop = VS_DROP_VXLAN_NOT_VXLAN;
	if (pkt->len < 14 + ARP_LEN || rd16(a) != 1 || rd16(a + 2) != 0x0800 || a[4] != 6 ||
	    a[5] != 4)
		return false;
	op = rd16(a + 6);
	sha = rdmac(a + 8);
	spa = rd32(a + 14);
	tpa = rd32(a + 24);
	if (op != ARP_REQUEST && op != ARP_REPLY)
		return false;
	// Multicast/broadcast or zero sender MACs, and probes (sender 0.0.0.0) teach nothing.
	if (spa != 0 && sha != 0 && !(sha & 0x010000000000ULL) && spa != arp->local_ip)
		learn_push(r, spa, sha);
	if (tpa != arp->local_ip)
		return false;
	*drop = VS_DROP_NONE;
	vs_ctr_add(&r->rx, 1);
	if (op != ARP_REQUEST || spa == 0 || sha == 0 || (sha & 0x010000000000ULL))
		return false;
	vs_vxlan_arp_build(reply, ARP_REPLY, sha, arp->mac, arp->local_ip, sha, spa);
	return true;
}

bool vs_vxlan_arp_ctl_push(struct vs_vxlan_arp *arp, const uint8_t *frame)
{
	struct vs_arp_ctl_ring *c = &arp->ctl;
	uint32_t tail = c->tail, head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);

	if (tail - head >= VS_ARP_CTL_RING)
		return false;
	memcpy(c->frame[tail & (VS_ARP_CTL_RING - 1)], frame, VS_ARP_FRAME);
	__atomic_store_n(&c->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

void vs_vxlan_arp_drain(struct vs_vxlan_arp *arp, struct vs_port *port, uint16_t pmd_id)
{
	struct vs_arp_ctl_ring *c = &arp->ctl;
	uint16_t uq = (uint16_t)(pmd_id % port->n_txq);

	for (;;) {
		uint32_t head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
		uint32_t tail = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);
		uint8_t buf[VS_ARP_FRAME];
		struct vs_pkt pkt = {.data = buf, .len = VS_ARP_FRAME};
		struct vs_pkt *pp = &pkt;
		uint16_t sent;

		if (head == tail)
			return;
		// Copy first: the producer reuses the slot only once 'head' has moved past it.
		memcpy(buf, c->frame[head & (VS_ARP_CTL_RING - 1)], VS_ARP_FRAME);
		if (!__atomic_compare_exchange_n(&c->head, &head, head + 1, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue;
		vs_port_tx_lock(port, uq);
		sent = port->ops->tx_burst(port, uq, &pp, 1);
		if (port->ops->tx_flush != NULL)
			port->ops->tx_flush(port, uq);
		vs_port_tx_unlock(port, uq);
		if (sent == 1) {
			vs_ctr_add(&port->ctr[pmd_id].tx_packets, 1);
			vs_ctr_add(&port->ctr[pmd_id].tx_bytes, VS_ARP_FRAME);
			vs_ctr_add(&arp->learn[pmd_id].ctl_sent, 1);
		} else {
			vs_ctr_add(&port->ctr[pmd_id].drops[VS_DROP_TX_RING_FULL], 1);
		}
	}
}

bool vs_vxlan_arp_learn_pop(struct vs_vxlan_arp *arp, uint16_t pmd_id, struct vs_arp_learn_ev *ev)
{
	struct vs_arp_learn_ring *r = &arp->learn[pmd_id];
	uint32_t head = r->head, tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*ev = r->ev[head & (VS_ARP_LEARN_RING - 1)];
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}
