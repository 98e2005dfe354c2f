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
#include "switch.h"

VS_LOG_MODULE("service");

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))
#define VS_CT_SHOW_MAX 10000 // connections listed by one conntrack-show

// ---- a small u64 -> u32 counting map (linear probing, backward-shift deletion) ----

struct map {
	uint64_t *k; // 0: empty
	uint32_t *v;
	uint32_t mask, n;
};

static uint32_t map_slot(const struct map *m, uint64_t k)
{
	return (uint32_t)(vs_mix64(k) & m->mask);
}

static uint32_t *map_get(const struct map *m, uint64_t k)
{
	if (m->k == NULL)
		return NULL;
	for (uint32_t i = map_slot(m, k);; i = (i + 1) & m->mask) {
		if (m->k[i] == 0)
			return NULL;
		if (m->k[i] == k)
			return &m->v[i];
	}
}

static int map_resize(struct map *m, uint32_t size)
{
	struct map n = {.mask = size - 1};

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
		for (j = map_slot(&n, m->k[i]); n.k[j]; j = (j + 1) & n.mask)
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

static int map_add(struct map *m, uint64_t k)
{
	uint32_t *v = map_get(m, k), i;

	if (v != NULL) {
		(*v)++;
		return 0;
	}
	if (m->k == NULL || (m->n + 1) * 2 > m->mask + 1) {
		uint32_t size = m->k ? (m->mask + 1) * 2 : 64;

		if (map_resize(m, size) < 0)
			return -ENOMEM;
	}
	for (i = map_slot(m, k); m->k[i]; i = (i + 1) & m->mask)
		;
	m->k[i] = k;
	m->v[i] = 1;
	m->n++;
	return 0;
}

static void map_dec(struct map *m, uint64_t k)
{
	uint32_t *v = map_get(m, k), i, j;

	if (v == NULL || --(*v) > 0)
		return;
	i = (uint32_t)(v - m->v);
	m->k[i] = 0;
	m->n--;
	// Move later members of the cluster back into the hole they may rely on.
	for (j = (i + 1) & m->mask; m->k[j]; j = (j + 1) & m->mask) {
		uint32_t h = map_slot(m, m->k[j]);

		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			m->k[i] = m->k[j];
			m->v[i] = m->v[j];
			m->k[j] = 0;
			i = j;
		}
	}
}

static void map_free(struct map *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

// ---- the model ----

struct vs_services {
	struct vs_svc_br *dp;
	struct vs_svc **svcs;
	uint32_t n, cap;
	uint32_t next_id;
	uint32_t ct_size, tcp_timeout, udp_timeout;
	struct map vipport; // vipkey() -> 1
	struct map vips;    // VIP -> services using it
	struct map bips;    // backend address -> backends using it
	uint32_t last_scan;
};

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

static void svc_free(struct vs_svc *v)
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
		svc_free(s->svcs[i]);
	free(s->svcs);
	if (s->dp) {
		snap_free(s->dp->snap);
		free(s->dp->neigh);
		vs_ct_destroy(s->dp->ct);
		free(s->dp);
	}
	map_free(&s->vipport);
	map_free(&s->vips);
	map_free(&s->bips);
	free(s);
}

struct vs_svc_br *vs_services_dp(const struct vs_services *s)
{
	return s ? s->dp : NULL;
}

static struct vs_ct_timeouts timeouts(const struct vs_services *s)
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

enum ct_action { CT_KEEP, CT_REMOVE, CT_DOOM };
typedef enum ct_action (*ct_pred)(const struct vs_ct_conn *c, const void *arg);

// Applies 'pred' to every record in use; returns the number removed or doomed.
static uint32_t ct_scan(struct vs_switch *sw, struct vs_ct *ct, ct_pred pred, const void *arg)
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

static enum ct_action svc_pred(const struct vs_ct_conn *c, const void *arg)
{
	return c->svc_id == *(const uint32_t *)arg ? CT_REMOVE : CT_KEEP;
}

static enum ct_action all_pred(const struct vs_ct_conn *c, const void *arg)
{
	(void)c;
	(void)arg;
	return CT_REMOVE;
}

