// SPDX-License-Identifier: Apache-2.0
// The XDP fast path, control side: which bridges and ports take part, and the mirror of
// their MAC tables in the kernel (see fastpath.h).
#include "fastpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/log.h>

#include "../dp/fdb.h"
#include "service_int.h"
#include "switch.h"
#include "vxlan.h"

VS_LOG_MODULE("fastpath");

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))
#define SYNC_MS 10    // MAC table changes reach the kernel within this
#define PROBE_MS 1000 // how often the ports' facts (veth peer NAPI, MTU) are read again
#define DROPS_MS 50   // how often egress devices' tx_dropped is watched

struct vs_fp_bridge {
	bool active;	       // the mirror is live (the bridge has nothing that forbids it)
	struct vs_fdb *shadow; // what the kernel's MAC table holds for this bridge
	uint64_t last_probe_ms, last_drops_ms;
	int64_t tx_dropped[VS_MAX_PORTS];	  // of egress ports, at the last look
	struct vs_fp_port_state st[VS_MAX_PORTS]; // by port id, as last applied
	bool applied[VS_MAX_PORTS];		  // port_set() done with st[id]
	bool dirty[VS_MAX_PORTS];		  // st[id] changed: rewrite its entries
	bool synced;				  // the kernel holds the MAC table of 'gen'
	uint64_t gen;				  // vs_fdb.gen of the last complete sync
};

static const struct vs_fastpath_ops *ops;
static uint64_t last_sync_ms;

void vs_fastpath_set_ops(const struct vs_fastpath_ops *o)
{
	ops = o;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

// Why 'br' cannot use its fast path now, or NULL: every frame of such a bridge must be
// seen by userspace (macvlan demultiplexing, service VIPs, VXLAN encapsulation).
static const char *blocker(const struct vs_switch *sw, const struct vs_bridge *br)
{
	if (br->mv != NULL)
		return "macvlan bridge";
	if (br->services != NULL && br->services->n > 0)
		return "the bridge has services";
	for (uint16_t i = 0; i < br->n_ports; i++)
		if (sw->ports[br->ports[i]]->ops == &vs_vxlan_ops)
			return "the bridge has a vxlan port";
	return NULL;
}

// Takes every entry of 'br' out of the kernel table and switches its ports' programs off.
static void deactivate(struct vs_switch *sw, struct vs_bridge *br)
{
	struct vs_fp_bridge *fp = br->fp;
	struct vs_fdb_table *t = fp->shadow->tab;

	for (uint16_t i = 0; i < br->n_ports; i++) {
		uint16_t id = br->ports[i];

		if (fp->applied[id] && fp->st[id].capable)
			ops->port_set(sw->ports[id], br->id, false, false);
		fp->applied[id] = false;
		memset(&fp->st[id], 0, sizeof(fp->st[id]));
	}
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->slots[i].e != VS_FDB_EMPTY && t->slots[i].e != VS_FDB_TOMB)
			ops->fdb_del(br->id, t->slots[i].e >> 16);
	vs_fdb_flush(fp->shadow, VS_FDB_PORT_ANY, true);
	fp->active = false;
	fp->synced = false;
}

// Reads the facts of the ports of 'br' (all of them when the probe is due, else only new
// ones) and applies changes to their programs and the devmap.
static void probe_ports(struct vs_switch *sw, struct vs_bridge *br, uint64_t now)
{
	struct vs_fp_bridge *fp = br->fp;
	bool due = now - fp->last_probe_ms >= PROBE_MS;
	bool drops_due = now - fp->last_drops_ms >= DROPS_MS;

	if (due)
		fp->last_probe_ms = now;
	if (drops_due)
		fp->last_drops_ms = now;
	for (uint16_t i = 0; i < br->n_ports; i++) {
		uint16_t id = br->ports[i];
		struct vs_fp_port_state st;
		bool dropping = false;

		// A veth drops what XDP redirects to it once its peer lost NAPI (GRO switched
		// off, peer down) and counts it in tx_dropped: look again at once then, rather
		// than at the next periodic probe.
		if (fp->applied[id] && fp->st[id].egress && drops_due) {
			int64_t d = ops->tx_dropped(sw->ports[id]);

			dropping = d > fp->tx_dropped[id];
			fp->tx_dropped[id] = d;
		}
		if (fp->applied[id] && !due && !dropping)
			continue;
		ops->port_state(sw->ports[id], &st);
		if (fp->applied[id] && memcmp(&st, &fp->st[id], sizeof(st)) == 0)
			continue;
		if (st.capable && ops->port_set(sw->ports[id], br->id, true, st.egress) < 0) {
			VS_LOG_RL(WARN, "%s: cannot set up the XDP fast path of port %s", br->name,
				  sw->ports[id]->name);
			st.capable = st.egress = false;
		}
		if (fp->applied[id] && fp->st[id].egress != st.egress)
			VS_LOG(INFO, "%s: port %s %s a fast-path egress%s", br->name,
			       sw->ports[id]->name, st.egress ? "is now" : "is no longer",
			       st.egress ? ""
					 : " (its veth peer has no NAPI: GRO off or down; or the kernel "
					   "does not list it as an XDP redirect target)");
		fp->st[id] = st;
		fp->applied[id] = true;
		fp->dirty[id] = true;
		fp->tx_dropped[id] = st.egress ? ops->tx_dropped(sw->ports[id]) : -1;
	}
}

