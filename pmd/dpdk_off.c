// SPDX-License-Identifier: Apache-2.0
// vswitchd built without DPDK (meson -Ddpdk=disabled, or no libdpdk): --dpdk and ports of
// type "dpdk" are refused with a message that says so.
#include <errno.h>
#include <stdio.h>

#include "dpdk.h"

#define NOT_BUILT "vswitchd was built without DPDK (rebuild with meson -Ddpdk=enabled)"

static enum vs_dpdk_state state = VS_DPDK_OFF;

int vs_dpdk_init(const char *args, char *err, size_t errlen)
{
	(void)args;
	state = VS_DPDK_NOT_BUILT;
	snprintf(err, errlen, "--dpdk: %s", NOT_BUILT);
	return -ENOTSUP;
}

void vs_dpdk_fini(void)
{
}

enum vs_dpdk_state vs_dpdk_state(void)
{
	return state;
}

const char *vs_dpdk_eal_args(void)
{
	return "";
}

const char *vs_dpdk_error(void)
{
	return state == VS_DPDK_NOT_BUILT ? NOT_BUILT : "";
}

const char *vs_dpdk_version(void)
{
	return "";
}

unsigned vs_dpdk_pools(struct vs_dpdk_pool_info *out, unsigned max)
{
	(void)out;
	(void)max;
	return 0;
}

static int off_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		    size_t errlen)
{
	(void)opts;
	(void)n_opts;
	snprintf(err, errlen, "%s: type dpdk: %s", port->name, NOT_BUILT);
	return -EINVAL;
}

static void off_close(struct vs_port *port)
{
	(void)port;
}

static uint16_t off_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	(void)port;
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

static void off_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	(void)port;
	(void)q;
	(void)pkts;
	(void)n;
}

static uint16_t off_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts,
			     uint16_t n)
{
	(void)port;
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

// Never opens a port, so the datapath functions are never called; they exist because the
// interface requires them.
const struct vs_port_ops vs_dpdk_ops = {
	.type = "dpdk",
	.open = off_open,
	.close = off_close,
	.rx_burst = off_rx_burst,
	.rx_done = off_rx_done,
	.tx_burst = off_tx_burst,
};
