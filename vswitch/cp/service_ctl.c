// SPDX-License-Identifier: Apache-2.0
// The control protocol methods of services (cp/service.h): add-service, del-service,
// set-service, load-services, list-services, conntrack-show, conntrack-flush.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "service_int.h"
#include "switch.h"

VS_LOG_MODULE("service");

#define VS_CT_SHOW_MAX 10000 // connections listed by one conntrack-show

struct req {
	struct vs_switch *sw;
	json_t *params;
	json_t *res;
	const char **code;
	char *err;
	size_t errlen;
};

static int req_fail(struct req *r, int ret)
{
	switch (-ret) {
	case ENOENT:
		*r->code = "not-found";
		break;
	case EEXIST:
		*r->code = "exists";
		break;
	case EINVAL:
		*r->code = "invalid-params";
		break;
	case ENOSPC:
		*r->code = "resource";
		break;
	default:
		*r->code = "system";
	}
	return -1;
}

#define RFAIL(r, code, ...) (snprintf((r)->err, (r)->errlen, __VA_ARGS__), req_fail(r, -(code)))

static int check_keys(struct req *r, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach (r->params, key, v) {
		const char *const *a;

		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL)
			return RFAIL(r, EINVAL, "unknown parameter '%s'", key);
	}
	return 0;
}

static int get_str(struct req *r, const char *key, bool required, const char **out)
{
	json_t *v = json_object_get(r->params, key);

	*out = NULL;
	if (v == NULL)
		return required ? RFAIL(r, EINVAL, "missing parameter '%s'", key) : 0;
	if (!json_is_string(v))
		return RFAIL(r, EINVAL, "parameter '%s' must be a string", key);
	*out = json_string_value(v);
	return 0;
}

// The bridge named by params "bridge" and its services.
static int get_bridge(struct req *r, bool required, struct vs_bridge **br)
{
	const char *name;

	*br = NULL;
	if (get_str(r, "bridge", required, &name) < 0)
		return -1;
	if (name == NULL)
		return 0;
	*br = vs_switch_bridge(r->sw, name);
	if (*br == NULL)
		return RFAIL(r, ENOENT, "bridge %s does not exist", name);
	return 0;
}

static json_t *get_opts(struct req *r)
{
	json_t *o = json_object_get(r->params, "options");

	if (o == NULL)
		return json_object();
	if (!json_is_object(o)) {
		RFAIL(r, EINVAL, "parameter 'options' must be an object");
		return NULL;
	}
	return json_incref(o);
}

static int m_add(struct req *r)
{
	static const char *const keys[] = {"bridge", "service", "options", NULL};
	struct vs_bridge *br;
	const char *name;
	json_t *opts;
	struct vs_services *s;
	uint32_t n0;
	int ret;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "service", true, &name) < 0 || (opts = get_opts(r)) == NULL)
		return -1;
	if (br->mv != NULL) {
		json_decref(opts);
		return RFAIL(r, EINVAL, "%s is a macvlan bridge: services need a learning bridge",
			     br->name);
	}
	s = br->services;
	n0 = s->n;
	ret = services_add_one(s, name, opts, r->err, r->errlen);
	json_decref(opts);
	if (ret == 0)
		ret = services_publish(r->sw, s, NULL, 0);
	if (ret < 0) {
		if (ret == -ENOMEM && !r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		services_rollback(s, n0);
		return req_fail(r, ret);
	}
	VS_LOG(INFO, "%s: added service %s", br->name, name);
	return 0;
}

