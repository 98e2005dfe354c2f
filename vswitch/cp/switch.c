// SPDX-License-Identifier: Apache-2.0
#include "switch.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../dp/rcu.h"
#include "fastpath.h"
#include "macvlan.h"
#include "service.h"
#include "vxlan.h"

VS_LOG_MODULE("switch");

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

void vs_switch_init(struct vs_switch *sw)
{
	memset(sw, 0, sizeof(*sw));
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		sw->port_bridge[i] = VS_PORT_NONE;
}

bool vs_switch_valid_name(const char *name)
{
	return vs_switch_valid_name_max(name, VS_NAME_MAX);
}

bool vs_switch_valid_name_max(const char *name, size_t max)
{
	size_t n = strlen(name);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

struct vs_bridge *vs_switch_bridge(struct vs_switch *sw, const char *name)
{
	for (unsigned i = 0; i < VS_MAX_BRIDGES; i++)
		if (sw->bridges[i] != NULL && strcmp(sw->bridges[i]->name, name) == 0)
			return sw->bridges[i];
	return NULL;
}

int vs_switch_port_id(const struct vs_switch *sw, const char *name)
{
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (sw->ports[i] != NULL && strcmp(sw->ports[i]->name, name) == 0)
			return (int)i;
	return -1;
}

// The PMD thread that port 'id''s pmd-rxq-affinity puts queue 'q' on, or -1 (round-robin).
static int pinned_pmd(const struct vs_switch *sw, unsigned id, uint16_t q)
{
	if (sw->rxq_cpu[id] == NULL || sw->rxq_cpu[id][q] < 0)
		return -1;
	for (unsigned p = 0; p < sw->n_pmds; p++)
		if (sw->pmds[p]->cpu == sw->rxq_cpu[id][q])
			return (int)p;
	VS_LOG_RL(WARN, "%s: queue %u is pinned to cpu %d, which runs no PMD thread; "
			"polling it round-robin", sw->ports[id]->name, q, sw->rxq_cpu[id][q]);
	return -1;
}

// Parses pmd-rxq-affinity "QUEUE:CPU[,QUEUE:CPU...]" into a per-queue array of CPUs.
static int parse_affinity(const char *s, int16_t **out, char *err, size_t errlen)
{
	int16_t *cpu = malloc(VS_MAX_TXQ * sizeof(*cpu));
	const char *p = s;

	if (cpu == NULL)
		return ERR(ENOMEM, "out of memory");
	for (unsigned q = 0; q < VS_MAX_TXQ; q++)
		cpu[q] = -1;
	while (*p) {
		char *end;
		long q = strtol(p, &end, 10), c;

		if (end == p || *end != ':' || q < 0 || q >= VS_MAX_TXQ)
			goto bad;
		p = end + 1;
		c = strtol(p, &end, 10);
		if (end == p || c < 0 || c >= CPU_SETSIZE || (*end != ',' && *end != '\0'))
			goto bad;
		cpu[q] = (int16_t)c;
		p = *end == ',' ? end + 1 : end;
	}
	*out = cpu;
	return 0;
bad:
	free(cpu);
	return ERR(EINVAL, "invalid pmd-rxq-affinity '%s' (expected QUEUE:CPU[,QUEUE:CPU...])", s);
}

// The 'n'th PMD thread (round-robin) on the NUMA node of 'port', or -1 if the node is
// unknown or runs no PMD thread: a queue is best polled from the device's own node.
static int local_pmd(const struct vs_switch *sw, const struct vs_port *port, unsigned n)
{
	unsigned local[VS_MAX_PMDS], n_local = 0;

	if (port->numa_node < 0)
		return -1;
	for (unsigned p = 0; p < sw->n_pmds; p++)
		if (sw->pmds[p]->numa_node == port->numa_node)
			local[n_local++] = p;
	return n_local ? (int)local[n % n_local] : -1;
}

// Builds the snapshot of the current model.
static struct vs_conf *build(struct vs_switch *sw)
{
	struct vs_conf *conf = calloc(1, sizeof(*conf));
	unsigned rr = 0;

	if (conf == NULL)
		return NULL;
	conf->gen = sw->gen + 1;
	conf->n_pmds = sw->n_pmds;
	conf->bridges = calloc(VS_MAX_BRIDGES, sizeof(*conf->bridges));
	if (conf->bridges == NULL)
		goto err;
	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++) {
		const struct vs_bridge *br = sw->bridges[b];
		struct vs_dp_bridge *dp;

		if (br == NULL)
			continue;
		dp = malloc(sizeof(*dp) + br->n_ports * sizeof(dp->ports[0]));
		if (dp == NULL)
			goto err;
		conf->bridges[conf->n_bridges++] = dp;
		dp->id = br->id;
		dp->fdb = br->fdb;
		dp->svc = vs_services_dp(br->services);
		conf->any_svc |= dp->svc != NULL;
		dp->n_ports = br->n_ports;
		dp->type = VS_BRIDGE_LEARNING;
		dp->mv = NULL;
		if (br->mv != NULL) {
			dp->type = VS_BRIDGE_MACVLAN;
			dp->mv = vs_macvlan_build(sw, br);
			if (dp->mv == NULL)
				goto err;
		}
		memcpy(dp->ports, br->ports, br->n_ports * sizeof(dp->ports[0]));
		for (uint16_t p = 0; p < br->n_ports; p++) {
			conf->ports[br->ports[p]] = sw->ports[br->ports[p]];
			conf->bridge_of[br->ports[p]] = dp;
		}
	}
	for (unsigned p = 0; p < sw->n_pmds; p++) {
		conf->pmd[p].rxq = calloc(VS_MAX_PORTS, sizeof(*conf->pmd[p].rxq));
		conf->pmd[p].txport = calloc(VS_MAX_PORTS, sizeof(*conf->pmd[p].txport));
		if (conf->pmd[p].rxq == NULL || conf->pmd[p].txport == NULL)
			goto err;
	}
	// Rx queues go round-robin to PMD threads; every thread may transmit on every port.
	for (unsigned i = 0; i < VS_MAX_PORTS && sw->n_pmds > 0; i++) {
		struct vs_port *port = conf->ports[i];

		if (port == NULL)
			continue;
		for (uint16_t q = 0; q < port->n_rxq; q++) {
			int p = pinned_pmd(sw, i, q);
			struct vs_pmd_conf *pc;

			if (p < 0)
				p = local_pmd(sw, port, rr++);
			pc = &conf->pmd[p >= 0 ? (unsigned)p : (rr - 1) % sw->n_pmds];

			if (pc->n_rxq < VS_MAX_PORTS)
				pc->rxq[pc->n_rxq++] = (struct vs_rxq){.port = port, .qid = q};
		}
		for (unsigned p = 0; p < sw->n_pmds; p++)
			conf->pmd[p].txport[conf->pmd[p].n_txport++] = port;
		conf->tx_shared[i] = sw->n_pmds > port->n_txq;
	}
	if (vs_vxlan_conf_build(sw, conf, &rr) < 0)
		goto err;
	return conf;
err:
	vs_conf_free(conf);
	return NULL;
}

