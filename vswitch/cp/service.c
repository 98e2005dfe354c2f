// SPDX-License-Identifier: Apache-2.0
#include "service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../dp/maglev.h"
#include "../dp/rcu.h"
#include "fastpath.h"
#include "service_int.h"
#include "switch.h"

VS_LOG_MODULE("service");

// ---- a small u64 -> u32 counting map (linear probing, backward-shift deletion) ----

static uint32_t smap_slot(const struct smap *m, uint64_t k)
{
	return (uint32_t)(vs_mix64(k) & m->mask);
}

uint32_t *smap_get(const struct smap *m, uint64_t k)
{
	if (m->k == NULL)
		return NULL;
	for (uint32_t i = smap_slot(m, k);; i = (i + 1) & m->mask) {
		if (m->k[i] == 0)
			return NULL;
		if (m->k[i] == k)
			return &m->v[i];
	}
}

static int smap_resize(struct smap *m, uint32_t size)
{
	struct smap n = {.mask = size - 1};

	n.k = calloc(size, sizeof(*n.k));
	n.v = calloc(size, sizeof(*n.v));
	if (n.k == NULL || n.v == NULL) {
		free(n.k);
		free(n.v);
		return -ENOMEM;
	}
	for (uint32_t i = 0; m->k && i <= m->mask; i++) {
		uint32_t j;

		if (m->k[i] == 0)
			continue;
		for (j = smap_slot(&n, m->k[i]); n.k[j]; j = (j + 1) & n.mask)
			;
		n.k[j] = m->k[i];
		n.v[j] = m->v[i];
	}
	n.n = m->n;
	free(m->k);
	free(m->v);
	*m = n;
	return 0;
}

int smap_add(struct smap *m, uint64_t k)
{
	uint32_t *v = smap_get(m, k), i;

	if (v != NULL) {
		(*v)++;
		return 0;
	}
	if (m->k == NULL || (m->n + 1) * 2 > m->mask + 1) {
		uint32_t size = m->k ? (m->mask + 1) * 2 : 64;

		if (smap_resize(m, size) < 0)
			return -ENOMEM;
	}
	for (i = smap_slot(m, k); m->k[i]; i = (i + 1) & m->mask)
		;
	m->k[i] = k;
	m->v[i] = 1;
	m->n++;
	return 0;
}

static void smap_dec(struct smap *m, uint64_t k)
{
	uint32_t *v = smap_get(m, k), i, j;

	if (v == NULL || --(*v) > 0)
		return;
	i = (uint32_t)(v - m->v);
	m->k[i] = 0;
	m->n--;
	// Move later members of the cluster back into the hole they may rely on.
	for (j = (i + 1) & m->mask; m->k[j]; j = (j + 1) & m->mask) {
		uint32_t h = smap_slot(m, m->k[j]);

		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			m->k[i] = m->k[j];
			m->v[i] = m->v[j];
			m->k[j] = 0;
			i = j;
		}
	}
}