struct gone_arg {
	uint32_t id;
	const struct map *keep; // (ip << 16 | port) + 1 of the remaining backends
};

// Connections of service 'id' to backends no longer in it: TCP ones are reset by the
// datapath on their next packet, the others removed.
static enum ct_action gone_pred(const struct vs_ct_conn *c, const void *arg)
{
	const struct gone_arg *a = arg;
	const struct vs_ct_key *b = &c->key[VS_CT_REPLY];

	if (c->svc_id != a->id ||
	    map_get(a->keep, ((uint64_t)b->src << 16 | b->sport) + 1) != NULL)
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
	a.t = timeouts(s);
	a.now = now;
	ct_scan(sw, s->dp->ct, expire_pred, &a);
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
	uint32_t vsize = pow2_at_least((uint64_t)s->n * 2), isize = pow2_at_least(
								     (uint64_t)s->vips.n * 2);

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
static int publish(struct vs_switch *sw, struct vs_services *s, struct vs_svc **retired,
		   uint32_t n_retired)
{
	struct vs_svc_snap *snap, *old;
	struct vs_neigh_tab *old_neigh = NULL;
	int ret;

	if (s->dp == NULL && (ret = dp_create(sw, s)) < 0)
		return ret;
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
		svc_free(retired[i]);
	return 0;
}

// ---- validation and the model's indexes ----

static void index_del(struct vs_services *s, const struct vs_svc *v)
{
	map_dec(&s->vipport, vipkey(v->vip, v->vport, v->proto));
	map_dec(&s->vips, v->vip);
	for (uint32_t i = 0; i < v->n_backends; i++)
		map_dec(&s->bips, v->backends[i].ip);
}

static int index_add(struct vs_services *s, const struct vs_svc *v)
{
	int ret = map_add(&s->vipport, vipkey(v->vip, v->vport, v->proto));

	ret = ret ? ret : map_add(&s->vips, v->vip);
	for (uint32_t i = 0; i < v->n_backends && ret == 0; i++)
		ret = map_add(&s->bips, v->backends[i].ip);
	return ret;
}

static int index_rebuild(struct vs_services *s)
{
	map_free(&s->vipport);
	map_free(&s->vips);
	map_free(&s->bips);
	for (uint32_t i = 0; i < s->n; i++)
		if (index_add(s, s->svcs[i]) < 0)
			return -ENOMEM;
	return 0;
}

static void fmt_ip(uint32_t ip, char *buf, size_t len)
{
	struct in_addr a = {.s_addr = htonl(ip)};

	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

static void fmt_ep(uint32_t ip, uint16_t port, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	fmt_ip(ip, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, port);
}

static int find(const struct vs_services *s, const char *name)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (strcmp(s->svcs[i]->name, name) == 0)
			return (int)i;
	return -1;
}

// Checks service 'v' against the model (which must not contain it).
static int check_svc(const struct vs_services *s, const struct vs_svc *v, char *err,
		     size_t errlen)
{
	char a[32];

	if (map_get(&s->vipport, vipkey(v->vip, v->vport, v->proto)) != NULL) {
		fmt_ep(v->vip, v->vport, a, sizeof(a));
		for (uint32_t i = 0; i < s->n; i++)
			if (s->svcs[i]->vip == v->vip && s->svcs[i]->vport == v->vport &&
			    s->svcs[i]->proto == v->proto)
				return ERR(EEXIST, "%s/%s is already the address of service %s", a,
					   v->proto == 6 ? "tcp" : "udp", s->svcs[i]->name);
		return ERR(EEXIST, "%s is already a service address", a);
	}
	if (map_get(&s->bips, v->vip) != NULL) {
		fmt_ip(v->vip, a, sizeof(a));
		return ERR(EINVAL, "VIP %s is a backend address of a service on this bridge", a);
	}
	for (uint32_t i = 0; i < v->n_backends; i++) {
		if (v->backends[i].ip == v->vip || map_get(&s->vips, v->backends[i].ip) != NULL) {
			fmt_ip(v->backends[i].ip, a, sizeof(a));
			return ERR(EINVAL, "backend %s is a service address (VIP) on this bridge",
				   a);
		}
	}
	return 0;
}

// ---- parsing a service ----

struct spec {
	const char *name;
	bool has_vip, has_proto, has_backends, has_aff, has_aff_to;
	uint32_t vip;
	uint16_t vport;
	uint8_t proto, affinity;
	uint32_t aff_to;
	uint32_t n;
	struct vs_svc_backend *backends;
};

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

// Parses "A.B.C.D:PORT" into a usable unicast address and a port.
static int parse_ep(const char *s, uint32_t *ip, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;
	uint32_t h;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || parse_port(colon + 1, port) < 0)
		return -1;
	h = ntohl(a.s_addr);
	// Not 0/8, loopback, multicast, reserved or broadcast.
	if ((h >> 24) == 0 || (h >> 24) == 127 || h >= 0xe0000000u)
		return -1;
	*ip = h;
	return 0;
}

