// SPDX-License-Identifier: Apache-2.0
#include "port.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vs_port_ops *drivers[8];
static size_t n_drivers;

void vs_port_driver_register(const struct vs_port_ops *ops)
{
	if (vs_port_driver_find(ops->type) == NULL && n_drivers < VS_ARRAY_SIZE(drivers))
		drivers[n_drivers++] = ops;
}

const struct vs_port_ops *vs_port_driver_find(const char *type)
{
	for (size_t i = 0; i < n_drivers; i++)
		if (strcmp(drivers[i]->type, type) == 0)
			return drivers[i];
	return NULL;
}

void vs_port_drivers_thread_init(void)
{
	for (size_t i = 0; i < n_drivers; i++)
		if (drivers[i]->thread_init != NULL)
			drivers[i]->thread_init();
}

void vs_port_drivers_thread_exit(void)
{
	for (size_t i = 0; i < n_drivers; i++)
		if (drivers[i]->thread_exit != NULL)
			drivers[i]->thread_exit();
}

struct vs_port *vs_port_open(const char *type, const char *name, const struct vs_opt *opts,
			     size_t n_opts, char *err, size_t errlen)
{
	const struct vs_port_ops *ops = vs_port_driver_find(type);
	struct vs_port *port;
	int ret;

	if (ops == NULL) {
		snprintf(err, errlen, "unknown port type: %s", type);
		errno = EINVAL;
		return NULL;
	}
	if (strlen(name) == 0 || strlen(name) >= sizeof(port->name)) {
		snprintf(err, errlen, "invalid port name: '%s'", name);
		errno = EINVAL;
		return NULL;
	}
	port = aligned_alloc(VS_CACHE_LINE, sizeof(*port));
	if (port == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	memset(port, 0, sizeof(*port));
	strcpy(port->name, name);
	port->ops = ops;
	port->id = VS_PORT_NONE;
	port->numa_node = -1;
	ret = ops->open(port, opts, n_opts, err, errlen);
	if (ret < 0) {
		free(port);
		errno = -ret;
		return NULL;
	}
	return port;
}

void vs_port_close(struct vs_port *port)
{
	if (port == NULL)
		return;
	port->ops->close(port);
	free(port);
}

void vs_port_set_opt(struct vs_port *port, const char *key, const char *fmt, ...)
{
	uint16_t i;
	va_list ap;

	for (i = 0; i < port->n_opts; i++)
		if (strcmp(port->opt_key[i], key) == 0)
			break;
	if (i == VS_MAX_PORT_OPTS)
		return;
	if (i == port->n_opts)
		port->n_opts++;
	snprintf(port->opt_key[i], sizeof(port->opt_key[i]), "%s", key);
	va_start(ap, fmt);
	vsnprintf(port->opt_val[i], sizeof(port->opt_val[i]), fmt, ap);
	va_end(ap);
}

void vs_port_counters_sum(struct vs_port *port, struct vs_port_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (int p = 0; p < VS_MAX_PMDS; p++) {
		const struct vs_port_counters *c = &port->ctr[p];

		out->rx_packets += vs_ctr_read(&c->rx_packets);
		out->rx_bytes += vs_ctr_read(&c->rx_bytes);
		out->tx_packets += vs_ctr_read(&c->tx_packets);
		out->tx_bytes += vs_ctr_read(&c->tx_bytes);
		out->rx_csum_completed += vs_ctr_read(&c->rx_csum_completed);
		for (int d = 0; d < VS_DROP_MAX; d++)
			out->drops[d] += vs_ctr_read(&c->drops[d]);
	}
	if (port->ops->driver_drops != NULL)
		port->ops->driver_drops(port, out->drops);
}

uint64_t vs_port_drops_total(struct vs_port *port)
{
	struct vs_port_counters c;
	uint64_t n = 0;

	vs_port_counters_sum(port, &c);
	for (int d = 0; d < VS_DROP_MAX; d++)
		n += c.drops[d];
	return n;
}