static bool mirrored(const struct vs_switch *sw, const struct vs_bridge *br, uint16_t port)
{
	return port < VS_MAX_PORTS && sw->port_bridge[port] == br->id && br->fp->applied[port] &&
	       br->fp->st[port].capable;
}

static void sync_bridge(struct vs_switch *sw, struct vs_bridge *br, uint64_t now)
{
	struct vs_fp_bridge *fp = br->fp;
	struct vs_fdb_table *t, *s;
	uint64_t gen;
	bool synced;

	if (blocker(sw, br) != NULL) {
		if (fp->active)
			deactivate(sw, br);
		return;
	}
	fp->active = true;
	probe_ports(sw, br, now);
	// Nothing to write when neither the MAC table nor a port's state changed since the
	// last sync that wrote everything: skip the walks over both tables.
	if (fp->synced && fp->gen == br->fdb->gen &&
	    memchr(fp->dirty, true, sizeof(fp->dirty)) == NULL)
		return;
	synced = true;
	gen = br->fdb->gen;
	if (fp->shadow->limit < br->fdb->limit)
		vs_fdb_table_free(vs_fdb_rebuild(fp->shadow, br->fdb->limit));
	// Entries added, moved, or whose port changed: write them.
	t = br->fdb->tab;
	for (uint32_t i = 0; i <= t->mask; i++) {
		uint64_t e = t->slots[i].e, mac = e >> 16;
		uint16_t port = (uint16_t)e, had = 0;
		int32_t slot;

		if (e == VS_FDB_EMPTY || e == VS_FDB_TOMB)
			continue;
		slot = vs_fdb_lookup(fp->shadow->tab, mac, &had);
		if (!mirrored(sw, br, port)) {
			if (slot >= 0) {
				if (ops->fdb_del(br->id, mac) == 0)
					vs_fdb_del(fp->shadow, mac);
				else
					synced = false;
			}
			continue;
		}
		if (slot >= 0 && had == port && !fp->dirty[port])
			continue;
		if (ops->fdb_put(br->id, mac, port, &fp->st[port]) < 0) {
			// Retried at the next sync; until then the frames go through userspace,
			// or (a move) to the old port, as userspace did before it learned the move.
			VS_LOG_RL(WARN, "%s: cannot write the XDP fast path MAC table (full?)",
				  br->name);
			synced = false;
			continue;
		}
		vs_fdb_learn(fp->shadow, mac, port, 0);
	}
	// Entries removed (aged, flushed, deleted): take them out.
	s = fp->shadow->tab;
	for (uint32_t i = 0; i <= s->mask; i++) {
		uint64_t e = s->slots[i].e;
		uint16_t port;

		if (e == VS_FDB_EMPTY || e == VS_FDB_TOMB)
			continue;
		if (vs_fdb_lookup(t, e >> 16, &port) >= 0)
			continue;
		if (ops->fdb_del(br->id, e >> 16) == 0)
			vs_fdb_del(fp->shadow, e >> 16);
		else
			synced = false;
	}
	if (vs_fdb_needs_rebuild(fp->shadow))
		vs_fdb_table_free(vs_fdb_rebuild(fp->shadow, fp->shadow->limit));
	memset(fp->dirty, 0, sizeof(fp->dirty));
	fp->synced = synced;
	fp->gen = gen;
}

void vs_fastpath_sync(struct vs_switch *sw, bool force)
{
	uint64_t now = now_ms();

	if (ops == NULL || (!force && now - last_sync_ms < SYNC_MS))
		return;
	last_sync_ms = now;
	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++)
		if (sw->bridges[b] != NULL && sw->bridges[b]->fp != NULL)
			sync_bridge(sw, sw->bridges[b], now);
}