// Reads "NAME key=value ..." lines from 'path' into the services of 'br' at once.
static int m_load(struct req *r)
{
	static const char *const keys[] = {"bridge", "file", NULL};
	struct vs_bridge *br;
	const char *path;
	struct vs_services *s;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	uint32_t n0, added = 0;
	int ret = 0;
	FILE *f;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "file", true, &path) < 0)
		return -1;
	if (br->mv != NULL)
		return RFAIL(r, EINVAL, "%s is a macvlan bridge: services need a learning bridge",
			     br->name);
	f = fopen(path, "r");
	if (f == NULL)
		return RFAIL(r, ENOENT, "cannot open %s: %s", path, strerror(errno));
	s = br->services;
	n0 = s->n;
	while (ret == 0 && getline(&line, &cap, f) >= 0) {
		char *save = NULL, *tok, *name;
		json_t *opts = json_object();

		lineno++;
		name = strtok_r(line, " \t\r\n", &save);
		if (name == NULL || name[0] == '#') {
			json_decref(opts);
			continue;
		}
		while (ret == 0 && (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			char *eq = strchr(tok, '=');

			if (eq == NULL || eq == tok) {
				ret = -EINVAL;
				snprintf(r->err, r->errlen, "malformed option '%s' (key=value)",
					 tok);
				break;
			}
			*eq = '\0';
			json_object_set_new(opts, tok, json_string(eq + 1));
		}
		if (ret == 0)
			ret = services_add_one(s, name, opts, r->err, r->errlen);
		json_decref(opts);
		if (ret < 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s:%u: %s", path, lineno, r->err);
			snprintf(r->err, r->errlen, "%s", msg);
		} else {
			added++;
		}
	}
	free(line);
	fclose(f);
	if (ret == 0)
		ret = services_publish(r->sw, s, NULL, 0);
	if (ret < 0) {
		if (!r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		services_rollback(s, n0);
		return req_fail(r, ret);
	}
	json_object_set_new(r->res, "added", json_integer(added));
	VS_LOG(INFO, "%s: loaded %u services from %s", br->name, added, path);
	return 0;
}

static int m_set(struct req *r)
{
	static const char *const keys[] = {"bridge", "service", "options", NULL};
	struct vs_bridge *br;
	struct vs_services *s;
	struct svc_spec sp = {0};
	struct vs_svc *old, *v;
	struct smap keep = {0};
	const char *name;
	json_t *opts;
	bool moved;
	int i, ret;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "service", true, &name) < 0 || (opts = get_opts(r)) == NULL)
		return -1;
	s = br->services;
	i = services_find(s, name);
	if (i < 0) {
		json_decref(opts);
		return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
	}
	if (json_object_size(opts) == 0) {
		json_decref(opts);
		return RFAIL(r, EINVAL, "set-service needs at least one option");
	}
	sp.name = name;
	ret = services_parse_spec(opts, &sp, r->err, r->errlen);
	json_decref(opts);
	if (ret < 0) {
		free(sp.backends);
		return req_fail(r, ret);
	}
	old = s->svcs[i];
	moved = sp.has_vip || sp.has_proto;
	moved = moved && (sp.vip != old->vip || sp.vport != old->vport ||
			  (sp.has_proto && sp.proto != old->proto));
	v = services_make(&sp, old, old->id, r->err, r->errlen);
	free(sp.backends);
	if (v == NULL)
		return req_fail(r, -ENOMEM);
	services_index_del(s, old);
	ret = services_check(s, v, r->err, r->errlen);
	if (ret == 0 && services_index_add(s, v) < 0)
		ret = -ENOMEM;
	if (ret == 0) {
		s->svcs[i] = v;
		ret = services_publish(r->sw, s, &old, 1);
		if (ret < 0)
			s->svcs[i] = old;
	}
	if (ret < 0) {
		services_free_svc(v);
		services_index_rebuild(s);
		if (!r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		return req_fail(r, ret);
	}
	// Connections to backends that left (or to a changed address) end.
	for (uint32_t b = 0; b < v->n_backends; b++)
		smap_add(&keep, ((uint64_t)v->backends[b].ip << 16 | v->backends[b].port) + 1);
	{
		struct services_gone_arg ga = {.id = v->id, .keep = &keep};

		// 'old' is freed by now.
		if (moved)
			services_ct_scan(r->sw, s->dp->ct, services_pred_svc, &v->id);
		else
			services_ct_scan(r->sw, s->dp->ct, services_pred_gone, &ga);
	}
	smap_free(&keep);
	VS_LOG(INFO, "%s: changed service %s (%u backends)", br->name, name, v->n_backends);
	return 0;
}

static int m_del(struct req *r)
{
	static const char *const keys[] = {"bridge", "service", NULL};
	struct vs_bridge *br;
	struct vs_services *s;
	struct vs_svc *old;
	const char *name;
	int i, ret;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "service", true, &name) < 0)
		return -1;
	s = br->services;
	i = services_find(s, name);
	if (i < 0)
		return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
	old = s->svcs[i];
	memmove(&s->svcs[i], &s->svcs[i + 1], (s->n - (uint32_t)i - 1) * sizeof(s->svcs[0]));
	s->n--;
	services_index_del(s, old);
	{
		uint32_t id = old->id;

		ret = services_publish(r->sw, s, &old, 1);
		if (ret < 0) {
			s->svcs[s->n++] = old; // order does not matter to the datapath
			services_index_rebuild(s);
			return RFAIL(r, ENOMEM, "out of memory");
		}
		services_ct_scan(r->sw, s->dp->ct, services_pred_svc, &id);
	}
	VS_LOG(INFO, "%s: deleted service %s", br->name, name);
	return 0;
}

