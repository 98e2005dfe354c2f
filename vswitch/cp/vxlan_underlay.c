// SPDX-License-Identifier: Apache-2.0
// VXLAN ports, control side: the underlay devices. One underlay is opened (AF_XDP with the
// VXLAN-only XDP filter, or DPDK with vswitchd's own ARP) for all vxlan ports that name it
// and closed with the last of them; port-stats shows its counters.
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "vxlan_int.h"

VS_LOG_MODULE("vxlan");

struct underlay *vs_vxlan_underlays[VS_VXLAN_MAX_UNDERLAYS];

// The device that holds 'ip' in this network namespace.
int vs_vxlan_device_of(uint32_t ip, char *name, size_t len)
{
	struct ifaddrs *ifa, *i;
	int ret = -ENOENT;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr) == ip) {
			snprintf(name, len, "%s", i->ifa_name);
			ret = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return ret;
}

// --- underlays --------------------------------------------------------------------------

struct mac_info {
	struct vs_port_info info;
	uint64_t mac;
	uint64_t mtu;
};

static void mac_info_str(struct vs_port_info *info, const char *key, const char *val)
{
	struct mac_info *m = (struct mac_info *)info;
	uint64_t mac;

	if (!strcmp(key, "mac") && vs_mac_parse(val, &mac) == 0)
		m->mac = mac;
}

static void mac_info_u64(struct vs_port_info *info, const char *key, uint64_t val)
{
	struct mac_info *m = (struct mac_info *)info;

	if (!strcmp(key, "mtu"))
		m->mtu = val;
}

// The MAC address and MTU a port's driver reports ("mac", "mtu" of show_info), 0 if none.
static uint64_t port_mac(struct vs_port *port, uint64_t *mtu)
{
	struct mac_info m = {.info = {.str = mac_info_str, .u64 = mac_info_u64}};

	if (port->ops->show_info != NULL)
		port->ops->show_info(port, &m.info);
	*mtu = m.mtu;
	return m.mac;
}

struct underlay *vs_vxlan_underlay_get(const struct vx_opts *o, char *err, size_t errlen)
{
	char ipb[INET_ADDRSTRLEN], vip[32], vport[8], vq[8];
	struct vs_opt uopts[4];
	struct underlay *ul;
	size_t nu = 0;
	unsigned free_i = VS_VXLAN_MAX_UNDERLAYS;

