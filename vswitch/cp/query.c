// SPDX-License-Identifier: Apache-2.0
#include "query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <vs/ctl_proto.h>
#include <vs/mac.h>

#include "../../pmd/dpdk.h"
#include "../../pmd/netdev.h"
#include "fastpath.h"
#include "macvlan.h"

// Collects a driver's facts (struct vs_port_info) into a JSON object.
struct info_json {
	struct vs_port_info info;
	json_t *obj;
};

static void info_str(struct vs_port_info *info, const char *key, const char *val)
{
	json_object_set_new(((struct info_json *)info)->obj, key, json_string(val));
}

static void info_u64(struct vs_port_info *info, const char *key, uint64_t val)
{
	json_object_set_new(((struct info_json *)info)->obj, key, json_integer((json_int_t)val));
}

// Adds the facts 'fn' of 'port''s driver gives into 'obj'.
static void driver_info(struct vs_port *port,
			void (*fn)(struct vs_port *port, struct vs_port_info *info), json_t *obj)
{
	struct info_json ij = {.info = {.str = info_str, .u64 = info_u64}, .obj = obj};

	if (fn != NULL)
		fn(port, &ij.info);
}
#include "vxlan.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

// Sorted bridge ids.
static unsigned sorted_bridges(const struct vs_switch *sw, const struct vs_bridge **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VS_MAX_BRIDGES; i++)
		if (sw->bridges[i] != NULL)
			out[n++] = sw->bridges[i];
	// The name is the first member, so the structs sort by name through their pointers.
	qsort(out, n, sizeof(*out), cmp_str);
	return n;
}

static unsigned sorted_ports(const struct vs_switch *sw, const struct vs_bridge *br,
			     const struct vs_port **out)
{
	for (uint16_t i = 0; i < br->n_ports; i++)
		out[i] = sw->ports[br->ports[i]];
	qsort(out, br->n_ports, sizeof(*out), cmp_str);
	return br->n_ports;
}

json_t *vs_query_bridge_names(const struct vs_switch *sw)
{
	const struct vs_bridge *brs[VS_MAX_BRIDGES];
	unsigned n = sorted_bridges(sw, brs);
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_string(brs[i]->name));
	return a;
}

json_t *vs_query_port_names(const struct vs_switch *sw, const struct vs_bridge *br)
{
	const struct vs_port **ports = calloc(br->n_ports + 1, sizeof(*ports));
	json_t *a = json_array();
	unsigned n;

	if (ports == NULL)
		return a;
	n = sorted_ports(sw, br, ports);
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_string(ports[i]->name));
	free(ports);
	return a;
}

static json_t *port_json(const struct vs_port *port)
{
	json_t *p = json_object(), *opts = json_object();
	char state[32], macs[VS_MAC_STRLEN];
	uint64_t mac;
	int mtu;

	json_object_set_new(p, "name", json_string(port->name));
	json_object_set_new(p, "type", json_string(port->ops->type));
	json_object_set_new(p, "ifindex", json_integer(vs_netdev_ifindex(port->name)));
	for (uint16_t i = 0; i < port->n_opts; i++)
		json_object_set_new(opts, port->opt_key[i], json_string(port->opt_val[i]));
	json_object_set_new(p, "options", opts);
	if (vs_netdev_mac(port->name, &mac) == 0) {
		vs_mac_format(mac, macs);
		json_object_set_new(p, "mac", json_string(macs));
	}
	if (vs_netdev_mtu(port->name, &mtu) == 0)
		json_object_set_new(p, "mtu", json_integer(mtu));
	vs_netdev_operstate(port->name, state, sizeof(state));
	json_object_set_new(p, "link", json_string(state));
	driver_info((struct vs_port *)port, port->ops->show_info, p);
	if (port->ops == &vs_vxlan_ops)
		vs_vxlan_query_port(port, p);
	return p;
}

// The DPDK environment: state, EAL arguments, version.
static json_t *dpdk_json(void)
{
	json_t *d = json_object();

	json_object_set_new(d, "state", json_string(vs_dpdk_state_name(vs_dpdk_state())));
	if (vs_dpdk_eal_args()[0])
		json_object_set_new(d, "eal-args", json_string(vs_dpdk_eal_args()));
	if (vs_dpdk_error()[0])
		json_object_set_new(d, "error", json_string(vs_dpdk_error()));
	if (vs_dpdk_version()[0])
		json_object_set_new(d, "version", json_string(vs_dpdk_version()));
	return d;
}

json_t *vs_query_dpdk_pools(void)
{
	struct vs_dpdk_pool_info pools[32];
	unsigned n = vs_dpdk_pools(pools, 32);
	json_t *a = json_array();

	for (unsigned i = 0; i < n && i < 32; i++)
		json_array_append_new(a, json_pack("{s:s,s:i,s:I,s:I,s:I,s:I}", "name",
						   pools[i].name, "numa", pools[i].socket, "size",
						   (json_int_t)pools[i].size, "in-use",
						   (json_int_t)pools[i].in_use, "data-room",
						   (json_int_t)pools[i].data_room, "ports",
						   (json_int_t)pools[i].ports));
	return a;
}