void smap_free(struct smap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

// ---- the model ----

static uint64_t vipkey(uint32_t vip, uint16_t port, uint8_t proto)
{
	return (uint64_t)vip << 24 | (uint64_t)port << 8 | proto;
}

struct vs_services *vs_services_create(void)
{
	struct vs_services *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->ct_size = VS_DEFAULT_CT_SIZE;
	s->tcp_timeout = VS_DEFAULT_CT_TCP_TIMEOUT;
	s->udp_timeout = VS_DEFAULT_CT_UDP_TIMEOUT;
	s->next_id = 1;
	return s;
}

void services_free_svc(struct vs_svc *v)
{
	if (v == NULL)
		return;
	free(v->backends);
	free(v->table);
	free(v);
}

static void snap_free(struct vs_svc_snap *snap)
{
	if (snap == NULL)
		return;
	free(snap->vtab);
	free(snap->vips);
	free(snap);
}

void vs_services_destroy(struct vs_services *s)
{
	if (s == NULL)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		services_free_svc(s->svcs[i]);
	free(s->svcs);
	if (s->dp) {
		snap_free(s->dp->snap);
		free(s->dp->neigh);
		vs_ct_destroy(s->dp->ct);
		free(s->dp);
	}
	smap_free(&s->vipport);
	smap_free(&s->vips);
	smap_free(&s->bips);
	free(s);
}

struct vs_svc_br *vs_services_dp(const struct vs_services *s)
{
	return s ? s->dp : NULL;
}

struct vs_ct_timeouts services_timeouts(const struct vs_services *s)
{
	return (struct vs_ct_timeouts){.tcp_syn = 30,
				       .tcp_est = s->tcp_timeout,
				       .tcp_fin = 60,
				       .tcp_close = 10,
				       .udp = s->udp_timeout};
}

// ---- conntrack maintenance ----

static unsigned n_pmds(const struct vs_switch *sw)
{
	return sw ? sw->n_pmds : 1;
}

// Recycles removed records after a grace period.
static void ct_settle(struct vs_switch *sw, struct vs_ct *ct)
{
	if (vs_ct_n_pending(ct) > 0)
		vs_rcu_synchronize();
	vs_ct_reclaim(ct, n_pmds(sw));
}

// Applies 'pred' to every record in use; returns the number removed or doomed.
uint32_t services_ct_scan(struct vs_switch *sw, struct vs_ct *ct, ct_pred pred, const void *arg)
{
	uint32_t n = vs_ct_extent(ct), done = 0, live = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct vs_ct_conn *c = &ct->conns[i];
		enum ct_action a;

		if (!(__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & VS_CT_F_USED))
			continue;
		live++;
		a = pred(c, arg);
		if (a == CT_REMOVE) {
			vs_ct_remove(ct, i);
			live--;
			done++;
		} else if (a == CT_DOOM) {
			vs_ct_set_flags(c, VS_CT_F_DOOMED);
			done++;
		}
	}
	ct->live = live;
	ct_settle(sw, ct);
	return done;
}

struct expire_arg {
	struct vs_ct_timeouts t;
	uint32_t now;
};

static enum ct_action expire_pred(const struct vs_ct_conn *c, const void *arg)
{
	const struct expire_arg *a = arg;
	uint32_t timeout, seen = __atomic_load_n(&c->seen, __ATOMIC_RELAXED);

	vs_ct_state(c, &a->t, &timeout);
	return (int32_t)(a->now - seen) > (int32_t)timeout ? CT_REMOVE : CT_KEEP;
}

enum ct_action services_pred_svc(const struct vs_ct_conn *c, const void *arg)
{
	return c->svc_id == *(const uint32_t *)arg ? CT_REMOVE : CT_KEEP;
}

enum ct_action services_pred_all(const struct vs_ct_conn *c, const void *arg)
{
	(void)c;
	(void)arg;
	return CT_REMOVE;
}

// Connections of service 'id' to backends no longer in it: TCP ones are reset by the
// datapath on their next packet, the others removed.
enum ct_action services_pred_gone(const struct vs_ct_conn *c, const void *arg)
{
	const struct services_gone_arg *a = arg;
	const struct vs_ct_key *b = &c->key[VS_CT_REPLY];

	if (c->svc_id != a->id ||
	    smap_get(a->keep, ((uint64_t)b->src << 16 | b->sport) + 1) != NULL)
		return CT_KEEP;
	if (c->key[VS_CT_ORIG].kind == VS_CT_KIND_CONN && c->key[VS_CT_ORIG].proto == 6 &&
	    !(c->flags & VS_CT_F_RST))
		return CT_DOOM;
	return CT_REMOVE;
}

void vs_services_housekeeping(struct vs_switch *sw, struct vs_services *s, uint32_t now)
{
	struct expire_arg a;

	if (s == NULL || s->dp == NULL)
		return;
	if (s->dp->ct->n_stash > 0)
		vs_ct_reclaim(s->dp->ct, n_pmds(sw));
	if (now == s->last_scan)
		return;
	s->last_scan = now;
	a.t = services_timeouts(s);
	a.now = now;
	services_ct_scan(sw, s->dp->ct, expire_pred, &a);
}

// ---- options ----

int vs_services_check_opts(const struct vs_bridge_opts *o, char *err, size_t errlen)
{
	if (o->conntrack_size && o->conntrack_size > VS_CT_MAX_SIZE)
		return ERR(EINVAL, "conntrack-size must be between 1 and %u", VS_CT_MAX_SIZE);
	if (o->conntrack_tcp_timeout && o->conntrack_tcp_timeout > 10000000)
		return ERR(EINVAL, "conntrack-tcp-timeout must be between 1 and 10000000 seconds");
	if (o->conntrack_udp_timeout && o->conntrack_udp_timeout > 10000000)
		return ERR(EINVAL, "conntrack-udp-timeout must be between 1 and 10000000 seconds");
	return 0;
}

