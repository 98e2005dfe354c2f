// SPDX-License-Identifier: Apache-2.0
// VXLAN ports, control side: parsing and validation of the options of add-port and
// set-port (see vxlan.h for the list, vxlan_int.h for struct vx_opts).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vxlan_int.h"

void vs_vxlan_ip_str(uint32_t ip, char *buf, size_t len)
{
	struct in_addr a = {.s_addr = htonl(ip)};

	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

// --- options ----------------------------------------------------------------------------

// "local_ip" and "local-ip" are the same option.
static void norm_key(const char *key, char *out, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		out[i] = key[i] == '-' ? '_' : key[i];
	out[i] = '\0';
}

static int parse_ip(const char *key, const char *s, uint32_t *ip, char *err, size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return ERR(EINVAL, "invalid %s '%s' (expected an IPv4 address)", key, s);
	*ip = ntohl(a.s_addr);
	if (*ip == 0 || *ip == 0xffffffffu || (*ip >> 28) == 0xe || (*ip >> 24) == 127)
		return ERR(EINVAL, "invalid %s '%s' (a unicast IPv4 address, not loopback)", key,
			   s);
	return 0;
}

static int parse_remotes(const char *s, uint32_t *out, uint16_t *n, char *err, size_t errlen)
{
	char buf[2048], *save = NULL, *tok;
	int ret;

	if (strlen(s) >= sizeof(buf))
		return ERR(EINVAL, "remote_ip list too long");
	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t ip;

		ret = parse_ip("remote_ip", tok, &ip, err, errlen);
		if (ret < 0)
			return ret;
		for (uint16_t i = 0; i < *n; i++)
			if (out[i] == ip)
				return ERR(EINVAL, "remote_ip %s is listed twice", tok);
		if (*n == VS_VXLAN_MAX_REMOTES)
			return ERR(EINVAL, "too many remote_ip (at most %d)", VS_VXLAN_MAX_REMOTES);
		out[(*n)++] = ip;
	}
	if (*n == 0)
		return ERR(EINVAL, "remote_ip needs at least one IPv4 address");
	return 0;
}

static int parse_num(const char *key, const char *s, unsigned long min, unsigned long max,
		     unsigned long *out, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out < min || *out > max)
		return ERR(EINVAL, "invalid %s '%s' (%lu-%lu)", key, s, min, max);
	return 0;
}

static int parse_bool(const char *key, const char *s, bool *out, char *err, size_t errlen)
{
	if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0"))
		*out = false;
	else
		return ERR(EINVAL, "invalid %s '%s' (true or false)", key, s);
	return 0;
}

// Parses one option into 'o'. 'runtime': only what set-port may change.
int vs_vxlan_parse_opt(struct vx_opts *o, const struct vs_opt *opt, bool runtime, char *err,
		       size_t errlen)
{
	unsigned long v;
	char key[32];
	int ret;

	norm_key(opt->key, key, sizeof(key));
	if (!strcmp(key, "remote_ip")) {
		o->has_remote = true;
		return parse_remotes(opt->val, o->remotes, &o->n_remotes, err, errlen);
	}
	if (!strcmp(key, "ttl")) {
		ret = parse_num("ttl", opt->val, 1, 255, &v, err, errlen);
		o->ttl = (uint8_t)v;
		return ret;
	}
	if (!strcmp(key, "udp_csum"))
		return parse_bool("udp_csum", opt->val, &o->udp_csum, err, errlen);
	if (!strcmp(key, "vni") || !strcmp(key, "local_ip") || !strcmp(key, "dst_port") ||
	    !strcmp(key, "underlay") || !strcmp(key, "underlay_type") ||
	    !strcmp(key, "underlay_queues") || !strcmp(key, "underlay_devargs") ||
	    !strcmp(key, "underlay_gw")) {
		if (runtime)
			return ERR(EINVAL,
				   "%s cannot change at run time (del-port, then add-port); "
				   "set-port changes remote_ip, ttl and udp_csum",
				   key);
	} else {
		return ERR(EINVAL, "unknown option for vxlan port: %s", opt->key);
	}
	if (!strcmp(key, "vni")) {
		o->has_vni = true;
		ret = parse_num("vni", opt->val, 0, VS_VXLAN_MAX_VNI, &v, err, errlen);
		o->vni = (uint32_t)v;
		return ret;
	}
	if (!strcmp(key, "local_ip")) {
		o->has_local = true;
		return parse_ip("local_ip", opt->val, &o->local_ip, err, errlen);
	}
	if (!strcmp(key, "dst_port")) {
		ret = parse_num("dst_port", opt->val, 1, 65535, &v, err, errlen);
		o->dst_port = (uint16_t)v;
		return ret;
	}
	if (!strcmp(key, "underlay_queues")) {
		ret = parse_num("underlay_queues", opt->val, 1, 64, &v, err, errlen);
		o->queues = (uint16_t)v;
		return ret;
	}
	if (!strcmp(key, "underlay_devargs")) {
		if (strlen(opt->val) == 0 || strlen(opt->val) >= sizeof(o->devargs))
			return ERR(EINVAL, "invalid underlay_devargs '%s' (1-%zu characters)",
				   opt->val, sizeof(o->devargs) - 1);
		snprintf(o->devargs, sizeof(o->devargs), "%s", opt->val);
		return 0;
	}
	if (!strcmp(key, "underlay_gw"))
		return parse_ip("underlay_gw", opt->val, &o->gw, err, errlen);
	if (!strcmp(key, "underlay")) {
		if (strlen(opt->val) == 0 || strlen(opt->val) >= IF_NAMESIZE)
			return ERR(EINVAL, "invalid underlay '%s'", opt->val);
		o->has_underlay = true;
		snprintf(o->underlay, sizeof(o->underlay), "%s", opt->val);
		return 0;
	}
	if (vs_port_driver_find(opt->val) == NULL || !strcmp(opt->val, "vxlan"))
		return ERR(EINVAL, "invalid underlay_type '%s' (a port driver such as afxdp)",
			   opt->val);
	snprintf(o->type, sizeof(o->type), "%s", opt->val);
	return 0;
}
