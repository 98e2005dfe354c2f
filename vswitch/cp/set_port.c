// SPDX-License-Identifier: Apache-2.0
// set-port: port options changed at run time, by the kind of bridge the port is on.
#include <errno.h>
#include <stdio.h>

#include "macvlan.h"
#include "switch.h"
#include "vxlan.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

int vs_switch_set_port(struct vs_switch *sw, const char *bridge, const char *name,
		       const struct vs_opt *opts, size_t n_opts, char *err, size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, bridge);
	int id;

	if (br == NULL)
		return ERR(ENOENT, "bridge %s does not exist", bridge);
	id = vs_switch_port_id(sw, name);
	if (id < 0 || sw->port_bridge[id] != br->id)
		return ERR(ENOENT, "port %s is not on %s", name, bridge);
	if (n_opts == 0)
		return ERR(EINVAL, "set-port needs at least one option");
	if (br->mv != NULL)
		return vs_macvlan_set_port(sw, br, (uint16_t)id, opts, n_opts, err, errlen);
	if (sw->ports[id]->ops == &vs_vxlan_ops)
		return vs_vxlan_set_port(sw, (uint16_t)id, opts, n_opts, err, errlen);
	return ERR(EINVAL,
		   "unknown option for a port of learning bridge %s: %s (ports of learning "
		   "bridges have no options to change at run time)",
		   bridge, opts[0].key);
}