static int cmp_backend(const void *a, const void *b)
{
	const struct vs_svc_backend *x = a, *y = b;
	uint64_t kx = (uint64_t)x->ip << 16 | x->port, ky = (uint64_t)y->ip << 16 | y->port;

	return kx < ky ? -1 : kx > ky;
}

static int parse_backends(const char *list, struct spec *sp, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL, *tok;
	struct vs_svc_backend *b = NULL, *sorted;
	uint32_t n = 0, cap = 0;

	if (copy == NULL)
		return ERR(ENOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		if (n == VS_MAGLEV_MAX_BACKENDS) {
			free(copy);
			free(b);
			return ERR(EINVAL, "too many backends (at most %u per service)",
				   VS_MAGLEV_MAX_BACKENDS);
		}
		if (n == cap) {
			struct vs_svc_backend *nb;

			cap = cap ? cap * 2 : 16;
			nb = realloc(b, cap * sizeof(*b));
			if (nb == NULL) {
				free(copy);
				free(b);
				return ERR(ENOMEM, "out of memory");
			}
			b = nb;
		}
		if (parse_ep(tok, &b[n].ip, &b[n].port) < 0) {
			int r = ERR(EINVAL,
				    "invalid backend '%s' (expected A.B.C.D:PORT, a unicast address "
				    "and a port 1-65535)",
				    tok);

			free(copy);
			free(b);
			return r;
		}
		n++;
	}
	free(copy);
	sorted = n ? malloc(n * sizeof(*sorted)) : NULL;
	if (n && sorted == NULL) {
		free(b);
		return ERR(ENOMEM, "out of memory");
	}
	if (n)
		memcpy(sorted, b, n * sizeof(*b));
	if (n)
		qsort(sorted, n, sizeof(*sorted), cmp_backend);
	for (uint32_t i = 1; i < n; i++) {
		if (cmp_backend(&sorted[i - 1], &sorted[i]) == 0) {
			char a[32];
			int r;

			fmt_ep(sorted[i].ip, sorted[i].port, a, sizeof(a));
			r = ERR(EINVAL, "backend %s is listed twice", a);
			free(sorted);
			free(b);
			return r;
		}
	}
	free(sorted);
	sp->backends = b;
	sp->n = n;
	sp->has_backends = true;
	return 0;
}

// Option values may be strings or integers.
static int opt_str(const char *key, json_t *v, char *buf, size_t len, char *err, size_t errlen)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		return ERR(EINVAL, "option '%s' must be a string or an integer", key);
	return 0;
}

