// SPDX-License-Identifier: Apache-2.0
// Macvlan bridges in the control protocol: add-br/set-bridge options, show, fdb-show.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/mac.h>

#include "../dp/macvlan.h"
#include "handlers.h"
#include "macvlan.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))
#define PARENT_PREFIX "parent-"

static int learning_option(const char *key, char *err, size_t errlen)
{
	return ERR(EINVAL, "option '%s' does not apply to a macvlan bridge: it learns no MACs",
		   key);
}

static int bad_mode(const char *s, char *err, size_t errlen)
{
	return ERR(EINVAL, "invalid macvlan mode '%s' (bridge, private, vepa or passthru)", s);
}

int vs_macvlan_ctl_add_br(struct vs_switch *sw, const char *name, json_t *options, char *err,
			  size_t errlen)
{
	char vals[VS_MAX_PORT_OPTS + 3][128], type[32];
	struct vs_macvlan_opts o = {.mode = -1};
	json_t *t = json_object_get(options, "type"), *v;
	const char *key;
	size_t nv = 0;
	int ret;

	if (t == NULL)
		return 1;
	ret = vs_ctl_opt_str("type", t, type, sizeof(type), err, errlen);
	if (ret < 0)
		return ret;
	if (strcmp(type, "learning") == 0) {
		json_object_del(options, "type");
		return 1;
	}
	if (strcmp(type, "macvlan") != 0)
		return ERR(EINVAL, "unknown bridge type '%s' (learning or macvlan)", type);
	json_object_foreach (options, key, v) {
		char *val = vals[nv];

		if (strcmp(key, "type") == 0)
			continue;
		if (nv == VS_ARRAY_SIZE(vals))
			return ERR(EINVAL, "too many options");
		ret = vs_ctl_opt_str(key, v, val, sizeof(vals[0]), err, errlen);
		if (ret < 0)
			return ret;
		nv++;
		if (strcmp(key, "parent") == 0) {
			o.parent = val;
		} else if (strcmp(key, "mode") == 0) {
			o.mode = vs_macvlan_mode_parse(val);
			if (o.mode < 0)
				return bad_mode(val, err, errlen);
		} else if (strcmp(key, "parent-type") == 0) {
			o.parent_type = val;
		} else if (strncmp(key, PARENT_PREFIX, strlen(PARENT_PREFIX)) == 0 &&
			   key[strlen(PARENT_PREFIX)] != '\0') {
			if (o.n_parent_opts == VS_MAX_PORT_OPTS)
				return ERR(EINVAL, "too many parent options (at most %d)",
					   VS_MAX_PORT_OPTS);
			o.parent_opts[o.n_parent_opts].key = key + strlen(PARENT_PREFIX);
			o.parent_opts[o.n_parent_opts++].val = val;
		} else if (strcmp(key, "mac-aging") == 0 || strcmp(key, "mac-table-size") == 0) {
			return learning_option(key, err, errlen);
		} else {
			return ERR(EINVAL,
				   "unknown option for a macvlan bridge: %s (parent, mode, "
				   "parent-type, parent-OPTION)",
				   key);
		}
	}
	return vs_macvlan_add_bridge(sw, name, &o, err, errlen);
}

int vs_macvlan_ctl_set_bridge(struct vs_switch *sw, const char *name, json_t *options, char *err,
			      size_t errlen)
{
	struct vs_bridge *br = vs_switch_bridge(sw, name);
	int mode = -1, ret;
	const char *key;
	json_t *v;

	if (br == NULL || br->mv == NULL)
		return 1;
	if (json_object_size(options) == 0)
		return ERR(EINVAL, "set-bridge needs at least one option");
	json_object_foreach (options, key, v) {
		char val[64];

		ret = vs_ctl_opt_str(key, v, val, sizeof(val), err, errlen);
		if (ret < 0)
			return ret;
		if (strcmp(key, "mode") == 0) {
			mode = vs_macvlan_mode_parse(val);
			if (mode < 0)
				return bad_mode(val, err, errlen);
		} else if (strcmp(key, "mac-aging") == 0 || strcmp(key, "mac-table-size") == 0) {
			return learning_option(key, err, errlen);
		} else if (strcmp(key, "parent") == 0 || strcmp(key, "type") == 0) {
			return ERR(EINVAL,
				   "the %s of a bridge cannot be changed (del-br, then add-br)",
				   key);
		} else {
			return ERR(EINVAL, "unknown option for a macvlan bridge: %s (mode)", key);
		}
	}
	return vs_macvlan_set_mode(sw, br, mode, err, errlen);
}