static uint32_t svc_conns(const struct vs_services *s, uint32_t id)
{
	uint32_t n = 0, ext;

	if (s->dp == NULL)
		return 0;
	ext = vs_ct_extent(s->dp->ct);
	for (uint32_t i = 0; i < ext; i++) {
		const struct vs_ct_conn *c = &s->dp->ct->conns[i];

		if ((__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & VS_CT_F_USED) &&
		    c->svc_id == id && c->key[0].kind == VS_CT_KIND_CONN)
			n++;
	}
	return n;
}

static json_t *svc_json(const struct vs_bridge *br, const struct vs_svc *v, bool count)
{
	const struct vs_services *s = br->services;
	json_t *o = json_object(), *bs = json_array();
	char a[32], mac[VS_MAC_STRLEN];

	json_object_set_new(o, "bridge", json_string(br->name));
	json_object_set_new(o, "name", json_string(v->name));
	services_fmt_ep(v->vip, v->vport, a, sizeof(a));
	json_object_set_new(o, "vip", json_string(a));
	json_object_set_new(o, "proto", json_string(v->proto == 6 ? "tcp" : "udp"));
	json_object_set_new(o, "affinity", json_string(v->affinity ? "client-ip" : "none"));
	json_object_set_new(o, "affinity-timeout", json_integer(v->affinity_timeout));
	for (uint32_t i = 0; i < v->n_backends; i++) {
		json_t *b = json_object();
		struct vs_neigh *nb = s->dp ? vs_neigh_find(s->dp->neigh, v->backends[i].ip) : NULL;
		uint64_t m = nb ? __atomic_load_n(&nb->mac, __ATOMIC_RELAXED) : 0;

		services_fmt_ep(v->backends[i].ip, v->backends[i].port, a, sizeof(a));
		json_object_set_new(b, "address", json_string(a));
		if (m) {
			vs_mac_format(m, mac);
			json_object_set_new(b, "mac", json_string(mac));
		} else {
			json_object_set_new(b, "mac", json_null());
		}
		json_array_append_new(bs, b);
	}
	json_object_set_new(o, "backends", bs);
	json_object_set_new(
		o, "status",
		json_string(v->n_backends ? "active" : "no backends: rejecting connections"));
	if (count)
		json_object_set_new(o, "connections", json_integer(svc_conns(s, v->id)));
	return o;
}

static int m_list(struct req *r)
{
	static const char *const keys[] = {"bridge", NULL};
	struct vs_bridge *only;
	json_t *a = json_array();

	if (check_keys(r, keys) < 0 || get_bridge(r, false, &only) < 0) {
		json_decref(a);
		return -1;
	}
	for (unsigned b = 0; b < VS_MAX_BRIDGES; b++) {
		struct vs_bridge *br = r->sw->bridges[b];

		if (br == NULL || (only && br != only))
			continue;
		// Connection counts cost a table scan per service: only for small sets.
		for (uint32_t i = 0; i < br->services->n; i++)
			json_array_append_new(
				a, svc_json(br, br->services->svcs[i], br->services->n <= 64));
	}
	json_object_set_new(r->res, "services", a);
	return 0;
}

static const struct vs_svc *svc_by_id(const struct vs_services *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->svcs[i]->id == id)
			return s->svcs[i];
	return NULL;
}

