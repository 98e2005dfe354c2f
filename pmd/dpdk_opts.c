// SPDX-License-Identifier: Apache-2.0
#include "dpdk_opts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool power_of_two(unsigned long v)
{
	return v && (v & (v - 1)) == 0;
}

int vs_dpdk_opts_parse(const char *port, const struct vs_opt *opts, size_t n_opts,
		       struct vs_dpdk_opts *out, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		unsigned long min, max;
	} nums[] = {
		{"n_rxq", 1, VS_DPDK_MAX_QUEUES},
		{"n_txq", 1, VS_DPDK_MAX_QUEUES},
		{"rxq_size", VS_DPDK_MIN_DESC, VS_DPDK_MAX_DESC},
		{"txq_size", VS_DPDK_MIN_DESC, VS_DPDK_MAX_DESC},
		{"mtu", VS_DPDK_MIN_MTU, VS_DPDK_MAX_MTU},
	};
	unsigned long v[5] = {1, 1, VS_DPDK_DEFAULT_DESC, VS_DPDK_DEFAULT_DESC, 0};
	size_t len;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n_opts; i++) {
		size_t k;

		if (strcmp(opts[i].key, "devargs") == 0) {
			len = strlen(opts[i].val);
			if (len == 0 || len >= sizeof(out->devargs)) {
				snprintf(err, errlen, "%s: devargs must be 1-%zu characters", port,
					 sizeof(out->devargs) - 1);
				return -EINVAL;
			}
			memcpy(out->devargs, opts[i].val, len + 1);
			continue;
		}
		for (k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
			if (strcmp(opts[i].key, nums[k].key) == 0)
				break;
		if (k == sizeof(nums) / sizeof(nums[0])) {
			snprintf(err, errlen,
				 "%s: unknown option '%s' for a dpdk port (devargs, n_rxq, n_txq, "
				 "rxq_size, txq_size, mtu)",
				 port, opts[i].key);
			return -EINVAL;
		}
		if (parse_num(opts[i].val, nums[k].min, nums[k].max, &v[k]) < 0 ||
		    (k >= 2 && k <= 3 && !power_of_two(v[k]))) {
			snprintf(err, errlen, "%s: invalid %s '%s' (%lu-%lu%s)", port, nums[k].key,
				 opts[i].val, nums[k].min, nums[k].max,
				 k >= 2 && k <= 3 ? ", a power of 2" : "");
			return -EINVAL;
		}
	}
	if (out->devargs[0] == '\0') {
		snprintf(err, errlen,
			 "%s: a dpdk port needs devargs=DEVICE (a PCI address such as "
			 "0000:01:00.0, or a vdev such as net_tap0,iface=tap0)",
			 port);
		return -EINVAL;
	}
	len = strcspn(out->devargs, ",");
	if (len == 0 || strchr(" \t\n", out->devargs[0]) != NULL) {
		snprintf(err, errlen,
			 "%s: invalid devargs '%s' (no device name before the first ',')", port,
			 out->devargs);
		return -EINVAL;
	}
	memcpy(out->dev_name, out->devargs, len);
	out->dev_name[len] = '\0';
	out->n_rxq = (uint16_t)v[0];
	out->n_txq = (uint16_t)v[1];
	out->rxq_size = (uint16_t)v[2];
	out->txq_size = (uint16_t)v[3];
	out->mtu = (uint32_t)v[4];
	return 0;
}

static bool has_opt(char **argv, int argc, const char *const *names)
{
	for (int i = 1; i < argc; i++)
		for (const char *const *n = names; *n; n++) {
			size_t len = strlen(*n);

			// "-l 1", "-l1", "--lcores=1", "--lcores 1"
			if (strncmp(argv[i], *n, len) == 0 &&
			    (argv[i][len] == '\0' || argv[i][len] == '=' || (*n)[1] != '-'))
				return true;
		}
	return false;
}

int vs_dpdk_eal_argv(const char *line, int main_lcore, char *buf, size_t buflen, char **argv,
		     int max, char *err, size_t errlen)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", "--in-memory", NULL};
	static const char *const help_opts[] = {"-h", "--help", NULL};
	const char *p = line;
	size_t used = 0;
	int argc = 0;

#define PUT_CHAR(c)                                                                                \
	do {                                                                                       \
		if (used == buflen)                                                                \
			goto too_long;                                                             \
		buf[used++] = (c);                                                                 \
	} while (0)
#define ADD_WORD(w)                                                                                \
	do {                                                                                       \
		const char *w_ = (w);                                                              \
		if (argc >= max - 1)                                                               \
			goto too_many;                                                             \
		argv[argc++] = buf + used;                                                         \
		for (; *w_; w_++)                                                                  \
			PUT_CHAR(*w_);                                                             \
		PUT_CHAR('\0');                                                                    \
	} while (0)

	ADD_WORD("vswitchd");
	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (argc >= max - 1)
			goto too_many;
		argv[argc++] = buf + used;
		for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else
				PUT_CHAR(*p);
		}
		if (quote) {
			snprintf(err, errlen, "--dpdk: unbalanced %c in '%s'", quote, line);
			return -EINVAL;
		}
		PUT_CHAR('\0');
	}
	if (has_opt(argv, argc, help_opts)) {
		snprintf(err, errlen, "--dpdk: --help is not an EAL argument for vswitchd");
		return -EINVAL;
	}
	if (!has_opt(argv, argc, lcore_opts) && main_lcore >= 0) {
		char num[16];

		snprintf(num, sizeof(num), "%d", main_lcore);
		ADD_WORD("-l");
		ADD_WORD(num);
	}
	if (!has_opt(argv, argc, prefix_opts)) {
		ADD_WORD("--file-prefix");
		ADD_WORD("vswitchd");
	}
	argv[argc] = NULL;
	return argc;
too_many:
	snprintf(err, errlen, "--dpdk: too many EAL arguments (at most %d)", max - 2);
	return -EINVAL;
too_long:
	snprintf(err, errlen, "--dpdk: EAL arguments too long");
	return -EINVAL;
#undef PUT_CHAR
#undef ADD_WORD
}
