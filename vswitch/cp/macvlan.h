// SPDX-License-Identifier: Apache-2.0
// Macvlan bridges as the control thread sees them (see docs/macvlan.md).
//
// A macvlan bridge is a struct vs_bridge with 'mv' set. Its first port is the parent,
// opened with the bridge (add-br ... type=macvlan parent=PORT); every later port is a
// child owning one MAC, given (mac=) or fixed from the first frame the child sends (the
// PMD thread asks through the learning ring, vs_macvlan_learn() applies it). Every change
// publishes a snapshot whose table vs_macvlan_build() makes. Control thread only.
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "switch.h"

enum vs_mv_mac_source {
	VS_MV_MAC_PENDING,     // not known yet: taken from the child's first frame
	VS_MV_MAC_CONFIGURED,  // given with add-port or set-port mac=
	VS_MV_MAC_FIRST_FRAME, // taken from the child's first frame
};

struct vs_macvlan {
	uint8_t mode;		      // enum vs_macvlan_mode
	char parent[IF_NAMESIZE];     // name of the parent port
	bool in_add;		      // vs_macvlan_add_port() is in vs_switch_add_port()
	bool dirty;		      // a MAC was fixed from a frame: publish
	char staged[IF_NAMESIZE];     // the child being added ...
	uint64_t staged_mac;	      // ... and its MAC, until it has a port id
	uint64_t mac[VS_MAX_PORTS];   // by port id: a child's MAC, 0 = not known yet
	uint8_t source[VS_MAX_PORTS]; // by port id: enum vs_mv_mac_source
	uint64_t refused;	      // first-frame MACs refused: another child had them
};

// Options of add-br ... type=macvlan.
struct vs_macvlan_opts {
	const char *parent;
	const char *parent_type;		     // NULL: afxdp
	int mode;				     // enum vs_macvlan_mode, -1: bridge
	struct vs_opt parent_opts[VS_MAX_PORT_OPTS]; // parent-KEY=VALUE, prefix removed
	size_t n_parent_opts;
};

// "bridge", "private", "vepa", "passthru" -> enum vs_macvlan_mode, or -1.
int vs_macvlan_mode_parse(const char *s);
const char *vs_macvlan_mode_name(uint8_t mode);

// Each returns 0, or -errno with a one-line message in 'err'.
int vs_macvlan_add_bridge(struct vs_switch *sw, const char *name, const struct vs_macvlan_opts *o,
			  char *err, size_t errlen);
int vs_macvlan_set_mode(struct vs_switch *sw, struct vs_bridge *br, int mode, char *err,
			size_t errlen);
// Adds a child (option mac=MAC is the macvlan's; the rest go to the port driver).
// Called from: vs_switch_add_port() for ports of a macvlan bridge.
int vs_macvlan_add_port(struct vs_switch *sw, struct vs_bridge *br, const char *name,
			const char *type, const struct vs_opt *opts, size_t n_opts, char *err,
			size_t errlen);
// Refuses to remove the parent. Called from: vs_switch_del_port().
int vs_macvlan_check_del_port(const struct vs_switch *sw, const struct vs_bridge *br, uint16_t id,
			      char *err, size_t errlen);
// Forgets port 'id' once it is removed. Called from: vs_switch_del_port().
void vs_macvlan_port_removed(struct vs_bridge *br, uint16_t id);
// set-port BR PORT mac=MAC.
int vs_macvlan_set_port(struct vs_switch *sw, struct vs_bridge *br, uint16_t id,
			const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen);
// The error of a MAC table command (fdb-add, ...) on macvlan bridge 'br'.
int vs_macvlan_no_fdb(const struct vs_bridge *br, char *err, size_t errlen);

// A child asked (by sending a frame from 'mac') to have its MAC fixed.
// Called from: the switch's learning-ring drain.
void vs_macvlan_learn(struct vs_switch *sw, struct vs_bridge *br, uint16_t port, uint64_t mac);
// Publishes MACs fixed by vs_macvlan_learn(). Called from: vs_switch_housekeeping().
void vs_macvlan_housekeeping(struct vs_switch *sw);
// The snapshot table of 'br'; NULL when out of memory. Called from: the snapshot build.
struct vs_macvlan_dp *vs_macvlan_build(const struct vs_switch *sw, const struct vs_bridge *br);
void vs_macvlan_free(struct vs_macvlan *mv);

// Control protocol. vs_macvlan_ctl_add_br() handles add-br when options.type is
// "macvlan" (returns 0 or -errno), and returns 1 to let the learning bridge path go on
// (options.type absent or "learning", which it removes). vs_macvlan_ctl_set_bridge()
// handles set-bridge of a macvlan bridge, and returns 1 for a learning bridge.
int vs_macvlan_ctl_add_br(struct vs_switch *sw, const char *name, json_t *options, char *err,
			  size_t errlen);
int vs_macvlan_ctl_set_bridge(struct vs_switch *sw, const char *name, json_t *options, char *err,
			      size_t errlen);
// Adds the macvlan view of 'br' (bridge object of "show") and of its port 'id'.
void vs_macvlan_query_bridge(const struct vs_switch *sw, const struct vs_bridge *br, json_t *obj);
void vs_macvlan_query_port(const struct vs_bridge *br, uint16_t id, json_t *obj);
// The "fdb-show" result of macvlan bridge 'br': its children and their MACs.
int vs_macvlan_query_fdb(const struct vs_switch *sw, const struct vs_bridge *br, json_t *res);