static bool polls(const struct vs_pmd_conf *pc, const struct vs_rxq *rxq)
{
	for (uint16_t i = 0; i < pc->n_rxq; i++)
		if (pc->rxq[i].port == rxq->port && pc->rxq[i].qid == rxq->qid)
			return true;
	return false;
}

// An rx queue must never be polled by two PMD threads at once. When a queue moves from one
// thread to another, first publish 'next' with the moved queues polled by nobody, and wait
// for the old owner to let go: returns true if 'next' was changed for that.
static bool hold_moved_queues(const struct vs_conf *cur, struct vs_conf *next)
{
	bool held = false;

	if (cur == NULL)
		return false;
	for (unsigned p = 0; p < next->n_pmds; p++) {
		struct vs_pmd_conf *pc = &next->pmd[p];
		uint16_t k = 0;

		for (uint16_t i = 0; i < pc->n_rxq; i++) {
			bool polled_elsewhere = false;

			for (unsigned o = 0; o < cur->n_pmds && !polled_elsewhere; o++)
				polled_elsewhere = o != p && polls(&cur->pmd[o], &pc->rxq[i]);
			if (polled_elsewhere)
				held = true;
			else
				pc->rxq[k++] = pc->rxq[i];
		}
		pc->n_rxq = k;
	}
	return held;
}

