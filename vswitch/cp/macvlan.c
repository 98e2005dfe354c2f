// SPDX-License-Identifier: Apache-2.0
#include "macvlan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../../pmd/netdev.h"
#include "../dp/macvlan.h"

VS_LOG_MODULE("macvlan");

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

static const char *const mode_names[] = {
	[VS_MACVLAN_BRIDGE] = "bridge",
	[VS_MACVLAN_PRIVATE] = "private",
	[VS_MACVLAN_VEPA] = "vepa",
	[VS_MACVLAN_PASSTHRU] = "passthru",
};

int vs_macvlan_mode_parse(const char *s)
{
	for (size_t i = 0; i < VS_ARRAY_SIZE(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *vs_macvlan_mode_name(uint8_t mode)
{
	return mode < VS_ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

static bool is_parent(const struct vs_switch *sw, const struct vs_bridge *br, uint16_t id)
{
	return sw->ports[id] != NULL && strcmp(sw->ports[id]->name, br->mv->parent) == 0;
}

static uint16_t n_children(const struct vs_switch *sw, const struct vs_bridge *br)
{
	uint16_t n = 0;

	for (uint16_t i = 0; i < br->n_ports; i++)
		n += !is_parent(sw, br, br->ports[i]);
	return n;
}

// The child of 'br' other than 'except' whose MAC is 'mac', or -1.
static int child_with_mac(const struct vs_switch *sw, const struct vs_bridge *br, uint64_t mac,
			  int except)
{
	for (uint16_t i = 0; i < br->n_ports; i++) {
		uint16_t p = br->ports[i];

		if (p != except && !is_parent(sw, br, p) && br->mv->mac[p] == mac)
			return p;
	}
	return -1;
}

static int parse_child_mac(const char *s, uint64_t *mac, char *err, size_t errlen)
{
	if (vs_mac_parse(s, mac) < 0)
		return ERR(EINVAL, "invalid MAC address: %s", s);
	if (*mac == 0 || vs_mac_is_multicast(*mac))
		return ERR(EINVAL, "MAC address %s is not a unicast address", s);
	return 0;
}

// Checks that 'mac' may become the MAC of child 'self' (-1: a child being added) of 'br'.
static int check_child_mac(const struct vs_switch *sw, const struct vs_bridge *br, uint64_t mac,
			   int self, char *err, size_t errlen)
{
	char s[VS_MAC_STRLEN];
	uint64_t parent_mac;
	int other = child_with_mac(sw, br, mac, self);

	vs_mac_format(mac, s);
	if (other >= 0)
		return ERR(EEXIST, "MAC %s is already the MAC of %s on %s", s,
			   sw->ports[other]->name, br->name);
	// As the kernel's macvlan: a child cannot take the parent's own address, except in
	// passthru mode, where the child takes the parent over.
	if (br->mv->mode != VS_MACVLAN_PASSTHRU &&
	    vs_netdev_mac(br->mv->parent, &parent_mac) == 0 && parent_mac == mac)
		return ERR(EEXIST, "MAC %s is the address of the parent %s", s, br->mv->parent);
	return 0;
}

int vs_macvlan_add_bridge(struct vs_switch *sw, const char *name, const struct vs_macvlan_opts *o,
			  char *err, size_t errlen)
{
	struct vs_bridge_opts bo = {.mac_table_size = VS_MIN_MAC_TABLE_SIZE};
	struct vs_bridge *br;
	struct vs_macvlan *mv;
	char ignored[64];
	int ret;

	if (vs_switch_bridge(sw, name) != NULL)
		return ERR(EEXIST, "bridge %s already exists", name);
	if (o->parent == NULL || *o->parent == '\0')
		return ERR(EINVAL, "a macvlan bridge needs a parent port (parent=PORT)");
	if (vs_switch_port_id(sw, o->parent) >= 0)
		return ERR(EEXIST, "port %s is already on %s", o->parent,
			   sw->bridges[sw->port_bridge[vs_switch_port_id(sw, o->parent)]]->name);
	mv = calloc(1, sizeof(*mv));
	if (mv == NULL)
		return ERR(ENOMEM, "out of memory");
	mv->mode = o->mode < 0 ? VS_MACVLAN_BRIDGE : (uint8_t)o->mode;
	snprintf(mv->parent, sizeof(mv->parent), "%s", o->parent);
	// The bridge's MAC table stays empty: keep it at the smallest size.
	ret = vs_switch_add_bridge(sw, name, &bo, err, errlen);
	if (ret < 0) {
		free(mv);
		return ret;
	}
	br = vs_switch_bridge(sw, name);
	br->mv = mv;
	mv->in_add = true;
	ret = vs_switch_add_port(sw, name, o->parent, o->parent_type ? o->parent_type : "afxdp",
				 o->parent_opts, o->n_parent_opts, err, errlen);
	mv->in_add = false;
	if (ret < 0) {
		// Nothing of the bridge remains (the message of the failure stays in 'err').
		vs_switch_del_bridge(sw, name, ignored, sizeof(ignored));
		return ret;
	}
	VS_LOG(INFO, "%s: macvlan bridge, mode %s, parent %s", name, vs_macvlan_mode_name(mv->mode),
	       o->parent);
	return 0;
}

int vs_macvlan_set_mode(struct vs_switch *sw, struct vs_bridge *br, int mode, char *err,
			size_t errlen)
{
	uint8_t old = br->mv->mode;
	int ret;

	if (mode == VS_MACVLAN_PASSTHRU && n_children(sw, br) > 1)
		return ERR(EINVAL, "%s has %u children: passthru allows one child only", br->name,
			   n_children(sw, br));
	br->mv->mode = (uint8_t)mode;
	ret = vs_switch_publish(sw);
	if (ret < 0) {
		br->mv->mode = old;
		return ERR(-ret, "cannot publish configuration: %s", strerror(-ret));
	}
	VS_LOG(INFO, "%s: macvlan mode %s", br->name, vs_macvlan_mode_name(br->mv->mode));
	return 0;
}

int vs_macvlan_add_port(struct vs_switch *sw, struct vs_bridge *br, const char *name,
			const char *type, const struct vs_opt *opts, size_t n_opts, char *err,
			size_t errlen)
{
	struct vs_macvlan *mv = br->mv;
	struct vs_opt dopts[VS_MAX_PORT_OPTS];
	uint64_t mac = 0;
	size_t nd = 0;
	int ret, id;

	for (size_t i = 0; i < n_opts && nd < VS_MAX_PORT_OPTS; i++) {
		if (strcmp(opts[i].key, "mac") != 0) {
			dopts[nd++] = opts[i];
			continue;
		}
		ret = parse_child_mac(opts[i].val, &mac, err, errlen);
		if (ret < 0)
			return ret;
	}
	// A vxlan port has no frames of its own: they arrive in an underlay's bursts, mixed with
	// other ports', which the demux (one ingress port per burst) does not expect.
	if (type != NULL && strcmp(type, "vxlan") == 0)
		return ERR(EINVAL, "a vxlan port cannot be a child of macvlan bridge %s: "
				   "put it on a learning bridge", br->name);
	if (mv->mode == VS_MACVLAN_PASSTHRU && n_children(sw, br) > 0)
		return ERR(EINVAL, "%s is in passthru mode and has a child already: it allows one",
			   br->name);
	if (mac != 0) {
		ret = check_child_mac(sw, br, mac, -1, err, errlen);
		if (ret < 0)
			return ret;
	}
	// The snapshot published while the port is added must know its MAC already.
	snprintf(mv->staged, sizeof(mv->staged), "%s", name);
	mv->staged_mac = mac;
	mv->in_add = true;
	ret = vs_switch_add_port(sw, br->name, name, type, dopts, nd, err, errlen);
	mv->in_add = false;
	mv->staged[0] = '\0';
	mv->staged_mac = 0;
	if (ret < 0)
		return ret;
	id = vs_switch_port_id(sw, name);
	mv->mac[id] = mac;
	mv->source[id] = mac ? VS_MV_MAC_CONFIGURED : VS_MV_MAC_PENDING;
	return 0;
}

int vs_macvlan_check_del_port(const struct vs_switch *sw, const struct vs_bridge *br, uint16_t id,
			      char *err, size_t errlen)
{
	uint16_t n = n_children(sw, br);

	if (!is_parent(sw, br, id))
		return 0;
	if (n > 0)
		return ERR(EINVAL,
			   "%s is the parent of macvlan bridge %s, which has %u child%s: remove "
			   "%s first, or delete the bridge (del-br %s)",
			   br->mv->parent, br->name, n, n == 1 ? "" : "ren", n == 1 ? "it" : "them",
			   br->name);
	return ERR(EINVAL, "%s is the parent of macvlan bridge %s: delete the bridge (del-br %s)",
		   br->mv->parent, br->name, br->name);
}

void vs_macvlan_port_removed(struct vs_bridge *br, uint16_t id)
{
	br->mv->mac[id] = 0;
	br->mv->source[id] = VS_MV_MAC_PENDING;
}

int vs_macvlan_set_port(struct vs_switch *sw, struct vs_bridge *br, uint16_t id,
			const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen)
{
	struct vs_macvlan *mv = br->mv;
	uint64_t mac = 0, old_mac = mv->mac[id];
	uint8_t old_source = mv->source[id];
	char s[VS_MAC_STRLEN];
	int ret;

	for (size_t i = 0; i < n_opts; i++) {
		if (strcmp(opts[i].key, "mac") != 0)
			return ERR(EINVAL, "unknown option for a port of macvlan bridge %s: %s",
				   br->name, opts[i].key);
		ret = parse_child_mac(opts[i].val, &mac, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (is_parent(sw, br, id))
		return ERR(EINVAL, "%s is the parent of %s: it has no child MAC to set", mv->parent,
			   br->name);
	ret = check_child_mac(sw, br, mac, id, err, errlen);
	if (ret < 0)
		return ret;
	mv->mac[id] = mac;
	mv->source[id] = VS_MV_MAC_CONFIGURED;
	ret = vs_switch_publish(sw);
	if (ret < 0) {
		mv->mac[id] = old_mac;
		mv->source[id] = old_source;
		return ERR(-ret, "cannot publish configuration: %s", strerror(-ret));
	}
	vs_mac_format(mac, s);
	VS_LOG(INFO, "%s: child %s has MAC %s", br->name, sw->ports[id]->name, s);
	return 0;
}

int vs_macvlan_no_fdb(const struct vs_bridge *br, char *err, size_t errlen)
{
	return ERR(EINVAL,
		   "%s is a macvlan bridge: it has no MAC table (a child's MAC is set with "
		   "add-port or set-port mac=MAC)",
		   br->name);
}

void vs_macvlan_learn(struct vs_switch *sw, struct vs_bridge *br, uint16_t port, uint64_t mac)
{
	struct vs_macvlan *mv = br->mv;
	char s[VS_MAC_STRLEN];

	if (is_parent(sw, br, port) || mv->mac[port] != 0 || mac == 0 || vs_mac_is_multicast(mac))
		return;
	vs_mac_format(mac, s);
	if (child_with_mac(sw, br, mac, port) >= 0) {
		mv->refused++;
		VS_LOG_RL(WARN, "%s: %s sent from %s, the MAC of another child: not taken",
			  br->name, sw->ports[port]->name, s);
		return;
	}
	mv->mac[port] = mac;
	mv->source[port] = VS_MV_MAC_FIRST_FRAME;
	mv->dirty = true;
	VS_LOG(INFO, "%s: child %s has MAC %s (from its first frame)", br->name,
	       sw->ports[port]->name, s);
}

void vs_macvlan_housekeeping(struct vs_switch *sw)
{
	bool publish = false;

	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++) {
		struct vs_bridge *br = sw->bridges[b];

		if (br != NULL && br->mv != NULL && br->mv->dirty) {
			br->mv->dirty = false;
			publish = true;
		}
	}
	if (publish && vs_switch_publish(sw) < 0)
		VS_LOG(ERR, "cannot publish the MACs of macvlan children: out of memory");
}

struct vs_macvlan_dp *vs_macvlan_build(const struct vs_switch *sw, const struct vs_bridge *br)
{
	const struct vs_macvlan *mv = br->mv;
	uint16_t parent = VS_PORT_NONE;
	struct vs_macvlan_dp *dp;

	for (uint16_t i = 0; i < br->n_ports; i++)
		if (is_parent(sw, br, br->ports[i]))
			parent = br->ports[i];
	dp = vs_macvlan_dp_alloc(mv->mode, parent, br->n_ports);
	if (dp == NULL)
		return NULL;
	for (uint16_t i = 0; i < br->n_ports; i++) {
		uint16_t p = br->ports[i];
		uint64_t mac = mv->mac[p];

		if (p == parent)
			continue;
		if (mac == 0 && strcmp(sw->ports[p]->name, mv->staged) == 0)
			mac = mv->staged_mac;
		// MACs are checked to be unique before they get here; never let two children
		// share one anyway.
		if (vs_macvlan_dp_add(dp, p, mac) == -EEXIST)
			vs_macvlan_dp_add(dp, p, 0);
	}
	return dp;
}

void vs_macvlan_free(struct vs_macvlan *mv)
{
	free(mv);
}
