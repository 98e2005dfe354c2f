// SPDX-License-Identifier: Apache-2.0
#include "handlers.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/ctl_proto.h>
#include <vs/mac.h>

#include "../../pmd/netdev.h"
#include "fastpath.h"
#include "macvlan.h"
#include "query.h"
#include "service.h"
#include "vxlan.h"

// A failed method: a protocol error code and a message.
struct ctl_err {
	const char *code;
	char msg[256];
};

typedef int (*method_fn)(struct vs_switch *sw, json_t *params, json_t *result,
			 struct ctl_err *e);

static int fail(struct ctl_err *e, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ctl_err *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

// Maps a vs_switch_* failure (-errno, message already written) to a protocol error.
static int switch_fail(struct ctl_err *e, int ret)
{
	switch (-ret) {
	case ENOENT:
	case ENODEV:
		e->code = "not-found";
		break;
	case EEXIST:
		e->code = "exists";
		break;
	case EINVAL:
		e->code = "invalid-params";
		break;
	case ENOSPC:
		e->code = "resource";
		break;
	default:
		e->code = "system";
	}
	return -1;
}

// Checks that 'params' has only keys from 'allowed' (NULL-terminated).
static int check_keys(json_t *params, const char *const *allowed, struct ctl_err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(params, key, v) {
		const char *const *a;

		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL)
			return fail(e, "invalid-params", "unknown parameter '%s'", key);
	}
	return 0;
}

static int get_str(json_t *params, const char *key, bool required, const char **out,
		   struct ctl_err *e)
{
	json_t *v = json_object_get(params, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return fail(e, "invalid-params", "missing parameter '%s'", key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(e, "invalid-params", "parameter '%s' must be a string", key);
	*out = json_string_value(v);
	return 0;
}

// Option values may be strings or integers; both become strings in 'buf'.
static int opt_value(const char *key, json_t *v, char *buf, size_t len, struct ctl_err *e)
{
	if (json_is_string(v) && strlen(json_string_value(v)) >= len)
		return fail(e, "invalid-params", "option '%s' is too long (at most %zu characters)",
			    key, len - 1);
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		return fail(e, "invalid-params", "option '%s' must be a string or an integer", key);
	return 0;
}

// The "options" object of add-port/set-port as driver options: values in 'vals', at most
// VS_MAX_PORT_OPTS of them. Returns 0, or -1 with 'e' set.
static int port_opts(json_t *o, struct vs_opt *opts, char vals[][1024], size_t *n,
		     struct ctl_err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (*n == VS_MAX_PORT_OPTS)
			return fail(e, "invalid-params", "too many options (at most %d)",
				    VS_MAX_PORT_OPTS);
		if (opt_value(key, v, vals[*n], sizeof(vals[*n]), e) < 0)
			return -1;
		opts[*n].key = key;
		opts[*n].val = vals[*n];
		(*n)++;
	}
	return 0;
}

static int get_options(json_t *params, json_t **out, struct ctl_err *e)
{
	*out = json_object_get(params, "options");
	if (*out != NULL && !json_is_object(*out))
		return fail(e, "invalid-params", "parameter 'options' must be an object");
	return 0;
}

static int parse_u32(const char *key, const char *s, uint32_t *out, struct ctl_err *e)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX)
		return fail(e, "invalid-params", "option '%s' must be a whole number, not '%s'", key,
			    s);
	*out = (uint32_t)v;
	return 0;
}