int vs_switch_publish(struct vs_switch *sw)
{
	struct vs_conf *conf = build(sw), *old;

	if (conf == NULL) {
		VS_LOG(ERR, "cannot build configuration snapshot: out of memory");
		return -ENOMEM;
	}
	if (hold_moved_queues(vs_conf_current(), conf)) {
		old = vs_conf_publish(conf);
		vs_rcu_synchronize();
		vs_conf_free(old);
		conf = build(sw);
		if (conf == NULL) {
			VS_LOG(ERR, "cannot build configuration snapshot: out of memory");
			return -ENOMEM;
		}
	}
	old = vs_conf_publish(conf);
	sw->gen = conf->gen;
	vs_rcu_synchronize();
	vs_conf_free(old);
	vs_fastpath_sync(sw, true); // the XDP fast path follows configuration changes at once
	return 0;
}

// Applies learning requests; entries for ports or bridges that are gone are ignored.
static void drain_learn(struct vs_switch *sw)
{
	uint32_t now = vs_now_s();

	for (unsigned p = 0; p < sw->n_pmds; p++) {
		struct vs_learn_ev ev;

		while (vs_learn_pop(sw->pmds[p]->learn, &ev)) {
			struct vs_bridge *br;
			int ret;

			if (ev.bridge >= VS_MAX_BRIDGES || ev.port >= VS_MAX_PORTS ||
			    sw->port_bridge[ev.port] != ev.bridge)
				continue;
			br = sw->bridges[ev.bridge];
			if (br->mv != NULL) { // a macvlan child's first frame: its MAC
				vs_macvlan_learn(sw, br, ev.port, ev.mac);
				continue;
			}
			ret = vs_fdb_learn_vtep(br->fdb, ev.mac, ev.port, ev.vtep, now);
			if (ret == -ENOSPC) {
				br->fdb->learn_full++;
				VS_LOG_RL(WARN, "%s: MAC table full (%u entries), not learning more",
					  br->name, br->fdb->limit);
			}
		}
	}
}

// Swaps in a rebuilt MAC table for 'limit' entries and frees the old one after a grace period.
static int fdb_rebuild(struct vs_fdb *fdb, uint32_t limit)
{
	struct vs_fdb_table *old = vs_fdb_rebuild(fdb, limit);

	if (old == NULL)
		return -errno;
	vs_rcu_synchronize();
	vs_fdb_table_free(old);
	return 0;
}

void vs_switch_housekeeping(struct vs_switch *sw)
{
	uint32_t now;

	drain_learn(sw);
	vs_macvlan_housekeeping(sw);
	vs_vxlan_housekeeping(sw);
	vs_fastpath_sync(sw, false);
	now = vs_now_s();
	if (now == sw->last_age_s)
		return;
	sw->last_age_s = now;
	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++) {
		struct vs_bridge *br = sw->bridges[b];

		if (br == NULL)
			continue;
		vs_fastpath_refresh_seen(sw, br, now, false);
		vs_fdb_age(br->fdb, now, br->mac_aging);
		vs_services_housekeeping(sw, br->services, now);
		if (vs_fdb_needs_rebuild(br->fdb))
			fdb_rebuild(br->fdb, br->fdb->limit);
	}
}

static int check_bridge_opts(const struct vs_bridge_opts *o, char *err, size_t errlen)
{
	if (o->mac_aging && (o->mac_aging < VS_MIN_MAC_AGING || o->mac_aging > VS_MAX_MAC_AGING))
		return ERR(EINVAL, "mac-aging must be between %u and %u seconds", VS_MIN_MAC_AGING,
			   VS_MAX_MAC_AGING);
	if (o->mac_table_size && (o->mac_table_size < VS_MIN_MAC_TABLE_SIZE ||
				  o->mac_table_size > VS_MAX_MAC_TABLE_SIZE))
		return ERR(EINVAL, "mac-table-size must be between %u and %u",
			   VS_MIN_MAC_TABLE_SIZE, VS_MAX_MAC_TABLE_SIZE);
	return vs_services_check_opts(o, err, errlen);
}