	for (unsigned i = 0; i < VS_VXLAN_MAX_UNDERLAYS; i++) {
		ul = vs_vxlan_underlays[i];
		if (ul == NULL) {
			if (free_i == VS_VXLAN_MAX_UNDERLAYS)
				free_i = i;
			continue;
		}
		if (strcmp(ul->name, o->underlay) != 0)
			continue;
		if (strcmp(ul->type, o->type) != 0) {
			errno = -ERR(EINVAL, "underlay %s is already open as type %s", ul->name,
				     ul->type);
			return NULL;
		}
		if (ul->local_ip != o->local_ip || ul->dst_port != o->dst_port) {
			vs_vxlan_ip_str(ul->local_ip, ipb, sizeof(ipb));
			errno = -ERR(EINVAL,
				     "underlay %s already carries VTEP %s:%u: vxlan ports on one "
				     "underlay share local_ip and dst_port",
				     ul->name, ipb, ul->dst_port);
			return NULL;
		}
		if (strcmp(ul->devargs, o->devargs) != 0 || ul->gw != o->gw) {
			errno = -ERR(EINVAL,
				     "underlay %s is already open with other underlay_devargs or "
				     "underlay_gw",
				     ul->name);
			return NULL;
		}
		if (o->queues && o->queues != ul->queues) {
			errno = -ERR(EINVAL, "underlay %s is already open with %s queue(s)",
				     ul->name, ul->queues ? "other" : "the default");
			return NULL;
		}
		ul->refs++;
		return ul;
	}
	if (free_i == VS_VXLAN_MAX_UNDERLAYS) {
		errno = -ERR(ENOSPC, "too many underlays (at most %d)", VS_VXLAN_MAX_UNDERLAYS);
		return NULL;
	}
	ul = calloc(1, sizeof(*ul));
	if (ul == NULL) {
		errno = -ERR(ENOMEM, "out of memory");
		return NULL;
	}
	if (!strcmp(o->type, "afxdp")) {
		// Only VXLAN to this VTEP comes to vswitchd; ARP and the host's own traffic stay
		// with the kernel.
		vs_vxlan_ip_str(o->local_ip, vip, sizeof(vip));
		snprintf(vport, sizeof(vport), "%u", o->dst_port);
		uopts[nu++] = (struct vs_opt){.key = "xdp-filter", .val = "vxlan"};
		uopts[nu++] = (struct vs_opt){.key = "vxlan-ip", .val = vip};
		uopts[nu++] = (struct vs_opt){.key = "vxlan-port", .val = vport};
	}
	if (o->queues) {
		// A multi-queue NIC spreads VXLAN over its queues (RSS on the UDP source port):
		// every queue needs a socket, or its frames go to the kernel.
		snprintf(vq, sizeof(vq), "%u", o->queues);
		uopts[nu++] = (struct vs_opt){.key = strcmp(o->type, "dpdk") ? "queues" : "n_rxq",
					      .val = vq};
	}
	if (o->devargs[0] != '\0')
		uopts[nu++] = (struct vs_opt){.key = "devargs", .val = o->devargs};
	ul->port = vs_port_open(o->type, o->underlay, uopts, nu, err, errlen);
	if (ul->port == NULL) {
		int e = errno;

		free(ul);
		errno = e;
		return NULL;
	}
	if (!strcmp(o->type, "dpdk")) {
		// The kernel never sees this uplink: vswitchd answers ARP for local_ip and
		// resolves next hops itself.
		uint64_t mtu, mac = port_mac(ul->port, &mtu);

		if (mac == 0) {
			vs_port_close(ul->port);
			free(ul);
			errno = -ERR(EINVAL, "underlay %s: its driver reports no MAC address",
				     o->underlay);
			return NULL;
		}
		ul->mtu = mtu <= ul->port->max_frame - 14 ? (uint32_t)mtu : 0;
		ul->arp = vs_arp_table_create(mac, o->local_ip, o->gw);
		if (ul->arp == NULL) {
			vs_port_close(ul->port);
			free(ul);
			errno = -ERR(ENOMEM, "out of memory");
			return NULL;
		}
	}
	ul->slot = (ul->port->max_frame + 63) & ~63u;
	// Untouched pages cost nothing: only the slots PMD threads use become resident.
	ul->scratch = calloc((size_t)VS_MAX_PMDS * VS_BURST, ul->slot);
	ul->txq = aligned_alloc(VS_CACHE_LINE, VS_MAX_PMDS * sizeof(*ul->txq));
	if (ul->txq != NULL)
		vs_vxlan_txq_init(ul->txq, VS_MAX_PMDS);
	if (ul->scratch == NULL || ul->txq == NULL) {
		free(ul->scratch);
		free(ul->txq);
		vs_arp_table_destroy(ul->arp);
		vs_port_close(ul->port);
		free(ul);
		errno = -ERR(ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(ul->name, sizeof(ul->name), "%s", o->underlay);
	snprintf(ul->type, sizeof(ul->type), "%s", o->type);
	ul->local_ip = o->local_ip;
	ul->dst_port = o->dst_port;
	ul->refs = 1;
	ul->queues = o->queues;
	snprintf(ul->devargs, sizeof(ul->devargs), "%s", o->devargs);
	ul->gw = o->gw;
	vs_vxlan_underlays[free_i] = ul;
	VS_LOG(INFO, "underlay %s (%s) open for VTEP %s:%u", ul->name, ul->type,
	       (vs_vxlan_ip_str(o->local_ip, ipb, sizeof(ipb)), ipb), o->dst_port);
	return ul;
}

// Called once no configuration snapshot in use lists the underlay's vxlan ports.
void vs_vxlan_underlay_put(struct underlay *ul)
{
	if (--ul->refs > 0)
		return;
	for (unsigned i = 0; i < VS_VXLAN_MAX_UNDERLAYS; i++)
		if (vs_vxlan_underlays[i] == ul)
			vs_vxlan_underlays[i] = NULL;
	VS_LOG(INFO, "underlay %s closed", ul->name);
	vs_port_close(ul->port);
	vs_arp_table_destroy(ul->arp);
	free(ul->scratch);
	free(ul->txq);
	free(ul);
}

bool vs_vxlan_is_underlay(const char *name)
{
	for (unsigned i = 0; i < VS_VXLAN_MAX_UNDERLAYS; i++)
		if (vs_vxlan_underlays[i] != NULL && !strcmp(vs_vxlan_underlays[i]->name, name))
			return true;
	return false;
}

void vs_vxlan_query_underlay_stats(json_t *a, const char *name)
{
	for (unsigned i = 0; i < VS_VXLAN_MAX_UNDERLAYS; i++) {
		struct underlay *ul = vs_vxlan_underlays[i];
		struct vs_port_counters c;
		json_t *drops;
		uint64_t total = 0;

		if (ul == NULL || (name != NULL && strcmp(ul->name, name) != 0))
			continue;
		vs_port_counters_sum(ul->port, &c);
		drops = json_object();
		for (int d = 1; d < VS_DROP_MAX; d++) {
			json_object_set_new(drops, vs_drop_names[d],
					    json_integer((json_int_t)c.drops[d]));
			total += c.drops[d];
		}
		json_array_append_new(
			a, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:I}", "name", ul->name,
				     "bridge", "-", "type", "vxlan-underlay", "rx-packets",
				     (json_int_t)c.rx_packets, "rx-bytes", (json_int_t)c.rx_bytes,
				     "tx-packets", (json_int_t)c.tx_packets, "tx-bytes",
				     (json_int_t)c.tx_bytes, "rx-csum-completed",
				     (json_int_t)c.rx_csum_completed, "drops", drops, "dropped",
				     (json_int_t)total));
		if (ul->arp != NULL)
			vs_arp_table_query(ul->arp, json_array_get(a, json_array_size(a) - 1));
	}
}