static int bridge_opts(json_t *params, struct vs_bridge_opts *o, struct ctl_err *e)
{
	const char *key;
	json_t *opts, *v;

	memset(o, 0, sizeof(*o));
	if (get_options(params, &opts, e) < 0)
		return -1;
	json_object_foreach(opts, key, v) {
		char buf[64];
		uint32_t *dst;

		if (strcmp(key, "fastpath") == 0) { // cp/fastpath.h
			if (opt_value(key, v, buf, sizeof(buf), e) < 0)
				return -1;
			if (strcmp(buf, "xdp") && strcmp(buf, "off"))
				return fail(e, "invalid-params",
					    "invalid fastpath '%s' (expected xdp or off)", buf);
			o->fastpath = strcmp(buf, "xdp") == 0 ? VS_FASTPATH_XDP : VS_FASTPATH_OFF;
			continue;
		}
		if (strcmp(key, "mac-aging") == 0)
			dst = &o->mac_aging;
		else if (strcmp(key, "mac-table-size") == 0)
			dst = &o->mac_table_size;
		else if (strcmp(key, "conntrack-size") == 0)
			dst = &o->conntrack_size;
		else if (strcmp(key, "conntrack-tcp-timeout") == 0)
			dst = &o->conntrack_tcp_timeout;
		else if (strcmp(key, "conntrack-udp-timeout") == 0)
			dst = &o->conntrack_udp_timeout;
		else
			return fail(e, "invalid-params", "unknown bridge option: %s", key);
		if (opt_value(key, v, buf, sizeof(buf), e) < 0 || parse_u32(key, buf, dst, e) < 0)
			return -1;
		if (*dst == 0)
			return fail(e, "invalid-params", "option '%s' must be greater than 0", key);
	}
	return 0;
}

static int m_version(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {NULL};

	(void)sw;
	if (check_keys(params, keys, e) < 0)
		return -1;
	json_object_set_new(res, "version", json_string(VS_VERSION));
	json_object_set_new(res, "protocol", json_integer(VS_CTL_PROTOCOL));
	return 0;
}

static int m_add_br(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "options", NULL};
	struct vs_bridge_opts o;
	const char *br;
	json_t *opts;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_options(params, &opts, e) < 0)
		return -1;
	// type=macvlan: a macvlan bridge (cp/macvlan_ctl.c).
	ret = vs_macvlan_ctl_add_br(sw, br, opts, e->msg, sizeof(e->msg));
	if (ret <= 0)
		return ret < 0 ? switch_fail(e, ret) : 0;
	if (bridge_opts(params, &o, e) < 0)
		return -1;
	ret = vs_switch_add_bridge(sw, br, &o, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_set_bridge(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "options", NULL};
	struct vs_bridge_opts o;
	const char *br;
	json_t *opts;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_options(params, &opts, e) < 0)
		return -1;
	ret = vs_macvlan_ctl_set_bridge(sw, br, opts, e->msg, sizeof(e->msg));
	if (ret <= 0)
		return ret < 0 ? switch_fail(e, ret) : 0;
	if (bridge_opts(params, &o, e) < 0)
		return -1;
	if (json_object_size(json_object_get(params, "options")) == 0)
		return fail(e, "invalid-params", "set-bridge needs at least one option");
	ret = vs_switch_set_bridge(sw, br, &o, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_del_br(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", NULL};
	const char *br;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0)
		return -1;
	ret = vs_switch_del_bridge(sw, br, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_add_port(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "port", "type", "options", NULL};
	char vals[VS_MAX_PORT_OPTS][1024];
	struct vs_opt opts[VS_MAX_PORT_OPTS];
	const char *br, *port, *type;
	size_t n = 0;
	json_t *o;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_str(params, "port", true, &port, e) < 0 ||
	    get_str(params, "type", false, &type, e) < 0 || get_options(params, &o, e) < 0)
		return -1;
	if (port_opts(o, opts, vals, &n, e) < 0)
		return -1;
	ret = vs_switch_add_port(sw, br, port, type ? type : "afxdp", opts, n, e->msg,
				 sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_del_port(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "port", NULL};
	const char *br, *port;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_str(params, "port", true, &port, e) < 0)
		return -1;
	ret = vs_switch_del_port(sw, br, port, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_list_br(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {NULL};

	if (check_keys(params, keys, e) < 0)
		return -1;
	json_object_set_new(res, "bridges", vs_query_bridge_names(sw));
	return 0;
}

static int m_list_ports(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", NULL};
	struct vs_bridge *br;
	const char *name;

	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &name, e) < 0)
		return -1;
	br = vs_switch_bridge(sw, name);
	if (br == NULL)
		return fail(e, "not-found", "bridge %s does not exist", name);
	json_object_set_new(res, "ports", vs_query_port_names(sw, br));
	return 0;
}

static int m_show(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {NULL};

	if (check_keys(params, keys, e) < 0)
		return -1;
	vs_query_show(sw, res);
	return 0;
}