int vs_switch_add_bridge(struct vs_switch *sw, const char *name, const struct vs_bridge_opts *o,
			 char *err, size_t errlen)
{
	struct vs_bridge *br;
	unsigned id;
	int ret;

	if (!vs_switch_valid_name(name))
		return ERR(EINVAL, "invalid bridge name '%s' (1-%d characters of A-Z a-z 0-9 _ . -)",
			   name, VS_NAME_MAX);
	if (vs_switch_bridge(sw, name) != NULL)
		return ERR(EEXIST, "bridge %s already exists", name);
	ret = check_bridge_opts(o, err, errlen);
	if (ret < 0)
		return ret;
	for (id = 0; id < VS_MAX_BRIDGES && sw->bridges[id] != NULL; id++)
		;
	if (id == VS_MAX_BRIDGES)
		return ERR(ENOSPC, "too many bridges (at most %d)", VS_MAX_BRIDGES);
	br = calloc(1, sizeof(*br));
	if (br == NULL)
		return ERR(ENOMEM, "out of memory");
	snprintf(br->name, sizeof(br->name), "%s", name);
	br->id = (uint16_t)id;
	br->mac_aging = o->mac_aging ? o->mac_aging : VS_DEFAULT_MAC_AGING;
	br->mac_table_size = o->mac_table_size ? o->mac_table_size : VS_DEFAULT_MAC_TABLE_SIZE;
	br->fdb = vs_fdb_create(br->mac_table_size);
	br->ports = calloc(VS_MAX_PORTS, sizeof(*br->ports));
	br->services = vs_services_create();
	if (br->fdb == NULL || br->ports == NULL || br->services == NULL ||
	    vs_services_set_opts(br->services, o, err, errlen) < 0) {
		vs_services_destroy(br->services);
		vs_fdb_destroy(br->fdb);
		free(br->ports);
		free(br);
		return ERR(ENOMEM, "out of memory");
	}
	sw->bridges[id] = br;
	ret = vs_switch_publish(sw);
	if (ret == 0 && o->fastpath == VS_FASTPATH_XDP) {
		ret = vs_fastpath_set(sw, br, true, err, errlen);
		if (ret < 0) {
			sw->bridges[id] = NULL;
			vs_switch_publish(sw);
			vs_services_destroy(br->services);
			vs_fdb_destroy(br->fdb);
			free(br->ports);
			free(br);
			return ret;
		}
	}
	if (ret < 0) {
		sw->bridges[id] = NULL;
		vs_services_destroy(br->services);
		vs_fdb_destroy(br->fdb);
		free(br->ports);
		free(br);
		return ERR(-ret, "cannot publish configuration: %s", strerror(-ret));
	}
	VS_LOG(INFO, "added bridge %s (mac-aging %u, mac-table-size %u)", name, br->mac_aging,
	       br->mac_table_size);
	return 0;
}

int vs_switch_set_bridge(struct vs_switch *sw, const char *name, const struct vs_bridge_opts *o,
			 char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, name);
	int ret;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", name);
	ret = check_bridge_opts(o, err, errlen);
	if (ret < 0)
		return ret;
	if (o->mac_table_size && o->mac_table_size != br->mac_table_size) {
		if (o->mac_table_size < br->fdb->count)
			return ERR(EINVAL,
				   "mac-table-size %u is smaller than the %u entries in the MAC table "
				   "of %s (flush it first)",
				   o->mac_table_size, br->fdb->count, name);
		ret = fdb_rebuild(br->fdb, o->mac_table_size);
		if (ret < 0)
			return ERR(-ret, "cannot resize the MAC table of %s: %s", name,
				   strerror(-ret));
		br->mac_table_size = o->mac_table_size;
	}
	if (o->mac_aging)
		br->mac_aging = o->mac_aging;
	ret = vs_services_set_opts(br->services, o, err, errlen);
	if (ret < 0)
		return ret;
	if (o->fastpath) {
		ret = vs_fastpath_set(sw, br, o->fastpath == VS_FASTPATH_XDP, err, errlen);
		if (ret < 0)
			return ret;
	}
	VS_LOG(INFO, "bridge %s: mac-aging %u, mac-table-size %u", name, br->mac_aging,
	       br->mac_table_size);
	return 0;
}

