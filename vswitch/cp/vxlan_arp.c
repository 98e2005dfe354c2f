// SPDX-License-Identifier: Apache-2.0
// vswitchd's own neighbour table for underlays the kernel does not see (see vxlan_arp.h).
#include "vxlan_arp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>
#include <vs/mac.h>

VS_LOG_MODULE("vxlan-arp");

#define BCAST 0xffffffffffffULL

struct vs_arp_table *vs_arp_table_create(uint64_t mac, uint32_t local_ip, uint32_t gw)
{
	struct vs_arp_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->dp = aligned_alloc(VS_CACHE_LINE, (sizeof(*t->dp) + VS_CACHE_LINE - 1) &
						     ~(size_t)(VS_CACHE_LINE - 1));
	if (t->dp == NULL) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(t->dp, 0, sizeof(*t->dp));
	t->dp->mac = mac;
	t->dp->local_ip = local_ip;
	t->gw = gw;
	return t;
}

void vs_arp_table_destroy(struct vs_arp_table *t)
{
	if (t == NULL)
		return;
	free(t->dp);
	free(t);
}

static void ask(struct vs_arp_table *t, struct vs_arp_neigh *e, uint64_t now)
{
	uint8_t frame[VS_ARP_FRAME];

	// Confirm a known MAC by unicast (as the kernel probes), find an unknown one by broadcast.
	vs_vxlan_arp_build(frame, 1, e->mac && e->asked < 2 ? e->mac : BCAST, t->dp->mac,
			   t->dp->local_ip, 0, e->ip);
	e->asked_ms = now;
	e->asked++;
	if (vs_vxlan_arp_ctl_push(t->dp, frame))
		t->requests++;
}

static struct vs_arp_neigh *find(struct vs_arp_table *t, uint32_t ip)
{
	for (unsigned i = 0; i < VS_ARP_MAX_NEIGH; i++)
		if (t->n[i].ip == ip)
			return &t->n[i];
	return NULL;
}

int vs_arp_table_resolve(struct vs_arp_table *t, uint32_t ip, uint64_t now, uint64_t *mac)
{
	struct vs_arp_neigh *e;

	if (t->gw != 0)
		ip = t->gw;
	e = find(t, ip);
	if (e == NULL) {
		e = find(t, 0);
		if (e == NULL)
			return -ENOSPC;
		*e = (struct vs_arp_neigh){.ip = ip};
		ask(t, e, now);
	}
	e->used_ms = now;
	if (e->mac == 0)
		return -EAGAIN;
	*mac = e->mac;
	return 0;
}

bool vs_arp_table_poll(struct vs_arp_table *t, uint64_t now)
{
	char ipb[INET_ADDRSTRLEN], macb[VS_MAC_STRLEN];
	struct vs_arp_learn_ev ev;
	bool changed = false;

	for (uint16_t p = 0; p < VS_MAX_PMDS; p++) {
		while (vs_vxlan_arp_learn_pop(t->dp, p, &ev)) {
			struct vs_arp_neigh *e = find(t, ev.ip);

			// Like the kernel: a sender updates an entry, it does not create one.
			if (e == NULL)
				continue;
			if (e->mac != ev.mac) {
				struct in_addr a = {.s_addr = htonl(ev.ip)};

				inet_ntop(AF_INET, &a, ipb, sizeof(ipb));
				vs_mac_format(ev.mac, macb);
				VS_LOG(INFO, "neighbour %s is at %s", ipb, macb);
				e->mac = ev.mac;
				changed = true;
			}
			e->confirmed_ms = now;
			e->asked = 0;
		}
	}
	for (unsigned i = 0; i < VS_ARP_MAX_NEIGH; i++) {
		struct vs_arp_neigh *e = &t->n[i];

		if (e->ip == 0)
			continue;
		// Nobody needs it any more (remote_ip changed): forget it.
		if (now - e->used_ms > VS_ARP_AGE_MS) {
			changed |= e->mac != 0;
			memset(e, 0, sizeof(*e));
			continue;
		}
		if (e->mac != 0 && now - e->confirmed_ms > VS_ARP_AGE_MS) {
			struct in_addr a = {.s_addr = htonl(e->ip)};

			inet_ntop(AF_INET, &a, ipb, sizeof(ipb));
			VS_LOG(INFO, "neighbour %s: no answer, forgotten", ipb);
			e->mac = 0;
			changed = true;
		}
		if (e->mac == 0 ? now - e->asked_ms >= VS_ARP_RETRY_MS
				: now - e->confirmed_ms >= VS_ARP_REFRESH_MS &&
					  now - e->asked_ms >= VS_ARP_RETRY_MS)
			ask(t, e, now);
	}
	return changed;
}

void vs_arp_table_query(const struct vs_arp_table *t, json_t *o)
{
	uint64_t replies = 0, rx = 0, lost = 0, sent = 0;
	char ipb[INET_ADDRSTRLEN], macb[VS_MAC_STRLEN];
	json_t *neigh = json_array();

	for (uint16_t p = 0; p < VS_MAX_PMDS; p++) {
		const struct vs_arp_learn_ring *r = &t->dp->learn[p];

		replies += __atomic_load_n(&r->replies, __ATOMIC_RELAXED);
		rx += __atomic_load_n(&r->rx, __ATOMIC_RELAXED);
		lost += __atomic_load_n(&r->lost, __ATOMIC_RELAXED);
		sent += __atomic_load_n(&r->ctl_sent, __ATOMIC_RELAXED);
	}
	for (unsigned i = 0; i < VS_ARP_MAX_NEIGH; i++) {
		const struct vs_arp_neigh *e = &t->n[i];
		struct in_addr a = {.s_addr = htonl(e->ip)};

		if (e->ip == 0)
			continue;
		inet_ntop(AF_INET, &a, ipb, sizeof(ipb));
		vs_mac_format(e->mac, macb);
		json_array_append_new(neigh, json_pack("{s:s,s:s}", "ip", ipb, "mac",
						       e->mac ? macb : "unresolved"));
	}
	json_object_set_new(o, "arp-replies-sent", json_integer((json_int_t)replies));
	json_object_set_new(o, "arp-requests-sent", json_integer((json_int_t)sent));
	json_object_set_new(o, "arp-received", json_integer((json_int_t)rx));
	json_object_set_new(o, "arp-learn-lost", json_integer((json_int_t)lost));
	json_object_set_new(o, "arp-neighbours", neigh);
}