int vs_services_set_opts(struct vs_services *s, const struct vs_bridge_opts *o, char *err,
			 size_t errlen)
{
	if (o->conntrack_size && o->conntrack_size != s->ct_size && s->dp != NULL) {
		struct vs_ct *ct = vs_ct_create(o->conntrack_size), *old;

		if (ct == NULL)
			return ERR(ENOMEM, "cannot allocate a connection table of %u entries",
				   o->conntrack_size);
		old = s->dp->ct;
		__atomic_store_n(&s->dp->ct, ct, __ATOMIC_RELEASE);
		vs_rcu_synchronize();
		vs_ct_destroy(old);
	}
	if (o->conntrack_size)
		s->ct_size = o->conntrack_size;
	if (o->conntrack_tcp_timeout)
		s->tcp_timeout = o->conntrack_tcp_timeout;
	if (o->conntrack_udp_timeout)
		s->udp_timeout = o->conntrack_udp_timeout;
	return 0;
}

void vs_services_opts_json(const struct vs_services *s, json_t *obj)
{
	char mac[VS_MAC_STRLEN];

	json_object_set_new(obj, "conntrack-size", json_integer(s->ct_size));
	json_object_set_new(obj, "conntrack-tcp-timeout", json_integer(s->tcp_timeout));
	json_object_set_new(obj, "conntrack-udp-timeout", json_integer(s->udp_timeout));
	if (s->dp) {
		vs_mac_format(s->dp->mac, mac);
		json_object_set_new(obj, "service-mac", json_string(mac));
	}
}

// ---- publication ----

