// SPDX-License-Identifier: Apache-2.0
// DPDK port driver: what "vsctl show" and "vsctl port-stats" report of a dpdk port (device,
// link, mbuf hand-over counters, the driver's xstats). See pmd/dpdk_int.h.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_int.h"

#include <rte_ethdev.h>
#include <rte_ether.h>

static const char *link_state(uint16_t pid, struct rte_eth_link *link)
{
	memset(link, 0, sizeof(*link));
	if (rte_eth_link_get_nowait(pid, link) < 0)
		return "unknown";
	return link->link_status == RTE_ETH_LINK_UP ? "up" : "down";
}

void vs_dpdk_show_info(struct vs_port *port, struct vs_port_info *info)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_dev_info di;
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t mtu;

	info->str(info, "devargs", dp->o.devargs);
	info->str(info, "driver", dp->driver);
	info->u64(info, "dpdk-port", dp->port_id);
	info->str(info, "mempool", dp->pool->mp->name);
	info->u64(info, "ifindex", rte_eth_dev_info_get(dp->port_id, &di) == 0 ? di.if_index : 0);
	if (rte_eth_macaddr_get(dp->port_id, &mac) == 0) {
		rte_ether_format_addr(buf, sizeof(buf), &mac);
		info->str(info, "mac", buf);
	}
	if (rte_eth_dev_get_mtu(dp->port_id, &mtu) == 0)
		info->u64(info, "mtu", mtu);
	info->str(info, "link", link_state(dp->port_id, &link));
	if (port->numa_node >= 0)
		info->u64(info, "numa", (uint64_t)port->numa_node);
}

void vs_dpdk_stats_info(struct vs_port *port, struct vs_port_info *info)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	struct rte_eth_link link;
	int n;

	uint64_t shared = 0, copied = 0;

	info->str(info, "link", link_state(dp->port_id, &link));
	for (uint16_t q = 0; q < dp->o.n_txq; q++) {
		shared += vs_ctr_read(&dp->txq[q].shared);
		copied += vs_ctr_read(&dp->txq[q].copied);
	}
	// Frames handed to the device in their ingress mbuf, and frames copied into one.
	info->u64(info, "tx-mbuf-shared", shared);
	info->u64(info, "tx-mbuf-copied", copied);
	if (link.link_status == RTE_ETH_LINK_UP && link.link_speed != RTE_ETH_SPEED_NUM_NONE &&
	    link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
		info->u64(info, "link-speed-mbps", link.link_speed);
	n = rte_eth_xstats_get_names(dp->port_id, NULL, 0);
	if (n <= 0)
		return;
	names = calloc((size_t)n, sizeof(*names));
	xs = calloc((size_t)n, sizeof(*xs));
	if (names != NULL && xs != NULL && rte_eth_xstats_get_names(dp->port_id, names, n) == n &&
	    rte_eth_xstats_get(dp->port_id, xs, (unsigned)n) == n)
		for (int i = 0; i < n; i++)
			if (xs[i].id < (uint64_t)n)
				info->u64(info, names[xs[i].id].name, xs[i].value);
	free(names);
	free(xs);
}