// Removes port 'id' from its bridge and closes it (see the sequence in the body).
static void remove_port(struct vs_switch *sw, uint16_t id)
{
	struct vs_bridge *br = sw->bridges[sw->port_bridge[id]];
	struct vs_port *port = sw->ports[id];

	// 0. No XDP program may forward to or from it any more (cp/fastpath.h).
	vs_fastpath_port_removing(sw, id);
	for (uint16_t i = 0; i < br->n_ports; i++) {
		if (br->ports[i] == id) {
			memmove(&br->ports[i], &br->ports[i + 1],
				(size_t)(br->n_ports - i - 1) * sizeof(br->ports[0]));
			br->n_ports--;
			break;
		}
	}
	sw->ports[id] = NULL;
	sw->port_bridge[id] = VS_PORT_NONE;
	free(sw->rxq_cpu[id]);
	sw->rxq_cpu[id] = NULL;
	// 1. Publish a snapshot without the port and wait until no PMD thread uses the old one.
	if (vs_switch_publish(sw) < 0)
		VS_LOG(ERR, "%s: cannot publish; waiting for PMD threads anyway", port->name);
	vs_rcu_synchronize();
	// 2. Learning requests queued before that are for a port that is gone: drop them.
	drain_learn(sw);
	// 3. Forget its MAC entries, then release the device.
	vs_fdb_flush(br->fdb, id, true);
	VS_LOG(INFO, "removed port %s from %s", port->name, br->name);
	vs_port_close(port);
}

int vs_switch_del_bridge(struct vs_switch *sw, const char *name, char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, name);

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", name);
	while (br->n_ports > 0)
		remove_port(sw, br->ports[br->n_ports - 1]);
	vs_fastpath_bridge_free(sw, br);
	sw->bridges[br->id] = NULL;
	vs_switch_publish(sw);
	vs_services_destroy(br->services);
	vs_fdb_destroy(br->fdb);
	vs_macvlan_free(br->mv);
	free(br->ports);
	VS_LOG(INFO, "deleted bridge %s", name);
	free(br);
	return 0;
}

int vs_switch_add_port(struct vs_switch *sw, const char *bridge, const char *name, const char *type,
		       const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);
	struct vs_opt dopts[VS_MAX_PORT_OPTS];
	int16_t *affinity = NULL;
	struct vs_port *port;
	int existing, ret;
	unsigned id;
	size_t nd = 0;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	if (br->mv != NULL && !br->mv->in_add) // a macvlan child: takes its mac= option
		return vs_macvlan_add_port(sw, br, name, type, opts, n_opts, err, errlen);
	if (strlen(name) == 0 || strlen(name) > VS_NAME_MAX || strchr(name, '/') != NULL)
		return ERR(EINVAL, "invalid port name '%s'", name);
	existing = vs_switch_port_id(sw, name);
	if (existing >= 0)
		return ERR(EEXIST, "port %s is already on %s", name,
			   sw->bridges[sw->port_bridge[existing]]->name);
	for (id = 0; id < VS_MAX_PORTS && sw->ports[id] != NULL; id++)
		;
	if (id == VS_MAX_PORTS)
		return ERR(ENOSPC, "too many ports (at most %d)", VS_MAX_PORTS);
	// pmd-rxq-affinity is the switch's option, not the driver's.
	for (size_t i = 0; i < n_opts && nd < VS_MAX_PORT_OPTS; i++) {
		if (strcmp(opts[i].key, "pmd-rxq-affinity") != 0) {
			dopts[nd++] = opts[i];
			continue;
		}
		free(affinity);
		affinity = NULL;
		ret = parse_affinity(opts[i].val, &affinity, err, errlen);
		if (ret < 0)
			return ret;
	}
	port = vs_port_open(type, name, dopts, nd, err, errlen);
	if (port == NULL) {
		ret = errno;
		free(affinity);
		return ret == EINVAL || ret == ENODEV || ret == EBUSY || ret == ENOMEM ||
				       ret == EEXIST || ret == ENOSPC
			       ? -ret
			       : -EIO;
	}
	sw->rxq_cpu[id] = affinity;
	if (affinity != NULL) {
		char buf[64] = "";
		size_t len = 0;

		for (uint16_t q = 0; q < port->n_rxq && len < sizeof(buf); q++)
			if (affinity[q] >= 0)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u:%d",
							len ? "," : "", q, affinity[q]);
		if (len)
			vs_port_set_opt(port, "pmd-rxq-affinity", "%s", buf);
	}
	port->id = (uint16_t)id;
	sw->ports[id] = port;
	sw->port_bridge[id] = br->id;
	br->ports[br->n_ports++] = (uint16_t)id;
	ret = vs_switch_publish(sw);
	if (ret < 0) {
		br->n_ports--;
		sw->ports[id] = NULL;
		sw->port_bridge[id] = VS_PORT_NONE;
		free(sw->rxq_cpu[id]);
		sw->rxq_cpu[id] = NULL;
		vs_port_close(port);
		return ERR(-ret, "cannot publish configuration: %s", strerror(-ret));
	}
	VS_LOG(INFO, "added %s port %s to %s", type, name, bridge);
	return 0;
}

