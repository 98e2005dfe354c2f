// SPDX-License-Identifier: Apache-2.0
// Parsing the options of a service and building its object (cp/service_int.h).
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dp/maglev.h"
#include "handlers.h"
#include "service_int.h"

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

static int parse_backends(const char *list, struct svc_spec *sp, char *err, size_t errlen)
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
			int r = ERR(
				EINVAL,
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

			services_fmt_ep(sorted[i].ip, sorted[i].port, a, sizeof(a));
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

int services_parse_spec(json_t *opts, struct svc_spec *sp, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	int ret;

	json_object_foreach (opts, key, v) {
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
		if ((ret = vs_ctl_opt_str(key, v, buf, sizeof(buf), err, errlen)) < 0)
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
				return ERR(EINVAL, "invalid affinity '%s' (none or client-ip)",
					   buf);
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
			return ERR(EINVAL,
				   "unknown service option '%s' (vip, proto, backends, "
				   "affinity, affinity_timeout)",
				   key);
		}
	}
	return 0;
}

// Builds the service object for 'sp' over 'base' (NULL for a new service).
struct vs_svc *services_make(const struct svc_spec *sp, const struct vs_svc *base, uint32_t id,
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
		v->backends =
			malloc((base->n_backends ? base->n_backends : 1) * sizeof(*v->backends));
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
	services_free_svc(v);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

bool services_valid_name(const char *name)
{
	return vs_switch_valid_name_max(name, VS_SVC_NAME_MAX);
}