static int parse_spec(json_t *opts, struct spec *sp, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	int ret;

	json_object_foreach(opts, key, v) {
		char buf[256];

		if (strcmp(key, "backends") == 0) {
			if (!json_is_string(v))
				return ERR(EINVAL, "option 'backends' must be a string");
			if (sp->has_backends)
				return ERR(EINVAL, "option 'backends' given twice");
			ret = parse_backends(json_string_value(v), sp, err, errlen);
			if (ret < 0)
				return ret;
			continue;
		}
		if ((ret = opt_str(key, v, buf, sizeof(buf), err, errlen)) < 0)
			return ret;
		if (strcmp(key, "vip") == 0) {
			if (parse_ep(buf, &sp->vip, &sp->vport) < 0)
				return ERR(EINVAL,
					   "invalid vip '%s' (expected A.B.C.D:PORT, a unicast "
					   "address and a port 1-65535)",
					   buf);
			sp->has_vip = true;
		} else if (strcmp(key, "proto") == 0) {
			if (strcmp(buf, "tcp") != 0 && strcmp(buf, "udp") != 0)
				return ERR(EINVAL, "invalid proto '%s' (tcp or udp)", buf);
			sp->proto = strcmp(buf, "tcp") == 0 ? 6 : 17;
			sp->has_proto = true;
		} else if (strcmp(key, "affinity") == 0) {
			if (strcmp(buf, "none") != 0 && strcmp(buf, "client-ip") != 0)
				return ERR(EINVAL, "invalid affinity '%s' (none or client-ip)", buf);
			sp->affinity = strcmp(buf, "none") == 0 ? VS_SVC_AFFINITY_NONE
								: VS_SVC_AFFINITY_CLIENT_IP;
			sp->has_aff = true;
		} else if (strcmp(key, "affinity_timeout") == 0 ||
			   strcmp(key, "affinity-timeout") == 0) {
			char *end;
			unsigned long t;

			errno = 0;
			t = strtoul(buf, &end, 10);
			if (buf[0] < '0' || buf[0] > '9' || errno || *end || t < 1 || t > 86400)
				return ERR(EINVAL,
					   "invalid affinity_timeout '%s' (1 to 86400 seconds)",
					   buf);
			sp->aff_to = (uint32_t)t;
			sp->has_aff_to = true;
		} else {
			return ERR(EINVAL, "unknown service option '%s' (vip, proto, backends, "
					   "affinity, affinity_timeout)",
				   key);
		}
	}
	return 0;
}