static int m_fdb_show(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", NULL};
	struct vs_bridge *br;
	const char *name;

	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &name, e) < 0)
		return -1;
	br = vs_switch_bridge(sw, name);
	if (br == NULL)
		return fail(e, "not-found", "bridge %s does not exist", name);
	if (vs_query_fdb(sw, br, res) < 0)
		return fail(e, "system", "out of memory");
	return 0;
}

static int m_fdb_flush(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", NULL};
	const char *br;
	int ret;

	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0)
		return -1;
	ret = vs_switch_fdb_flush(sw, br, e->msg, sizeof(e->msg));
	if (ret < 0)
		return switch_fail(e, ret);
	json_object_set_new(res, "flushed", json_integer(ret));
	return 0;
}

static int m_fdb_add(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "mac", "port", NULL};
	const char *br, *mac, *port;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_str(params, "mac", true, &mac, e) < 0 || get_str(params, "port", true, &port, e) < 0)
		return -1;
	ret = vs_switch_fdb_add(sw, br, mac, port, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_fdb_del(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "mac", NULL};
	const char *br, *mac;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_str(params, "mac", true, &mac, e) < 0)
		return -1;
	ret = vs_switch_fdb_del(sw, br, mac, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

static int m_port_stats(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"port", NULL};
	const char *port;

	if (check_keys(params, keys, e) < 0 || get_str(params, "port", false, &port, e) < 0)
		return -1;
	if (port != NULL && vs_switch_port_id(sw, port) < 0 && !vs_vxlan_is_underlay(port))
		return fail(e, "not-found", "port %s does not exist", port);
	json_object_set_new(res, "ports", vs_query_port_stats(sw, port));
	return 0;
}

static int m_pmd_stats(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {NULL};

	if (check_keys(params, keys, e) < 0)
		return -1;
	json_object_set_new(res, "pmds", vs_query_pmd_stats(sw));
	json_object_set_new(res, "mempools", vs_query_dpdk_pools());
	return 0;
}

// Daemon-wide settings: pmd-cpus, pmd-idle, pmd-idle-us. Validates every option before
// changing anything; restarts the PMD threads once if any changed.
static int m_set(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"options", NULL};
	int cpus[VS_MAX_PMDS], n_cpus = sw->n_pmds, ret;
	bool adaptive = sw->pmd_adaptive;
	uint32_t idle_us = sw->pmd_idle_us;
	const char *key;
	json_t *opts, *v;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_options(params, &opts, e) < 0)
		return -1;
	if (json_object_size(opts) == 0)
		return fail(e, "invalid-params", "set needs at least one option");
	for (unsigned i = 0; i < sw->n_pmds; i++)
		cpus[i] = sw->pmds[i]->cpu;
	json_object_foreach(opts, key, v) {
		char buf[256];

		if (opt_value(key, v, buf, sizeof(buf), e) < 0)
			return -1;
		if (strcmp(key, "pmd-cpus") == 0) {
			n_cpus = vs_cpu_list_parse(buf, cpus, e->msg, sizeof(e->msg));
			if (n_cpus < 0)
				return switch_fail(e, n_cpus);
		} else if (strcmp(key, "pmd-idle") == 0) {
			if (strcmp(buf, "busy") != 0 && strcmp(buf, "adaptive") != 0)
				return fail(e, "invalid-params",
					    "invalid pmd-idle '%s' (busy or adaptive)", buf);
			adaptive = strcmp(buf, "adaptive") == 0;
		} else if (strcmp(key, "pmd-idle-us") == 0) {
			if (parse_u32(key, buf, &idle_us, e) < 0)
				return -1;
			if (idle_us < 1 || idle_us > 10000000)
				return fail(e, "invalid-params", "pmd-idle-us must be 1-10000000");
		} else {
			return fail(e, "invalid-params", "unknown option: %s", key);
		}
	}
	sw->pmd_adaptive = adaptive;
	sw->pmd_idle_us = idle_us;
	ret = vs_switch_set_pmds(sw, cpus, n_cpus, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}