static int m_ct_show(struct req *r)
{
	static const char *const keys[] = {"bridge", "service", NULL};
	struct vs_bridge *br;
	struct vs_services *s;
	const char *name;
	struct vs_ct_timeouts t;
	uint32_t only = 0, total = 0, now = vs_now_s();
	json_t *a;
	struct vs_svc_ctr sum = {0};

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "service", false, &name) < 0)
		return -1;
	s = br->services;
	if (name != NULL) {
		int i = services_find(s, name);

		if (i < 0)
			return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
		only = s->svcs[i]->id;
	}
	t = services_timeouts(s);
	a = json_array();
	for (uint32_t i = 0; s->dp && i < vs_ct_extent(s->dp->ct); i++) {
		const struct vs_ct_conn *c = &s->dp->ct->conns[i];
		const struct vs_ct_key *o = &c->key[0], *rp = &c->key[1];
		const struct vs_svc *v;
		uint32_t timeout, seen, f = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);
		const char *state;
		char buf[32];
		json_t *e;

		if (!(f & VS_CT_F_USED) || (only && c->svc_id != only))
			continue;
		if (++total > VS_CT_SHOW_MAX)
			continue;
		state = vs_ct_state(c, &t, &timeout);
		seen = __atomic_load_n(&c->seen, __ATOMIC_RELAXED);
		v = svc_by_id(s, c->svc_id);
		e = json_object();
		json_object_set_new(e, "service", v ? json_string(v->name) : json_null());
		json_object_set_new(e, "proto", json_string(o->proto == 6 ? "tcp" : "udp"));
		if (o->kind == VS_CT_KIND_AFFINITY) {
			services_fmt_ip(o->src, buf, sizeof(buf));
			json_object_set_new(e, "client", json_string(buf));
		} else {
			services_fmt_ep(o->src, o->sport, buf, sizeof(buf));
			json_object_set_new(e, "client", json_string(buf));
		}
		services_fmt_ep(o->dst, o->dport, buf, sizeof(buf));
		json_object_set_new(e, "vip", json_string(buf));
		services_fmt_ep(rp->src, rp->sport, buf, sizeof(buf));
		json_object_set_new(e, "backend", json_string(buf));
		if (f & VS_CT_F_SNAT) {
			services_fmt_ep(rp->dst, rp->dport, buf, sizeof(buf));
			json_object_set_new(e, "snat", json_string(buf));
		}
		json_object_set_new(e, "state", json_string(state));
		json_object_set_new(e, "reset-pending", json_boolean(f & VS_CT_F_DOOMED));
		json_object_set_new(e, "idle", json_integer((int32_t)(now - seen)));
		json_object_set_new(e, "expires",
				    json_integer((int64_t)timeout - (int32_t)(now - seen)));
		json_array_append_new(a, e);
	}
	json_object_set_new(r->res, "bridge", json_string(br->name));
	vs_services_opts_json(s, r->res); // conntrack-size, -timeouts, service-mac
	json_object_set_new(r->res, "count", json_integer(total));
	json_object_set_new(r->res, "truncated", json_boolean(total > VS_CT_SHOW_MAX));
	json_object_set_new(r->res, "connections", a);
	for (unsigned p = 0; s->dp && p < VS_MAX_PMDS; p++) {
		sum.new_conns += vs_ctr_read(&s->dp->ctr[p].new_conns);
		sum.arp_replies += vs_ctr_read(&s->dp->ctr[p].arp_replies);
		sum.arp_requests += vs_ctr_read(&s->dp->ctr[p].arp_requests);
		sum.resets += vs_ctr_read(&s->dp->ctr[p].resets);
	}
	json_object_set_new(
		r->res, "stats",
		json_pack("{s:I,s:I,s:I,s:I}", "new-connections", (json_int_t)sum.new_conns,
			  "arp-replies", (json_int_t)sum.arp_replies, "arp-requests",
			  (json_int_t)sum.arp_requests, "resets-sent", (json_int_t)sum.resets));
	return 0;
}

static int m_ct_flush(struct req *r)
{
	static const char *const keys[] = {"bridge", NULL};
	struct vs_bridge *br;
	uint32_t n = 0;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0)
		return -1;
	if (br->services->dp)
		n = services_ct_scan(r->sw, br->services->dp->ct, services_pred_all, NULL);
	json_object_set_new(r->res, "flushed", json_integer(n));
	return 0;
}

int vs_service_method(struct vs_switch *sw, const char *method, json_t *params, json_t *result,
		      const char **code, char *msg, size_t msglen)
{
	static const struct {
		const char *name;
		int (*fn)(struct req *r);
	} methods[] = {
		{"add-service", m_add},	       {"del-service", m_del},
		{"set-service", m_set},	       {"list-services", m_list},
		{"conntrack-show", m_ct_show}, {"conntrack-flush", m_ct_flush},
		{"load-services", m_load},
	};
	struct req r = {sw, params, result, code, msg, msglen};

	msg[0] = '\0';
	for (size_t i = 0; i < VS_ARRAY_SIZE(methods); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].fn(&r);
	*code = "unknown-method";
	snprintf(msg, msglen, "unknown method '%s'", method);
	return -1;
}
