// SPDX-License-Identifier: Apache-2.0
// VXLAN ports, control side (see vxlan.h): the "vxlan" port driver, the snapshot's VNI
// table, next-hop resolution and set-port. Options are parsed in vxlan_opts.c, underlay
// devices opened and shared in vxlan_underlay.c.
#include "vxlan_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../../pmd/netdev.h"
#include "../dp/rcu.h"
#include "vxlan_arp.h"

VS_LOG_MODULE("vxlan");

#define MAX_VXLAN_PORTS 256
#define RESOLVE_MS 1000	       // re-resolve next hops this often
#define RESOLVE_PENDING_MS 100 // ... and this often while one is unresolved

// Control-plane state of one vxlan port.
struct vx_cp {
	struct vs_port *port;
	struct underlay *ul;
	uint32_t vni;
	uint32_t local_ip;
	uint16_t dst_port;
	uint8_t ttl;
	bool udp_csum;
	uint16_t n_remotes;
	uint32_t remotes[VS_VXLAN_MAX_REMOTES];
	uint64_t next_resolve_ms;
};

static struct vx_cp *vxports[MAX_VXLAN_PORTS];
static const struct vs_vxlan_resolver *resolver = &vs_vxlan_kernel_resolver;

void vs_vxlan_set_resolver(const struct vs_vxlan_resolver *r)
{
	resolver = r != NULL ? r : &vs_vxlan_kernel_resolver;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

// --- transmit state ---------------------------------------------------------------------

// Builds the transmit state of 'cp' from the kernel's (or the resolver's) current facts.
static struct vs_vxlan_tx *build_tx(struct vx_cp *cp, bool *unresolved)
{
	struct vs_vxlan_tx *tx;
	uint64_t src_mac = 0;
	int mtu = 0;
	bool have_src;

	tx = calloc(1, sizeof(*tx) + cp->n_remotes * sizeof(tx->remotes[0]));
	if (tx == NULL)
		return NULL;
	tx->vni = cp->vni;
	tx->local_ip = cp->local_ip;
	tx->dst_port = cp->dst_port;
	tx->ttl = cp->ttl;
	tx->udp_csum = cp->udp_csum;
	if (cp->ul->arp != NULL)
		src_mac = cp->ul->arp->dp->mac;
	else if (resolver->dev_mac(cp->ul->name, &src_mac) < 0)
		src_mac = 0;
	have_src = src_mac != 0;
	tx->src_mac = src_mac;
	if (cp->ul->arp != NULL)
		mtu = (int)cp->ul->mtu;
	else if (resolver->dev_mtu(cp->ul->name, &mtu) < 0)
		mtu = 0;
	if (mtu <= 0)
		mtu = (int)cp->ul->port->max_frame - 14;
	// An encapsulated frame must fit the underlay's frames (and the scratch slots).
	if ((uint32_t)mtu + 14 > cp->ul->port->max_frame)
		mtu = (int)cp->ul->port->max_frame - 14;
	tx->mtu = (uint32_t)mtu;
	tx->n_remotes = cp->n_remotes;
	*unresolved = !have_src;
	for (uint16_t i = 0; i < cp->n_remotes; i++) {
		uint64_t mac = 0;

		tx->remotes[i].ip = cp->remotes[i];
		if (cp->ul->arp != NULL ? vs_arp_table_resolve(cp->ul->arp, cp->remotes[i],
							       now_ms(), &mac) == 0
					: have_src && resolver->neigh(cp->ul->name, cp->remotes[i],
								      &mac) == 0)
			tx->remotes[i].mac = mac;
		else
			*unresolved = true;
		vs_vxlan_remote_prepare(tx, &tx->remotes[i]);
	}
	return tx;
}

static size_t tx_size(const struct vs_vxlan_tx *tx)
{
	return sizeof(*tx) + tx->n_remotes * sizeof(tx->remotes[0]);
}

static void log_changes(const struct vx_cp *cp, const struct vs_vxlan_tx *old,
			const struct vs_vxlan_tx *tx)
{
	char ipb[INET_ADDRSTRLEN], macb[VS_MAC_STRLEN];

	for (uint16_t i = 0; i < tx->n_remotes; i++) {
		int j = old ? vs_vxlan_remote_find(old, tx->remotes[i].ip) : -1;

		if (j >= 0 && old->remotes[j].mac == tx->remotes[i].mac)
			continue;
		vs_vxlan_ip_str(tx->remotes[i].ip, ipb, sizeof(ipb));
		vs_mac_format(tx->remotes[i].mac, macb);
		VS_LOG(INFO, "%s: remote VTEP %s: next hop %s", cp->port->name, ipb,
		       tx->remotes[i].mac ? macb : "unresolved");
	}
	if (old != NULL && old->mtu != tx->mtu)
		VS_LOG(INFO, "%s: underlay %s MTU %u", cp->port->name, cp->ul->name, tx->mtu);
}

// Shows the effective options, as "vsctl show" prints them.
static void set_display(struct vx_cp *cp)
{
	char ipb[INET_ADDRSTRLEN], list[64] = "";
	size_t len = 0;

	vs_port_set_opt(cp->port, "vni", "%u", cp->vni);
	vs_vxlan_ip_str(cp->local_ip, ipb, sizeof(ipb));
	vs_port_set_opt(cp->port, "local_ip", "%s", ipb);
	for (uint16_t i = 0; i < cp->n_remotes; i++) {
		vs_vxlan_ip_str(cp->remotes[i], ipb, sizeof(ipb));
		if (len + strlen(ipb) + 1 + 4 >= sizeof(list)) {
			snprintf(list + len, sizeof(list) - len, ",...");
			break;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "", ipb);
	}
	vs_port_set_opt(cp->port, "remote_ip", "%s", list);
	vs_port_set_opt(cp->port, "dst_port", "%u", cp->dst_port);
	vs_port_set_opt(cp->port, "underlay", "%s", cp->ul->name);
	if (cp->ul->arp != NULL && cp->ul->gw != 0) {
		vs_vxlan_ip_str(cp->ul->gw, ipb, sizeof(ipb));
		vs_port_set_opt(cp->port, "underlay_gw", "%s", ipb);
	}
	vs_port_set_opt(cp->port, "ttl", "%u", cp->ttl);
	vs_port_set_opt(cp->port, "udp_csum", "%s", cp->udp_csum ? "true" : "false");
}

// --- the port driver --------------------------------------------------------------------

static int vxlan_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		      size_t errlen)
{
	struct vx_opts o = {.dst_port = VS_VXLAN_DEFAULT_PORT, .ttl = 64, .type = "afxdp"};
	struct vs_vxlan_port *vx = NULL;
	struct vx_cp *cp = NULL;
	unsigned slot;
	bool unresolved;
	int ret;

	for (size_t i = 0; i < n_opts; i++) {
		ret = vs_vxlan_parse_opt(&o, &opts[i], false, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (!o.has_vni || !o.has_local || !o.has_remote)
		return ERR(EINVAL, "a vxlan port needs vni, local_ip and remote_ip");
	for (uint16_t i = 0; i < o.n_remotes; i++)
		if (o.remotes[i] == o.local_ip)
			return ERR(EINVAL, "remote_ip must not include local_ip");
	if (strcmp(o.type, "dpdk") != 0 && (o.devargs[0] != '\0' || o.gw != 0))
		return ERR(EINVAL, "underlay_devargs and underlay_gw are for underlay_type=dpdk "
				   "(an afxdp underlay uses the kernel's routes and neighbours)");
	if (!strcmp(o.type, "dpdk") && !o.has_underlay)
		return ERR(EINVAL, "underlay_type=%s needs underlay=NAME", o.type);
	if (!o.has_underlay && vs_vxlan_device_of(o.local_ip, o.underlay, sizeof(o.underlay)) < 0) {
		char ipb[INET_ADDRSTRLEN];

		vs_vxlan_ip_str(o.local_ip, ipb, sizeof(ipb));
		return ERR(EINVAL, "no network device has address %s: give underlay=DEV", ipb);
	}
	for (slot = 0; slot < MAX_VXLAN_PORTS && vxports[slot] != NULL; slot++)
		;
	if (slot == MAX_VXLAN_PORTS)
		return ERR(ENOSPC, "too many vxlan ports (at most %d)", MAX_VXLAN_PORTS);
	for (unsigned i = 0; i < MAX_VXLAN_PORTS; i++)
		if (vxports[i] != NULL && vxports[i]->vni == o.vni &&
		    !strcmp(vxports[i]->ul->name, o.underlay))
			return ERR(EEXIST, "VNI %u is already used by %s on underlay %s", o.vni,
				   vxports[i]->port->name, o.underlay);
	cp = calloc(1, sizeof(*cp));
	vx = calloc(1, sizeof(*vx));
	if (vx != NULL &&
	    (vx->enc = aligned_alloc(VS_CACHE_LINE, VS_MAX_PMDS * sizeof(*vx->enc))) != NULL)
		memset(vx->enc, 0, VS_MAX_PMDS * sizeof(*vx->enc));
	if (cp == NULL || vx == NULL || vx->enc == NULL) {
		ret = ERR(ENOMEM, "out of memory");
		goto err;
	}
	cp->ul = vs_vxlan_underlay_get(&o, err, errlen);
	if (cp->ul == NULL) {
		ret = -errno;
		goto err;
	}
	cp->port = port;
	cp->vni = o.vni;
	cp->local_ip = o.local_ip;
	cp->dst_port = o.dst_port;
	cp->ttl = o.ttl;
	cp->udp_csum = o.udp_csum;
	cp->n_remotes = o.n_remotes;
	memcpy(cp->remotes, o.remotes, o.n_remotes * sizeof(o.remotes[0]));
	vx->tx = build_tx(cp, &unresolved);
	if (vx->tx == NULL) {
		vs_vxlan_underlay_put(cp->ul);
		ret = ERR(ENOMEM, "out of memory");
		goto err;
	}
	log_changes(cp, NULL, vx->tx);
	cp->next_resolve_ms = now_ms() + (unresolved ? RESOLVE_PENDING_MS : RESOLVE_MS);
	vx->underlay = cp->ul->port;
	vx->scratch = cp->ul->scratch;
	vx->slot = cp->ul->slot;
	vx->txq = cp->ul->txq;
	vx->cp = cp;
	port->priv = vx;
	port->n_rxq = 0; // its frames arrive on the underlay
	port->n_txq = VS_MAX_PMDS;
	port->max_frame = 65535; // the underlay MTU check has its own drop reason
	vxports[slot] = cp;
	set_display(cp);
	VS_LOG(INFO, "%s: VNI %u over %s, %u remote VTEP(s), MTU %u", port->name, cp->vni,
	       cp->ul->name, cp->n_remotes, vx->tx->mtu);
	return 0;
err:
	free(cp);
	if (vx != NULL)
		free(vx->enc);
	free(vx);
	return ret;
}

static void vxlan_close(struct vs_port *port)
{
	struct vs_vxlan_port *vx = port->priv;
	struct vx_cp *cp;

	if (vx == NULL)
		return;
	cp = vx->cp;
	for (unsigned i = 0; i < MAX_VXLAN_PORTS; i++)
		if (vxports[i] == cp)
			vxports[i] = NULL;
	free(vx->tx);
	free(vx->enc);
	vs_vxlan_underlay_put(cp->ul);
	free(cp);
	free(vx);
	port->priv = NULL;
}

// "vsctl port-stats": the frames encapsulated by a copy into the scratch area (the others were
// encapsulated in their own buffer's headroom), and of those the ones without headroom.
static void vxlan_stats_info(struct vs_port *port, struct vs_port_info *info)
{
	const struct vs_vxlan_port *vx = port->priv;
	uint64_t copied = 0, no_headroom = 0;

	for (unsigned i = 0; i < VS_MAX_PMDS; i++) {
		copied += vs_ctr_read(&vx->enc[i].copied);
		no_headroom += vs_ctr_read(&vx->enc[i].no_headroom);
	}
	info->u64(info, "encap-copied", copied);
	info->u64(info, "encap-no-headroom", no_headroom);
}

const struct vs_port_ops vs_vxlan_ops = {
	.type = "vxlan",
	.open = vxlan_open,
	.close = vxlan_close,
	.tx_burst = vs_vxlan_tx_burst,
	.tx_flush = vs_vxlan_tx_flush,
	.stats_info = vxlan_stats_info,
};

// --- snapshot ---------------------------------------------------------------------------

int vs_vxlan_conf_build(const struct vs_switch *sw, struct vs_conf *conf, unsigned *rr)
{
	struct vs_vxlan_conf *vc;
	unsigned n = 0;

	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (conf->ports[i] != NULL && conf->ports[i]->ops == &vs_vxlan_ops)
			n++;
	conf->vxlan = NULL;
	if (n == 0)
		return 0;
	vc = calloc(1, sizeof(*vc) + n * sizeof(vc->vni[0]));
	if (vc == NULL)
		return -ENOMEM;
	for (unsigned u = 0; u < VS_VXLAN_MAX_UNDERLAYS; u++) {
		struct underlay *ul = vs_vxlan_underlays[u];
		struct vs_vxlan_underlay *d;

		if (ul == NULL)
			continue;
		d = &vc->underlay[vc->n_underlays];
		d->first_vni = vc->n_vni;
		for (unsigned i = 0; i < VS_MAX_PORTS; i++) {
			struct vs_port *p = conf->ports[i];
			const struct vs_vxlan_port *vx;

			if (p == NULL || p->ops != &vs_vxlan_ops)
				continue;
			vx = p->priv;
			if (((const struct vx_cp *)vx->cp)->ul != ul)
				continue;
			vc->vni[vc->n_vni++] = (struct vs_vxlan_vni){
				.vni = ((const struct vx_cp *)vx->cp)->vni,
				.port_id = (uint16_t)i,
				.port = p,
			};
		}
		d->n_vni = (uint16_t)(vc->n_vni - d->first_vni);
		// An underlay none of whose vxlan ports is in this snapshot is not polled.
		if (d->n_vni == 0)
			continue;
		d->port = ul->port;
		d->local_ip = ul->local_ip;
		d->dst_port = ul->dst_port;
		d->arp = ul->arp != NULL ? ul->arp->dp : NULL;
		vc->n_underlays++;
		for (uint16_t q = 0; q < ul->port->n_rxq && sw->n_pmds > 0; q++) {
			struct vs_pmd_conf *pc = &conf->pmd[(*rr)++ % sw->n_pmds];

			if (pc->n_rxq < VS_MAX_PORTS)
				pc->rxq[pc->n_rxq++] = (struct vs_rxq){.port = ul->port, .qid = q};
		}
	}
	conf->vxlan = vc;
	return 0;
}

// --- run time ---------------------------------------------------------------------------

void vs_vxlan_housekeeping(struct vs_switch *sw)
{
	static uint64_t last;
	struct vs_vxlan_tx *old[MAX_VXLAN_PORTS];
	uint64_t now = now_ms();
	unsigned n_old = 0;

	(void)sw;
	if (now - last < RESOLVE_PENDING_MS)
		return;
	last = now;
	for (unsigned u = 0; u < VS_VXLAN_MAX_UNDERLAYS; u++) {
		struct underlay *ul = vs_vxlan_underlays[u];

		if (ul == NULL || ul->arp == NULL || !vs_arp_table_poll(ul->arp, now))
			continue;
		// A next hop's MAC changed: rebuild the ports over this underlay now.
		for (unsigned i = 0; i < MAX_VXLAN_PORTS; i++)
			if (vxports[i] != NULL && vxports[i]->ul == ul)
				vxports[i]->next_resolve_ms = now;
	}
	for (unsigned i = 0; i < MAX_VXLAN_PORTS; i++) {
		struct vx_cp *cp = vxports[i];
		struct vs_vxlan_port *vx;
		struct vs_vxlan_tx *tx;
		bool unresolved;

		if (cp == NULL || now < cp->next_resolve_ms)
			continue;
		vx = cp->port->priv;
		tx = build_tx(cp, &unresolved);
		if (tx == NULL)
			continue;
		cp->next_resolve_ms = now + (unresolved ? RESOLVE_PENDING_MS : RESOLVE_MS);
		if (tx_size(tx) == tx_size(vx->tx) && memcmp(tx, vx->tx, tx_size(tx)) == 0) {
			free(tx);
			continue;
		}
		log_changes(cp, vx->tx, tx);
		old[n_old++] = vx->tx;
		__atomic_store_n(&vx->tx, tx, __ATOMIC_RELEASE);
	}
	if (n_old == 0)
		return;
	vs_rcu_synchronize();
	for (unsigned i = 0; i < n_old; i++)
		free(old[i]);
}

int vs_vxlan_set_port(struct vs_switch *sw, uint16_t id, const struct vs_opt *opts, size_t n_opts,
		      char *err, size_t errlen)
{
	struct vs_port *port = sw->ports[id];
	struct vs_vxlan_port *vx = port->priv;
	struct vx_cp *cp = vx->cp, saved = *cp;
	struct vs_vxlan_tx *tx, *old;
	struct vx_opts o;
	struct vs_bridge *br;
	bool unresolved;
	uint32_t flushed;
	int ret;

	if (n_opts == 0)
		return ERR(EINVAL, "set-port needs at least one option");
	memset(&o, 0, sizeof(o));
	o.ttl = cp->ttl;
	o.udp_csum = cp->udp_csum;
	for (size_t i = 0; i < n_opts; i++) {
		ret = vs_vxlan_parse_opt(&o, &opts[i], true, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (o.has_remote) {
		for (uint16_t i = 0; i < o.n_remotes; i++)
			if (o.remotes[i] == cp->local_ip)
				return ERR(EINVAL, "remote_ip must not include local_ip");
		cp->n_remotes = o.n_remotes;
		memcpy(cp->remotes, o.remotes, o.n_remotes * sizeof(o.remotes[0]));
	}
	cp->ttl = o.ttl;
	cp->udp_csum = o.udp_csum;
	tx = build_tx(cp, &unresolved);
	if (tx == NULL) {
		*cp = saved;
		return ERR(ENOMEM, "out of memory");
	}
	log_changes(cp, vx->tx, tx);
	old = vx->tx;
	__atomic_store_n(&vx->tx, tx, __ATOMIC_RELEASE);
	cp->next_resolve_ms = now_ms() + (unresolved ? RESOLVE_PENDING_MS : RESOLVE_MS);
	vs_rcu_synchronize();
	free(old);
	// MACs learned behind VTEPs that left the list would be sent nowhere: forget them.
	br = sw->bridges[sw->port_bridge[id]];
	flushed = vs_fdb_flush_vteps(br->fdb, id, cp->remotes, cp->n_remotes);
	set_display(cp);
	VS_LOG(INFO, "%s: %u remote VTEP(s), ttl %u, udp_csum %s%s", port->name, cp->n_remotes,
	       cp->ttl, cp->udp_csum ? "true" : "false", flushed ? "; MAC entries flushed" : "");
	return 0;
}

void vs_vxlan_query_port(const struct vs_port *port, json_t *p)
{
	const struct vs_vxlan_port *vx = port->priv;
	const struct vs_vxlan_tx *tx = vx->tx;
	const struct vx_cp *cp = vx->cp;
	char state[32], ipb[INET_ADDRSTRLEN], macb[VS_MAC_STRLEN];
	json_t *remotes = json_array();

	json_object_del(p, "ifindex");
	json_object_del(p, "mac");
	// The largest inner frame's IP packet: what containers' MTU may be at most.
	json_object_set_new(p, "mtu", json_integer(tx->mtu > 50 ? (json_int_t)tx->mtu - 50 : 0));
	vs_netdev_operstate(cp->ul->name, state, sizeof(state));
	if (strcmp(cp->ul->type, "afxdp") == 0)
		json_object_set_new(p, "link", json_string(state));
	else
		json_object_del(p, "link");
	for (uint16_t i = 0; i < tx->n_remotes; i++) {
		vs_vxlan_ip_str(tx->remotes[i].ip, ipb, sizeof(ipb));
		vs_mac_format(tx->remotes[i].mac, macb);
		json_array_append_new(remotes, json_pack("{s:s,s:s}", "ip", ipb, "next-hop-mac",
							 tx->remotes[i].mac ? macb : "unresolved"));
	}
	json_object_set_new(p, "remotes", remotes);
}