void vs_query_show(struct vs_switch *sw, json_t *res)
{
	const struct vs_bridge *brs[VS_MAX_BRIDGES];
	const struct vs_port *ports[VS_MAX_PORTS];
	unsigned nb = sorted_bridges(sw, brs);
	json_t *pmds = json_array(), *bridges = json_array();

	json_object_set_new(res, "version", json_string(VS_VERSION));
	for (unsigned i = 0; i < sw->n_pmds; i++)
		json_array_append_new(pmds, json_pack("{s:i,s:i,s:s}", "id", sw->pmds[i]->id, "cpu",
						      sw->pmds[i]->cpu, "idle",
						      sw->pmds[i]->idle_us ? "adaptive" : "busy"));
	json_object_set_new(res, "pmd", pmds);
	for (unsigned b = 0; b < nb; b++) {
		const struct vs_bridge *br = brs[b];
		unsigned np = sorted_ports(sw, br, ports);
		json_t *jp = json_array(), *jb;

		for (unsigned i = 0; i < np; i++) {
			json_t *pj = port_json(ports[i]);

			if (br->mv != NULL)
				vs_macvlan_query_port(br, ports[i]->id, pj);
			if (vs_fastpath_port_role(sw, ports[i]->id) != NULL)
				json_object_set_new(
					pj, "fastpath",
					json_string(vs_fastpath_port_role(sw, ports[i]->id)));
			json_array_append_new(jp, pj);
		}
		jb = json_pack("{s:s,s:s,s:I,s:I,s:I,s:o}", "name", br->name, "type", "learning",
			       "mac-aging", (json_int_t)br->mac_aging, "mac-table-size",
			       (json_int_t)br->mac_table_size, "mac-count",
			       (json_int_t)__atomic_load_n(&br->fdb->count, __ATOMIC_RELAXED),
			       "ports", jp);
		if (br->mv != NULL)
			vs_macvlan_query_bridge(sw, br, jb);
		if (br->fp != NULL)
			json_object_set_new(jb, "fastpath", json_string(vs_fastpath_mode(br)));
		if (vs_fastpath_inactive_reason(sw, br)[0])
			json_object_set_new(jb, "fastpath-inactive",
					    json_string(vs_fastpath_inactive_reason(sw, br)));
		json_array_append_new(bridges, jb);
	}
	json_object_set_new(res, "bridges", bridges);
	json_object_set_new(res, "dpdk", dpdk_json());
}

static const struct vs_switch *sort_sw; // qsort has no context argument

static int cmp_entry(const void *a, const void *b)
{
	const struct vs_fdb_entry *x = a, *y = b;
	int c = strcmp(sort_sw->ports[x->port]->name, sort_sw->ports[y->port]->name);

	if (c != 0)
		return c;
	return x->mac < y->mac ? -1 : x->mac > y->mac;
}

int vs_query_fdb(struct vs_switch *sw, struct vs_bridge *br, json_t *res)
{
	uint32_t n = br->fdb->count, now = vs_now_s();
	struct vs_fdb_entry *ents = calloc(n + 1, sizeof(*ents));
	json_t *a = json_array();

	if (br->mv != NULL || ents == NULL) {
		free(ents);
		json_decref(a);
		return br->mv != NULL ? vs_macvlan_query_fdb(sw, br, res) : -ENOMEM;
	}
	vs_fastpath_refresh_seen(sw, br, now, true); // ages of MACs only XDP forwards
	n = vs_fdb_dump(br->fdb, ents, n);
	sort_sw = sw;
	qsort(ents, n, sizeof(*ents), cmp_entry);
	for (uint32_t i = 0; i < n; i++) {
		char mac[VS_MAC_STRLEN];
		uint32_t age = ents[i].is_static || ents[i].seen > now ? 0 : now - ents[i].seen;

		json_t *ent;

		vs_mac_format(ents[i].mac, mac);
		ent = json_pack("{s:s,s:s,s:s,s:I}", "mac", mac, "port",
				sw->ports[ents[i].port]->name, "type",
				ents[i].is_static ? "static" : "dynamic", "age", (json_int_t)age);
		if (ents[i].vtep != 0) {
			char ip[16];

			snprintf(ip, sizeof(ip), "%u.%u.%u.%u", ents[i].vtep >> 24,
				 (ents[i].vtep >> 16) & 0xff, (ents[i].vtep >> 8) & 0xff,
				 ents[i].vtep & 0xff);
			json_object_set_new(ent, "vtep", json_string(ip));
		}
		json_array_append_new(a, ent);
	}
	free(ents);
	json_object_set_new(res, "bridge", json_string(br->name));
	json_object_set_new(res, "count", json_integer(n));
	json_object_set_new(res, "limit", json_integer(br->fdb->limit));
	json_object_set_new(res, "learn-table-full", json_integer((json_int_t)br->fdb->learn_full));
	json_object_set_new(res, "entries", a);
	return 0;
}