// Builds the service object for 'sp' over 'base' (NULL for a new service).
static struct vs_svc *svc_make(const struct spec *sp, const struct vs_svc *base, uint32_t id,
			       char *err, size_t errlen)
{
	struct vs_svc *v = calloc(1, sizeof(*v));
	uint64_t *keys = NULL;

	if (v == NULL)
		return NULL;
	if (base) {
		*v = *base;
		v->backends = NULL;
		v->table = NULL;
	} else {
		v->proto = 6;
		v->affinity_timeout = VS_DEFAULT_AFFINITY_TIMEOUT;
		snprintf(v->name, sizeof(v->name), "%s", sp->name);
	}
	v->id = id;
	if (sp->has_vip) {
		v->vip = sp->vip;
		v->vport = sp->vport;
	}
	if (sp->has_proto)
		v->proto = sp->proto;
	if (sp->has_aff)
		v->affinity = sp->affinity;
	if (sp->has_aff_to)
		v->affinity_timeout = sp->aff_to;
	if (sp->has_backends) {
		v->n_backends = sp->n;
		v->backends = malloc((sp->n ? sp->n : 1) * sizeof(*v->backends));
		if (v->backends && sp->n)
			memcpy(v->backends, sp->backends, sp->n * sizeof(*v->backends));
	} else if (base) {
		v->backends = malloc((base->n_backends ? base->n_backends : 1) *
				     sizeof(*v->backends));
		if (v->backends && base->n_backends)
			memcpy(v->backends, base->backends,
			       base->n_backends * sizeof(*v->backends));
	} else {
		v->backends = malloc(sizeof(*v->backends));
	}
	if (v->backends == NULL)
		goto nomem;
	v->m = 0;
	if (v->n_backends) {
		v->m = vs_maglev_size(v->n_backends, base ? base->m : 0);
		v->table = malloc((size_t)v->m * sizeof(*v->table));
		keys = malloc(v->n_backends * sizeof(*keys));
		if (v->table == NULL || keys == NULL)
			goto nomem;
		for (uint32_t i = 0; i < v->n_backends; i++)
			keys[i] = (uint64_t)v->backends[i].ip << 16 | v->backends[i].port;
		if (vs_maglev_build(keys, v->n_backends, v->m, v->table) < 0)
			goto nomem;
		free(keys);
	}
	return v;
nomem:
	free(keys);
	svc_free(v);
	snprintf(err, errlen, "out of memory");
	return NULL;
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

static bool valid_svc_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > VS_SVC_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

// Adds one service from its name and options to the model (not published). On failure
// the model may hold part of a batch: the caller rolls back.
static int add_one(struct vs_services *s, const char *name, json_t *opts, char *err,
		   size_t errlen)
{
	struct spec sp = {.name = name};
	struct vs_svc *v;
	int ret;

	if (!valid_svc_name(name))
		return ERR(EINVAL, "invalid service name '%s' (1-%d characters of A-Z a-z 0-9 _ . -)",
			   name, VS_SVC_NAME_MAX);
	if (find(s, name) >= 0)
		return ERR(EEXIST, "service %s already exists", name);
	ret = parse_spec(opts, &sp, err, errlen);
	if (ret == 0 && !sp.has_vip)
		ret = ERR(EINVAL, "service %s needs vip=A.B.C.D:PORT", name);
	if (ret == 0 && !sp.has_backends)
		ret = ERR(EINVAL, "service %s needs backends=A.B.C.D:PORT[,...] (may be empty)",
			  name);
	if (ret < 0) {
		free(sp.backends);
		return ret;
	}
	v = svc_make(&sp, NULL, s->next_id, err, errlen);
	free(sp.backends);
	if (v == NULL)
		return -ENOMEM;
	ret = check_svc(s, v, err, errlen);
	if (ret == 0 && (grow(s, 1) < 0 || index_add(s, v) < 0))
		ret = ERR(ENOMEM, "out of memory");
	if (ret < 0) {
		svc_free(v);
		return ret;
	}
	s->next_id++;
	s->svcs[s->n++] = v;
	return 0;
}

// Undoes add_one() calls back to 'n' services.
static void rollback(struct vs_services *s, uint32_t n)
{
	while (s->n > n)
		svc_free(s->svcs[--s->n]);
	index_rebuild(s);
}

// ---- protocol methods ----

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

	json_object_foreach(r->params, key, v) {
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
	s = br->services;
	n0 = s->n;
	ret = add_one(s, name, opts, r->err, r->errlen);
	json_decref(opts);
	if (ret == 0)
		ret = publish(r->sw, s, NULL, 0);
	if (ret < 0) {
		if (ret == -ENOMEM && !r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		rollback(s, n0);
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
				snprintf(r->err, r->errlen, "malformed option '%s' (key=value)", tok);
				break;
			}
			*eq = '\0';
			json_object_set_new(opts, tok, json_string(eq + 1));
		}
		if (ret == 0)
			ret = add_one(s, name, opts, r->err, r->errlen);
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
		ret = publish(r->sw, s, NULL, 0);
	if (ret < 0) {
		if (!r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		rollback(s, n0);
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
	struct spec sp = {0};
	struct vs_svc *old, *v;
	struct map keep = {0};
	const char *name;
	json_t *opts;
	bool moved;
	int i, ret;

	if (check_keys(r, keys) < 0 || get_bridge(r, true, &br) < 0 ||
	    get_str(r, "service", true, &name) < 0 || (opts = get_opts(r)) == NULL)
		return -1;
	s = br->services;
	i = find(s, name);
	if (i < 0) {
		json_decref(opts);
		return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
	}
	if (json_object_size(opts) == 0) {
		json_decref(opts);
		return RFAIL(r, EINVAL, "set-service needs at least one option");
	}
	sp.name = name;
	ret = parse_spec(opts, &sp, r->err, r->errlen);
	json_decref(opts);
	if (ret < 0) {
		free(sp.backends);
		return req_fail(r, ret);
	}
	old = s->svcs[i];
	moved = sp.has_vip || sp.has_proto;
	moved = moved && (sp.vip != old->vip || sp.vport != old->vport ||
			  (sp.has_proto && sp.proto != old->proto));
	v = svc_make(&sp, old, old->id, r->err, r->errlen);
	free(sp.backends);
	if (v == NULL)
		return req_fail(r, -ENOMEM);
	index_del(s, old);
	ret = check_svc(s, v, r->err, r->errlen);
	if (ret == 0 && index_add(s, v) < 0)
		ret = -ENOMEM;
	if (ret == 0) {
		s->svcs[i] = v;
		ret = publish(r->sw, s, &old, 1);
		if (ret < 0)
			s->svcs[i] = old;
	}
	if (ret < 0) {
		svc_free(v);
		index_rebuild(s);
		if (!r->err[0])
			snprintf(r->err, r->errlen, "out of memory");
		return req_fail(r, ret);
	}
	// Connections to backends that left (or to a changed address) end.
	for (uint32_t b = 0; b < v->n_backends; b++)
		map_add(&keep, ((uint64_t)v->backends[b].ip << 16 | v->backends[b].port) + 1);
	{
		struct gone_arg ga = {.id = v->id, .keep = &keep};

		// 'old' is freed by now.
		if (moved)
			ct_scan(r->sw, s->dp->ct, svc_pred, &v->id);
		else
			ct_scan(r->sw, s->dp->ct, gone_pred, &ga);
	}
	map_free(&keep);
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
	i = find(s, name);
	if (i < 0)
		return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
	old = s->svcs[i];
	memmove(&s->svcs[i], &s->svcs[i + 1], (s->n - (uint32_t)i - 1) * sizeof(s->svcs[0]));
	s->n--;
	index_del(s, old);
	{
		uint32_t id = old->id;

		ret = publish(r->sw, s, &old, 1);
		if (ret < 0) {
			s->svcs[s->n++] = old; // order does not matter to the datapath
			index_rebuild(s);
			return RFAIL(r, ENOMEM, "out of memory");
		}
		ct_scan(r->sw, s->dp->ct, svc_pred, &id);
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
	fmt_ep(v->vip, v->vport, a, sizeof(a));
	json_object_set_new(o, "vip", json_string(a));
	json_object_set_new(o, "proto", json_string(v->proto == 6 ? "tcp" : "udp"));
	json_object_set_new(o, "affinity",
			    json_string(v->affinity ? "client-ip" : "none"));
	json_object_set_new(o, "affinity-timeout", json_integer(v->affinity_timeout));
	for (uint32_t i = 0; i < v->n_backends; i++) {
		json_t *b = json_object();
		struct vs_neigh *nb = s->dp ? vs_neigh_find(s->dp->neigh, v->backends[i].ip)
					    : NULL;
		uint64_t m = nb ? __atomic_load_n(&nb->mac, __ATOMIC_RELAXED) : 0;

		fmt_ep(v->backends[i].ip, v->backends[i].port, a, sizeof(a));
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
	json_object_set_new(o, "status",
			    json_string(v->n_backends ? "active"
						      : "no backends: rejecting connections"));
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
			json_array_append_new(a, svc_json(br, br->services->svcs[i],
							  br->services->n <= 64));
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
		int i = find(s, name);

		if (i < 0)
			return RFAIL(r, ENOENT, "service %s does not exist on %s", name, br->name);
		only = s->svcs[i]->id;
	}
	t = timeouts(s);
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
			fmt_ip(o->src, buf, sizeof(buf));
			json_object_set_new(e, "client", json_string(buf));
		} else {
			fmt_ep(o->src, o->sport, buf, sizeof(buf));
			json_object_set_new(e, "client", json_string(buf));
		}
		fmt_ep(o->dst, o->dport, buf, sizeof(buf));
		json_object_set_new(e, "vip", json_string(buf));
		fmt_ep(rp->src, rp->sport, buf, sizeof(buf));
		json_object_set_new(e, "backend", json_string(buf));
		if (f & VS_CT_F_SNAT) {
			fmt_ep(rp->dst, rp->dport, buf, sizeof(buf));
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
	json_object_set_new(r->res, "stats",
			    json_pack("{s:I,s:I,s:I,s:I}", "new-connections",
				      (json_int_t)sum.new_conns, "arp-replies",
				      (json_int_t)sum.arp_replies, "arp-requests",
				      (json_int_t)sum.arp_requests, "resets-sent",
				      (json_int_t)sum.resets));
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
		n = ct_scan(r->sw, br->services->dp->ct, all_pred, NULL);
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
		{"add-service", m_add},	    {"del-service", m_del},
		{"set-service", m_set},	    {"list-services", m_list},
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