static const char *const source_names[] = {
	[VS_MV_MAC_PENDING] = "pending",
	[VS_MV_MAC_CONFIGURED] = "configured",
	[VS_MV_MAC_FIRST_FRAME] = "first-frame",
};

static bool parent_port(const struct vs_switch *sw, const struct vs_bridge *br, uint16_t id)
{
	return strcmp(sw->ports[id]->name, br->mv->parent) == 0;
}

static json_t *mac_json(uint64_t mac)
{
	char s[VS_MAC_STRLEN];

	if (mac == 0)
		return json_null();
	vs_mac_format(mac, s);
	return json_string(s);
}

void vs_macvlan_query_bridge(const struct vs_switch *sw, const struct vs_bridge *br, json_t *obj)
{
	uint16_t n = 0;

	for (uint16_t i = 0; i < br->n_ports; i++)
		n += !parent_port(sw, br, br->ports[i]);
	json_object_set_new(obj, "type", json_string("macvlan"));
	json_object_del(obj, "mac-aging");
	json_object_del(obj, "mac-table-size");
	json_object_del(obj, "mac-count");
	json_object_set_new(obj, "mode", json_string(vs_macvlan_mode_name(br->mv->mode)));
	json_object_set_new(obj, "parent", json_string(br->mv->parent));
	json_object_set_new(obj, "children", json_integer(n));
}

void vs_macvlan_query_port(const struct vs_bridge *br, uint16_t id, json_t *obj)
{
	const char *name = json_string_value(json_object_get(obj, "name"));

	if (name != NULL && strcmp(name, br->mv->parent) == 0) {
		json_object_set_new(obj, "role", json_string("parent"));
		return;
	}
	json_object_set_new(obj, "role", json_string("child"));
	json_object_set_new(obj, "child-mac", mac_json(br->mv->mac[id]));
	json_object_set_new(obj, "mac-source", json_string(source_names[br->mv->source[id]]));
}

static const struct vs_switch *sort_sw; // qsort has no context argument

static int cmp_port(const void *a, const void *b)
{
	return strcmp(sort_sw->ports[*(const uint16_t *)a]->name,
		      sort_sw->ports[*(const uint16_t *)b]->name);
}

int vs_macvlan_query_fdb(const struct vs_switch *sw, const struct vs_bridge *br, json_t *res)
{
	uint16_t *ids = calloc(br->n_ports + 1u, sizeof(*ids)), n = 0, known = 0;
	json_t *a = json_array();

	if (ids == NULL) {
		json_decref(a);
		return -ENOMEM;
	}
	for (uint16_t i = 0; i < br->n_ports; i++)
		if (!parent_port(sw, br, br->ports[i]))
			ids[n++] = br->ports[i];
	sort_sw = sw;
	qsort(ids, n, sizeof(ids[0]), cmp_port);
	for (uint16_t i = 0; i < n; i++) {
		uint64_t mac = br->mv->mac[ids[i]];

		known += mac != 0;
		json_array_append_new(a, json_pack("{s:o,s:s,s:s,s:i}", "mac", mac_json(mac),
						   "port", sw->ports[ids[i]]->name, "type",
						   source_names[br->mv->source[ids[i]]], "age", 0));
	}
	free(ids);
	json_object_set_new(res, "bridge", json_string(br->name));
	json_object_set_new(res, "type", json_string("macvlan"));
	json_object_set_new(res, "mode", json_string(vs_macvlan_mode_name(br->mv->mode)));
	json_object_set_new(res, "parent", json_string(br->mv->parent));
	json_object_set_new(res, "count", json_integer(known));
	json_object_set_new(res, "children", json_integer(n));
	json_object_set_new(res, "first-frame-refused", json_integer((json_int_t)br->mv->refused));
	json_object_set_new(res, "entries", a);
	return 0;
}