int vs_switch_del_port(struct vs_switch *sw, const char *bridge, const char *name, char *err,
		       size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);
	int id;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	id = vs_switch_port_id(sw, name);
	if (id < 0 || sw->port_bridge[id] != br->id)
		return ERR(ENOENT, "port %s is not on %s", name, bridge);
	if (br->mv != NULL && vs_macvlan_check_del_port(sw, br, (uint16_t)id, err, errlen) < 0)
		return -EINVAL;
	remove_port(sw, (uint16_t)id);
	if (br->mv != NULL)
		vs_macvlan_port_removed(br, (uint16_t)id);
	return 0;
}

static int parse_unicast(const char *mac, uint64_t *out, char *err, size_t errlen)
{
	if (vs_mac_parse(mac, out) < 0)
		return ERR(EINVAL, "invalid MAC address: %s", mac);
	if (*out == 0 || vs_mac_is_multicast(*out))
		return ERR(EINVAL, "MAC address %s is not a unicast address", mac);
	return 0;
}

int vs_switch_fdb_add(struct vs_switch *sw, const char *bridge, const char *mac, const char *port,
		      char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);
	uint64_t m;
	int id, ret;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	if (br->mv != NULL)
		return vs_macvlan_no_fdb(br, err, errlen);
	ret = parse_unicast(mac, &m, err, errlen);
	if (ret < 0)
		return ret;
	id = vs_switch_port_id(sw, port);
	if (id < 0 || sw->port_bridge[id] != br->id)
		return ERR(ENOENT, "port %s is not on %s", port, bridge);
	if (vs_fdb_add_static(br->fdb, m, (uint16_t)id) < 0)
		return ERR(ENOSPC, "MAC table of %s is full (%u entries)", bridge, br->fdb->limit);
	return 0;
}

int vs_switch_fdb_del(struct vs_switch *sw, const char *bridge, const char *mac, char *err,
		      size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);
	uint64_t m;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	if (br->mv != NULL)
		return vs_macvlan_no_fdb(br, err, errlen);
	if (vs_mac_parse(mac, &m) < 0)
		return ERR(EINVAL, "invalid MAC address: %s", mac);
	if (vs_fdb_del(br->fdb, m) < 0)
		return ERR(ENOENT, "MAC %s is not in the MAC table of %s", mac, bridge);
	return 0;
}

int vs_switch_fdb_flush(struct vs_switch *sw, const char *bridge, char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	if (br->mv != NULL)
		return vs_macvlan_no_fdb(br, err, errlen);
	return (int)vs_fdb_flush(br->fdb, VS_FDB_PORT_ANY, false);
}