static uint32_t pow2_at_least(uint64_t n)
{
	uint32_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static struct vs_svc_snap *snap_build(const struct vs_services *s)
{
	struct vs_svc_snap *snap = calloc(1, sizeof(*snap));
	uint32_t vsize = pow2_at_least((uint64_t)s->n * 2),
		 isize = pow2_at_least((uint64_t)s->vips.n * 2);

	if (snap == NULL)
		return NULL;
	snap->n_svc = s->n;
	snap->vmask = vsize - 1;
	snap->imask = isize - 1;
	snap->vtab = calloc(vsize, sizeof(*snap->vtab));
	snap->vips = calloc(isize, sizeof(*snap->vips));
	if (snap->vtab == NULL || snap->vips == NULL) {
		snap_free(snap);
		return NULL;
	}
	for (uint32_t k = 0; k < s->n; k++) {
		const struct vs_svc *v = s->svcs[k];
		uint32_t i = vs_svc_vhash(v->vip, v->vport, v->proto) & snap->vmask;

		while (snap->vtab[i])
			i = (i + 1) & snap->vmask;
		snap->vtab[i] = v;
	}
	for (uint32_t k = 0; s->vips.k && k <= s->vips.mask; k++) {
		uint32_t ip = (uint32_t)s->vips.k[k], i;

		if (ip == 0)
			continue;
		for (i = vs_svc_ihash(ip) & snap->imask; snap->vips[i]; i = (i + 1) & snap->imask)
			;
		snap->vips[i] = ip;
	}
	return snap;
}

static struct vs_neigh_tab *neigh_alloc(uint32_t size)
{
	struct vs_neigh_tab *t = calloc(1, sizeof(*t) + (size_t)size * sizeof(t->ent[0]));

	if (t)
		t->mask = size - 1;
	return t;
}

static void neigh_put(struct vs_neigh_tab *t, uint32_t ip, uint64_t mac)
{
	uint32_t i;

	for (i = vs_svc_ihash(ip) & t->mask; t->ent[i].ip; i = (i + 1) & t->mask)
		if (t->ent[i].ip == ip)
			return;
	__atomic_store_n(&t->ent[i].mac, mac, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ent[i].ip, ip, __ATOMIC_RELEASE);
	t->count++;
}

// Makes sure every backend address has a neighbour entry. Returns a table to free after
// the grace period (when it had to be rebuilt), NULL otherwise; -1 cast on failure.
static int neigh_update(struct vs_services *s, struct vs_neigh_tab **retired)
{
	struct vs_neigh_tab *t = s->dp->neigh;

	*retired = NULL;
	if ((uint64_t)(t->count + s->bips.n) * 2 > t->mask + 1) {
		// Rebuilt with the current backends only: addresses no longer used go.
		struct vs_neigh_tab *n = neigh_alloc(pow2_at_least((uint64_t)s->bips.n * 4));

		if (n == NULL)
			return -ENOMEM;
		for (uint32_t k = 0; s->bips.k && k <= s->bips.mask; k++) {
			uint32_t ip = (uint32_t)s->bips.k[k];
			struct vs_neigh *old;

			if (ip == 0)
				continue;
			old = vs_neigh_find(t, ip);
			neigh_put(n, ip, old ? __atomic_load_n(&old->mac, __ATOMIC_RELAXED) : 0);
		}
		__atomic_store_n(&s->dp->neigh, n, __ATOMIC_RELEASE);
		*retired = t;
		return 0;
	}
	for (uint32_t k = 0; s->bips.k && k <= s->bips.mask; k++)
		if (s->bips.k[k])
			neigh_put(t, (uint32_t)s->bips.k[k], 0);
	return 0;
}

static int dp_create(struct vs_switch *sw, struct vs_services *s)
{
	struct vs_svc_br *dp = aligned_alloc(VS_CACHE_LINE, (sizeof(*dp) + VS_CACHE_LINE - 1) &
								    ~(size_t)(VS_CACHE_LINE - 1));
	uint8_t rnd[4] = {0};

	if (dp == NULL)
		return -ENOMEM;
	memset(dp, 0, sizeof(*dp));
	dp->ct = vs_ct_create(s->ct_size);
	dp->neigh = neigh_alloc(64);
	if (dp->ct == NULL || dp->neigh == NULL) {
		vs_ct_destroy(dp->ct);
		free(dp->neigh);
		free(dp);
		return -ENOMEM;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memcpy(rnd, &dp, sizeof(rnd));
	// Locally administered unicast: 02:76 ("v") then 32 random bits.
	dp->mac = 0x027600000000ULL | (uint64_t)rnd[0] << 24 | (uint64_t)rnd[1] << 16 |
		  (uint64_t)rnd[2] << 8 | rnd[3];
	s->dp = dp;
	return vs_switch_publish(sw);
}

// Publishes the model and frees 'retired' (n services replaced or removed) after the
// grace period.
int services_publish(struct vs_switch *sw, struct vs_services *s, struct vs_svc **retired,
		     uint32_t n_retired)
{
	struct vs_svc_snap *snap, *old;
	struct vs_neigh_tab *old_neigh = NULL;
	int ret;

	if (s->dp == NULL && (ret = dp_create(sw, s)) < 0)
		return ret;
	// A bridge with services loses its XDP fast path before they take effect (replies of
	// backends must be translated back in userspace): cp/fastpath.h.
	vs_fastpath_sync(sw, true);
	ret = neigh_update(s, &old_neigh);
	if (ret < 0)
		return ret;
	snap = snap_build(s);
	if (snap == NULL)
		return -ENOMEM;
	old = s->dp->snap;
	__atomic_store_n(&s->dp->snap, snap, __ATOMIC_RELEASE);
	vs_rcu_synchronize();
	snap_free(old);
	free(old_neigh);
	for (uint32_t i = 0; i < n_retired; i++)
		services_free_svc(retired[i]);
	return 0;
}

// ---- validation and the model's indexes ----

void services_index_del(struct vs_services *s, const struct vs_svc *v)
{
	smap_dec(&s->vipport, vipkey(v->vip, v->vport, v->proto));
	smap_dec(&s->vips, v->vip);
	for (uint32_t i = 0; i < v->n_backends; i++)
		smap_dec(&s->bips, v->backends[i].ip);
}

int services_index_add(struct vs_services *s, const struct vs_svc *v)
{
	int ret = smap_add(&s->vipport, vipkey(v->vip, v->vport, v->proto));

	ret = ret ? ret : smap_add(&s->vips, v->vip);
	for (uint32_t i = 0; i < v->n_backends && ret == 0; i++)
		ret = smap_add(&s->bips, v->backends[i].ip);
	return ret;
}

int services_index_rebuild(struct vs_services *s)
{
	smap_free(&s->vipport);
	smap_free(&s->vips);
	smap_free(&s->bips);
	for (uint32_t i = 0; i < s->n; i++)
		if (services_index_add(s, s->svcs[i]) < 0)
			return -ENOMEM;
	return 0;
}

void services_fmt_ip(uint32_t ip, char *buf, size_t len)
{
	struct in_addr a = {.s_addr = htonl(ip)};

	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

void services_fmt_ep(uint32_t ip, uint16_t port, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	services_fmt_ip(ip, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, port);
}

int services_find(const struct vs_services *s, const char *name)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (strcmp(s->svcs[i]->name, name) == 0)
			return (int)i;
	return -1;
}

// Checks service 'v' against the model (which must not contain it).
int services_check(const struct vs_services *s, const struct vs_svc *v, char *err, size_t errlen)
{
	char a[32];

	if (smap_get(&s->vipport, vipkey(v->vip, v->vport, v->proto)) != NULL) {
		services_fmt_ep(v->vip, v->vport, a, sizeof(a));
		for (uint32_t i = 0; i < s->n; i++)
			if (s->svcs[i]->vip == v->vip && s->svcs[i]->vport == v->vport &&
			    s->svcs[i]->proto == v->proto)
				return ERR(EEXIST, "%s/%s is already the address of service %s", a,
					   v->proto == 6 ? "tcp" : "udp", s->svcs[i]->name);
		return ERR(EEXIST, "%s is already a service address", a);
	}
	if (smap_get(&s->bips, v->vip) != NULL) {
		services_fmt_ip(v->vip, a, sizeof(a));
		return ERR(EINVAL, "VIP %s is a backend address of a service on this bridge", a);
	}
	for (uint32_t i = 0; i < v->n_backends; i++) {
		if (v->backends[i].ip == v->vip || smap_get(&s->vips, v->backends[i].ip) != NULL) {
			services_fmt_ip(v->backends[i].ip, a, sizeof(a));
			return ERR(EINVAL, "backend %s is a service address (VIP) on this bridge",
				   a);
		}
	}
	return 0;
}

static int grow(struct vs_services *s, uint32_t extra)
{
	if (s->n + extra > s->cap) {
		uint32_t cap = s->cap ? s->cap : 16;
		struct vs_svc **n;

		while (cap < s->n + extra)
			cap *= 2;
		n = realloc(s->svcs, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		s->svcs = n;
		s->cap = cap;
	}
	return 0;
}

// Adds one service from its name and options to the model (not published). On failure
// the model may hold part of a batch: the caller rolls back.
int services_add_one(struct vs_services *s, const char *name, json_t *opts, char *err,
		     size_t errlen)
{
	struct svc_spec sp = {.name = name};
	struct vs_svc *v;
	int ret;

	if (!services_valid_name(name))
		return ERR(EINVAL,
			   "invalid service name '%s' (1-%d characters of A-Z a-z 0-9 _ . -)", name,
			   VS_SVC_NAME_MAX);
	if (services_find(s, name) >= 0)
		return ERR(EEXIST, "service %s already exists", name);
	ret = services_parse_spec(opts, &sp, err, errlen);
	if (ret == 0 && !sp.has_vip)
		ret = ERR(EINVAL, "service %s needs vip=A.B.C.D:PORT", name);
	if (ret == 0 && !sp.has_backends)
		ret = ERR(EINVAL, "service %s needs backends=A.B.C.D:PORT[,...] (may be empty)",
			  name);
	if (ret < 0) {
		free(sp.backends);
		return ret;
	}
	v = services_make(&sp, NULL, s->next_id, err, errlen);
	free(sp.backends);
	if (v == NULL)
		return -ENOMEM;
	ret = services_check(s, v, err, errlen);
	if (ret == 0 && (grow(s, 1) < 0 || services_index_add(s, v) < 0))
		ret = ERR(ENOMEM, "out of memory");
	if (ret < 0) {
		services_free_svc(v);
		return ret;
	}
	s->next_id++;
	s->svcs[s->n++] = v;
	return 0;
}

// Undoes services_add_one() calls back to 'n' services.
void services_rollback(struct vs_services *s, uint32_t n)
{
	while (s->n > n)
		services_free_svc(s->svcs[--s->n]);
	services_index_rebuild(s);
}