// Port options changed at run time (macvlan child: mac=MAC).
static int m_set_port(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)
{
	static const char *const keys[] = {"bridge", "port", "options", NULL};
	char vals[VS_MAX_PORT_OPTS][1024];
	struct vs_opt opts[VS_MAX_PORT_OPTS];
	const char *br, *port;
	size_t n = 0;
	json_t *o;
	int ret;

	(void)res;
	if (check_keys(params, keys, e) < 0 || get_str(params, "bridge", true, &br, e) < 0 ||
	    get_str(params, "port", true, &port, e) < 0 || get_options(params, &o, e) < 0)
		return -1;
	if (port_opts(o, opts, vals, &n, e) < 0)
		return -1;
	ret = vs_switch_set_port(sw, br, port, opts, n, e->msg, sizeof(e->msg));
	return ret < 0 ? switch_fail(e, ret) : 0;
}
// Service methods (cp/service.c), dispatched by name.
#define SVC_METHOD(fn, name)                                                                       \
	static int fn(struct vs_switch *sw, json_t *params, json_t *res, struct ctl_err *e)        \
	{                                                                                          \
		return vs_service_method(sw, name, params, res, &e->code, e->msg, sizeof(e->msg)); \
	}
SVC_METHOD(m_add_service, "add-service")
SVC_METHOD(m_del_service, "del-service")
SVC_METHOD(m_set_service, "set-service")
SVC_METHOD(m_list_services, "list-services")
SVC_METHOD(m_conntrack_show, "conntrack-show")
SVC_METHOD(m_conntrack_flush, "conntrack-flush")
SVC_METHOD(m_load_services, "load-services")

static const struct {
	const char *name;
	method_fn fn;
} methods[] = {
	{"set", m_set},
	{"pmd-stats", m_pmd_stats},
	{"version", m_version},	       {"add-br", m_add_br},	     {"del-br", m_del_br},
	{"list-br", m_list_br},	       {"set-bridge", m_set_bridge}, {"add-port", m_add_port},
	{"del-port", m_del_port},      {"list-ports", m_list_ports}, {"show", m_show},
	{"fdb-show", m_fdb_show},      {"fdb-flush", m_fdb_flush},   {"fdb-add", m_fdb_add},
	{"fdb-del", m_fdb_del},	       {"port-stats", m_port_stats},
	{"set-port", m_set_port},
	{"add-service", m_add_service}, {"del-service", m_del_service},
	{"set-service", m_set_service}, {"list-services", m_list_services},
	{"conntrack-show", m_conntrack_show}, {"conntrack-flush", m_conntrack_flush},
	{"load-services", m_load_services},
};

json_t *vs_ctl_error(json_t *id, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:O?,s:{s:s,s:s}}", "id", id, "error", "code", code, "message", msg);
}

json_t *vs_ctl_handle(struct vs_switch *sw, const char *req, size_t len)
{
	json_t *root, *id, *method, *params, *result, *resp;
	struct ctl_err e = {0};
	json_error_t jerr;

	root = json_loadb(req, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return vs_ctl_error(NULL, "parse-error", "invalid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return vs_ctl_error(NULL, "parse-error", "request must be a JSON object");
	}
	id = json_object_get(root, "id");
	if (id != NULL && !json_is_integer(id) && !json_is_string(id) && !json_is_null(id)) {
		json_decref(root);
		return vs_ctl_error(NULL, "invalid-request", "'id' must be an integer or a string");
	}
	method = json_object_get(root, "method");
	params = json_object_get(root, "params");
	if (!json_is_string(method)) {
		resp = vs_ctl_error(id, "invalid-request", "'method' must be a string");
		goto out;
	}
	if (params != NULL && !json_is_object(params) && !json_is_null(params)) {
		resp = vs_ctl_error(id, "invalid-request", "'params' must be an object");
		goto out;
	}
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		json_t *p;

		if (strcmp(methods[i].name, json_string_value(method)) != 0)
			continue;
		p = json_is_object(params) ? json_incref(params) : json_object();
		result = json_object();
		if (methods[i].fn(sw, p, result, &e) < 0) {
			json_decref(result);
			resp = vs_ctl_error(id, e.code, "%s", e.msg);
		} else {
			resp = json_pack("{s:O?,s:o}", "id", id, "result", result);
		}
		json_decref(p);
		goto out;
	}
	resp = vs_ctl_error(id, "unknown-method", "unknown method '%s'", json_string_value(method));
out:
	json_decref(root);
	return resp;
}

int vs_ctl_opt_str(const char *key, json_t *v, char *buf, size_t len, char *err, size_t errlen)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else {
		snprintf(err, errlen, "option '%s' must be a string or an integer", key);
		return -EINVAL;
	}
	return 0;
}