static json_t *stats_json(struct vs_switch *sw, uint16_t id)
{
	struct vs_port *port = sw->ports[id];
	struct vs_port_counters c;
	json_t *drops = json_object();
	struct vs_fp_ctrs fpc;
	uint64_t total = 0;
	json_t *o;

	vs_port_counters_sum(port, &c);
	// Frames the XDP fast path forwarded count as the port's too (cp/fastpath.h).
	vs_fastpath_port_ctrs(sw, id, &fpc);
	c.rx_packets += fpc.rx_packets;
	c.rx_bytes += fpc.rx_bytes;
	c.tx_packets += fpc.tx_packets;
	c.tx_bytes += fpc.tx_bytes;
	for (int d = 1; d < VS_DROP_MAX; d++) {
		json_object_set_new(drops, vs_drop_names[d], json_integer((json_int_t)c.drops[d]));
		total += c.drops[d];
	}
	o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:I}", "name", port->name, "bridge",
			 sw->bridges[sw->port_bridge[id]]->name, "rx-packets",
			 (json_int_t)c.rx_packets, "rx-bytes", (json_int_t)c.rx_bytes, "tx-packets",
			 (json_int_t)c.tx_packets, "tx-bytes", (json_int_t)c.tx_bytes,
			 "rx-csum-completed", (json_int_t)c.rx_csum_completed, "drops", drops,
			 "dropped", (json_int_t)total);
	if (vs_fastpath_port_role(sw, id) != NULL || fpc.rx_packets || fpc.tx_packets)
		json_object_set_new(o, "fastpath",
				    json_pack("{s:I,s:I,s:I,s:I,s:I}", "rx-packets",
					      (json_int_t)fpc.rx_packets, "rx-bytes",
					      (json_int_t)fpc.rx_bytes, "tx-packets",
					      (json_int_t)fpc.tx_packets, "tx-bytes",
					      (json_int_t)fpc.tx_bytes, "csum-completed",
					      (json_int_t)fpc.rx_csum));
	if (port->ops->stats_info != NULL) {
		json_t *dev = json_object();

		driver_info(port, port->ops->stats_info, dev);
		json_object_set_new(o, "device", dev);
	}
	return o;
}

static int cmp_port_id(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	return strcmp(sort_sw->ports[*x]->name, sort_sw->ports[*y]->name);
}

json_t *vs_query_port_stats(struct vs_switch *sw, const char *name)
{
	uint16_t ids[VS_MAX_PORTS];
	json_t *a = json_array();
	unsigned n = 0;

	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (sw->ports[i] != NULL && (name == NULL || strcmp(sw->ports[i]->name, name) == 0))
			ids[n++] = (uint16_t)i;
	sort_sw = sw;
	qsort(ids, n, sizeof(ids[0]), cmp_port_id);
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, stats_json(sw, ids[i]));
	vs_vxlan_query_underlay_stats(a, name);
	return a;
}

json_t *vs_query_pmd_stats(struct vs_switch *sw)
{
	const struct vs_conf *conf = vs_conf_current(); // the control thread owns it
	json_t *a = json_array();

	for (unsigned p = 0; p < sw->n_pmds; p++) {
		const struct vs_pmd *pmd = sw->pmds[p];
		uint64_t pkts = vs_ctr_read(&pmd->stats.rx_packets);
		uint64_t bursts = vs_ctr_read(&pmd->stats.rx_bursts);
		uint64_t busy = vs_ctr_read(&pmd->stats.cycles_busy);
		uint64_t idle = vs_ctr_read(&pmd->stats.cycles_idle);
		json_t *rxqs = json_array(), *o;

		for (uint16_t i = 0; conf != NULL && i < conf->pmd[p].n_rxq; i++)
			json_array_append_new(rxqs, json_pack("{s:s,s:i,s:i}", "port",
							      conf->pmd[p].rxq[i].port->name,
							      "queue", conf->pmd[p].rxq[i].qid,
							      "numa",
							      conf->pmd[p].rxq[i].port->numa_node));
		o = json_pack("{s:i,s:i,s:I,s:I,s:I,s:f,s:I,s:I,s:f,s:f,s:o}", "id", pmd->id, "cpu",
			      pmd->cpu, "loops", (json_int_t)vs_ctr_read(&pmd->stats.loops),
			      "rx-packets", (json_int_t)pkts, "rx-bursts", (json_int_t)bursts,
			      "avg-burst", bursts ? (double)pkts / (double)bursts : 0.0,
			      "busy-cycles", (json_int_t)busy, "idle-cycles", (json_int_t)idle,
			      "cycles-per-packet", pkts ? (double)busy / (double)pkts : 0.0,
			      "busy-percent",
			      busy + idle ? 100.0 * (double)busy / (double)(busy + idle) : 0.0,
			      "rxqs", rxqs);
		json_object_set_new(o, "idle", json_string(pmd->idle_us ? "adaptive" : "busy"));
		json_object_set_new(o, "sleeps",
				    json_integer((json_int_t)vs_ctr_read(&pmd->stats.sleeps)));
		json_object_set_new(o, "numa", json_integer(pmd->numa_node));
		json_array_append_new(a, o);
	}
	return a;
}