void vs_switch_clear(struct vs_switch *sw)
{
	char err[256];

	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++)
		if (sw->bridges[b] != NULL)
			vs_switch_del_bridge(sw, sw->bridges[b]->name, err, sizeof(err));
}

int vs_cpu_list_parse(const char *s, int *cpus, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *tok;
	cpu_set_t allowed;
	int n = 0;

	if (copy == NULL)
		return ERR(ENOMEM, "out of memory");
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		CPU_ZERO(&allowed);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long lo = strtol(tok, &end, 10), hi = lo;

		if (end == tok || lo < 0 || lo >= CPU_SETSIZE)
			goto bad;
		if (*end == '-') {
			char *e2;

			hi = strtol(end + 1, &e2, 10);
			if (e2 == end + 1 || *e2 || hi < lo || hi >= CPU_SETSIZE)
				goto bad;
		} else if (*end) {
			goto bad;
		}
		for (long c = lo; c <= hi; c++) {
			if (n == VS_MAX_PMDS) {
				free(copy);
				return ERR(EINVAL, "too many PMD CPUs (at most %d)", VS_MAX_PMDS);
			}
			if (!CPU_ISSET(c, &allowed)) {
				free(copy);
				return ERR(EINVAL, "CPU %ld is not available to vswitchd", c);
			}
			for (int j = 0; j < n; j++)
				if (cpus[j] == c) {
					free(copy);
					return ERR(EINVAL, "CPU %ld is listed twice", c);
				}
			cpus[n++] = (int)c;
		}
	}
	free(copy);
	if (n > 0)
		return n;
	return ERR(EINVAL, "invalid CPU list '%s' (e.g. 1, 0,2 or 0-3)", s);
bad:
	free(copy);
	return ERR(EINVAL, "invalid CPU list '%s' (e.g. 1, 0,2 or 0-3)", s);
}

void vs_switch_stop_pmds(struct vs_switch *sw)
{
	for (unsigned i = 0; i < VS_MAX_PMDS; i++)
		if (sw->pmds[i] != NULL)
			vs_pmd_stop(sw->pmds[i]);
	// Learning requests they queued still count.
	drain_learn(sw);
	for (unsigned i = 0; i < VS_MAX_PMDS; i++) {
		vs_pmd_destroy(sw->pmds[i]);
		sw->pmds[i] = NULL;
	}
	sw->n_pmds = 0;
}

int vs_switch_set_pmds(struct vs_switch *sw, const int *cpus, int n, char *err, size_t errlen)
{
	struct vs_pmd *next[VS_MAX_PMDS] = {0};
	int started = 0, ret = 0;

	// Allocate everything first: a failure here changes nothing.
	for (int i = 0; i < n; i++) {
		next[i] = vs_pmd_create((uint16_t)i, cpus[i]);
		if (next[i] == NULL) {
			while (i-- > 0)
				vs_pmd_destroy(next[i]);
			return ERR(ENOMEM, "out of memory");
		}
		next[i]->idle_us = sw->pmd_adaptive ? sw->pmd_idle_us : 0;
	}
	vs_switch_stop_pmds(sw);
	for (int i = 0; i < n; i++)
		sw->pmds[i] = next[i];
	sw->n_pmds = (uint16_t)n;
	// Reassign the rx queues before any new thread runs, then start them.
	vs_switch_publish(sw);
	for (int i = 0; i < n && ret == 0; i++) {
		ret = vs_pmd_start(sw->pmds[i]);
		if (ret == 0)
			started++;
	}
	if (ret < 0) {
		VS_LOG(ERR, "cannot start PMD thread on cpu %d: %s; running %d thread(s)",
		       cpus[started], strerror(-ret), started);
		for (int i = started; i < n; i++) {
			vs_pmd_destroy(sw->pmds[i]);
			sw->pmds[i] = NULL;
		}
		sw->n_pmds = (uint16_t)started;
		vs_switch_publish(sw);
		return ERR(-ret, "cannot start a PMD thread on cpu %d: %s", cpus[started],
			   strerror(-ret));
	}
	VS_LOG(INFO, "%d PMD thread(s), idle %s", n, sw->pmd_adaptive ? "adaptive" : "busy");
	return 0;
}
