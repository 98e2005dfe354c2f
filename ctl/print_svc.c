// SPDX-License-Identifier: Apache-2.0
#include "print_svc.h"

#include <string.h>

#define S_MAX 256

static const char *str(const json_t *obj, const char *key, char *buf)
{
	const json_t *v = json_object_get(obj, key);
	size_t i = 0;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		for (; s[i] && i < S_MAX - 1; i++)
			buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
		buf[i] = '\0';
	} else if (json_is_integer(v)) {
		snprintf(buf, S_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else {
		snprintf(buf, S_MAX, "-");
	}
	return buf;
}

static const json_t *array(const json_t *obj, const char *key, char *err, size_t errsize)
{
	const json_t *a = json_object_get(obj, key);

	if (!json_is_array(a)) {
		snprintf(err, errsize, "unexpected response from vswitchd: '%s' is not an array",
			 key);
		return NULL;
	}
	return a;
}

int print_list_services(const json_t *result, FILE *out, char *err, size_t errsize)
{
	const json_t *svcs = array(result, "services", err, errsize), *s;
	size_t i;

	if (svcs == NULL)
		return -1;
	json_array_foreach (svcs, i, s) {
		const json_t *bs = json_object_get(s, "backends"), *b;
		char br[S_MAX], name[S_MAX], vip[S_MAX], proto[S_MAX], aff[S_MAX], st[S_MAX],
			x[S_MAX], y[S_MAX];
		size_t j;

		fprintf(out, "%s %s %s/%s affinity=%s", str(s, "bridge", br), str(s, "name", name),
			str(s, "vip", vip), str(s, "proto", proto), str(s, "affinity", aff));
		if (strcmp(aff, "client-ip") == 0)
			fprintf(out, " affinity_timeout=%s", str(s, "affinity-timeout", x));
		if (json_object_get(s, "connections"))
			fprintf(out, " connections=%s", str(s, "connections", x));
		fprintf(out, " [%s]\n", str(s, "status", st));
		json_array_foreach (bs, j, b) {
			const json_t *mac = json_object_get(b, "mac");

			fprintf(out, "    backend %s %s\n", str(b, "address", x),
				json_is_string(mac) ? str(b, "mac", y) : "(MAC not resolved yet)");
		}
	}
	return 0;
}

int print_conntrack_show(const json_t *result, FILE *out, char *err, size_t errsize)
{
	const json_t *conns = array(result, "connections", err, errsize), *c, *st;
	char a[S_MAX], b[S_MAX], d[S_MAX], e[S_MAX], f[S_MAX], g[S_MAX], h[S_MAX];
	size_t i;

	if (conns == NULL)
		return -1;
	json_array_foreach (conns, i, c) {
		fprintf(out, "%s %s -> %s -> %s", str(c, "proto", a), str(c, "client", b),
			str(c, "vip", d), str(c, "backend", e));
		if (json_object_get(c, "snat"))
			fprintf(out, " snat %s", str(c, "snat", f));
		fprintf(out, " %s%s expires %ss service %s\n", str(c, "state", g),
			json_is_true(json_object_get(c, "reset-pending")) ? " (reset pending)" : "",
			str(c, "expires", f), str(c, "service", h));
	}
	fprintf(out, "%s: %s entries (conntrack-size %s)%s\n", str(result, "bridge", a),
		str(result, "count", b), str(result, "conntrack-size", d),
		json_is_true(json_object_get(result, "truncated")) ? ", list truncated" : "");
	st = json_object_get(result, "stats");
	if (json_is_object(st))
		fprintf(out,
			"new-connections %s, arp-replies %s, arp-requests %s, resets-sent %s\n",
			str(st, "new-connections", a), str(st, "arp-replies", b),
			str(st, "arp-requests", d), str(st, "resets-sent", e));
	return 0;
}

int print_flushed(const json_t *result, FILE *out, char *err, size_t errsize)
{
	char n[S_MAX];

	(void)err;
	(void)errsize;
	fprintf(out, "%s entries flushed\n", str(result, "flushed", n));
	return 0;
}

int print_added(const json_t *result, FILE *out, char *err, size_t errsize)
{
	char n[S_MAX];

	(void)err;
	(void)errsize;
	fprintf(out, "%s services added\n", str(result, "added", n));
	return 0;
}