int vs_fastpath_set(struct vs_switch *sw, struct vs_bridge *br, bool on, char *err, size_t errlen)
{
	struct vs_fp_bridge *fp;

	if (!on) {
		vs_fastpath_bridge_free(sw, br);
		return 0;
	}
	if (br->fp != NULL)
		return 0;
	if (ops == NULL)
		return ERR(EOPNOTSUPP, "fastpath=xdp is not available in this vswitchd");
	if (br->mv != NULL)
		return ERR(EINVAL, "fastpath=xdp is for learning bridges, not macvlan bridges");
	fp = calloc(1, sizeof(*fp));
	if (fp == NULL)
		return ERR(ENOMEM, "out of memory");
	fp->shadow = vs_fdb_create(br->fdb->limit);
	if (fp->shadow == NULL) {
		free(fp);
		return ERR(ENOMEM, "out of memory");
	}
	br->fp = fp;
	vs_fastpath_sync(sw, true);
	return 0;
}

void vs_fastpath_bridge_free(struct vs_switch *sw, struct vs_bridge *br)
{
	if (br->fp == NULL)
		return;
	deactivate(sw, br);
	vs_fdb_destroy(br->fp->shadow);
	free(br->fp);
	br->fp = NULL;
}

void vs_fastpath_port_removing(struct vs_switch *sw, uint16_t id)
{
	struct vs_bridge *br;
	struct vs_fp_bridge *fp;
	struct vs_fdb_table *s;

	if (ops == NULL || id >= VS_MAX_PORTS || sw->port_bridge[id] == VS_PORT_NONE)
		return;
	br = sw->bridges[sw->port_bridge[id]];
	fp = br->fp;
	if (fp != NULL) {
		if (fp->applied[id] && fp->st[id].capable)
			ops->port_set(sw->ports[id], br->id, false, false);
		fp->applied[id] = false;
		memset(&fp->st[id], 0, sizeof(fp->st[id]));
		s = fp->shadow->tab;
		for (uint32_t i = 0; i <= s->mask; i++) {
			uint64_t e = s->slots[i].e;

			if (e == VS_FDB_EMPTY || e == VS_FDB_TOMB || (uint16_t)e != id)
				continue;
			ops->fdb_del(br->id, e >> 16);
			vs_fdb_del(fp->shadow, e >> 16);
		}
	}
	ops->port_clear(id);
}

void vs_fastpath_refresh_seen(struct vs_switch *sw, struct vs_bridge *br, uint32_t now, bool all)
{
	struct vs_fdb_table *t;

	if (ops == NULL || br->fp == NULL || !br->fp->active)
		return;
	t = br->fdb->tab;
	for (uint32_t i = 0; i <= t->mask; i++) {
		uint64_t e = t->slots[i].e;
		uint32_t seen, idle_s, fresh;
		uint16_t port;
		int64_t idle;

		if (e == VS_FDB_EMPTY || e == VS_FDB_TOMB || (t->flags[i] & VS_FDB_F_STATIC))
			continue;
		port = (uint16_t)e;
		seen = __atomic_load_n(&t->slots[i].seen, __ATOMIC_RELAXED);
		if (!mirrored(sw, br, port) ||
		    (!all && !(now > seen && now - seen > br->mac_aging)))
			continue;
		idle = ops->fdb_idle_ns(br->id, e >> 16);
		if (idle < 0)
			continue;
		idle_s = (uint32_t)((uint64_t)idle / 1000000000ull);
		fresh = now > idle_s ? now - idle_s : 0;
		if (fresh > seen)
			vs_fdb_touch(t, i, fresh);
	}
}

const char *vs_fastpath_mode(const struct vs_bridge *br)
{
	return br->fp != NULL ? "xdp" : "off";
}

const char *vs_fastpath_inactive_reason(const struct vs_switch *sw, const struct vs_bridge *br)
{
	const char *why;

	if (br->fp == NULL)
		return "";
	why = blocker(sw, br);
	return why != NULL ? why : "";
}

const char *vs_fastpath_port_role(const struct vs_switch *sw, uint16_t id)
{
	const struct vs_bridge *br;

	if (id >= VS_MAX_PORTS || sw->port_bridge[id] == VS_PORT_NONE)
		return NULL;
	br = sw->bridges[sw->port_bridge[id]];
	if (br->fp == NULL)
		return NULL;
	if (!br->fp->active || !br->fp->applied[id] || !br->fp->st[id].capable)
		return "none (not an AF_XDP port of an active fast-path bridge)";
	if (!br->fp->st[id].egress)
		return "rx (not a tx target: not a veth whose peer has NAPI, i.e. is up with GRO "
		       "on, or the kernel does not list it as an XDP redirect target)";
	return "rx+tx";
}

void vs_fastpath_port_ctrs(const struct vs_switch *sw, uint16_t id, struct vs_fp_ctrs *out)
{
	(void)sw;
	memset(out, 0, sizeof(*out));
	if (ops != NULL)
		ops->port_ctrs(id, out);
}
